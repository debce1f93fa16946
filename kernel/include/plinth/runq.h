/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_RUNQ_H
#define PLINTH_RUNQ_H

/*
 * One CPU's run queue: the scheduling policy without the hardware, so it
 * builds on the host and is unit-tested there (tests/unit/test_runq.c).
 * kernel/sched/sched.c holds the lock around every call and does the
 * switching; times are whatever clock the caller passes (the TSC in Plinth).
 *
 * Policy: round robin. A thread that becomes runnable (started, woken, or
 * at the end of its slice) goes to the tail; the head runs next. A blocked
 * thread may carry a deadline: the sleep list is kept in deadline order and
 * runq_expire() wakes, in that order, every thread whose deadline passed.
 * A running thread is asked to give the CPU up only once its slice is used
 * and another thread is waiting: alone on its CPU it runs on.
 */
#include <plinth/types.h>

enum se_state {
	SE_NEW,      /* created, not started */
	SE_RUNNABLE, /* on the run queue */
	SE_RUNNING,  /* the CPU's current thread */
	SE_BLOCKED,  /* waits for a wake-up (and on the sleep list if it has a deadline) */
	SE_DEAD,
};

struct sched_entity {
	struct sched_entity *next;       /* run queue link */
	struct sched_entity *sleep_next; /* sleep list link */
	uint64_t deadline;               /* blocked: wake at this time; 0 = only by a wake-up */
	uint64_t ran_since;              /* when it last got the CPU */
	uint64_t runtime;                /* CPU time used, up to its last switch out */
	enum se_state state;
	bool sleeping;                   /* on the sleep list */
};

struct runq {
	struct sched_entity *head, *tail;
	struct sched_entity *sleepers; /* by deadline, earliest first */
	unsigned int queued;           /* threads on the run queue */
	uint64_t slice;                /* what one turn may take when others wait */
};

void runq_init(struct runq *rq, uint64_t slice);
/* Makes @se runnable at the tail. */
void runq_enqueue(struct runq *rq, struct sched_entity *se);
/* Takes the next thread to run off the queue (SE_RUNNING, ran_since = now); NULL if none. */
struct sched_entity *runq_pick(struct runq *rq, uint64_t now);
/* @se (running) stops running at @now: its time is added up. */
void runq_put(struct sched_entity *se, uint64_t now);
/* @se blocks until runq_wake(), or until @deadline if it is not 0. */
void runq_block(struct runq *rq, struct sched_entity *se, uint64_t deadline);
/* A blocked @se becomes runnable (true); any other state is left alone (false). */
bool runq_wake(struct runq *rq, struct sched_entity *se);
/* Wakes every sleeper whose deadline is <= @now, earliest first; returns how many. */
unsigned int runq_expire(struct runq *rq, uint64_t now);
/* The earliest sleeper's deadline, 0 if no blocked thread has one. */
uint64_t runq_next_deadline(const struct runq *rq);
/* Whether running @se should give the CPU up at @now: its slice is used and another waits. */
bool runq_slice_over(const struct runq *rq, const struct sched_entity *se, uint64_t now);

#endif
