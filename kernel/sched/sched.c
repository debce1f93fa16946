// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel threads and the per-CPU scheduler (plinth/sched.h). The policy is
 * runq.c's; this file adds the locking, the context switch and the idle loop.
 *
 * Each CPU has one lock, over its run queue and its threads' states. Only the
 * CPU itself picks from its queue and switches, always with interrupts
 * disabled, so a thread that has just blocked (lock released, context not yet
 * saved) cannot be resumed before its switch is complete: the remote CPU that
 * wakes it only queues it. Every CPU's boot context is a thread too (`base`):
 * it runs when nothing else is runnable and is where the CPU halts.
 */
#include <asm/cpu.h>
#include <asm/lapic.h>
#include <asm/percpu.h>
#include <asm/switch.h>
#include <asm/timer.h>
#include <asm/trap.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/runq.h>
#include <plinth/sched.h>
#include <plinth/smp.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include <plinth/time.h>

#define THREAD_NAME_MAX 24

struct thread {
	struct sched_entity se;
	struct arch_context ctx;
	struct thread_spec spec;
	char name[THREAD_NAME_MAX];
	uint64_t stack_top; /* 0 for a CPU's boot context */
	unsigned int cpu;
	bool wake_pending; /* a wake-up found it not blocked; under its CPU's lock */
};

struct sched_cpu {
	spinlock_t lock;
	struct runq rq;
	struct thread *current;
	struct thread base;  /* the CPU's boot context */
	struct thread *dead; /* ended; its stack is given back once the CPU has left it */
	volatile bool idle;  /* halted, waiting for a wake-up IPI or its timer */
	volatile bool ready;
	struct percpu *pc;   /* where the sched_others hint lives */
	uint32_t looping;    /* an AP's idle loop is the scheduler's (sched_idle()) */
};

static struct sched_cpu sched_cpus[MAX_CPUS];
static spinlock_t setup_lock = SPINLOCK_INIT;
/* Stacks of ended threads, linked through their top word; reused before new ones are mapped. */
static spinlock_t stack_lock = SPINLOCK_INIT;
static uint64_t free_stacks;

static void ack_irq(struct trap_frame *tf)
{
	(void)tf;
	lapic_eoi();
}

static struct sched_cpu *sched_cpu(unsigned int cpu)
{
	struct sched_cpu *sc = &sched_cpus[cpu];

	if (__atomic_load_n(&sc->ready, __ATOMIC_ACQUIRE))
		return sc;
	spin_lock(&setup_lock);
	if (!sc->ready) {
		/* Wake-ups and idle deadlines only need their interrupt acknowledged. */
		irq_register(VEC_KICK, ack_irq);
		irq_register(VEC_HOST_TIMER, ack_irq);
		spin_lock_init(&sc->lock);
		runq_init(&sc->rq, tsc_hz() * SCHED_SLICE_MS / 1000);
		strlcpy(sc->base.name, "idle", sizeof(sc->base.name));
		sc->base.cpu = cpu;
		sc->pc = cpu_table[cpu];
		sc->base.se.state = SE_RUNNING;
		sc->current = &sc->base;
		__atomic_store_n(&sc->ready, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&setup_lock);
	return sc;
}

/* Every change to the queue or the sleepers is made under the lock: the hint follows here. */
static void unlock(struct sched_cpu *sc)
{
	if (sc->pc)
		__atomic_store_n(&sc->pc->sched_others, sc->rq.queued || sc->rq.sleepers,
				 __ATOMIC_RELAXED);
	spin_unlock(&sc->lock);
}

static struct sched_cpu *this_sched(void)
{
	return sched_cpu(this_cpu_index());
}

static struct thread *thread_of(struct sched_entity *se)
{
	return (struct thread *)((char *)se - __builtin_offsetof(struct thread, se));
}

static uint64_t stack_get(void)
{
	uint64_t top;

	spin_lock(&stack_lock);
	top = free_stacks;
	if (top)
		free_stacks = *(uint64_t *)(top - 8);
	spin_unlock(&stack_lock);
	return top ? top : stack_alloc(KERNEL_STACK_SIZE);
}

static void stack_put(uint64_t top)
{
	spin_lock(&stack_lock);
	*(uint64_t *)(top - 8) = free_stacks;
	free_stacks = top;
	spin_unlock(&stack_lock);
}

/* On the thread that now has the CPU, right after a switch. */
static void after_switch(struct sched_cpu *sc)
{
	struct thread *cur = sc->current;

	if (sc->dead && sc->dead != cur) {
		stack_put(sc->dead->stack_top);
		sc->dead = NULL;
	}
	if (cur->spec.switch_in)
		cur->spec.switch_in(cur->spec.arg);
}

/* The next thread to run: the queue's head, else the boot context. Lock held. */
static struct thread *pick_next(struct sched_cpu *sc, uint64_t now)
{
	struct sched_entity *se;

