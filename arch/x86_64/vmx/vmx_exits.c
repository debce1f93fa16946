/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM-exit handlers, one per basic exit reason, in a const table. Anything
 * without a handler stops the partition with a full report: an unexpected
 * exit is a Plinth bug or a guest doing something unsupported, and either
 * way the rest of the machine must not be affected.
 */
#include <asm/cpu.h>
#include <asm/vmx.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <vmm/cpuid_policy.h>
#include <vmm/io.h>
#include <vmm/msr_policy.h>
#include <vmm/partition.h>
#include "vmx_internal.h"

#define VEC_UD 6
#define VEC_GP 13
#define CR0_PE (1ULL << 0)
#define CR0_PG (1ULL << 31)
#define CR4_VMXE (1ULL << 13)
#define CR4_OSXSAVE (1ULL << 18)
#define EFER_LMA (1ULL << 10)

void vmx_advance_rip(void)
{
	uint64_t rip = vmread(VMCS_GUEST_RIP) + vmread(VMCS_EXIT_INSN_LEN);

	vmwrite(VMCS_GUEST_RIP, rip);
	/* Completing the instruction ends any STI/MOV SS interrupt shadow. */
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
		vmread(VMCS_GUEST_INTERRUPTIBILITY) & ~(uint64_t)(INTERRUPTIBILITY_STI |
								   INTERRUPTIBILITY_MOV_SS));
}

void vmx_inject_exception(uint8_t vector, bool has_error, uint32_t error)
{
	uint32_t info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector;

	if (has_error) {
		info |= INTR_INFO_DELIVER_CODE;
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, error);
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
}

static uint64_t *gpr_slot(struct vcpu *v, unsigned int reg)
{
	return &v->gpr[reg & 15];
}

static uint64_t read_gpr(struct vcpu *v, unsigned int reg)
{
	return reg == REG_RSP ? vmread(VMCS_GUEST_RSP) : *gpr_slot(v, reg);
}

static void write_gpr(struct vcpu *v, unsigned int reg, uint64_t val)
{
	if (reg == REG_RSP)
		vmwrite(VMCS_GUEST_RSP, val);
	else
		*gpr_slot(v, reg) = val;
}

static enum exit_action inject_ud(struct vcpu *v, uint64_t q)
{
	(void)v;
	(void)q;
	vmx_inject_exception(VEC_UD, false, 0);
	return EXIT_RESUME;
}

static enum exit_action advance(struct vcpu *v, uint64_t q)
{
	(void)v;
	(void)q;
	vmx_advance_rip();
	return EXIT_RESUME;
}

static enum exit_action resume(struct vcpu *v, uint64_t q)
{
	(void)v;
	(void)q;
	return EXIT_RESUME;
}

static enum exit_action exception_or_nmi(struct vcpu *v, uint64_t q)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);

	(void)q;
	if (((info >> 8) & 7) == 2) {
		/* A host NMI arrived while the guest ran: it is ours, not the guest's. */
		pr_warn("vmx: cpu%u: NMI during guest execution\n", v->cpu);
		return EXIT_RESUME;
	}
	partition_stop(v->part, -EFAULT, "unexpected exception vector %u (info %x) in vCPU %u",
		       info & 0xff, info, v->index);
	return EXIT_STOP;
}

static enum exit_action triple_fault(struct vcpu *v, uint64_t q)
{
	(void)q;
	partition_stop(v->part, -EFAULT, "triple fault on vCPU %u", v->index);
	return EXIT_STOP;
}

static enum exit_action interrupt_window(struct vcpu *v, uint64_t q)
{
	(void)q;
	arch_vcpu_request_irq_window(v, false);
	return EXIT_RESUME;
}

static enum exit_action nmi_window(struct vcpu *v, uint64_t q)
{
	(void)q;
	arch_vcpu_request_nmi_window(v, false);
	return EXIT_RESUME;
}

static enum exit_action cpuid_exit(struct vcpu *v, uint64_t q)
{
	struct cpuid_result host, out;
	struct cpuid_guest_state gs = {
		.cr4_osxsave = vmx_guest_cr4() & CR4_OSXSAVE,
		.apic_id = v->index,
	};
	struct cpuid_regs r;
	uint32_t leaf = (uint32_t)v->gpr[REG_RAX], sub = (uint32_t)v->gpr[REG_RCX];

