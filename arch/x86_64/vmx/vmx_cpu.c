/* SPDX-License-Identifier: GPL-2.0 */
/* Entering VMX root operation on a CPU, and the boot-time capability gate. */
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <asm/percpu.h>
#include <asm/vmx.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/string.h>
#include "vmx_internal.h"

#define FC_LOCKED (1ULL << 0)
#define FC_VMX_OUTSIDE_SMX (1ULL << 2)

struct vmx_caps vmx_caps;

int vmx_check_support(void)
{
	const struct cpu_virt_features *f = &cpu_virt;
	const char *missing = NULL;

	if (!f->vmx)
		missing = "VMX";
	else if (f->vmx_feature_control_locked && !f->vmx_enabled_by_firmware)
		missing = "VMX (disabled and locked by the firmware)";
	else if (!f->ept || !f->ept_4level || !f->ept_wb)
		missing = "EPT with 4-level walks and write-back tables";
	else if (!f->unrestricted_guest)
		missing = "unrestricted guest";
	else if (!f->vpid || !f->invvpid || !f->invept)
		missing = "VPID with INVVPID and INVEPT";
	else if (!f->preemption_timer)
		missing = "the VMX preemption timer";
	if (missing) {
		pr_err("vmx: this CPU lacks %s: partitions cannot be started\n", missing);
		return -ENODEV;
	}
	vmx_caps.basic = rdmsr(MSR_VMX_BASIC);
	vmx_caps.misc = rdmsr(MSR_VMX_MISC);
	vmx_caps.preemption_shift = vmx_caps.misc & 0x1f;
	vmx_caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	return 0;
}

/*
 * Firmware that left IA32_FEATURE_CONTROL unlocked gets it locked with VMX
 * allowed, as the SDM requires before VMXON; once locked it stays so until
 * reset, so a firmware that locked VMX off is final.
 */
static int enable_feature_control(void)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

	if (fc & FC_LOCKED)
		return (fc & FC_VMX_OUTSIDE_SMX) ? 0 : -EPERM;
	wrmsr(MSR_FEATURE_CONTROL, fc | FC_LOCKED | FC_VMX_OUTSIDE_SMX);
	return 0;
}

int vmx_cpu_enable(void)
{
	struct percpu *pc = this_cpu();
	uint64_t cr0, cr4;
	uint32_t *region;
	int ret;

	if (pc->vmx_on)
		return 0;
	ret = enable_feature_control();
	if (ret < 0) {
		pr_err("vmx: cpu%u: IA32_FEATURE_CONTROL is locked with VMX disabled\n", pc->index);
		return ret;
	}
	if (!pc->vmxon_region && page_alloc(&pc->vmxon_region) < 0)
		return -ENOMEM;
	region = phys_to_virt(pc->vmxon_region);
	region[0] = (uint32_t)vmx_caps.basic & 0x7fffffff;

	/* Guests use SSE and XSAVE state; the host must enable them to switch it. */
	cr4 = read_cr4() | CR4_VMXE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (vmx_host_has_xsave())
		cr4 |= CR4_OSXSAVE;
	cr0 = read_cr0();
	cr0 = (cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1;
	cr4 = (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
	write_cr0(cr0);
	write_cr4(cr4);
	if (vmx_on(pc->vmxon_region) < 0) {
		pr_err("vmx: cpu%u: VMXON failed\n", pc->index);
		return -EIO;
	}
	pc->vmx_on = true;
	pr_info("vmx: cpu%u in VMX root operation\n", pc->index);
	return 0;
}

bool vmx_host_has_xsave(void)
{
	struct cpuid_regs r;

	cpuid(1, &r);
	return r.ecx & (1u << 26);
}
