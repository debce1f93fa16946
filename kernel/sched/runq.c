// SPDX-License-Identifier: GPL-2.0
/* The run-queue policy (plinth/runq.h): no locks, no hardware, host-tested. */
#include <plinth/runq.h>

void runq_init(struct runq *rq, uint64_t slice)
{
	rq->head = rq->tail = NULL;
	rq->sleepers = NULL;
	rq->queued = 0;
	rq->slice = slice;
}

void runq_enqueue(struct runq *rq, struct sched_entity *se)
{
	se->next = NULL;
	se->state = SE_RUNNABLE;
	if (rq->tail)
		rq->tail->next = se;
	else
		rq->head = se;
	rq->tail = se;
	rq->queued++;
}

struct sched_entity *runq_pick(struct runq *rq, uint64_t now)
{
	struct sched_entity *se = rq->head;

	if (!se)
		return NULL;
	rq->head = se->next;
	if (!rq->head)
		rq->tail = NULL;
	rq->queued--;
	se->next = NULL;
	se->state = SE_RUNNING;
	se->ran_since = now;
	return se;
}

void runq_put(struct sched_entity *se, uint64_t now)
{
	if (now > se->ran_since)
		se->runtime += now - se->ran_since;
	se->ran_since = now;
}

static void sleep_remove(struct runq *rq, struct sched_entity *se)
{
	struct sched_entity **pp = &rq->sleepers;

	while (*pp && *pp != se)
		pp = &(*pp)->sleep_next;
	if (*pp)
		*pp = se->sleep_next;
	se->sleep_next = NULL;
	se->sleeping = false;
}

void runq_block(struct runq *rq, struct sched_entity *se, uint64_t deadline)
{
	struct sched_entity **pp = &rq->sleepers;

	se->state = SE_BLOCKED;
	se->deadline = deadline;
	if (!deadline)
		return;
	/* Behind sleepers with the same deadline: they wake in the order they slept. */
	while (*pp && (*pp)->deadline <= deadline)
		pp = &(*pp)->sleep_next;
	se->sleep_next = *pp;
	*pp = se;
	se->sleeping = true;
}

bool runq_wake(struct runq *rq, struct sched_entity *se)
{
	if (se->state != SE_BLOCKED)
		return false;
	if (se->sleeping)
		sleep_remove(rq, se);
	se->deadline = 0;
	runq_enqueue(rq, se);
	return true;
}

unsigned int runq_expire(struct runq *rq, uint64_t now)
{
	unsigned int n = 0;

	while (rq->sleepers && rq->sleepers->deadline <= now) {
		runq_wake(rq, rq->sleepers);
		n++;
	}
	return n;
}

uint64_t runq_next_deadline(const struct runq *rq)
{
	return rq->sleepers ? rq->sleepers->deadline : 0;
}

bool runq_slice_over(const struct runq *rq, const struct sched_entity *se, uint64_t now)
{
	return rq->queued && now - se->ran_since >= rq->slice;
}
