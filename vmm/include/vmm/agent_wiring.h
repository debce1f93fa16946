/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_AGENT_WIRING_H
#define VMM_AGENT_WIRING_H

/*
 * The partitions as the management agent (plinth/agent.h) reports them
 * (vmm/core/agent_wiring.c): its backend lists those made from plinth.cfg,
 * and each change of state becomes an event for the controller.
 */
#include <vmm/partition.h>

/* Registers the backend; once, before partitions are made. */
void agent_wiring_init(void);
/* p has just moved to state: an event saying why (printf-style). From any CPU. */
void agent_wiring_event(const struct partition *p, enum partition_state state, const char *fmt,
			...) __printf(3, 4);

#endif
