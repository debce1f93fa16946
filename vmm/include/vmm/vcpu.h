/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

/*
 * A virtual CPU, vendor-neutral part. The backend (arch/x86_64/vmx today,
 * svm later) is chosen at link time and implements the arch_vcpu_* calls.
 */
#include <asm/vcpu_arch.h>
#include <vmm/types.h>
#include <vmm/vcpu_state.h>

struct partition;

enum vcpu_state {
	VCPU_WAIT_SIPI,  /* secondary vCPU before its start-up IPI */
	VCPU_RUNNING,
	VCPU_HALTED,     /* HLT: waits for an interrupt */
	VCPU_STOPPED,
};

/* Requests, bits of vcpu->requests. */
#define VCPU_REQ_NMI (1u << 0)    /* one latched NMI, as on the real pin */
#define VCPU_REQ_SIPI (1u << 1)   /* start-up IPI with sipi_vector */
#define VCPU_REQ_IRQ (1u << 2)    /* external interrupt irq_vector */
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
	uint64_t gpr[REG_COUNT]; /* live guest registers; RSP is kept in the VMCS */
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
	uint8_t irq_vector; /* the vector VCPU_REQ_IRQ delivers */

	uint32_t lapic[64]; /* xAPIC registers, indexed by offset >> 4 */

	uint64_t exits;
	struct vcpu_arch arch;
};

/* Guest state the device models need, read from the backend in one go. */
struct guest_ctx {
	uint64_t rip, rsp, rflags;
	uint64_t cr0, cr3, cr4, efer;
	uint64_t cs_base, ds_base, es_base, fs_base, gs_base, ss_base;
	uint32_t cs_ar;
};

/* Backend interface */
int arch_virt_check_support(void);             /* logs what is missing, -ENODEV */
int arch_virt_cpu_enable(void);                /* on each CPU that may run vCPUs */
int arch_vcpu_init(struct vcpu *v);            /* on the vCPU's own CPU */
void arch_vcpu_reset(struct vcpu *v);          /* power-on state outside the VMCS */
void arch_vcpu_load_state(struct vcpu *v, const struct vcpu_regs *r);
enum exit_action arch_vcpu_run(struct vcpu *v); /* one guest entry and its exit */
bool arch_vcpu_can_inject(struct vcpu *v);
bool arch_vcpu_can_inject_nmi(struct vcpu *v);
void arch_vcpu_inject_nmi(struct vcpu *v);
void arch_vcpu_request_nmi_window(struct vcpu *v, bool on);
void arch_vcpu_inject_irq(struct vcpu *v, uint8_t vector);
void arch_vcpu_request_irq_window(struct vcpu *v, bool on);
void arch_vcpu_set_time_slice(struct vcpu *v, uint64_t tsc_ticks);
void arch_vcpu_dump(struct vcpu *v); /* registers into the log, for stop reports */
void arch_vcpu_destroy(struct vcpu *v);
void arch_vcpu_get_ctx(struct vcpu *v, struct guest_ctx *ctx);
void arch_vcpu_set_rip(struct vcpu *v, uint64_t rip);
void arch_vcpu_set_rsp(struct vcpu *v, uint64_t rsp);

/* vmm/vcpu.c */
void vcpu_thread(void *arg);
void vcpu_kick(struct vcpu *v);
/* Sets @req in @v's requests and kicks it; any CPU may call it. */
void vcpu_request(struct vcpu *v, uint32_t req);

#endif
