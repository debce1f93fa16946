/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_VCPU_REGS_H
#define ASM_VCPU_REGS_H

/*
 * Architectural vCPU state in a vendor-neutral form: what a boot image
 * loader sets up and what the backend (VT-x today, SVM next) loads into its
 * control block. Nothing here is in a vendor's layout.
 */
#include <plinth/types.h>

enum { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
       REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_COUNT };

/*
 * Segment attributes in descriptor order: bits 7:0 are descriptor byte 5
 * (type, S, DPL, P), bits 11:8 its flags nibble (AVL, L, D/B, G).
 */
#define SEG_TYPE_MASK 0x00fu
#define SEG_S (1u << 4)        /* code/data rather than system */
#define SEG_DPL_SHIFT 5
#define SEG_P (1u << 7)
#define SEG_AVL (1u << 8)
#define SEG_L (1u << 9)        /* 64-bit code */
#define SEG_DB (1u << 10)      /* 32-bit default operand/stack size */
#define SEG_G (1u << 11)       /* limit in 4 KiB units */

struct segment {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;
	uint16_t attr;  /* SEG_* bits, as in the descriptor's type and flags */
	bool unusable;  /* a null selector loaded: the register holds nothing */
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
