/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VT-x backend's operations (asm/virt.h): one guest entry per run()
 * call, with the guest's speculation controls swapped around it, events
 * re-injected when an exit interrupted their delivery, and the preemption
 * timer armed so a guest that never exits still returns control to Plinth.
 */
#include <asm/cpu.h>
#include <asm/ept_format.h>
#include <asm/extable.h>
#include <asm/percpu.h>
#include <asm/vmx.h>
#include <plinth/errno.h>
#include <plinth/id_alloc.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include "vmx_internal.h"

#define VPID_COUNT 0xffff /* 16-bit tags; 0 is the host's */

/* VPIDs of live vCPUs: unique machine-wide, so no two partitions share TLB entries. */
static uint64_t vpid_bits[ID_ALLOC_WORDS(VPID_COUNT)];
static struct id_alloc vpids;
static spinlock_t vpid_lock = SPINLOCK_INIT;

static int vpid_get(uint16_t *out)
{
	uint32_t id;
	int ret;

	spin_lock(&vpid_lock);
	if (!vpids.bitmap)
		id_alloc_init(&vpids, 1, VPID_COUNT, vpid_bits, ARRAY_SIZE(vpid_bits));
	ret = id_alloc_get(&vpids, &id);
	spin_unlock(&vpid_lock);
	if (ret == 0)
		*out = (uint16_t)id;
	return ret;
}

static void vpid_put(uint16_t vpid)
{
	spin_lock(&vpid_lock);
	id_alloc_put(&vpids, vpid);
	spin_unlock(&vpid_lock);
}

/*
 * Per CPU, the vCPU whose guest-owned registers are in the CPU (and whose
 * VMCS is current there). Only that CPU reads or writes its slot, with
 * interrupts off. vCPUs never move between CPUs, so a VMCS stays active on
 * its one CPU for life: switching needs VMPTRLD, never VMCLEAR.
 */
static struct vcpu_arch *loaded[MAX_CPUS];

static void vmx_vcpu_load(struct vcpu_arch *a)
{
	struct vcpu_arch **slot = &loaded[this_cpu_index()];

	if (*slot == a)
		return;
	if (*slot)
		vmx_guest_regs_save(*slot);
	/* Before vcpu_init there is no VMCS yet: vmcs_setup() will make the new one current. */
	if (a->vmcs && vmcs_load(a->vmcs) < 0)
		pr_err("vmx: cpu%u: VMPTRLD of vCPU %u failed\n", this_cpu_index(), a->index);
	vmx_guest_regs_restore(a);
	*slot = a;
}

/*
 * Power-on values for everything the VMCS does not hold. Those registers
 * then belong to this vCPU for as long as it runs on this CPU (Plinth itself
 * never uses them), so they are loaded here once instead of on every entry.
 */
static void reset_regs(struct vcpu_arch *a)
{
	a->xcr0 = 1;
	a->spec_ctrl = 0;
	a->reinject_info = 0;
	vmx_guest_regs_load_clean(a->xcr0);
}

/* After vcpu_init, on the vCPU's own CPU, its VMCS current: the TSC is the host's again. */
static void vmx_vcpu_reset(struct vcpu_arch *a)
{
	reset_regs(a);
	vmwrite(VMCS_TSC_OFFSET, 0);
}

static void vmx_set_tsc_offset(struct vcpu_arch *a, uint64_t offset)
{
	(void)a;
	vmwrite(VMCS_TSC_OFFSET, offset);
}

static int vmx_vcpu_init(struct vcpu_arch *a, const struct virt_vcpu_config *c)
{
	int ret = vmx_cpu_enable();

	if (ret < 0)
		return ret;
	ret = vmx_guest_regs_setup();
	if (ret == 0)
		ret = vmx_guest_regs_alloc(a);
	if (ret < 0)
		return ret;
	a->index = c->index;
	a->eptp = ept_make_eptp(c->npt_root.v);
	ret = vpid_get(&a->vpid);
	if (ret < 0)
		return ret;
	reset_regs(a);
	ret = vmcs_setup(a);
	if (ret < 0)
		return ret;
	a->windows = 0; /* a fresh VMCS asks for no window */
	/* A recycled VPID may still tag a previous owner's translations. */
	invvpid_single(a->vpid);
	return 0;
}