	(void)q;
	cpuid_count(leaf, sub, &r);
	host = (struct cpuid_result){ r.eax, r.ebx, r.ecx, r.edx };
	cpuid_policy_apply(&v->part->cpuid, leaf, sub, &gs, &host, &out);
	v->gpr[REG_RAX] = out.eax;
	v->gpr[REG_RBX] = out.ebx;
	v->gpr[REG_RCX] = out.ecx;
	v->gpr[REG_RDX] = out.edx;
	vmx_advance_rip();
	return EXIT_RESUME;
}

static enum exit_action hlt_exit(struct vcpu *v, uint64_t q)
{
	(void)v;
	(void)q;
	vmx_advance_rip();
	return EXIT_HALT;
}

static enum exit_action vmcall_exit(struct vcpu *v, uint64_t q)
{
	int ret;

	(void)q;
	vmx_advance_rip();
	ret = vmm_hypercall(v);
	return ret < 0 ? EXIT_STOP : ret > 0 ? EXIT_REBOOT : EXIT_RESUME;
}

static enum exit_action set_cr0(uint64_t val)
{
	uint64_t fixed0 = rdmsr(MSR_VMX_CR0_FIXED0) & ~(CR0_PE | CR0_PG);
	uint64_t efer = vmread(VMCS_GUEST_EFER);
	uint32_t entry = (uint32_t)vmread(VMCS_ENTRY_CTLS);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE))) {
		vmx_inject_exception(VEC_GP, true, 0);
		return EXIT_RESUME;
	}
	/* Paging turned on or off with LME set is the switch into or out of long mode. */
	if ((efer & EFER_LME) && (val & CR0_PG))
		efer |= EFER_LMA;
	else
		efer &= ~EFER_LMA;
	entry = (efer & EFER_LMA) ? entry | ENTRY_IA32E_GUEST : entry & ~ENTRY_IA32E_GUEST;
	vmwrite(VMCS_GUEST_EFER, efer);
	vmwrite(VMCS_ENTRY_CTLS, entry);
	vmwrite(VMCS_CR0_SHADOW, val);
	vmwrite(VMCS_GUEST_CR0, (val | fixed0) & rdmsr(MSR_VMX_CR0_FIXED1));
	vmx_advance_rip();
	return EXIT_RESUME;
}

static enum exit_action set_cr4(uint64_t val)
{
	uint64_t fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);

	/* VMX is hidden from guests, and bits the CPU cannot hold are reserved. */
	if ((val & CR4_VMXE) || (val & ~fixed1)) {
		vmx_inject_exception(VEC_GP, true, 0);
		return EXIT_RESUME;
	}
	vmwrite(VMCS_CR4_SHADOW, val);
	vmwrite(VMCS_GUEST_CR4, val | rdmsr(MSR_VMX_CR4_FIXED0));
	vmx_advance_rip();
	return EXIT_RESUME;
}

static enum exit_action cr_access(struct vcpu *v, uint64_t q)
{
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;

	if (type == 0 && cr == 0)
		return set_cr0(read_gpr(v, reg));
	if (type == 0 && cr == 4)
		return set_cr4(read_gpr(v, reg));
	if (cr == 8) {
		/* No virtual APIC yet: priority writes are dropped and reads see 0. */
		if (type == 1)
			write_gpr(v, reg, 0);
		vmx_advance_rip();
		return EXIT_RESUME;
	}
	partition_stop(v->part, -ENOTSUP, "unsupported CR access (qualification %lx)", q);
	return EXIT_STOP;
}

static enum exit_action io_exit(struct vcpu *v, uint64_t q)
{
	unsigned int size = (q & 7) + 1, port = (q >> 16) & 0xffff;
	bool in = q & (1 << 3), string = q & (1 << 4);
	uint32_t value;

