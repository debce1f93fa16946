/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VT-x side of a vCPU: one guest entry per arch_vcpu_run() call, with
 * the guest-owned MSRs and FPU state swapped around it, events re-injected
 * when an exit interrupted their delivery, and the preemption timer armed so
 * a guest that never exits still returns control to Plinth.
 */
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/vmx.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/string.h>
#include <vmm/partition.h>
#include "vmx_internal.h"

static uint16_t next_vpid = 1;

int arch_vcpu_init(struct vcpu *v)
{
	int ret = vmx_cpu_enable();

	if (ret < 0)
		return ret;
	ret = vmx_guest_regs_setup();
	if (ret < 0)
		return ret;
	v->arch.vpid = __atomic_fetch_add(&next_vpid, 1, __ATOMIC_RELAXED);
	if (!v->arch.vpid) /* VPID 0 is the host's */
		v->arch.vpid = __atomic_fetch_add(&next_vpid, 1, __ATOMIC_RELAXED);
	arch_vcpu_reset(v);
	ret = vmcs_setup(v);
	if (ret < 0)
		return ret;
	invvpid_single(v->arch.vpid);
	arch_vcpu_load_state(v, &v->boot);
	return 0;
}

/*
 * Power-on values for everything the VMCS does not hold. Those registers
 * then belong to this vCPU for as long as it runs on this CPU (Plinth itself
 * never uses them), so they are loaded here once instead of on every entry.
 */
void arch_vcpu_reset(struct vcpu *v)
{
	v->arch.xcr0 = 1;
	v->arch.reinject_info = 0;
	msr_state_init(&v->arch.msrs, v->index == 0);
	vmx_guest_regs_load_clean(&v->arch.msrs.swap, v->arch.xcr0);
}

void arch_vcpu_load_state(struct vcpu *v, const struct vcpu_regs *r)
{
	memcpy(v->gpr, r->gpr, sizeof(v->gpr));
	vmcs_load_guest_state(r);
	v->arch.msrs.efer = r->efer;
}

bool arch_vcpu_can_inject(struct vcpu *v)
{
	(void)v;
	return (vmread(VMCS_GUEST_RFLAGS) & (1 << 9)) &&
	       !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
	       !(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) && !v->arch.reinject_info;
}

/* Virtual NMIs: the CPU tracks the guest's NMI blocking for us until its IRET. */
bool arch_vcpu_can_inject_nmi(struct vcpu *v)
{
	return !(vmread(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI)) &&
	       !(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) && !v->arch.reinject_info;
}

void arch_vcpu_inject_nmi(struct vcpu *v)
{
	(void)v;
	vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | 2);
}

void arch_vcpu_request_nmi_window(struct vcpu *v, bool on)
{
	uint32_t proc = (uint32_t)vmread(VMCS_PROC_CTLS);

	(void)v;
	vmwrite(VMCS_PROC_CTLS, on ? proc | PROC_NMI_WINDOW : proc & ~PROC_NMI_WINDOW);
}

void arch_vcpu_inject_irq(struct vcpu *v, uint8_t vector)
{
	(void)v;
	vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXTERNAL | vector);
}

void arch_vcpu_request_irq_window(struct vcpu *v, bool on)
{
	uint32_t proc = (uint32_t)vmread(VMCS_PROC_CTLS);

	(void)v;
	vmwrite(VMCS_PROC_CTLS, on ? proc | PROC_INTR_WINDOW : proc & ~PROC_INTR_WINDOW);
}

void arch_vcpu_set_time_slice(struct vcpu *v, uint64_t tsc_ticks)
{
	unsigned int shift = rdmsr(MSR_VMX_MISC) & 0x1f;
	uint64_t ticks = tsc_ticks >> shift;

	v->arch.slice = ticks > 0xffffffffULL ? 0xffffffffULL : (ticks ? ticks : 1);
}

/* An exit in the middle of delivering an event: deliver it again on entry. */
static void record_idt_vectoring(struct vcpu *v)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);

	if (!(info & INTR_INFO_VALID))
		return;
	v->arch.reinject_info = info & ~(1u << 12); /* bit 12 is undefined on entry */
	v->arch.reinject_error = (uint32_t)vmread(VMCS_IDT_VECTORING_ERROR);
	v->arch.reinject_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
}

static void apply_reinjection(struct vcpu *v)
{
	if (!v->arch.reinject_info)
		return;
	/* An exception the exit handler injected takes precedence; it will recur. */
	if (!(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
		vmwrite(VMCS_ENTRY_INTR_INFO, v->arch.reinject_info);
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, v->arch.reinject_error);
		vmwrite(VMCS_ENTRY_INSN_LEN, v->arch.reinject_len);
	}
	v->arch.reinject_info = 0;
}