static void vmx_load_state(struct vcpu_arch *a, const struct vcpu_regs *r)
{
	memcpy(a->gpr, r->gpr, sizeof(a->gpr));
	vmcs_load_guest_state(r);
}

/*
 * Bochs 2.7 loads virtual-NMI blocking on VM entry only when the VMCS says
 * it is in effect, never clears it when the VMCS says it is not (as the SDM's
 * VM entry does), and VM exit does not clear it either: a vCPU switched out
 * inside its NMI handler would leave the blocking to the next vCPU entered on
 * the CPU, which then never gets an NMI again. So such a vCPU keeps the CPU
 * for a few more exits (a handler usually IRETs well before); one that stays
 * inside is switched out anyway, so no guest can hold a CPU this way.
 */
#define NMI_SWITCH_DEFERRALS 8

static bool vmx_preemptible(struct vcpu_arch *a)
{
	if ((vmread(VMCS_GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_NMI) &&
	    ++a->nmi_deferred <= NMI_SWITCH_DEFERRALS)
		return false;
	a->nmi_deferred = 0;
	return true;
}

static bool vmx_can_inject_irq(struct vcpu_arch *a)
{
	return (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
	       !(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) && !a->reinject_info;
}

/* Virtual NMIs: the CPU tracks the guest's NMI blocking for us until its IRET. */
static bool vmx_can_inject_nmi(struct vcpu_arch *a)
{
	return !(vmread(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI)) &&
	       !(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) && !a->reinject_info;
}

static void vmx_inject_nmi(struct vcpu_arch *a)
{
	(void)a;
	vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | VEC_NMI);
}

/*
 * The vCPU loop asks for the windows it needs before every entry; the VMCS is
 * touched only when that changes, which on most exits it does not.
 */
static void set_window(struct vcpu_arch *a, uint32_t bit, bool on)
{
	uint32_t proc;

	if (!!(a->windows & bit) == on)
		return;
	proc = (uint32_t)vmread(VMCS_PROC_CTLS);
	vmwrite(VMCS_PROC_CTLS, on ? proc | bit : proc & ~bit);
	a->windows = on ? a->windows | bit : a->windows & ~bit;
}

static void vmx_nmi_window(struct vcpu_arch *a, bool on)
{
	set_window(a, PROC_NMI_WINDOW, on);
}

static void vmx_inject_irq(struct vcpu_arch *a, uint8_t vector)
{
	(void)a;
	vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXTERNAL | vector);
}

static void vmx_irq_window(struct vcpu_arch *a, bool on)
{
	set_window(a, PROC_INTR_WINDOW, on);
}

static void vmx_set_time_slice(struct vcpu_arch *a, uint64_t tsc_ticks)
{
	uint64_t ticks = tsc_ticks >> vmx_caps.preemption_shift;

	a->slice = ticks > 0xffffffffULL ? 0xffffffffULL : (ticks ? ticks : 1);
}

/* An exit in the middle of delivering an event: deliver it again on entry. */
static void record_idt_vectoring(struct vcpu_arch *a)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);

	if (!(info & INTR_INFO_VALID))
		return;
	a->reinject_info = info & ~(1u << 12); /* bit 12 is undefined on entry */
	a->reinject_error = (uint32_t)vmread(VMCS_IDT_VECTORING_ERROR);
	a->reinject_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
}

static void apply_reinjection(struct vcpu_arch *a)
{
	if (!a->reinject_info)
		return;
	/* An exception the exit handler injected takes precedence; it will recur. */
	if (!(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
		vmwrite(VMCS_ENTRY_INTR_INFO, a->reinject_info);
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, a->reinject_error);
		vmwrite(VMCS_ENTRY_INSN_LEN, a->reinject_len);
	}
	a->reinject_info = 0;
}

