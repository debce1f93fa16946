/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor-neutral vCPU loop. It runs on the vCPU's pinned CPU, enters the
 * guest through the backend, lets host interrupts in between entries, and
 * decides what the vCPU waits for: a start-up IPI, an interrupt while
 * halted, or nothing.
 */
#include <asm/cpu.h>
#include <asm/lapic.h>
#include <asm/percpu.h>
#include <asm/timer.h>
#include <asm/trap.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/time.h>
#include <vmm/boot_image.h>
#include <vmm/partition.h>

#define TIME_SLICE_MS 10

void vcpu_kick(struct vcpu *v)
{
	if (v->cpu != this_cpu_index() && cpu_table[v->cpu])
		lapic_send_ipi(cpu_table[v->cpu]->apic_id, VEC_KICK);
}

/* Sleeps with interrupts on until a kick, or until the TSC deadline if one is set. */
static void wait_for_event(uint64_t deadline)
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

static bool partition_running(struct partition *p)
{
	return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == PARTITION_RUNNING;
}

static void deliver_timer(struct vcpu *v)
{
	if (v->timer_deadline && rdtsc() >= v->timer_deadline) {
		v->timer_deadline = 0;
		v->irq_pending = v->timer_vector;
	}
}

/* NMIs go first, like on the real CPU; an interrupt waits for the next entry. */
static bool deliver_nmi(struct vcpu *v)
{
	if (!__atomic_load_n(&v->nmi_pending, __ATOMIC_ACQUIRE))
		return false;
	if (arch_vcpu_can_inject_nmi(v)) {
		__atomic_store_n(&v->nmi_pending, false, __ATOMIC_RELEASE);
		arch_vcpu_inject_nmi(v);
		arch_vcpu_request_nmi_window(v, false);
	} else {
		arch_vcpu_request_nmi_window(v, true);
	}
	return true;
}

static void deliver_irq(struct vcpu *v)
{
	if (deliver_nmi(v) || !v->irq_pending)
		return;
	if (arch_vcpu_can_inject(v)) {
		arch_vcpu_inject_irq(v, (uint8_t)v->irq_pending);
		v->irq_pending = 0;
		arch_vcpu_request_irq_window(v, false);
	} else {
		arch_vcpu_request_irq_window(v, true);
	}
}

static uint64_t next_slice(struct vcpu *v)
{
	uint64_t slice = tsc_hz() * TIME_SLICE_MS / 1000;
	uint64_t now = rdtsc();

	if (v->timer_deadline)
		slice = v->timer_deadline > now ? MIN(slice, v->timer_deadline - now) : 1;
	return slice;
}

/* A halted or waiting vCPU still wakes up for its partition's time limit. */
static uint64_t wake_deadline(struct vcpu *v)
{
	struct partition *p = v->part;
	uint64_t limit = 0, now_ns = time_ns();

	if (p->time_limit_ns) {
		uint64_t left = p->start_ns + p->time_limit_ns > now_ns
					? p->start_ns + p->time_limit_ns - now_ns : 0;

		limit = rdtsc() + left * tsc_hz() / NSEC_PER_SEC + 1;
	}
	if (!v->timer_deadline)
		return limit;
	return limit ? MIN(limit, v->timer_deadline) : v->timer_deadline;
}

/* A vCPU other than 0 parks while vCPU 0 reboots the partition, then waits for a SIPI again. */
static void join_reboot(struct vcpu *v)
{
	struct partition *p = v->part;

	arch_vcpu_reset(v);
	v->state = VCPU_WAIT_SIPI;
	v->sipi_pending = false;
	v->irq_pending = 0;
	v->nmi_pending = false;
	v->timer_deadline = 0;
	__atomic_fetch_add(&p->reboot_acks, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&p->rebooting, __ATOMIC_ACQUIRE) && partition_running(p))
		wait_for_event(0);
}

static bool over_time_limit(struct partition *p)
{
	if (!p->time_limit_ns || time_ns() - p->start_ns < p->time_limit_ns)
		return false;
	partition_stop(p, -ETIMEDOUT, "time limit of %lu ms reached",
		       p->time_limit_ns / NSEC_PER_MSEC);
	return true;
}

static bool reboot(struct vcpu *v)
{
	struct partition *p = v->part;

	if (v->index != 0) {
		/* Only vCPU 0 can restart the partition; it is told and this one joins. */
		__atomic_store_n(&p->rebooting, true, __ATOMIC_RELEASE);
		vcpu_kick(p->vcpus[0]);
		join_reboot(v);
		return true;
	}
	if (partition_reboot(p) < 0)
		return false;
	v->state = VCPU_RUNNING;
	v->irq_pending = 0;
	v->nmi_pending = false;
	v->timer_deadline = 0;
	return true;
}

/* One turn of the loop; false when the vCPU must leave. */
static bool vcpu_step(struct vcpu *v)
{
	enum exit_action action;

	if (v->index && __atomic_load_n(&v->part->rebooting, __ATOMIC_ACQUIRE)) {
		join_reboot(v);
		return true;
	}
	if (v->state == VCPU_WAIT_SIPI) {
		if (!v->sipi_pending) {
			wait_for_event(wake_deadline(v));
			return over_time_limit(v->part) ? false : true;
		}
		vcpu_regs_sipi(&v->boot, v->sipi_vector);
		arch_vcpu_load_state(v, &v->boot);
		v->sipi_pending = false;
		v->state = VCPU_RUNNING;
	}
	if (v->index == 0 && __atomic_load_n(&v->part->rebooting, __ATOMIC_ACQUIRE))
		return reboot(v);
	if (over_time_limit(v->part))
		return false;
	deliver_timer(v);
	if (v->state == VCPU_HALTED) {
		if (!v->nmi_pending && (!v->irq_pending || !arch_vcpu_can_inject(v))) {
			wait_for_event(wake_deadline(v));
			return true;
		}
		v->state = VCPU_RUNNING;
	}
	deliver_irq(v);
	arch_vcpu_set_time_slice(v, next_slice(v));
	action = arch_vcpu_run(v);
	/* Host interrupts that made the guest exit are taken here. */
	irq_enable();
	irq_disable();
	if (action == EXIT_HALT)
		v->state = VCPU_HALTED;
	if (action == EXIT_REBOOT)
		return reboot(v);
	return action != EXIT_STOP;
}

void vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct partition *p = v->part;
	int ret;

	irq_disable();
	this_cpu()->current_vcpu = v;
	ret = arch_vcpu_init(v);
	if (ret < 0) {
		partition_stop(p, ret, "vCPU %u cannot be set up on cpu%u: %s", v->index, v->cpu,
			       strerror(ret));
	} else {
		if (v->index == 0) {
			p->start_ns = time_ns();
			pr_info("partition '%s': vCPU 0 starting on cpu%u\n", p->name, v->cpu);
		}
		while (partition_running(p) && vcpu_step(v))
			;
	}
	arch_vcpu_destroy(v);
	v->state = VCPU_STOPPED;
	this_cpu()->current_vcpu = NULL;
	irq_enable();
	partition_vcpu_exited(p);
}
