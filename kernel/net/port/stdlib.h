/* SPDX-License-Identifier: GPL-2.0 */
/* lwIP's netif.c includes <stdlib.h> for atoi (netif_find); kernel/net/lwip_port.c has it. */
#ifndef PLINTH_NET_PORT_STDLIB_H
#define PLINTH_NET_PORT_STDLIB_H
int atoi(const char *s);
#endif