enum exit_action arch_vcpu_run(struct vcpu *v)
{
	uint32_t reason;
	int ret;

	apply_reinjection(v);
	vmwrite(VMCS_PREEMPTION_TIMER, v->arch.slice);
	ret = vmx_enter(v->gpr, v->arch.launched);
	if (ret) {
		partition_stop(v->part, -EIO, "VM%s failed (%s, VM-instruction error %lu)",
			       v->arch.launched ? "RESUME" : "LAUNCH",
			       ret == 1 ? "invalid VMCS" : "valid VMCS",
			       ret == 2 ? vmread(VMCS_INSN_ERROR) : 0);
		return EXIT_STOP;
	}
	v->arch.launched = true;
	v->exits++;
	/* The exit consumed any event we injected; what it interrupted comes back. */
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	record_idt_vectoring(v);
	reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	return vmx_handle_exit(v, reason);
}

void arch_vcpu_dump(struct vcpu *v)
{
	log_raw("  vCPU %u: RIP %016lx RSP %016lx RFLAGS %016lx\n", v->index,
		vmread(VMCS_GUEST_RIP), vmread(VMCS_GUEST_RSP), vmread(VMCS_GUEST_RFLAGS));
	log_raw("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", v->gpr[REG_RAX],
		v->gpr[REG_RBX], v->gpr[REG_RCX], v->gpr[REG_RDX]);
	log_raw("  RSI %016lx RDI %016lx RBP %016lx R8  %016lx\n", v->gpr[REG_RSI],
		v->gpr[REG_RDI], v->gpr[REG_RBP], v->gpr[REG_R8]);
	log_raw("  CR0 %016lx CR3 %016lx CR4 %016lx EFER %016lx\n", vmx_guest_cr0(),
		vmread(VMCS_GUEST_CR3), vmx_guest_cr4(), vmread(VMCS_GUEST_EFER));
	log_raw("  CS %04lx base %lx, exit reason %lu, qualification %lx, %lu exits\n",
		vmread(VMCS_GUEST_CS_SEL), vmread(VMCS_GUEST_CS_BASE),
		vmread(VMCS_EXIT_REASON) & 0xffff, vmread(VMCS_EXIT_QUALIFICATION), v->exits);
}

void arch_vcpu_destroy(struct vcpu *v)
{
	if (v->arch.vmcs) {
		vmcs_clear(v->arch.vmcs);
		/* The EPT pages are about to be reused: no cached translation may survive. */
		invept_single(ept_eptp(&v->part->ept));
		invvpid_single(v->arch.vpid);
		page_free(v->arch.vmcs);
		v->arch.vmcs = 0;
	}
	/* Nothing of this guest stays in the registers once it is gone. */
	msr_state_init(&v->arch.msrs, false);
	vmx_guest_regs_load_clean(&v->arch.msrs.swap, 1);
}

void arch_vcpu_get_ctx(struct vcpu *v, struct guest_ctx *c)
{
	(void)v;
	c->rip = vmread(VMCS_GUEST_RIP);
	c->rsp = vmread(VMCS_GUEST_RSP);
	c->rflags = vmread(VMCS_GUEST_RFLAGS);
	c->cr0 = vmx_guest_cr0();
	c->cr3 = vmread(VMCS_GUEST_CR3);
	c->cr4 = vmx_guest_cr4();
	c->efer = vmread(VMCS_GUEST_EFER);
	c->cs_base = vmread(VMCS_GUEST_CS_BASE);
	c->ds_base = vmread(VMCS_GUEST_DS_BASE);
	c->es_base = vmread(VMCS_GUEST_ES_BASE);
	c->fs_base = vmread(VMCS_GUEST_FS_BASE);
	c->gs_base = vmread(VMCS_GUEST_GS_BASE);
	c->ss_base = vmread(VMCS_GUEST_SS_BASE);
	c->cs_ar = (uint32_t)vmread(VMCS_GUEST_CS_AR);
}

void arch_vcpu_set_rip(struct vcpu *v, uint64_t rip)
{
	(void)v;
	vmwrite(VMCS_GUEST_RIP, rip);
}

void arch_vcpu_set_rsp(struct vcpu *v, uint64_t rsp)
{
	(void)v;
	vmwrite(VMCS_GUEST_RSP, rsp);
}