	runq_expire(&sc->rq, now);
	se = runq_pick(&sc->rq, now);
	if (se)
		return thread_of(se);
	sc->base.se.state = SE_RUNNING;
	sc->base.se.ran_since = now;
	return &sc->base;
}

/* Called with interrupts disabled and the lock held; returns, unlocked, once @prev runs again. */
static void switch_to(struct sched_cpu *sc, struct thread *prev, struct thread *next)
{
	if (next == prev) {
		unlock(sc);
		return;
	}
	sc->current = next;
	unlock(sc);
	if (prev->spec.switch_out)
		prev->spec.switch_out(prev->spec.arg);
	arch_context_switch(&prev->ctx, &next->ctx);
	after_switch(sc);
}

/* The running thread goes back to the tail of the queue and the next one runs (lock held). */
static void requeue_and_switch(struct sched_cpu *sc, struct thread *prev, uint64_t now)
{
	runq_put(&prev->se, now);
	runq_enqueue(&sc->rq, &prev->se);
	switch_to(sc, prev, pick_next(sc, now));
}

static void __noreturn thread_exit(void)
{
	struct sched_cpu *sc;
	struct thread *t;
	uint64_t now;

	irq_disable();
	sc = this_sched();
	t = sc->current;
	spin_lock(&sc->lock);
	now = rdtsc();
	runq_put(&t->se, now);
	t->se.state = SE_DEAD;
	sc->dead = t;
	switch_to(sc, t, pick_next(sc, now));
	__builtin_unreachable();
}

static void thread_entry(void *arg)
{
	struct thread *t = arg;

	after_switch(&sched_cpus[t->cpu]);
	irq_enable();
	t->spec.fn(t->spec.arg);
	thread_exit();
}

struct thread *thread_create(const struct thread_spec *spec)
{
	struct thread *t;

	if (spec->cpu >= MAX_CPUS || !cpu_table[spec->cpu] || !cpu_table[spec->cpu]->online)
		return NULL;
	t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->stack_top = stack_get();
	if (!t->stack_top) {
		kfree(t);
		return NULL;
	}
	t->spec = *spec;
	t->cpu = spec->cpu;
	strlcpy(t->name, spec->name ? spec->name : "thread", sizeof(t->name));
	t->se.state = SE_NEW;
	arch_context_init(&t->ctx, t->stack_top, thread_entry, t);
	sched_cpu(t->cpu);
	return t;
}

static void wake_cpu(unsigned int cpu)
{
	if (cpu != this_cpu_index() && cpu_table[cpu])
		lapic_send_ipi(cpu_table[cpu]->apic_id, VEC_KICK);
}

static void idle_entry(void *arg)
{
	(void)arg;
	sched_idle();
}

int thread_start(struct thread *t)
{
	struct sched_cpu *sc = sched_cpu(t->cpu);
	uint64_t flags = irq_save();
	bool idle;

	spin_lock(&sc->lock);
	if (t->se.state == SE_NEW)
		runq_enqueue(&sc->rq, &t->se);
	idle = sc->idle;
	unlock(sc);
	irq_restore(flags);
	/* CPU 0's boot context runs its threads itself, from sched_wait() and sched_idle(). */
	if (t->cpu != 0 && t->cpu != this_cpu_index() &&
	    !__atomic_exchange_n(&sc->looping, 1, __ATOMIC_ACQ_REL)) {
		int ret = smp_run_on(t->cpu, idle_entry, NULL);

		if (ret < 0) {
			pr_err("sched: cpu%u did not take its scheduler: %s\n", t->cpu, strerror(ret));
			return ret;
		}
		return 0;
	}
	if (idle)
		wake_cpu(t->cpu);
	return 0;
}

void thread_discard(struct thread *t)
{
	if (!t || t->se.state != SE_NEW)
		return;
	stack_put(t->stack_top);
	kfree(t);
}

int thread_release(struct thread *t)
{
	struct sched_cpu *sc;
	uint64_t flags;
	bool gone;

	if (!t)
		return 0;
	sc = sched_cpu(t->cpu);
	flags = irq_save();
	spin_lock(&sc->lock);
	/* Its CPU clears dead once it has given the stack back (after_switch()). */
	gone = t->se.state == SE_DEAD && __atomic_load_n(&sc->dead, __ATOMIC_ACQUIRE) != t;
	unlock(sc);
	irq_restore(flags);
	if (!gone)
		return -EBUSY;
	kfree(t);
	return 0;
}

uint64_t thread_runtime(const struct thread *t)
{
	uint64_t ran = __atomic_load_n(&t->se.runtime, __ATOMIC_RELAXED);

	if (t->cpu == this_cpu_index() && sched_cpus[t->cpu].current == t)
		ran += rdtsc() - t->se.ran_since;
	return ran;
}

const char *thread_name(const struct thread *t)
{
	return t->name;
}

struct thread *sched_current(void)
{
	struct sched_cpu *sc = &sched_cpus[this_cpu_index()];

