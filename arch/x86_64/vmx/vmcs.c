/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCS set-up, in the order the SDM describes it: host state, execution
 * controls, exit and entry controls, guest state. Every control is adjusted
 * against its capability MSR, the TRUE_ one when the CPU has them.
 */
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/vmx.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/string.h>
#include <asm/ept_format.h>
#include <asm/vmx_msr_bitmap.h>
#include "vmx_internal.h"

extern char vmx_exit_entry[];

/* Pages shared by every vCPU: all ports exit; the MSR bitmap follows vmm's policy. */
static paddr_t io_bitmap_a, io_bitmap_b, msr_bitmap;
static spinlock_t bitmap_lock = SPINLOCK_INIT;

static uint32_t adjust_controls(uint32_t want, uint32_t must_have, uint32_t msr, uint32_t true_msr)
{
	bool has_true = vmx_caps.basic & (1ULL << 55);
	uint64_t cap = rdmsr(has_true ? true_msr : msr);
	uint32_t allowed0 = (uint32_t)cap;         /* bits that must be 1 */
	uint32_t allowed1 = (uint32_t)(cap >> 32); /* bits that may be 1 */
	uint32_t v = ((want | must_have) | allowed0) & allowed1;

	if ((v & must_have) != must_have)
		pr_err("vmx: control MSR %x cannot set %x\n", msr, must_have & ~v);
	return v;
}

/* Once, before any vCPU: the bitmaps are shared and never change afterwards. */
int vmx_set_passthrough_msrs(const uint32_t *msrs, unsigned int count)
{
	int ret = 0;

	spin_lock(&bitmap_lock);
	if (!msr_bitmap) {
		if (page_alloc(&io_bitmap_a) < 0 || page_alloc(&io_bitmap_b) < 0 ||
		    page_alloc(&msr_bitmap) < 0) {
			ret = -ENOMEM;
		} else {
			memset(phys_to_virt(io_bitmap_a), 0xff, PAGE_SIZE);
			memset(phys_to_virt(io_bitmap_b), 0xff, PAGE_SIZE);
			vmx_msr_bitmap_build(phys_to_virt(msr_bitmap), msrs, count);
		}
	}
	spin_unlock(&bitmap_lock);
	return ret;
}

static void setup_host_state(void)
{
	struct percpu *pc = this_cpu();
	struct __packed { uint16_t limit; uint64_t base; } gdtr, idtr;

	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_CS_SEL, GDT_KERNEL_CS);
	vmwrite(VMCS_HOST_SS_SEL, GDT_KERNEL_DS);
	vmwrite(VMCS_HOST_DS_SEL, GDT_KERNEL_DS);
	vmwrite(VMCS_HOST_ES_SEL, GDT_KERNEL_DS);
	vmwrite(VMCS_HOST_FS_SEL, 0);
	vmwrite(VMCS_HOST_GS_SEL, 0);
	vmwrite(VMCS_HOST_TR_SEL, GDT_TSS);
	vmwrite(VMCS_HOST_FS_BASE, 0);
	vmwrite(VMCS_HOST_GS_BASE, (uint64_t)pc);
	vmwrite(VMCS_HOST_TR_BASE, (uint64_t)&pc->tss);
	vmwrite(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, 0);
	vmwrite(VMCS_HOST_SYSENTER_ESP, 0);
	vmwrite(VMCS_HOST_SYSENTER_EIP, 0);
	vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	vmwrite(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
}

static void setup_execution_controls(struct vcpu_arch *a)
{
	uint32_t pin, proc, proc2;

	pin = adjust_controls(0, PIN_EXTINT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS |
				 PIN_PREEMPTION_TIMER, MSR_VMX_PINBASED, MSR_VMX_TRUE_PINBASED);
	/* CR8 exits: without a TPR shadow a guest MOV CR8 would reach the real APIC. */
	/* TSC offsetting: guest writes to IA32_TSC / TSC_ADJUST move its TSC (vmm's policy). */
	proc = adjust_controls(0, PROC_USE_TSC_OFFSETTING | PROC_HLT_EXITING | PROC_MWAIT_EXITING |
				  PROC_RDPMC_EXITING |
				  PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING |
				  PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
				  PROC_MONITOR_EXITING | PROC_SECONDARY,
			       MSR_VMX_PROCBASED, MSR_VMX_TRUE_PROCBASED);
	proc2 = adjust_controls(PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES,
				PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED | PROC2_WBINVD_EXITING,
				MSR_VMX_PROCBASED2, MSR_VMX_PROCBASED2);
	vmwrite(VMCS_PIN_CTLS, pin);
	vmwrite(VMCS_PROC_CTLS, proc);
	vmwrite(VMCS_PROC_CTLS2, proc2);
	/*
	 * Guest exceptions stay in the guest, except two the CPU can deliver
	 * forever without an instruction boundary in between: #AC (CVE-2015-5307)
	 * and #DB (CVE-2015-8104). Intercepting them makes every delivery an exit,
	 * so the time limit still applies; they are reflected back unchanged. A
	 * machine check is always the host's and must never reach a guest.
	 */
	vmwrite(VMCS_EXCEPTION_BITMAP, (1u << VEC_DB) | (1u << VEC_AC) | (1u << VEC_MACHINE_CHECK));
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_IO_BITMAP_A, io_bitmap_a);
	vmwrite(VMCS_IO_BITMAP_B, io_bitmap_b);
	vmwrite(VMCS_MSR_BITMAP, msr_bitmap);
	vmwrite(VMCS_TSC_OFFSET, 0);
	vmwrite(VMCS_EPT_POINTER, a->eptp);
	vmwrite(VMCS_VPID, a->vpid);
	vmwrite(VMCS_LINK_POINTER, ~0ULL);
	/* NE must stay set and VMXE is ours: the guest sees its own values in the shadows. */
	vmwrite(VMCS_CR0_MASK, GUEST_CR0_OWNED);
	vmwrite(VMCS_CR4_MASK, GUEST_CR4_OWNED);
}

