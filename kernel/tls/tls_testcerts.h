/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_TLS_TESTCERTS_H
#define PLINTH_TLS_TESTCERTS_H

/*
 * PEM test data for kernel/tls/tls_selftest.c (kernel/tls/gen-testcerts.py): a CA, the server
 * and client certificates it signed with their keys, and an unrelated CA. NUL-terminated, as
 * mbedTLS's PEM parsers want (pass sizeof, which counts the NUL).
 */
extern const char tls_test_ca_crt[];
extern const char tls_test_other_ca_crt[];
extern const char tls_test_srv_crt[];
extern const char tls_test_srv_key[];
extern const char tls_test_cli_crt[];
extern const char tls_test_cli_key[];

#endif
