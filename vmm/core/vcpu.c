/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor-neutral vCPU loop. It runs on the vCPU's pinned CPU, enters the
 * guest through the backend, lets host interrupts in between entries, and
 * decides what the vCPU waits for: a start-up IPI, an interrupt while
 * halted, or nothing.
 *
 * Other CPUs never touch a vCPU's state directly: they set a bit in its
 * request word and kick it, and the loop acts on the bits before every
 * entry (see vcpu_request()).
 */
#include <asm/cpu.h>
#include <asm/lapic.h>
#include <asm/percpu.h>
#include <asm/trap.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/sched.h>
#include <plinth/time.h>
#include <vmm/boot_image.h>
#include <vmm/irq.h>
#include <vmm/partition.h>

/* The longest guest run, SCHED_SLICE_MS in TSC ticks: computed once, not on every entry. */
static uint64_t slice_ticks;

/*
 * A vCPU's thread is made runnable if it is blocked (halted, waiting for a
 * SIPI), wherever it is; one that is the current one on another CPU is also
 * interrupted, so it exits the guest and finds its requests. One queued
 * behind another thread on its CPU finds them when it next runs.
 */
void vcpu_kick(struct vcpu *v)
{
	struct percpu *pc = v->cpu < MAX_CPUS ? cpu_table[v->cpu] : NULL;

	if (v->thread)
		sched_wake(v->thread);
	if (v->cpu == this_cpu_index() || !pc)
		return;
	if (__atomic_load_n(&pc->current_vcpu, __ATOMIC_SEQ_CST) == v)
		lapic_send_ipi(pc->apic_id, VEC_KICK);
}

void vcpu_request(struct vcpu *v, uint32_t req)
{
	/* Paired with the loop, which publishes current_vcpu before it reads requests. */
	__atomic_fetch_or(&v->requests, req, __ATOMIC_SEQ_CST);
	vcpu_kick(v);
}

static uint32_t requests(struct vcpu *v)
{
	return __atomic_load_n(&v->requests, __ATOMIC_SEQ_CST);
}

static void clear_requests(struct vcpu *v, uint32_t req)
{
	__atomic_fetch_and(&v->requests, ~req, __ATOMIC_SEQ_CST);
}

/* Power-on state outside what the boot registers set: MSRs and the backend's registers. */
void vcpu_reset(struct vcpu *v)
{
	msr_state_init(&v->msrs);
	vcpu_lapic_reset(v);
	v->lapic_deadline = 0;
	virt->vcpu_reset(&v->arch);
}

static int vcpu_init(struct vcpu *v)
{
	struct virt_vcpu_config c = { .npt_root = hpa(v->part->ept.pt.root), .index = v->index };
	int ret;

	__atomic_store_n(&slice_ticks, tsc_hz() * SCHED_SLICE_MS / 1000, __ATOMIC_RELAXED);
	ret = virt->vcpu_init(&v->arch, &c);

	if (ret < 0)
		return ret;
	vcpu_reset(v);
	virt->load_state(&v->arch, &v->boot);
	return 0;
}

static bool partition_running(struct partition *p)
{
	return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == PARTITION_RUNNING;
}

/* The test timer device is an edge-triggered source on the vCPU's own LAPIC. */
static void deliver_timer(struct vcpu *v)
{
	if (v->timer_deadline && rdtsc() >= v->timer_deadline) {
		v->timer_deadline = 0;
		vcpu_irq_edge(v, v->timer_vector);
	}
}

/* NMIs go first, like on the real CPU; an interrupt waits for the next entry. */
static bool deliver_nmi(struct vcpu *v)
{
	if (!(requests(v) & VCPU_REQ_NMI))
		return false;
	if (virt->can_inject_nmi(&v->arch)) {
		clear_requests(v, VCPU_REQ_NMI);
		virt->inject_nmi(&v->arch);
		virt->nmi_window(&v->arch, false);
	} else {
		virt->nmi_window(&v->arch, true);
	}
	return true;
}

/*
 * The LAPIC decides what is deliverable (IRR against PPR, so CR8/TPR and
 * in-service vectors hold lower classes back); the backend decides whether
 * the guest can take it now (RFLAGS.IF, interrupt shadow). If not, an
 * interrupt window makes the guest exit as soon as it can.
 */
