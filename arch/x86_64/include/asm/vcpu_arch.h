/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_VCPU_ARCH_H
#define ASM_VCPU_ARCH_H

/* VT-x state of one vCPU. */
#include <plinth/types.h>
#include <vmm/msr_policy.h>

struct vcpu_arch {
	paddr_t vmcs;
	bool launched;
	uint16_t vpid;
	uint64_t xcr0;
	uint64_t cr0_shadow, cr4_shadow;
	/* MSRs the guest owns while it runs, swapped on every entry and exit */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	struct msr_vcpu_state msrs;
	/* An event whose delivery an exit interrupted, re-injected on the next entry */
	uint32_t reinject_info, reinject_error, reinject_len;
	uint64_t slice; /* preemption-timer ticks for the next entry */
	/* Register state the VMCS does not switch: the guest's, held while Plinth runs. */
	uint8_t *xsave_area; /* XSAVE image (or FXSAVE without XSAVE), 64-byte aligned */
	uint64_t dr[4], dr6, cr2;
};

#endif
