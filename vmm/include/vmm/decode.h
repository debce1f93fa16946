/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DECODE_H
#define VMM_DECODE_H

/*
 * Decoder for the few x86 instructions a guest uses to touch MMIO.
 *
 * An EPT violation on an MMIO range tells us the guest-physical address but
 * not the access width, direction or register, so the faulting instruction
 * (up to 15 bytes fetched at guest RIP) is decoded here. The caller performs
 * the device access, then completes the instruction with
 * decode_complete_load() (loads) and RIP += length.
 *
 * Supported: MOV 88/89/8A/8B, MOV C6 /0, C7 /0, MOV moffs A0-A3,
 * MOVZX 0F B6/B7, MOVSX 0F BE/BF, MOVSXD 63 (64-bit mode), MOVS A4/A5 and
 * STOS AA/AB with optional REP. Register (mod=11) forms are rejected: they
 * cannot touch memory, so they cannot be the faulting instruction.
 *
 * Register numbers are the x86 encoding: 0=RAX 1=RCX 2=RDX 3=RBX 4=RSP
 * 5=RBP 6=RSI 7=RDI 8..15=R8..R15 (same order as vmm/vcpu_state.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DECODE_MAX_LEN 15

enum decode_mode {
	DECODE_MODE_16,	/* real/16-bit protected mode: 16-bit operands and addresses */
	DECODE_MODE_32,	/* 32-bit protected mode (CS.D=1) */
	DECODE_MODE_64,	/* long mode, CS.L=1 */
};

enum mmio_op {
	MMIO_OP_LOAD,	/* memory -> register */
	MMIO_OP_STORE,	/* register or immediate -> memory */
	MMIO_OP_MOVS,	/* [seg:rSI] -> ES:[rDI] */
	MMIO_OP_STOS,	/* AL/AX/EAX/RAX -> ES:[rDI] */
};

/* Segment override recorded from the prefixes. */
enum decode_seg {
	DECODE_SEG_DEFAULT = 0,
	DECODE_SEG_ES,
	DECODE_SEG_CS,
	DECODE_SEG_SS,
	DECODE_SEG_DS,
	DECODE_SEG_FS,
	DECODE_SEG_GS,
};

struct decoded_insn {
	uint8_t length;		/* total bytes, 1..15: RIP advances by this */
	uint16_t opcode;	/* primary opcode; 0x0Fxx for two-byte ones */
	enum mmio_op op;
	uint8_t size;		/* memory access width in bytes: 1, 2, 4, 8 */
	bool sign_extend;	/* MOVSX/MOVSXD: load is sign-extended to dest_size */
	bool zero_extend;	/* MOVZX: load is zero-extended to dest_size */
	uint8_t dest_size;	/* register width a load writes (== size for MOV) */
	int reg;		/* GPR a store reads / a load writes; -1: imm or MOVS */
	bool high_byte;		/* reg is AH/CH/DH/BH (reg holds 0..3, bits 15:8 are used) */
	uint64_t imm;		/* immediate, already truncated/sign-extended to size */
	bool has_imm;
	bool rep;		/* F3 or F2 on MOVS/STOS: caller iterates using rCX */
	uint8_t segment;	/* enum decode_seg; in 64-bit mode only FS/GS have a base */
	/*
	 * Effective address = base + index * scale + disp (truncated to
	 * addr_size), or end-of-instruction RIP + disp when rip_relative.
	 * For MOVS this is the source (rSI); the destination is always ES:rDI.
	 * For STOS it is ES:rDI.
	 */
	int base_reg;		/* -1: none */
	int index_reg;		/* -1: none */
	uint8_t scale;		/* 1, 2, 4, 8 with an index; 0 without */
	int64_t disp;		/* sign-extended displacement, or the moffs value */
	bool rip_relative;
	uint8_t addr_size;	/* 2, 4, 8 bytes */
};

/*
 * Decode the instruction in bytes[0..avail). Returns 0 and fills *out, or:
 *   -EFAULT  the instruction continues past avail (fetch more, retry);
 *   -EINVAL  not a valid instruction or no memory operand: longer than 15
 *            bytes (e.g. too many prefixes), LOCK on MOV/MOVS/STOS (#UD),
 *            C6/C7 with /reg != 0, mod=11 forms, bad mode, NULL pointers;
 *   -ENOTSUP a valid instruction this emulator does not handle (ADD to
 *            MMIO, VEX/SSE moves, INC/DEC in 16/32-bit mode, ...).
 * *out is only meaningful on success.
 */
int decode_insn(const uint8_t *bytes, size_t avail, enum decode_mode mode,
		struct decoded_insn *out);

/*
 * Effective address (offset within the segment, segment base not added).
 * rip is the address of the decoded instruction, not of the next one.
 */
uint64_t decode_effective_address(const struct decoded_insn *d,
				  const uint64_t regs[16], uint64_t rip);

/*
 * The value a STORE or STOS writes, truncated to d->size. MOVS copies
 * memory to memory and has no register value: returns 0.
 */
uint64_t decode_store_value(const struct decoded_insn *d,
			    const uint64_t regs[16]);

/*
 * Write a LOAD's result into the destination register with x86 rules:
 * the value is first truncated to size and sign/zero-extended to
 * dest_size; 8- and 16-bit writes keep the other register bits, 32-bit
 * writes clear bits 63:32. Does nothing for other ops.
 */
void decode_complete_load(const struct decoded_insn *d, uint64_t regs[16],
			  uint64_t value);

#endif