static void vmx_run(struct vcpu_arch *a, struct virt_exit *e)
{
	bool guest_spec = vmx_has_spec_ctrl() && a->spec_ctrl;
	int ret;

	apply_reinjection(a);
	vmwrite(VMCS_PREEMPTION_TIMER, a->slice);
	if (!a->launched)
		a->host_rsp = 0; /* a fresh VMCS: HOST_RSP must be written */
	if (guest_spec)
		wrmsr(MSR_SPEC_CTRL, a->spec_ctrl);
	ret = vmx_enter(a->gpr, a->launched, &a->host_rsp);
	/* The host runs with its own speculation controls (all off), never the guest's. */
	if (guest_spec)
		wrmsr(MSR_SPEC_CTRL, 0);
	if (ret) {
		memset(e, 0, sizeof(*e));
		e->kind = VEXIT_FATAL;
		e->fatal.err = -EIO;
		snprintf(e->fatal.reason, sizeof(e->fatal.reason),
			 "VM%s failed (%s, VM-instruction error %lu)",
			 a->launched ? "RESUME" : "LAUNCH", ret == 1 ? "invalid VMCS" : "valid VMCS",
			 ret == 2 ? vmread(VMCS_INSN_ERROR) : 0);
		return;
	}
	a->launched = true;
	a->exits++;
	/*
	 * The exit cleared the valid bit of any event we injected (SDM Vol. 3C
	 * 24.8.3); what it interrupted comes back through IDT vectoring.
	 */
	record_idt_vectoring(a);
	vmx_decode_exit(a, (uint32_t)vmread(VMCS_EXIT_REASON), e);
}

static void vmx_dump(struct vcpu_arch *a)
{
	log_raw("  vCPU %u: RIP %016lx RSP %016lx RFLAGS %016lx\n", a->index,
		vmread(VMCS_GUEST_RIP), vmread(VMCS_GUEST_RSP), vmread(VMCS_GUEST_RFLAGS));
	log_raw("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", a->gpr[REG_RAX],
		a->gpr[REG_RBX], a->gpr[REG_RCX], a->gpr[REG_RDX]);
	log_raw("  RSI %016lx RDI %016lx RBP %016lx R8  %016lx\n", a->gpr[REG_RSI],
		a->gpr[REG_RDI], a->gpr[REG_RBP], a->gpr[REG_R8]);
	log_raw("  CR0 %016lx CR3 %016lx CR4 %016lx EFER %016lx\n", vmx_guest_cr0(),
		vmread(VMCS_GUEST_CR3), vmx_guest_cr4(), vmread(VMCS_GUEST_EFER));
	log_raw("  CS %04lx base %lx, exit reason %lu, qualification %lx, %lu exits\n",
		vmread(VMCS_GUEST_CS_SEL), vmread(VMCS_GUEST_CS_BASE),
		vmread(VMCS_EXIT_REASON) & 0xffff, vmread(VMCS_EXIT_QUALIFICATION), a->exits);
}

static void vmx_vcpu_destroy(struct vcpu_arch *a)
{
	if (a->vmcs) {
		vmcs_clear(a->vmcs);
		/* The EPT pages are about to be reused: no cached translation may survive. */
		invept_single(a->eptp);
		invvpid_single(a->vpid);
		page_free(a->vmcs);
		a->vmcs = 0;
	}
	if (a->vpid) {
		vpid_put(a->vpid);
		a->vpid = 0;
	}
	/* Nothing of this guest stays in the registers once it is gone. */
	vmx_guest_regs_load_clean(1);
	vmx_guest_regs_free(a);
	if (loaded[this_cpu_index()] == a)
		loaded[this_cpu_index()] = NULL;
}

static const uint32_t reg_field[VREG_COUNT] = {
	[VREG_RIP] = VMCS_GUEST_RIP,
	[VREG_RSP] = VMCS_GUEST_RSP,
	[VREG_RFLAGS] = VMCS_GUEST_RFLAGS,
	[VREG_CR3] = VMCS_GUEST_CR3,
	[VREG_EFER] = VMCS_GUEST_EFER,
	[VREG_PAT] = VMCS_GUEST_PAT,
	[VREG_DEBUGCTL] = VMCS_GUEST_DEBUGCTL,
};

static uint64_t vmx_get_reg(struct vcpu_arch *a, enum virt_reg r)
{
	switch (r) {
	case VREG_CR0:
		return vmx_guest_cr0();
	case VREG_CR2:
		return read_cr2(); /* the guest's, while it owns this CPU */
	case VREG_CR4:
		return vmx_guest_cr4();
	case VREG_SPEC_CTRL:
		return a->spec_ctrl;
	default:
		return r < VREG_COUNT && reg_field[r] ? vmread(reg_field[r]) : 0;
	}
}

