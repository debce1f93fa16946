/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VCPU_STATE_H
#define VMM_VCPU_STATE_H

/*
 * Architectural vCPU state in a vendor-neutral form: what a boot image
 * loader sets up and what the VT-x (later SVM) backend loads into the VMCS.
 */
#include <plinth/types.h>

enum { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
       REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_COUNT };

struct segment {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;
	/* VMX access-rights layout: type[3:0] S[4] DPL[6:5] P[7] AVL[12] L[13] D/B[14] G[15], unusable[16] */
	uint32_t ar;
};

struct vcpu_regs {
	uint64_t gpr[REG_COUNT]; /* index = x86 register number: RAX=0 RCX=1 RDX=2 RBX=3 RSP=4 ... */
	uint64_t rip;
	uint64_t rflags;
	uint64_t cr0, cr3, cr4, efer;
	struct segment cs, ds, es, fs, gs, ss, tr, ldtr;
	struct { uint64_t base; uint32_t limit; } gdtr, idtr;
};

#endif
