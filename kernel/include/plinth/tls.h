/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_TLS_H
#define PLINTH_TLS_H

/*
 * Plinth's TLS: mbedTLS 2.28 built into the kernel (kernel/tls/, configured by
 * kernel/tls/port/mbedtls_config.h). Code using mbedTLS's API lives under kernel/tls/, whose
 * include path has mbedTLS's headers; this header is for the rest of the kernel.
 */
#include <plinth/types.h>

/*
 * Points mbedTLS's allocator at the kernel heap; call before any other mbedTLS function.
 * Idempotent. -ENODEV: the CPU has neither RDSEED nor RDRAND, so there is no entropy source
 * and no key or handshake can be made.
 */
int tls_platform_init(void);
/* Allocations mbedTLS holds now (a leak check for tests). */
uint64_t tls_allocations_live(void);
/* Where mbedTLS's entropy comes from: "RDSEED", "RDRAND" or "none". */
const char *tls_entropy_source(void);
/* The in-kernel known-answer and handshake tests (selftest=1); fills @detail either way. */
bool tls_selftest(char *detail, size_t len);

#endif
