/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Picking the virtualization backend at boot, from what CPUID says the CPU
 * is, so one EFI file serves every vendor (asm/virt.h).
 */
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <asm/virt.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>

extern const struct virt_ops vmx_ops;

const struct virt_ops *virt;

static bool vendor_is(const char *want)
{
	struct cpuid_regs r;
	char v[13];

	cpuid(0, &r);
	memcpy(v, &r.ebx, 4);
	memcpy(v + 4, &r.edx, 4);
	memcpy(v + 8, &r.ecx, 4);
	v[12] = '\0';
	return !strcmp(v, want);
}

int virt_select(void)
{
	if (virt)
		return 0;
	if (vendor_is("GenuineIntel") && cpu_virt.vmx) {
		virt = &vmx_ops;
	} else if (vendor_is("AuthenticAMD") && cpu_virt.svm) {
		pr_err("virt: AMD-V (SVM) CPU: this build has no SVM backend yet\n");
		return -ENODEV;
	} else {
		pr_err("virt: this CPU offers neither VT-x nor AMD-V\n");
		return -ENODEV;
	}
	pr_info("virt: %s backend\n", virt->name);
	return 0;
}