	if (string) {
		int ret = vmm_string_io(v, port, size, in, q & (1 << 5));

		if (ret < 0)
			return EXIT_STOP;
		if (ret == 0) /* a REP still running re-executes the instruction */
			vmx_advance_rip();
		return EXIT_RESUME;
	}
	value = (uint32_t)v->gpr[REG_RAX];
	vmm_port_io(v, (uint16_t)port, size, in, &value);
	if (in) {
		uint64_t mask = size == 4 ? 0xffffffffULL : (1ULL << (size * 8)) - 1;

		/* A 32-bit IN zero-extends into RAX; 8/16-bit INs merge. */
		if (size == 4)
			v->gpr[REG_RAX] = value;
		else
			v->gpr[REG_RAX] = (v->gpr[REG_RAX] & ~mask) | (value & mask);
	}
	vmx_advance_rip();
	return EXIT_RESUME;
}

static enum exit_action rdmsr_exit(struct vcpu *v, uint64_t q)
{
	uint32_t msr = (uint32_t)v->gpr[REG_RCX];
	uint64_t val;
	int ret = 0;

	(void)q;
	switch (msr) {
	case GMSR_EFER:
		val = vmread(VMCS_GUEST_EFER);
		break;
	case GMSR_PAT:
		val = vmread(VMCS_GUEST_PAT);
		break;
	default:
		ret = msr_policy_lookup(msr, false) == MSR_EMULATE
			      ? msr_emulate_read(&v->arch.msrs, msr, &val) : -EPERM;
	}
	if (ret < 0) {
		vmx_inject_exception(VEC_GP, true, 0);
		return EXIT_RESUME;
	}
	v->gpr[REG_RAX] = (uint32_t)val;
	v->gpr[REG_RDX] = val >> 32;
	vmx_advance_rip();
	return EXIT_RESUME;
}

static enum exit_action wrmsr_exit(struct vcpu *v, uint64_t q)
{
	uint32_t msr = (uint32_t)v->gpr[REG_RCX];
	uint64_t val = (v->gpr[REG_RDX] << 32) | (uint32_t)v->gpr[REG_RAX];
	int ret;

	(void)q;
	/* The CPU keeps EFER, PAT and CR0 in the VMCS: the policy validates against those. */
	v->arch.msrs.efer = vmread(VMCS_GUEST_EFER);
	v->arch.msrs.cr0_pg = vmx_guest_cr0() & CR0_PG;
	v->arch.msrs.pat = vmread(VMCS_GUEST_PAT);
	ret = msr_policy_lookup(msr, true) == MSR_EMULATE
		      ? msr_emulate_write(&v->arch.msrs, msr, val) : -EPERM;
	if (ret < 0) {
		vmx_inject_exception(VEC_GP, true, 0);
		return EXIT_RESUME;
	}
	if (msr == GMSR_EFER)
		vmwrite(VMCS_GUEST_EFER, v->arch.msrs.efer);
	else if (msr == GMSR_PAT)
		vmwrite(VMCS_GUEST_PAT, v->arch.msrs.pat);
	else if (msr == GMSR_SPEC_CTRL)
		vmx_set_spec_ctrl(v->arch.msrs.spec_ctrl);
	if (v->arch.msrs.ibpb_pending) {
		vmx_branch_barrier();
		v->arch.msrs.ibpb_pending = false;
	}
	vmx_advance_rip();
	return EXIT_RESUME;
}

static enum exit_action bad_guest_state(struct vcpu *v, uint64_t q)
{
	partition_stop(v->part, -EINVAL, "VM entry failed: invalid guest state (qualification %lx)", q);
	return EXIT_STOP;
}

static enum exit_action ept_violation(struct vcpu *v, uint64_t q)
{
	gpa_t addr = gpa(vmread(VMCS_GUEST_PHYS_ADDR));

	if (vmm_mmio_exit(v, addr, q & (1 << 1)) == 0)
		return EXIT_RESUME;
	partition_stop(v->part, -EFAULT,
		       "%s of guest-physical %lx outside its memory and devices (RIP %lx)",
		       (q & 2) ? "write" : (q & 4) ? "instruction fetch" : "read", addr.v,
		       vmread(VMCS_GUEST_RIP));
	return EXIT_STOP;
}

static enum exit_action ept_misconfig(struct vcpu *v, uint64_t q)
{
	(void)q;
	partition_stop(v->part, -EIO, "EPT misconfiguration at guest-physical %lx",
		       vmread(VMCS_GUEST_PHYS_ADDR));
	return EXIT_STOP;
}