/*
 * RDTSCP is enabled above whenever the CPU allows it; without it the guest's
 * RDTSCP raises #UD, so CPUID must not offer the instruction.
 */
bool vmx_guest_has_rdtscp(void)
{
	bool has_true = vmx_caps.basic & (1ULL << 55);
	uint64_t proc = rdmsr(has_true ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED);

	if (!((proc >> 32) & PROC_SECONDARY))
		return false;
	return (rdmsr(MSR_VMX_PROCBASED2) >> 32) & PROC2_RDTSCP;
}

static void setup_exit_entry_controls(void)
{
	uint32_t exit, entry;

	/* DR7 and DEBUGCTL are the guest's: saved at exit, loaded at entry. */
	exit = adjust_controls(0, EXIT_HOST_64 | EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER |
				  EXIT_LOAD_EFER | EXIT_SAVE_DEBUG, MSR_VMX_EXIT, MSR_VMX_TRUE_EXIT);
	entry = adjust_controls(0, ENTRY_LOAD_PAT | ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG,
				MSR_VMX_ENTRY, MSR_VMX_TRUE_ENTRY);
	vmwrite(VMCS_EXIT_CTLS, exit);
	vmwrite(VMCS_ENTRY_CTLS, entry);
	vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
}

static void write_segment(uint32_t sel, uint32_t base, uint32_t limit, uint32_t ar,
			  const struct segment *s)
{
	vmwrite(sel, s->selector);
	vmwrite(base, s->base);
	vmwrite(limit, s->limit);
	vmwrite(ar, vmx_seg_ar(s));
}

void vmcs_load_guest_state(const struct vcpu_regs *r)
{
	vmx_write_cr0(r->cr0);
	vmwrite(VMCS_GUEST_CR3, r->cr3);
	vmx_write_cr4(r->cr4);
	vmx_write_efer(r->efer);
	vmwrite(VMCS_GUEST_PAT, 0x0007040600070406ULL); /* the power-on PAT */
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);

	write_segment(VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR, &r->cs);
	write_segment(VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR, &r->ds);
	write_segment(VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR, &r->es);
	write_segment(VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR, &r->fs);
	write_segment(VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR, &r->gs);
	write_segment(VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR, &r->ss);
	write_segment(VMCS_GUEST_TR_SEL, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT, VMCS_GUEST_TR_AR, &r->tr);
	write_segment(VMCS_GUEST_LDTR_SEL, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT,
		      VMCS_GUEST_LDTR_AR, &r->ldtr);
	vmwrite(VMCS_GUEST_GDTR_BASE, r->gdtr.base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, r->gdtr.limit);
	vmwrite(VMCS_GUEST_IDTR_BASE, r->idtr.base);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, r->idtr.limit);
	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_RSP, r->gpr[REG_RSP]);
	vmwrite(VMCS_GUEST_RIP, r->rip);
	vmwrite(VMCS_GUEST_RFLAGS, r->rflags | 2);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_ACTIVITY, 0);
}

/*
 * Unrestricted guest relaxes PE and PG; every other fixed bit applies. The
 * guest's CD/NW stay in the shadow: caching is never really turned off.
 */
void vmx_write_cr0(uint64_t val)
{
	uint64_t fixed0 = vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG);

	vmwrite(VMCS_CR0_SHADOW, val);
	vmwrite(VMCS_GUEST_CR0, ((val & ~GUEST_CR0_CACHE) | fixed0) & vmx_caps.cr0_fixed1);
}

void vmx_write_cr4(uint64_t val)
{
	vmwrite(VMCS_CR4_SHADOW, val);
	vmwrite(VMCS_GUEST_CR4, (val | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
}

/* EFER.LMA decides whether the next entry is into IA-32e mode. */
void vmx_write_efer(uint64_t efer)
{
	uint32_t entry = (uint32_t)vmread(VMCS_ENTRY_CTLS);

	entry = (efer & EFER_LMA) ? entry | ENTRY_IA32E_GUEST : entry & ~ENTRY_IA32E_GUEST;
	vmwrite(VMCS_GUEST_EFER, efer);
	vmwrite(VMCS_ENTRY_CTLS, entry);
}

int vmcs_setup(struct vcpu_arch *a)
{
	uint32_t *region;

	if (!msr_bitmap)
		return -EINVAL; /* vmx_set_passthrough_msrs() comes first */
	if (!a->vmcs && page_alloc(&a->vmcs) < 0)
		return -ENOMEM;
	region = phys_to_virt(a->vmcs);
	region[0] = (uint32_t)vmx_caps.basic & 0x7fffffff;
	if (vmcs_clear(a->vmcs) < 0 || vmcs_load(a->vmcs) < 0)
		return -EIO;
	a->launched = false;
	setup_host_state();
	setup_execution_controls(a);
	setup_exit_entry_controls();
	return 0;
}