static void deliver_irq(struct vcpu *v)
{
	int vec;

	if (deliver_nmi(v))
		return;
	vec = vcpu_irq_poll(v, &v->lapic_deadline);
	if (vec < 0) {
		virt->irq_window(&v->arch, false);
		return;
	}
	if (virt->can_inject_irq(&v->arch)) {
		virt->inject_irq(&v->arch, (uint8_t)vec);
		vcpu_irq_ack(v, (uint8_t)vec);
		virt->irq_window(&v->arch, false);
	} else {
		virt->irq_window(&v->arch, true);
	}
}

/* The earlier of the test timer's and the LAPIC timer's TSC deadlines (as last polled); 0 for none. */
static uint64_t timer_deadline(struct vcpu *v)
{
	uint64_t lapic = v->lapic_deadline;

	if (!v->timer_deadline)
		return lapic;
	return lapic ? MIN(lapic, v->timer_deadline) : v->timer_deadline;
}

/*
 * Bounded by the guest's own timers. Not by what is left of the thread's
 * turn: that ends at the first exit after it is over, at most a slice late,
 * and cutting entries to a few ticks made Bochs lose injected NMIs.
 */
static uint64_t next_slice(struct vcpu *v)
{
	uint64_t slice = slice_ticks;
	uint64_t now = rdtsc(), deadline = timer_deadline(v);

	if (deadline)
		slice = deadline > now ? MIN(slice, deadline - now) : 1;
	return slice;
}

static uint64_t started_ns(struct partition *p)
{
	return __atomic_load_n(&p->start_ns, __ATOMIC_ACQUIRE);
}

/* A halted or waiting vCPU still wakes up for its partition's time limit. */
static uint64_t wake_deadline(struct vcpu *v)
{
	struct partition *p = v->part;
	uint64_t limit = 0, now_ns = time_ns(), start = started_ns(p), deadline = timer_deadline(v);

	if (p->time_limit_ns && start) {
		uint64_t left = start + p->time_limit_ns > now_ns
					? start + p->time_limit_ns - now_ns : 0;

		limit = rdtsc() + left * tsc_hz() / NSEC_PER_SEC + 1;
	}
	if (!deadline)
		return limit;
	return limit ? MIN(limit, deadline) : deadline;
}

/*
 * A vCPU other than 0 parks while vCPU 0 reboots the partition, then waits
 * for a SIPI again. A request left over from a reboot this vCPU already took
 * part in (it asked for it itself) finds no reboot in progress and is dropped.
 */
static void join_reboot(struct vcpu *v)
{
	struct partition *p = v->part;
	unsigned int gen;

	clear_requests(v, VCPU_REQ_REBOOT);
	if (!__atomic_load_n(&p->rebooting, __ATOMIC_ACQUIRE))
		return;
	gen = __atomic_load_n(&p->reboot_gen, __ATOMIC_ACQUIRE);
	vcpu_reset(v);
	v->state = VCPU_WAIT_SIPI;
	clear_requests(v, VCPU_REQ_SIPI | VCPU_REQ_NMI);
	v->timer_deadline = 0;
	__atomic_fetch_add(&p->reboot_acks, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&p->reboot_gen, __ATOMIC_ACQUIRE) == gen && partition_running(p) &&
	       !(requests(v) & VCPU_REQ_STOP))
		sched_block(0); /* until kicked */
}

static bool over_time_limit(struct partition *p)
{
	uint64_t start = started_ns(p);

	if (!p->time_limit_ns || !start || time_ns() - start < p->time_limit_ns)
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
		vcpu_request(p->vcpus[0], VCPU_REQ_REBOOT);
		join_reboot(v);
		return true;
	}
	clear_requests(v, VCPU_REQ_REBOOT);
	if (partition_reboot(p) < 0)
		return false;
	v->state = VCPU_RUNNING;
	clear_requests(v, VCPU_REQ_NMI);
	v->timer_deadline = 0;
	return true;
}

/*
 * Whether a halted vCPU has something to wake up for: an NMI, or an
 * interrupt its LAPIC would deliver and the guest can take (HLT with IF=0
 * stays halted, as on the real CPU).
 */
static bool halt_wakes(struct vcpu *v)
{
	if (requests(v) & VCPU_REQ_NMI)
		return true;
	return vcpu_irq_poll(v, &v->lapic_deadline) >= 0 && virt->can_inject_irq(&v->arch);
}

