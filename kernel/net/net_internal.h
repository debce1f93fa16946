/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_NET_INTERNAL_H
#define PLINTH_NET_INTERNAL_H

/* Shared by the files of Plinth's network stack (kernel/net/), all on its one thread. */
#include <plinth/types.h>

/* The test services (net_echo.c), when the configuration has selftest = 1. */
void net_echo_start(void);
/* Whether a test client asked over TCP port 8 for the run to end. */
bool net_test_exit_requested(void);

#endif
