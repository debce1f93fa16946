/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mbedTLS's X.509 code includes <time.h> for struct tm (certificate validity dates); its clock
 * and gmtime_r are Plinth's (MBEDTLS_PLATFORM_TIME_MACRO, MBEDTLS_PLATFORM_GMTIME_R_ALT in
 * kernel/tls/tls_port.c), so only the types are needed here.
 */
#ifndef PLINTH_TLS_PORT_TIME_H
#define PLINTH_TLS_PORT_TIME_H

typedef long long time_t;

struct tm {
	int tm_sec;
	int tm_min;
	int tm_hour;
	int tm_mday;
	int tm_mon;  /* 0..11 */
	int tm_year; /* years since 1900 */
	int tm_wday;
	int tm_yday;
	int tm_isdst;
};

#endif