/* One turn of the loop; false when the vCPU must leave. */
static bool vcpu_step(struct vcpu *v)
{
	uint32_t req = requests(v);
	enum exit_action action;
	struct virt_exit exit;

	if ((req & VCPU_REQ_STOP) || !partition_running(v->part))
		return false;
	if (req & VCPU_REQ_REBOOT) {
		if (v->index)
			join_reboot(v);
		else
			return reboot(v);
		return true;
	}
	if (over_time_limit(v->part))
		return false;
	if (v->state == VCPU_WAIT_SIPI) {
		if (!(req & VCPU_REQ_SIPI)) {
			sched_block(wake_deadline(v)); /* until kicked or due: costs no CPU time */
			return true;
		}
		clear_requests(v, VCPU_REQ_SIPI);
		vcpu_regs_sipi(&v->boot, v->sipi_vector);
		virt->load_state(&v->arch, &v->boot);
		v->state = VCPU_RUNNING;
	}
	deliver_timer(v);
	if (v->state == VCPU_HALTED) {
		if (!halt_wakes(v)) {
			sched_block(wake_deadline(v)); /* until kicked or due: costs no CPU time */
			return true;
		}
		v->state = VCPU_RUNNING;
	}
	deliver_irq(v);
	/*
	 * A turn ends here, with any event already in the control block: it is
	 * the first thing the guest gets when the vCPU runs again, however late
	 * (the step starts over and finds the injection still pending).
	 */
	if (sched_should_yield() && virt->preemptible(&v->arch)) {
		sched_yield();
		return true;
	}
	virt->set_time_slice(&v->arch, next_slice(v));
	virt->run(&v->arch, &exit);
	action = vcpu_handle_exit(v, &exit);
	/* The host interrupt that made the guest exit (a kick, a timer) is taken here. */
	irq_window();
	if (action == EXIT_HALT)
		v->state = VCPU_HALTED;
	if (action == EXIT_REBOOT)
		return reboot(v);
	return action != EXIT_STOP;
}

/* Out of line, so what vcpu_thread() keeps around the loop costs the loop no registers. */
static __attribute__((noinline)) void vcpu_run(struct vcpu *v)
{
	while (vcpu_step(v))
		;
}

void vcpu_switch_in(void *arg)
{
	struct vcpu *v = arg;

	/* Before the requests are read again: paired with vcpu_kick(). */
	__atomic_store_n(&this_cpu()->current_vcpu, v, __ATOMIC_SEQ_CST);
	virt->vcpu_load(&v->arch);
}

void vcpu_switch_out(void *arg)
{
	(void)arg;
	__atomic_store_n(&this_cpu()->current_vcpu, NULL, __ATOMIC_SEQ_CST);
}

void vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct partition *p = v->part;
	uint64_t unset = 0, scrub = 0, start;
	int ret;

	irq_disable();
	ret = vcpu_init(v);
	if (ret < 0) {
		partition_stop(p, ret, "vCPU %u cannot be set up on cpu%u: %s", v->index, v->cpu,
			       strerror(ret));
	} else if (partition_vcpu_ready(v) == 0) {
		scrub = thread_runtime(v->thread); /* zeroing its share is not the guest's time */
		if (v->index == 0)
			virt->load_state(&v->arch, &v->boot);
		/* The time limit runs from the moment the partition's first vCPU is ready to run. */
		__atomic_compare_exchange_n(&p->start_ns, &unset, time_ns(), false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		if (v->index == 0)
			pr_info("partition '%s': vCPU 0 starting on cpu%u\n", p->name, v->cpu);
		vcpu_run(v);
	}
	virt->vcpu_destroy(&v->arch);
	v->state = VCPU_STOPPED;
	/* What a halted or waiting vCPU cost its CPU: only the turns it was runnable. */
	start = started_ns(p);
	pr_info("partition '%s': vCPU %u ran %lu ms of %lu on cpu%u\n", p->name, v->index,
		tsc_to_ns(thread_runtime(v->thread) - scrub) / NSEC_PER_MSEC,
		start ? (time_ns() - start) / NSEC_PER_MSEC : 0, v->cpu);
	__atomic_store_n(&this_cpu()->current_vcpu, NULL, __ATOMIC_SEQ_CST);
	irq_enable();
	partition_vcpu_exited(v);
}
