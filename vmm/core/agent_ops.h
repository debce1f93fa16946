/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CORE_AGENT_OPS_H
#define VMM_CORE_AGENT_OPS_H

/* Shared by the management agent's VMM side: agent_wiring.c and agent_ops.c. */
#include <plinth/agent.h>
#include <vmm/partition.h>

uint32_t agent_mgmt_state(enum partition_state s);
enum partition_state agent_state_now(const struct partition *p);
/* The backend's op callback: on the network thread, synchronous. */
void agent_run_op(const struct mgmt_op *op, struct mgmt_result *res, agent_progress_fn *progress,
		  void *ctx);
/* A partition is gone: the images it booted from are released. */
void agent_ops_deleted(const char *name);

#endif
