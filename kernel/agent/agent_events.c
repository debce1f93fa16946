/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's event log (plinth/mgmt/session.h's mgmt_evlog) and its
 * backend: partitions change state on their own vCPU threads, on any CPU,
 * while the agent sends and acknowledges on the network thread, so the log
 * sits under a lock and the agent works on copies. Events are numbered from
 * 1 at every boot (the HELLO's boot id says which boot), kept until the
 * controller acknowledges them and sent again after every reconnect.
 */
#include <asm/cpu.h>
#include <plinth/log.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include "agent_internal.h"

static const struct agent_backend *backend;
static spinlock_t lock = SPINLOCK_INIT;
/* As mgmt_evlog_init() leaves it: static, so events before the agent starts are kept. */
static struct mgmt_evlog evlog = { .next_seq = 1 };

static const char *const state_names[MGMT_PART_STATE_COUNT] = {
	[MGMT_PART_CREATED] = "created",
	[MGMT_PART_RUNNING] = "running",
	[MGMT_PART_STOPPING] = "stopping",
	[MGMT_PART_STOPPED] = "stopped",
};

void agent_set_backend(const struct agent_backend *b)
{
	__atomic_store_n(&backend, b, __ATOMIC_RELEASE);
}

const struct agent_backend *agent_backend(void)
{
	return __atomic_load_n(&backend, __ATOMIC_ACQUIRE);
}

void agent_event(const char *partition, uint32_t state, const char *text)
{
	uint64_t flags, seq;

	if (!agent.enabled)
		return;
	flags = irq_save();
	spin_lock(&lock);
	seq = mgmt_evlog_add(&evlog, partition, state, text);
	spin_unlock(&lock);
	irq_restore(flags);
	pr_debug("agent: event %lu: partition '%s' %s: %s\n", seq, partition,
		 state < MGMT_PART_STATE_COUNT && state_names[state] ? state_names[state] : "?",
		 text);
	/* lwIP is the network thread's alone: the agent's own tick picks the event up. */
}

int agent_events_ack(uint64_t seq)
{
	uint64_t flags = irq_save();
	int ret;

	spin_lock(&lock);
	ret = mgmt_evlog_ack(&evlog, seq);
	spin_unlock(&lock);
	irq_restore(flags);
	return ret;
}

bool agent_events_after(uint64_t seq, struct mgmt_event *ev)
{
	uint64_t flags = irq_save();
	const struct mgmt_event *e;

	spin_lock(&lock);
	e = mgmt_evlog_after(&evlog, seq);
	if (e)
		*ev = *e;
	spin_unlock(&lock);
	irq_restore(flags);
	return e != NULL;
}

void agent_fill_state(struct mgmt_state *st)
{
	const struct agent_backend *b = agent_backend();
	uint64_t flags;

	memset(st, 0, sizeof(*st));
	if (b)
		b->state(st);
	flags = irq_save();
	spin_lock(&lock);
	st->events_next = evlog.next_seq;
	spin_unlock(&lock);
	irq_restore(flags);
}