static int vmx_set_reg(struct vcpu_arch *a, enum virt_reg r, uint64_t value)
{
	switch (r) {
	case VREG_CR0:
		vmx_write_cr0(value);
		break;
	case VREG_CR2:
		write_cr2(value);
		break;
	case VREG_CR4:
		vmx_write_cr4(value);
		break;
	case VREG_EFER:
		vmx_write_efer(value);
		break;
	case VREG_SPEC_CTRL:
		/*
		 * Loaded into the CPU only around guest execution (vmx_run). Tried
		 * once here, under a fix-up, so a value this CPU rejects is the
		 * guest's #GP and not a fault in Plinth at the next entry.
		 */
		if (!vmx_has_spec_ctrl())
			return value ? -EFAULT : 0;
		if (wrmsr_safe(MSR_SPEC_CTRL, value) < 0)
			return -EFAULT;
		wrmsr(MSR_SPEC_CTRL, 0);
		a->spec_ctrl = value;
		break;
	default:
		if (r < VREG_COUNT && reg_field[r])
			vmwrite(reg_field[r], value);
	}
	return 0;
}

/* VMCS field numbers of segment registers, in enum virt_seg order (ES CS SS DS FS GS LDTR TR). */
static const uint32_t seg_selector[VSEG_COUNT] = {
	VMCS_GUEST_ES_SEL, VMCS_GUEST_CS_SEL, VMCS_GUEST_SS_SEL, VMCS_GUEST_DS_SEL,
	VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL, VMCS_GUEST_LDTR_SEL, VMCS_GUEST_TR_SEL,
};

static void vmx_get_segment(struct vcpu_arch *a, enum virt_seg s, struct segment *out)
{
	/* Selector, limit, AR and base fields are each 2 apart, in the same order. */
	uint32_t sel = seg_selector[s < VSEG_COUNT ? s : VSEG_DS];

	(void)a;
	out->selector = (uint16_t)vmread(sel);
	out->limit = (uint32_t)vmread(sel - VMCS_GUEST_ES_SEL + VMCS_GUEST_ES_LIMIT);
	out->base = vmread(sel - VMCS_GUEST_ES_SEL + VMCS_GUEST_ES_BASE);
	vmx_seg_from_ar((uint32_t)vmread(sel - VMCS_GUEST_ES_SEL + VMCS_GUEST_ES_AR), out);
}

/* The CPL is the DPL of SS (SDM Vol. 3C 27.3.1.5: CS.DPL can differ for conforming code). */
static unsigned int vmx_cpl(struct vcpu_arch *a)
{
	(void)a;
	return ((uint32_t)vmread(VMCS_GUEST_SS_AR) >> 5) & 3;
}

static int vmx_support(void)
{
	return vmx_check_support();
}

const struct virt_ops vmx_ops = {
	.name = "VT-x",
	.check_support = vmx_support,
	.cpu_enable = vmx_cpu_enable,
	.set_passthrough_msrs = vmx_set_passthrough_msrs,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_reset = vmx_vcpu_reset,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_load = vmx_vcpu_load,
	.preemptible = vmx_preemptible,
	.load_state = vmx_load_state,
	.run = vmx_run,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.get_segment = vmx_get_segment,
	.cpl = vmx_cpl,
	.skip_insn = vmx_skip_insn,
	.inject_exception = vmx_inject_exception,
	.can_inject_irq = vmx_can_inject_irq,
	.can_inject_nmi = vmx_can_inject_nmi,
	.inject_irq = vmx_inject_irq,
	.inject_nmi = vmx_inject_nmi,
	.irq_window = vmx_irq_window,
	.nmi_window = vmx_nmi_window,
	.set_time_slice = vmx_set_time_slice,
	.set_tsc_offset = vmx_set_tsc_offset,
	.guest_has_rdtscp = vmx_guest_has_rdtscp,
	.set_xcr0 = vmx_set_xcr0,
	.branch_barrier = vmx_branch_barrier,
	.dump = vmx_dump,
	.exit_reason_name = vmx_exit_name,
};
