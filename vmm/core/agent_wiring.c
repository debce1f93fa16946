/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The management agent's view of the partitions (vmm/agent_wiring.h): the
 * kernel's agent knows nothing of vmm/, so this side fills its state report
 * and turns partition state changes into its events. Today every partition
 * comes from plinth.cfg at boot.
 */
#include <asm/percpu.h>
#include <plinth/agent.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <vmm/agent_wiring.h>
#include <vmm/partition.h>

static uint32_t mgmt_state_of(enum partition_state s)
{
	switch (s) {
	case PARTITION_RUNNING:
		return MGMT_PART_RUNNING;
	case PARTITION_STOPPING:
		return MGMT_PART_STOPPING;
	case PARTITION_STOPPED:
		return MGMT_PART_STOPPED;
	default:
		return MGMT_PART_CREATED;
	}
}

static enum partition_state state_now(const struct partition *p)
{
	return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
}

static void fill_state(struct mgmt_state *st)
{
	struct partition *p;

	st->count = 0;
	for (unsigned int i = 0; st->count < MGMT_STATE_MAX && (p = partition_get(i)); i++) {
		struct mgmt_part *mp = &st->parts[st->count++];

		strlcpy(mp->name, p->name, sizeof(mp->name));
		mp->state = mgmt_state_of(state_now(p));
		mp->vcpus = p->vcpu_count;
		mp->memory = p->mem_size;
		mp->from_config = 1;
	}
}

_Static_assert(MAX_CPUS <= 64, "one bit per CPU in a uint64_t");

/* CPUs that a partition still holds: a stopped one gave its CPUs back. */
static unsigned int cpus_used(void)
{
	uint64_t used = 0;
	unsigned int n = 0;
	struct partition *p;

	for (unsigned int i = 0; (p = partition_get(i)); i++) {
		if (state_now(p) == PARTITION_STOPPED)
			continue;
		for (unsigned int k = 0; k < p->vcpu_count; k++) {
			unsigned int cpu = p->vcpus[k]->cpu;

			if (cpu < MAX_CPUS && !(used & (1ULL << cpu))) {
				used |= 1ULL << cpu;
				n++;
			}
		}
	}
	return n;
}

static const struct agent_backend backend = {
	.state = fill_state,
	.cpus_used = cpus_used,
};

void agent_wiring_init(void)
{
	agent_set_backend(&backend);
}

void agent_wiring_event(const struct partition *p, enum partition_state state, const char *fmt,
			...)
{
	char text[MGMT_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	agent_event(p->name, mgmt_state_of(state), text);
}
