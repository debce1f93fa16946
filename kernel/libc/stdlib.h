/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <stdlib.h> for the third-party code built into the kernel. lwIP's netif.c wants atoi
 * (netif_find; kernel/net/lwip_port.c has it); mbedTLS includes the header but takes its
 * allocator through mbedtls_platform_set_calloc_free (kernel/tls/tls_port.c).
 */
#ifndef PLINTH_LIBC_STDLIB_H
#define PLINTH_LIBC_STDLIB_H
#include <stddef.h>
int atoi(const char *s);
#endif
