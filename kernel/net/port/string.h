/* SPDX-License-Identifier: GPL-2.0 */
/* lwIP includes <string.h>; the freestanding kernel's string functions stand in for libc's. */
#ifndef PLINTH_NET_PORT_STRING_H
#define PLINTH_NET_PORT_STRING_H
#include <plinth/string.h>
#endif
