/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM-exit decoding: one handler per basic exit reason, in a const table.
 * Each turns the VMCS exit fields into a vendor-neutral struct virt_exit for
 * vmm/ to emulate, or settles an exit that is the backend's own business
 * (a host interrupt, a window, #UD for VMX instructions) and reports
 * VEXIT_NONE. Nothing here emulates a device, an MSR or CPUID, and nothing
 * stops a partition: a reason without a handler comes back as VEXIT_FATAL
 * with its name.
 */
#include <asm/cpu.h>
#include <asm/vmx.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include "vmx_internal.h"

#define QUAL_DB_TRAP_BITS 0x600fULL /* B0-B3, BD, BS: what DR6 would have got */
#define EPT_QUAL_WRITE (1ULL << 1)
#define EPT_QUAL_FETCH (1ULL << 2)
#define EPT_QUAL_LINEAR_VALID (1ULL << 7)
#define EPT_QUAL_LINEAR_XLAT (1ULL << 8) /* the linear address itself, not a walk */
#define INTR_INFO_NMI_UNBLOCKED (1u << 12) /* the exit came during an IRET */
#define BASIC_IO_INSN_INFO (1ULL << 54)

typedef void (*vmx_exit_decoder)(struct vcpu_arch *a, uint64_t q, struct virt_exit *e);

static const char *const exit_names[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = "exception or NMI", [EXIT_EXTERNAL_INTERRUPT] = "external interrupt",
	[EXIT_TRIPLE_FAULT] = "triple fault", [EXIT_INIT] = "INIT", [EXIT_SIPI] = "SIPI",
	[5] = "I/O SMI", [6] = "other SMI", [EXIT_INTERRUPT_WINDOW] = "interrupt window",
	[EXIT_NMI_WINDOW] = "NMI window", [EXIT_TASK_SWITCH] = "task switch",
	[EXIT_CPUID] = "CPUID", [EXIT_GETSEC] = "GETSEC", [EXIT_HLT] = "HLT", [EXIT_INVD] = "INVD",
	[EXIT_INVLPG] = "INVLPG", [EXIT_RDPMC] = "RDPMC", [EXIT_RDTSC] = "RDTSC", [EXIT_RSM] = "RSM",
	[EXIT_VMCALL] = "VMCALL", [EXIT_VMCLEAR] = "VMCLEAR", [EXIT_VMLAUNCH] = "VMLAUNCH",
	[EXIT_VMPTRLD] = "VMPTRLD", [EXIT_VMPTRST] = "VMPTRST", [EXIT_VMREAD] = "VMREAD",
	[EXIT_VMRESUME] = "VMRESUME", [EXIT_VMWRITE] = "VMWRITE", [EXIT_VMXOFF] = "VMXOFF",
	[EXIT_VMXON] = "VMXON", [EXIT_CR_ACCESS] = "control-register access",
	[EXIT_DR_ACCESS] = "debug-register access", [EXIT_IO] = "I/O instruction",
	[EXIT_RDMSR] = "RDMSR", [EXIT_WRMSR] = "WRMSR",
	[EXIT_INVALID_GUEST_STATE] = "invalid guest state", [EXIT_MSR_LOADING] = "MSR loading",
	[EXIT_MWAIT] = "MWAIT", [EXIT_MONITOR_TRAP] = "monitor trap flag", [EXIT_MONITOR] = "MONITOR",
	[EXIT_PAUSE] = "PAUSE", [EXIT_MCE_DURING_ENTRY] = "machine check during VM entry",
	[EXIT_TPR_BELOW_THRESHOLD] = "TPR below threshold", [EXIT_APIC_ACCESS] = "APIC access",
	[45] = "virtualized EOI", [EXIT_GDTR_IDTR] = "GDTR/IDTR access",
	[EXIT_LDTR_TR] = "LDTR/TR access", [EXIT_EPT_VIOLATION] = "EPT violation",
	[EXIT_EPT_MISCONFIG] = "EPT misconfiguration", [EXIT_INVEPT] = "INVEPT",
	[EXIT_RDTSCP] = "RDTSCP", [EXIT_PREEMPTION_TIMER] = "preemption timer",
	[EXIT_INVVPID] = "INVVPID", [EXIT_WBINVD] = "WBINVD", [EXIT_XSETBV] = "XSETBV",
	[56] = "APIC write", [EXIT_RDRAND] = "RDRAND", [EXIT_INVPCID] = "INVPCID",
	[EXIT_VMFUNC] = "VMFUNC", [EXIT_ENCLS] = "ENCLS", [EXIT_RDSEED] = "RDSEED",
	[62] = "page-modification log full", [EXIT_XSAVES] = "XSAVES", [EXIT_XRSTORS] = "XRSTORS",
};

_Static_assert(EXIT_REASON_MAX <= VIRT_EXIT_REASONS, "virt_exit.reason must hold every basic reason");

const char *vmx_exit_name(unsigned int basic)
{
	return basic < EXIT_REASON_MAX && exit_names[basic] ? exit_names[basic] : "unknown";
}

static void fatal(struct virt_exit *e, int err, const char *fmt, ...) __printf(3, 4);

static void fatal(struct virt_exit *e, int err, const char *fmt, ...)
{
	va_list ap;

	e->kind = VEXIT_FATAL;
	e->fatal.err = err;
	va_start(ap, fmt);
	vsnprintf(e->fatal.reason, sizeof(e->fatal.reason), fmt, ap);
	va_end(ap);
}

#define PENDING_DBG_BS (1ULL << 14) /* single step, as in DR6 */

void vmx_skip_insn(struct vcpu_arch *a, unsigned int len)
{
	(void)a;
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + len);
	/*
	 * An instruction completed for the guest still ends with the single-step
	 * trap TF asks for (not with BTF: no emulated instruction is a branch).
	 * The CPU takes it right after the next VM entry.
	 */
	if ((vmread(VMCS_GUEST_RFLAGS) & RFLAGS_TF) && !(vmread(VMCS_GUEST_DEBUGCTL) & DEBUGCTL_BTF))
		vmwrite(VMCS_GUEST_PENDING_DBG, vmread(VMCS_GUEST_PENDING_DBG) | PENDING_DBG_BS);
	/* Completing the instruction ends any STI/MOV SS interrupt shadow. */
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
		vmread(VMCS_GUEST_INTERRUPTIBILITY) & ~(uint64_t)(INTERRUPTIBILITY_STI |
								   INTERRUPTIBILITY_MOV_SS));
}

