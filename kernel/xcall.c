/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cross-CPU calls: one mailbox per target CPU. A caller claims the box,
 * publishes fn/arg, and kicks the target with an IPI; the target runs fn in
 * its interrupt handler and releases the box, which is what callers wait on.
 */
#include <asm/cpu.h>
#include <asm/lapic.h>
#include <asm/percpu.h>
#include <asm/trap.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/smp.h>
#include <plinth/spinlock.h>
#include <plinth/time.h>

#define XCALL_TIMEOUT_NS (2 * NSEC_PER_SEC)

static void xcall_handler(struct trap_frame *tf)
{
	struct xcall_slot *slot = &this_cpu()->xcall;

	(void)tf;
	if (__atomic_load_n(&slot->ready, __ATOMIC_ACQUIRE)) {
		xcall_fn fn = slot->fn;
		void *arg = slot->arg;

		slot->ready = 0;
		fn(arg);
		__atomic_store_n(&slot->claimed, 0, __ATOMIC_RELEASE);
	}
	lapic_eoi();
}

void xcall_init(void)
{
	irq_register(VEC_XCALL, xcall_handler);
}

static struct percpu *online_cpu(unsigned int cpu)
{
	if (cpu >= MAX_CPUS || !cpu_table[cpu] || !cpu_table[cpu]->online)
		return NULL;
	return cpu_table[cpu];
}

static bool wait_until_free(struct xcall_slot *slot)
{
	uint64_t deadline = time_ns() + XCALL_TIMEOUT_NS;

	while (__atomic_load_n(&slot->claimed, __ATOMIC_ACQUIRE)) {
		if (time_ns() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

int smp_call_async(unsigned int cpu, xcall_fn fn, void *arg)
{
	struct percpu *target = online_cpu(cpu);
	struct xcall_slot *slot;
	uint32_t expected;

	if (!target)
		return -ENODEV;
	if (target == this_cpu())
		return -EINVAL; /* would deadlock waiting on ourselves */
	slot = &target->xcall;
	for (;;) {
		expected = 0;
		if (__atomic_compare_exchange_n(&slot->claimed, &expected, 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		if (!wait_until_free(slot))
			return -ETIMEDOUT;
	}
	slot->fn = fn;
	slot->arg = arg;
	__atomic_store_n(&slot->ready, 1, __ATOMIC_RELEASE);
	lapic_send_ipi(target->apic_id, VEC_XCALL | ICR_FIXED);
	return 0;
}

int smp_call_wait(unsigned int cpu)
{
	struct percpu *target = online_cpu(cpu);

	if (!target)
		return -ENODEV;
	if (!wait_until_free(&target->xcall)) {
		pr_err("xcall: cpu%u did not answer within %lu ms\n", cpu,
		       XCALL_TIMEOUT_NS / NSEC_PER_MSEC);
		return -ETIMEDOUT;
	}
	return 0;
}

int smp_call(unsigned int cpu, xcall_fn fn, void *arg)
{
	int ret;

	if (cpu == this_cpu_index()) {
		uint64_t flags = irq_save();

		fn(arg);
		irq_restore(flags);
		return 0;
	}
	ret = smp_call_async(cpu, fn, arg);
	return ret ? ret : smp_call_wait(cpu);
}

unsigned int smp_call_all(xcall_fn fn, void *arg)
{
	bool started[MAX_CPUS] = { false };
	unsigned int self = this_cpu_index(), ran = 1;

	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (cpu != self && online_cpu(cpu))
			started[cpu] = smp_call_async(cpu, fn, arg) == 0;
	fn(arg);
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (started[cpu] && smp_call_wait(cpu) == 0)
			ran++;
	return ran;
}
