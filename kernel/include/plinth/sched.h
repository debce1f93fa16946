/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_SCHED_H
#define PLINTH_SCHED_H

/*
 * Kernel threads and the per-CPU scheduler (kernel/sched/). Every thread has
 * its own stack and is pinned to one CPU for life; each CPU runs its threads
 * round robin (plinth/runq.h) in slices of SCHED_SLICE_MS while more than one
 * is runnable. A thread that waits blocks (sched_block()) and takes no CPU
 * time until sched_wake() or its deadline; a CPU with nothing runnable halts
 * with interrupts enabled until a wake-up IPI or the earliest deadline of its
 * blocked threads.
 *
 * Switching is cooperative: a thread gives the CPU up only inside these calls.
 * A vCPU thread asks sched_should_yield() before every guest entry, and the
 * backend's preemption timer ends every guest run within SCHED_SLICE_MS, so a
 * turn ends, and a blocked thread's deadline is noticed, at most a slice late.
 * Switches happen with interrupts disabled; each thread keeps its own
 * interrupt flag across them.
 *
 * CPU policy: vCPU threads run on the CPUs their partition was given (never
 * CPU 0 unless a configuration names it, which today it cannot). Plinth's own
 * service threads (virtio back-ends, network stack, management agent) belong
 * on SCHED_SERVICE_CPU, CPU 0, so they never take time from a guest; they
 * run there whenever the boot context waits in sched_wait() or sched_idle().
 *
 * Deadlines are TSC values (rdtsc()), 0 meaning none.
 */
#include <asm/percpu.h>
#include <plinth/types.h>

#define SCHED_SLICE_MS 10
#define SCHED_SERVICE_CPU 0

struct thread;

struct thread_spec {
	const char *name;
	void (*fn)(void *arg); /* the thread ends when it returns */
	void *arg;
	unsigned int cpu;
	/*
	 * Optional, called with @arg on the thread's own stack, interrupts
	 * disabled: before it gives its CPU up, and when it has it again
	 * (also once before fn starts). A vCPU thread makes its VMCS current here.
	 */
	void (*switch_out)(void *arg);
	void (*switch_in)(void *arg);
};

/*
 * A new thread, not yet runnable; a sched_wake() before thread_start() is
 * remembered. NULL: no memory, or the CPU is not online. The structure stays
 * valid after the thread ends (sched_wake() on it does nothing); only its
 * stack is reused.
 */
struct thread *thread_create(const struct thread_spec *spec);
/*
 * Makes it runnable on its CPU. The first thread started on an AP turns that
 * CPU's idle loop into the scheduler's (smp_run_on()), so call it with
 * interrupts enabled.
 */
int thread_start(struct thread *t);
/* Frees a thread that was never started (set-up failed further on). */
void thread_discard(struct thread *t);
/*
 * Frees the structure of a thread that has ended, once its CPU has left it
 * for good; -EBUSY while it still runs or its CPU still stands on its stack
 * (retry later). A partition's vCPU threads are released so, as the
 * partition is restarted or deleted (vmm/core/lifecycle.c).
 */
int thread_release(struct thread *t);
/* CPU time a thread has used, in TSC ticks (up to its last switch if it runs on another CPU). */
uint64_t thread_runtime(const struct thread *t);
const char *thread_name(const struct thread *t);

/* The running thread; NULL on a CPU whose scheduler has not started. */
struct thread *sched_current(void);
/* Gives the CPU to the next runnable thread if there is one; the caller stays runnable. */
void sched_yield(void);
bool sched_should_yield_slow(void);

/* Alone on its CPU (nothing queued, nothing sleeping), a thread never needs the scheduler. */
static inline bool sched_alone(void)
{
	return !__atomic_load_n(&this_cpu()->sched_others, __ATOMIC_RELAXED);
}

/* Whether the running thread's slice is over and another thread waits (cheap: call often). */
static inline bool sched_should_yield(void)
{
	return !sched_alone() && sched_should_yield_slow();
}

/*
 * Blocks the running thread until sched_wake() or @deadline (0: no deadline).
 * A wake-up that came since the last sched_block() returns at once, so the
 * pattern "check the condition, then block" loses none. Callers re-check.
 */
void sched_block(uint64_t deadline);
/* Makes @t runnable if it is blocked (from any CPU), else remembers the wake-up. */
void sched_wake(struct thread *t);
/*
 * For a CPU's boot context (CPU 0's main loop): lets this CPU's threads run
 * if any are runnable, else halts until an interrupt. The caller re-checks.
 */
void sched_wait(void);
/* The boot context becomes this CPU's idle loop for good. */
void __noreturn sched_idle(void);

#endif
