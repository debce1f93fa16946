/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The management agent's view of the partitions (vmm/agent_wiring.h): the
 * kernel's agent knows nothing of vmm/, so this side fills its state report,
 * turns partition state changes (the lifecycle's notifier) into its events,
 * runs the controller's operations through the lifecycle API and reads and
 * types into partition consoles for its streams.
 *
 * Every callback runs on the network thread (CPU 0, where the lifecycle API
 * runs); operations are in agent_ops.c.
 */
#include <asm/percpu.h>
#include <plinth/agent.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <vmm/agent_wiring.h>
#include <vmm/console_router.h>
#include <vmm/io.h>
#include <vmm/lifecycle.h>
#include <vmm/partition.h>
#include "agent_ops.h"

uint32_t agent_mgmt_state(enum partition_state s)
{
	switch (s) {
	case PARTITION_RUNNING:
		return MGMT_PART_RUNNING;
	case PARTITION_STOPPING:
		return MGMT_PART_STOPPING;
	case PARTITION_STOPPED:
		return MGMT_PART_STOPPED;
	case PARTITION_DELETED:
		return MGMT_PART_DELETED;
	default:
		return MGMT_PART_CREATED;
	}
}

enum partition_state agent_state_now(const struct partition *p)
{
	return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
}

static void fill_state(struct mgmt_state *st)
{
	struct partition *p;

	st->count = 0;
	/* Every slot: a deleted partition leaves a hole. */
	for (unsigned int i = 0; st->count < MGMT_STATE_MAX && i < CONFIG_MAX_PARTITIONS; i++) {
		struct mgmt_part *mp;

		p = partition_get(i);
		if (!p)
			continue;
		mp = &st->parts[st->count++];
		strlcpy(mp->name, p->name, sizeof(mp->name));
		mp->state = agent_mgmt_state(agent_state_now(p));
		mp->vcpus = p->vcpu_count;
		mp->memory = p->mem_size;
		mp->from_config = p->from_config;
	}
}

_Static_assert(MAX_CPUS <= 64, "one bit per CPU in a uint64_t");

/* CPUs that a partition still holds: a stopped one gave its CPUs back. */
static unsigned int cpus_used(void)
{
	uint64_t used = 0;
	unsigned int n = 0;
	struct partition *p;

	for (unsigned int i = 0; i < CONFIG_MAX_PARTITIONS; i++) {
		p = partition_get(i);
		if (!p || agent_state_now(p) == PARTITION_STOPPED)
			continue;
		for (unsigned int k = 0; k < p->vcpu_count; k++) {
			unsigned int cpu = p->cpus[k];

			if (cpu < MAX_CPUS && !(used & (1ULL << cpu))) {
				used |= 1ULL << cpu;
				n++;
			}
		}
	}
	return n;
}

static long console_read(const char *name, uint64_t *off, void *buf, size_t len, uint64_t *lost)
{
	struct partition *p = partition_find(name);

	if (!p)
		return -ENOENT;
	if (!len)
		return 0;
	return (long)partition_console_read(p, off, buf, len, lost);
}

static long console_input(const char *name, const void *buf, size_t len)
{
	struct partition *p = partition_find(name);

	if (!p)
		return -ENOENT;
	return (long)console_router_input(p, buf, len);
}

static const struct agent_backend backend = {
	.state = fill_state,
	.cpus_used = cpus_used,
	.op = agent_run_op,
	.console_read = console_read,
	.console_input = console_input,
};

/* From any CPU, with no partition lock held (vmm/lifecycle.h): a copy into the agent's log. */
static void state_changed(const char *name, enum partition_state state, const char *reason)
{
	agent_event(name, agent_mgmt_state(state), reason);
	if (state == PARTITION_DELETED)
		agent_ops_deleted(name);
}

void agent_wiring_init(void)
{
	agent_set_backend(&backend);
	if (partition_notifier_register(state_changed) < 0)
		pr_err("agent: no room for a partition notifier; partition events will not be reported\n");
}
