/* SPDX-License-Identifier: GPL-2.0 */
/* Virtualization capability report, from CPUID and the VMX capability MSRs. */
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <plinth/log.h>
#include <plinth/string.h>

#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_PROCBASED2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED 0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e

#define VMX_BASIC_TRUE_CTLS (1ULL << 55)
#define PIN_PREEMPTION_TIMER (1u << 6)
#define PROC_SECONDARY (1u << 31)
#define PROC2_EPT (1u << 1)
#define PROC2_VPID (1u << 5)
#define PROC2_UNRESTRICTED (1u << 7)
#define FC_LOCKED (1ULL << 0)
#define FC_VMX_OUTSIDE_SMX (1ULL << 2)

struct cpu_virt_features cpu_virt;

/* The high half of a control MSR lists the controls that may be set to 1. */
static uint32_t allowed1(uint32_t msr)
{
	return (uint32_t)(rdmsr(msr) >> 32);
}

static void detect_vmx(struct cpu_virt_features *f)
{
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
	uint32_t pin, proc, proc2 = 0;

	f->vmx_true_controls = basic & VMX_BASIC_TRUE_CTLS;
	f->vmx_feature_control_locked = fc & FC_LOCKED;
	f->vmx_enabled_by_firmware = fc & FC_VMX_OUTSIDE_SMX;
	pin = allowed1(f->vmx_true_controls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED);
	proc = allowed1(f->vmx_true_controls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED);
	if (proc & PROC_SECONDARY)
		proc2 = allowed1(MSR_VMX_PROCBASED2);
	f->preemption_timer = pin & PIN_PREEMPTION_TIMER;
	f->ept = proc2 & PROC2_EPT;
	f->vpid = proc2 & PROC2_VPID;
	f->unrestricted_guest = proc2 & PROC2_UNRESTRICTED;
	if (f->ept || f->vpid) {
		uint64_t cap = rdmsr(MSR_VMX_EPT_VPID_CAP);

		f->ept_4level = cap & (1ULL << 6);
		f->ept_wb = cap & (1ULL << 14);
		f->ept_2m = cap & (1ULL << 16);
		f->ept_1g = cap & (1ULL << 17);
		f->invept = cap & (1ULL << 20);
		f->invvpid = cap & (1ULL << 32);
	}
}

void cpu_features_detect(struct cpu_virt_features *f)
{
	struct cpuid_regs r;

	memset(f, 0, sizeof(*f));
	cpuid(0, &r);
	memcpy(f->vendor, &r.ebx, 4);
	memcpy(f->vendor + 4, &r.edx, 4);
	memcpy(f->vendor + 8, &r.ecx, 4);
	cpuid(1, &r);
	f->vmx = r.ecx & (1u << 5);
	if (f->vmx)
		detect_vmx(f);

	cpuid(0x80000000, &r);
	if (r.eax >= 0x80000001) {
		cpuid(0x80000001, &r);
		f->svm = r.ecx & (1u << 2);
	}
	if (f->svm) {
		cpuid(0x80000000, &r);
		if (r.eax >= 0x8000000a) {
			cpuid(0x8000000a, &r);
			f->npt = r.edx & 1;
			f->svm_asids = r.ebx;
		}
		f->svm_disabled = rdmsr(MSR_VM_CR) & (1ULL << 4);
	}
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

void cpu_features_report(const struct cpu_virt_features *f)
{
	pr_info("cpu: vendor %s\n", f->vendor);
	if (f->vmx) {
		pr_info("cpu: VMX yes (true controls %s, feature control %s%s)\n",
			yn(f->vmx_true_controls),
			f->vmx_feature_control_locked ? "locked" : "unlocked",
			f->vmx_feature_control_locked && !f->vmx_enabled_by_firmware
				? ", VMX DISABLED by firmware" : "");
		pr_info("cpu: VMX EPT %s (4-level %s, WB %s, 2M pages %s, 1G pages %s, INVEPT %s)\n",
			yn(f->ept), yn(f->ept_4level), yn(f->ept_wb), yn(f->ept_2m), yn(f->ept_1g),
			yn(f->invept));
		pr_info("cpu: VMX VPID %s (INVVPID %s), unrestricted guest %s, preemption timer %s\n",
			yn(f->vpid), yn(f->invvpid), yn(f->unrestricted_guest),
			yn(f->preemption_timer));
	}
	if (f->svm)
		pr_info("cpu: SVM yes%s, NPT %s, %u ASIDs\n",
			f->svm_disabled ? " (DISABLED by firmware)" : "", yn(f->npt), f->svm_asids);
	if (!f->vmx && !f->svm)
		pr_warn("cpu: no hardware virtualization (neither VMX nor SVM)\n");
}