	return __atomic_load_n(&sc->ready, __ATOMIC_ACQUIRE) ? sc->current : NULL;
}

void sched_yield(void)
{
	uint64_t flags = irq_save();
	struct sched_cpu *sc = this_sched();
	struct thread *prev = sc->current;
	uint64_t now;

	spin_lock(&sc->lock);
	now = rdtsc();
	runq_expire(&sc->rq, now);
	if (!sc->rq.queued) {
		/* Alone: a new slice, so a waker that arrives now does not preempt at once. */
		prev->se.ran_since = now;
		unlock(sc);
		irq_restore(flags);
		return;
	}
	requeue_and_switch(sc, prev, now);
	irq_restore(flags);
}

/* Only when the sched_others hint says another thread is here (plinth/sched.h). */
bool sched_should_yield_slow(void)
{
	struct sched_cpu *sc = &sched_cpus[this_cpu_index()];
	uint64_t flags, now;
	bool over;

	if (!__atomic_load_n(&sc->ready, __ATOMIC_ACQUIRE))
		return false;
	flags = irq_save();
	spin_lock(&sc->lock);
	now = rdtsc();
	runq_expire(&sc->rq, now);
	over = runq_slice_over(&sc->rq, &sc->current->se, now);
	unlock(sc);
	irq_restore(flags);
	return over;
}

/* Halts with interrupts enabled until an interrupt, at the latest at @deadline. Interrupts off. */
static void halt_until(uint64_t deadline)
{
	if (deadline) {
		uint64_t now = rdtsc();

		if (now >= deadline)
			return;
		uint64_t ticks = (deadline - now) * boot_timer.lapic_hz / tsc_hz() + 1;

		lapic_timer_start((uint32_t)MIN(ticks, 0xffffffffULL), VEC_HOST_TIMER, false);
	}
	cpu_idle_wait();
	irq_disable();
	if (deadline)
		lapic_timer_stop();
}

/* Lock held: nothing runnable, so halt until a wake-up or the earliest deadline. */
static void idle_halt(struct sched_cpu *sc)
{
	uint64_t deadline = runq_next_deadline(&sc->rq);

	sc->idle = true;
	unlock(sc);
	halt_until(deadline);
	sc->idle = false;
}

void sched_block(uint64_t deadline)
{
	uint64_t flags = irq_save();
	struct sched_cpu *sc = this_sched();
	struct thread *t = sc->current;
	uint64_t now;

	if (t == &sc->base) {
		/* The boot context has nothing under it to switch to: it waits instead. */
		irq_restore(flags);
		sched_wait();
		return;
	}
	spin_lock(&sc->lock);
	now = rdtsc();
	if (t->wake_pending || (deadline && deadline <= now)) {
		t->wake_pending = false;
		unlock(sc);
		irq_restore(flags);
		return;
	}
	runq_put(&t->se, now);
	runq_block(&sc->rq, &t->se, deadline);
	switch_to(sc, t, pick_next(sc, now));
	irq_restore(flags);
}

void sched_wake(struct thread *t)
{
	struct sched_cpu *sc = &sched_cpus[t->cpu];
	uint64_t flags;
	bool woke, idle;

	if (!__atomic_load_n(&sc->ready, __ATOMIC_ACQUIRE))
		return;
	flags = irq_save();
	spin_lock(&sc->lock);
	woke = runq_wake(&sc->rq, &t->se);
	if (!woke && t->se.state != SE_DEAD)
		t->wake_pending = true;
	idle = sc->idle;
	unlock(sc);
	irq_restore(flags);
	if (woke && idle)
		wake_cpu(t->cpu);
}

void sched_wait(void)
{
	uint64_t flags = irq_save();
	struct sched_cpu *sc = this_sched();
	struct thread *prev = sc->current;
	uint64_t now;

	spin_lock(&sc->lock);
	now = rdtsc();
	runq_expire(&sc->rq, now);
	if (sc->rq.queued)
		requeue_and_switch(sc, prev, now);
	else
		idle_halt(sc);
	irq_restore(flags);
}

void sched_idle(void)
{
	struct sched_cpu *sc = this_sched();

	__atomic_store_n(&sc->looping, 1, __ATOMIC_RELEASE);
	for (;;) {
		struct sched_entity *se;
		uint64_t now;

		irq_disable();
		spin_lock(&sc->lock);
		now = rdtsc();
		runq_expire(&sc->rq, now);
		se = runq_pick(&sc->rq, now);
		if (se) {
			/* Not queued itself: the boot context is what runs when nothing else can. */
			runq_put(&sc->base.se, now);
			sc->base.se.state = SE_BLOCKED;
			switch_to(sc, &sc->base, thread_of(se));
			continue;
		}
		idle_halt(sc);
	}
}
