/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_CPUFEATURES_H
#define ASM_CPUFEATURES_H

#include <plinth/types.h>

/* What the virtualization backends need to know, read once on the boot CPU. */
struct cpu_virt_features {
	char vendor[13];
	bool vmx;
	bool vmx_true_controls;
	bool vmx_feature_control_locked;
	bool vmx_enabled_by_firmware; /* outside SMX, when locked */
	bool ept;
	bool ept_4level;
	bool ept_wb;
	bool ept_2m;
	bool ept_1g;
	bool invept;
	bool vpid;
	bool invvpid;
	bool unrestricted_guest;
	bool preemption_timer;
	bool svm;
	bool svm_disabled; /* VM_CR.SVMDIS */
	bool npt;
	uint32_t svm_asids;
};

extern struct cpu_virt_features cpu_virt;

void cpu_features_detect(struct cpu_virt_features *f);
void cpu_features_report(const struct cpu_virt_features *f);

#endif
