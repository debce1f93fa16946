/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_AGENT_WIRING_H
#define VMM_AGENT_WIRING_H

/*
 * The partitions as the management agent (plinth/agent.h) reports them
 * (vmm/core/agent_wiring.c): its backend lists them, and each change of
 * state becomes an event for the controller.
 */
#include <vmm/partition.h>

/* Registers the backend; once, before partitions are made. */
void agent_wiring_init(void);
#endif