void vmx_inject_exception(struct vcpu_arch *a, uint8_t vector, bool has_error, uint32_t error)
{
	uint32_t info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector;

	(void)a;
	if (has_error) {
		info |= INTR_INFO_DELIVER_CODE;
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, error);
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
}

static void inject_ud(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)q;
	(void)e;
	vmx_inject_exception(a, VEC_UD, false, 0);
}

static void inject_gp(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)q;
	(void)e;
	vmx_inject_exception(a, VEC_GP, true, 0);
}

static void skip(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)q;
	vmx_skip_insn(a, e->insn_len);
}

static void nothing(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)a;
	(void)q;
	(void)e;
}

/* A machine check is the host's, whoever ran: Plinth's own #MC handler reports it. */
static void host_machine_check(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)q;
	pr_err("vmx: machine check while vCPU %u of a partition ran\n", a->index);
	__asm__ volatile("int $18");
	fatal(e, -EIO, "machine check on the CPU it ran on");
}

/*
 * #DB and #AC are intercepted only so an endless delivery loop cannot keep the
 * CPU from Plinth; the guest gets them exactly as the CPU raised them.
 */
static void reflect_exception(struct vcpu_arch *a, uint32_t info, uint64_t q)
{
	uint32_t type = info & (7u << 8), vector = info & 0xff;
	uint32_t entry = INTR_INFO_VALID | type | vector;

	if (vector == VEC_DB) {
		/* A #DB exit leaves DR6 alone: the qualification has what it would hold. */
		uint64_t dr6;

		__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
		dr6 = (dr6 & ~QUAL_DB_TRAP_BITS) | (q & QUAL_DB_TRAP_BITS);
		__asm__ volatile("mov %0, %%dr6" : : "r"(dr6));
	}
	if (info & INTR_INFO_DELIVER_CODE) {
		entry |= INTR_INFO_DELIVER_CODE;
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, vmread(VMCS_EXIT_INTR_ERROR));
	}
	/* ICEBP (INT1) is a privileged software exception: it needs its length. */
	if (type == INTR_TYPE_PRIV_SW_EXCEPTION || type == INTR_TYPE_SW_EXCEPTION)
		vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
	vmwrite(VMCS_ENTRY_INTR_INFO, entry);
	(void)a;
}

