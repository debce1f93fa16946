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
	struct msr_vcpu_state msrs;
	/* An event whose delivery an exit interrupted, re-injected on the next entry */
	uint32_t reinject_info, reinject_error, reinject_len;
	uint64_t slice; /* preemption-timer ticks for the next entry */
};

#endif
