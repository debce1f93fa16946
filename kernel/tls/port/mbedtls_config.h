/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_MBEDTLS_CONFIG_H
#define PLINTH_MBEDTLS_CONFIG_H

/*
 * mbedTLS 2.28 configuration for Plinth (MBEDTLS_CONFIG_FILE, kernel/tls/mbedtls.mk): only what
 * the management agent's TLS 1.2 client with mutual authentication needs. One suite family,
 * ECDHE-ECDSA with AES-GCM over P-256/P-384, so no RSA, no CBC, no TLS 1.0/1.1, no PSK. The
 * server side is built too because the self-test (kernel/tls/tls_selftest.c) handshakes with
 * itself in memory. The kernel has no files, sockets, stdio or libc: memory comes from the
 * kernel heap, entropy from RDSEED/RDRAND, the date from the firmware's clock
 * (kernel/tls/tls_port.c). The kernel is built -mgeneral-regs-only, so no AES-NI (SSE).
 */

/* System support */
#define MBEDTLS_HAVE_ASM
/* 128-bit division would need libgcc (__udivti3), which the kernel does not link. */
#define MBEDTLS_NO_UDBL_DIVISION
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO snprintf
#define MBEDTLS_PLATFORM_TIME_TYPE_MACRO long long
#define MBEDTLS_PLATFORM_TIME_MACRO plinth_tls_time
#define MBEDTLS_PLATFORM_GMTIME_R_ALT
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
/* One RDSEED/RDRAND poll gives 32 bytes; the accumulator needs no more before it may output. */
#define MBEDTLS_ENTROPY_MIN_HARDWARE 32

/* Math and curves */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
/* 384-bit curves are the largest; the default (1024 bytes, for RSA-8192) only wastes stack. */
#define MBEDTLS_MPI_MAX_SIZE 128

/* Symmetric crypto and hashes */
#define MBEDTLS_AES_C
/* Constant tables: built at run time they would be a race between the first users on two CPUs. */
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_ENTROPY_C

/* Keys, certificates, CSRs */
#define MBEDTLS_OID_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PEM_WRITE_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CREATE_C
#define MBEDTLS_X509_CSR_WRITE_C
/*
 * The agent trusts its controller by a pin (the SHA-256 of its CA's key), not by a CA it holds:
 * during the handshake a callback hands mbedTLS the presented CA that matches the pin as the
 * only trusted one (kernel/agent/agent_pin.c), so the chain is still verified, as REQUIRED.
 */
#define MBEDTLS_X509_TRUSTED_CERTIFICATE_CALLBACK

/* TLS 1.2, ECDHE-ECDSA with AES-GCM only */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_CIPHERSUITES \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE

#include "mbedtls/check_config.h"

/* Plinth's side of the platform hooks above: kernel/lib/vsnprintf.c and kernel/tls/tls_port.c. */
#include <stddef.h>
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
long long plinth_tls_time(long long *t);

#endif