static void exception_or_nmi(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	unsigned int vector = info & 0xff;

	/* The exit came in the middle of an IRET: the guest's NMI blocking is gone again. */
	if ((info & INTR_INFO_NMI_UNBLOCKED) && vector != VEC_DOUBLE_FAULT)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			vmread(VMCS_GUEST_INTERRUPTIBILITY) | INTERRUPTIBILITY_NMI);
	if ((info & (7u << 8)) == INTR_TYPE_NMI) {
		/* A host NMI arrived while the guest ran: it is ours, not the guest's. */
		pr_warn("vmx: NMI during guest execution\n");
		return;
	}
	switch (vector) {
	case VEC_MACHINE_CHECK:
		host_machine_check(a, q, e);
		return;
	case VEC_DB:
	case VEC_AC:
		reflect_exception(a, info, q);
		return;
	default:
		fatal(e, -EFAULT, "unexpected exception vector %u (info %x) in vCPU %u", vector, info,
		      a->index);
	}
}

static void triple_fault(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)q;
	(void)a;
	/* vmm decides: the partition's on_crash says stop or restart. */
	e->kind = VEXIT_SHUTDOWN;
}

static void task_switch(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	fatal(e, -ENOTSUP, "task switch on vCPU %u (qualification %lx): hardware task switching "
	      "is not emulated", a->index, q);
}

static void interrupt_window(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)q;
	(void)e;
	vmx_ops.irq_window(a, false);
}

static void nmi_window(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)q;
	(void)e;
	vmx_ops.nmi_window(a, false);
}

static void kind(struct virt_exit *e, enum virt_exit_kind k)
{
	e->kind = k;
}

static void cpuid_exit(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)a;
	(void)q;
	kind(e, VEXIT_CPUID);
}

static void hlt_exit(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)a;
	(void)q;
	kind(e, VEXIT_HLT);
}

static void vmcall_exit(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)a;
	(void)q;
	kind(e, VEXIT_HYPERCALL);
}

static void xsetbv_exit(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)q;
	e->kind = VEXIT_XSETBV;
	e->xsetbv.index = (uint32_t)a->gpr[REG_RCX];
	e->xsetbv.value = (a->gpr[REG_RDX] << 32) | (uint32_t)a->gpr[REG_RAX];
}

static void cr_access(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;

	e->cr.cr = (uint8_t)cr;
	e->cr.reg = (uint8_t)reg;
	if (type == 0 && (cr == 0 || cr == 4 || cr == 8))
		e->kind = VEXIT_CR_WRITE;
	else if (type == 1 && cr == 8)
		e->kind = VEXIT_CR_READ;
	else
		fatal(e, -ENOTSUP, "unsupported CR access on vCPU %u (qualification %lx)", a->index,
		      q);
}

static void io_exit(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)a;
	e->kind = VEXIT_IO;
	e->io.size = (uint8_t)((q & 7) + 1);
	e->io.in = q & (1 << 3);
	e->io.string = q & (1 << 4);
	e->io.rep = q & (1 << 5);
	e->io.port = (uint16_t)(q >> 16);
	e->io.addr_size = 0; /* vmm derives it from the mode */
	e->io.seg = VSEG_DS;
	if (e->io.string && (vmx_caps.basic & BASIC_IO_INSN_INFO)) {
		uint32_t info = (uint32_t)vmread(VMCS_EXIT_INSN_INFO);

		e->io.addr_size = (uint8_t)(2u << ((info >> 7) & 7));
		/* VMX numbers segments ES CS SS DS FS GS, as enum virt_seg does. */
		if (!e->io.in)
			e->io.seg = (uint8_t)((info >> 15) & 7);
	}
}

static void rdmsr_exit(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)q;
	e->kind = VEXIT_MSR_READ;
	e->msr.index = (uint32_t)a->gpr[REG_RCX];
}

static void wrmsr_exit(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)q;
	e->kind = VEXIT_MSR_WRITE;
	e->msr.index = (uint32_t)a->gpr[REG_RCX];
	e->msr.value = (a->gpr[REG_RDX] << 32) | (uint32_t)a->gpr[REG_RAX];
}

