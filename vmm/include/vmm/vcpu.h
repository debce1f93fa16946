/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

/*
 * A virtual CPU, vendor-neutral part. The backend (arch/x86_64/vmx today,
 * svm later) is picked at boot and reached through the `virt` operations
 * (asm/virt.h); it owns struct vcpu_arch.
 */
#include <asm/virt.h>
#include <plinth/types.h>
#include <vmm/dev/lapic.h>
#include <vmm/msr_policy.h>

struct partition;
struct thread;

enum vcpu_state {
	VCPU_WAIT_SIPI,  /* secondary vCPU before its start-up IPI */
	VCPU_RUNNING,
	VCPU_HALTED,     /* HLT: waits for an interrupt */
	VCPU_STOPPED,
};

/* Requests, bits of vcpu->requests. */
#define VCPU_REQ_NMI (1u << 0)    /* one latched NMI, as on the real pin */
#define VCPU_REQ_SIPI (1u << 1)   /* start-up IPI with sipi_vector */
#define VCPU_REQ_REBOOT (1u << 3) /* vCPU 0: reboot the partition; others: take part */
#define VCPU_REQ_STOP (1u << 4)   /* the partition is stopping: leave the loop */

/* What an exit handler tells the run loop. */
enum exit_action {
	EXIT_RESUME,     /* re-enter the guest */
	EXIT_HALT,       /* guest executed HLT */
	EXIT_STOP,       /* the partition must stop; reason already recorded */
	EXIT_REBOOT,     /* the guest asked for a reboot of its partition */
};

struct vcpu {
	struct partition *part;
	unsigned int index; /* also the guest APIC ID */
	unsigned int cpu;   /* the physical CPU it is pinned to */
	struct thread *thread; /* its kernel thread there (plinth/sched.h), set before any runs */
	struct vcpu_regs boot;   /* state loaded on first entry / SIPI */
	volatile enum vcpu_state state;
	/*
	 * What other CPUs (and this one) ask of the vCPU, VCPU_REQ_* bits. Set
	 * with vcpu_request(), which also kicks; the loop acts on them before
	 * every entry.
	 */
	volatile uint32_t requests;
	uint8_t sipi_vector; /* written before VCPU_REQ_SIPI is set */

	/* The test timer device: one interrupt at a TSC deadline. */
	uint64_t timer_deadline; /* 0 = not armed */
	uint8_t timer_vector;

	/*
	 * Its local APIC: pending interrupts, TPR (CR8), its timer. Under the
	 * partition's irq_lock, reached only through vmm/core/irq.c.
	 */
	struct lapic lapic;
	uint64_t lapic_deadline; /* TSC of the LAPIC timer's next event as last polled; 0: none */
	struct msr_vcpu_state msrs;
	/* VM exits by the backend's reason over the partition's life, for the stop report. */
	uint64_t exit_counts[VIRT_EXIT_REASONS];

	struct vcpu_arch arch; /* the backend's; arch.gpr[] are the live guest registers */
};

/* Guest general registers; RSP lives where the backend keeps it. */
static inline uint64_t vcpu_gpr(struct vcpu *v, unsigned int reg)
{
	return (reg & 15) == REG_RSP ? virt->get_reg(&v->arch, VREG_RSP) : v->arch.gpr[reg & 15];
}

static inline void vcpu_set_gpr(struct vcpu *v, unsigned int reg, uint64_t val)
{
	if ((reg & 15) == REG_RSP)
		virt->set_reg(&v->arch, VREG_RSP, val);
	else
		v->arch.gpr[reg & 15] = val;
}

/* vmm/core/exit.c: what one decoded exit means for the vCPU loop. */
enum exit_action vcpu_handle_exit(struct vcpu *v, const struct virt_exit *e);
/* Logs the partition's VM exits over its life, total and the most frequent reasons. */
void vmm_exit_report(struct partition *p);

/* vmm/core/vcpu.c */
void vcpu_thread(void *arg);
/* Switch hooks of a vCPU's thread (struct thread_spec): current_vcpu and the backend follow. */
void vcpu_switch_in(void *arg);
void vcpu_switch_out(void *arg);
void vcpu_reset(struct vcpu *v); /* power-on MSRs and backend registers */
void vcpu_kick(struct vcpu *v);
/* Sets @req in @v's requests and kicks it; any CPU may call it. */
void vcpu_request(struct vcpu *v, uint32_t req);

#endif
