/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CONSOLE_ROUTER_H
#define VMM_CONSOLE_ROUTER_H

/*
 * Input for a partition's console from elsewhere than Plinth's serial
 * console (vmm/core/console_router.c): keystrokes from the management
 * agent's console streams, which join what is typed locally in the
 * partition's input queue, whichever partition has the serial console.
 */
#include <plinth/types.h>

struct partition;

/*
 * Queues up to len bytes for p's UART: how many fit now (the queue holds
 * ROUTER_PENDING_MAX bytes the guest has not read; the caller offers the
 * rest again later). On CPU 0 (the network thread): the router's poll runs
 * there too, and threads on a CPU switch only when they yield.
 */
size_t console_router_input(struct partition *p, const void *buf, size_t len);

#endif