static void bad_guest_state(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)a;
	fatal(e, -EINVAL, "VM entry failed: invalid guest state (qualification %lx)", q);
}

static void ept_violation(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)a;
	e->kind = VEXIT_MMIO;
	e->mmio.addr = gpa(vmread(VMCS_GUEST_PHYS_ADDR));
	e->mmio.write = q & EPT_QUAL_WRITE;
	e->mmio.fetch = q & EPT_QUAL_FETCH;
	e->mmio.linear_valid = q & EPT_QUAL_LINEAR_VALID;
	e->mmio.linear = e->mmio.linear_valid ? vmread(VMCS_GUEST_LINEAR_ADDR) : 0;
	/*
	 * Only an access the instruction at RIP made to its own operand may be
	 * emulated: not event delivery (the IDT-vectoring field is valid), such
	 * as an IDT placed on a device, nor a guest page walk (bit 8 clear).
	 */
	if (vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID)
		e->mmio.source = VIRT_MMIO_DELIVERY;
	else if (!e->mmio.linear_valid)
		e->mmio.source = VIRT_MMIO_UNKNOWN;
	else if (!(q & EPT_QUAL_LINEAR_XLAT))
		e->mmio.source = VIRT_MMIO_WALK;
	else
		e->mmio.source = VIRT_MMIO_INSN;
}

static void ept_misconfig(struct vcpu_arch *a, uint64_t q, struct virt_exit *e)
{
	(void)a;
	(void)q;
	fatal(e, -EIO, "EPT misconfiguration at guest-physical %lx", vmread(VMCS_GUEST_PHYS_ADDR));
}

static const vmx_exit_decoder decoders[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = exception_or_nmi,
	[EXIT_EXTERNAL_INTERRUPT] = nothing,
	[EXIT_TRIPLE_FAULT] = triple_fault,
	[EXIT_INIT] = nothing,
	[EXIT_INTERRUPT_WINDOW] = interrupt_window,
	[EXIT_NMI_WINDOW] = nmi_window,
	[EXIT_TASK_SWITCH] = task_switch,
	[EXIT_CPUID] = cpuid_exit,
	[EXIT_GETSEC] = inject_ud,
	[EXIT_HLT] = hlt_exit,
	[EXIT_INVD] = skip,
	[EXIT_RDPMC] = inject_gp,
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
	[EXIT_PAUSE] = nothing,
	[EXIT_MCE_DURING_ENTRY] = host_machine_check,
	[EXIT_EPT_VIOLATION] = ept_violation,
	[EXIT_EPT_MISCONFIG] = ept_misconfig,
	[EXIT_INVEPT] = inject_ud,
	[EXIT_PREEMPTION_TIMER] = nothing,
	[EXIT_INVVPID] = inject_ud,
	[EXIT_WBINVD] = skip,
	[EXIT_XSETBV] = xsetbv_exit,
	[EXIT_VMFUNC] = inject_ud,
	[EXIT_ENCLS] = inject_ud,
};

void vmx_decode_exit(struct vcpu_arch *a, uint32_t reason, struct virt_exit *e)
{
	uint16_t basic = reason & 0xffff;
	uint64_t q = vmread(VMCS_EXIT_QUALIFICATION);

	/*
	 * Not cleared as a whole: each decoder fills the member of its kind, and
	 * zeroing the fatal reason on every exit would cost more than the exit.
	 */
	e->kind = VEXIT_NONE;
	e->reason = basic < EXIT_REASON_MAX ? basic : 0;
	e->insn_len = (unsigned int)vmread(VMCS_EXIT_INSN_LEN);
	if (reason & EXIT_REASON_FAILED_ENTRY) {
		if (basic == EXIT_MCE_DURING_ENTRY)
			host_machine_check(a, q, e);
		else
			fatal(e, -EINVAL, "VM entry failed (exit reason %u, %s, qualification %lx)",
			      basic, vmx_exit_name(basic), q);
		return;
	}
	if (basic >= EXIT_REASON_MAX || !decoders[basic]) {
		fatal(e, -ENOTSUP, "unhandled VM exit %u (%s, qualification %lx)", basic,
		      vmx_exit_name(basic), q);
		return;
	}
	decoders[basic](a, q, e);
}