static enum exit_action xsetbv_exit(struct vcpu *v, uint64_t q)
{
	uint64_t val = (v->gpr[REG_RDX] << 32) | (uint32_t)v->gpr[REG_RAX];
	struct cpuid_regs r;

	(void)q;
	cpuid_count(0xd, 0, &r);
	/* XCR0: x87 always on, AVX needs SSE, only what the CPU supports, only XCR0. */
	if (v->gpr[REG_RCX] != 0 || !(val & 1) || ((val & 4) && !(val & 2)) ||
	    (val & ~(((uint64_t)r.edx << 32) | r.eax)) || !(vmx_guest_cr4() & CR4_OSXSAVE)) {
		vmx_inject_exception(VEC_GP, true, 0);
		return EXIT_RESUME;
	}
	v->arch.xcr0 = val;
	vmx_set_xcr0(val); /* the guest's extended state lives in the registers */
	vmx_advance_rip();
	return EXIT_RESUME;
}

static enum exit_action rdpmc_exit(struct vcpu *v, uint64_t q)
{
	(void)v;
	(void)q;
	vmx_inject_exception(VEC_GP, true, 0);
	return EXIT_RESUME;
}

static const vmx_exit_handler exit_handlers[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = exception_or_nmi,
	[EXIT_EXTERNAL_INTERRUPT] = resume,
	[EXIT_TRIPLE_FAULT] = triple_fault,
	[EXIT_INIT] = resume,
	[EXIT_INTERRUPT_WINDOW] = interrupt_window,
	[EXIT_NMI_WINDOW] = nmi_window,
	[EXIT_CPUID] = cpuid_exit,
	[EXIT_GETSEC] = inject_ud,
	[EXIT_HLT] = hlt_exit,
	[EXIT_INVD] = advance,
	[EXIT_RDPMC] = rdpmc_exit,
	[EXIT_VMCALL] = vmcall_exit,
	[EXIT_VMCLEAR] = inject_ud,
	[EXIT_VMLAUNCH] = inject_ud,
	[EXIT_VMPTRLD] = inject_ud,
	[EXIT_VMPTRST] = inject_ud,
	[EXIT_VMREAD] = inject_ud,
	[EXIT_VMRESUME] = inject_ud,
	[EXIT_VMWRITE] = inject_ud,
	[EXIT_VMXOFF] = inject_ud,
	[EXIT_VMXON] = inject_ud,
	[EXIT_CR_ACCESS] = cr_access,
	[EXIT_IO] = io_exit,
	[EXIT_RDMSR] = rdmsr_exit,
	[EXIT_WRMSR] = wrmsr_exit,
	[EXIT_INVALID_GUEST_STATE] = bad_guest_state,
	[EXIT_MWAIT] = inject_ud,
	[EXIT_MONITOR] = inject_ud,
	[EXIT_PAUSE] = resume,
	[EXIT_EPT_VIOLATION] = ept_violation,
	[EXIT_EPT_MISCONFIG] = ept_misconfig,
	[EXIT_INVEPT] = inject_ud,
	[EXIT_PREEMPTION_TIMER] = resume,
	[EXIT_INVVPID] = inject_ud,
	[EXIT_WBINVD] = advance,
	[EXIT_XSETBV] = xsetbv_exit,
	[EXIT_VMFUNC] = inject_ud,
	[EXIT_ENCLS] = inject_ud,
};

enum exit_action vmx_handle_exit(struct vcpu *v, uint32_t reason)
{
	uint16_t basic = reason & 0xffff;
	uint64_t q = vmread(VMCS_EXIT_QUALIFICATION);

	if (reason & EXIT_REASON_FAILED_ENTRY) {
		partition_stop(v->part, -EINVAL, "VM entry failed (exit reason %u, qualification %lx)",
			       basic, q);
		return EXIT_STOP;
	}
	if (basic >= EXIT_REASON_MAX || !exit_handlers[basic]) {
		partition_stop(v->part, -ENOTSUP, "unhandled VM exit %u (qualification %lx)", basic, q);
		return EXIT_STOP;
	}
	return exit_handlers[basic](v, q);
}
