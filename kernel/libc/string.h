/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The third-party code built into the kernel (lwIP, mbedTLS) includes <string.h>; the
 * freestanding kernel's string functions stand in for libc's.
 */
#ifndef PLINTH_LIBC_STRING_H
#define PLINTH_LIBC_STRING_H
#include <plinth/string.h>
#endif
