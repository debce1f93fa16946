/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_LWIP_ARCH_CC_H
#define PLINTH_LWIP_ARCH_CC_H

/*
 * lwIP's compiler and platform hooks for Plinth (kernel/net/lwip_port.c).
 * Freestanding: no <inttypes.h> or <ctype.h>, so lwIP's own fall-backs and
 * these format strings are used.
 */
#include <stddef.h>
#include <stdint.h>

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"

#define LWIP_RAND() ((u32_t)net_lwip_rand())

/* lwIP's diagnostics go to Plinth's log; a failed assertion stops the network thread only. */
void net_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void net_lwip_assert(const char *msg, const char *file, int line) __attribute__((noreturn));
unsigned int net_lwip_rand(void);

#define LWIP_PLATFORM_DIAG(x) do { net_lwip_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) net_lwip_assert((x), __FILE__, __LINE__)

#endif
