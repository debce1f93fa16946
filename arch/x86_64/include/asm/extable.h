/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_EXTABLE_H
#define ASM_EXTABLE_H

/*
 * Instructions that act on a value a guest chose (XSETBV, WRMSR of a
 * pass-through or speculation MSR) may fault even after every check Plinth
 * knows of, on a CPU with rules of its own. Each such instruction has an
 * entry here: a fault at it resumes after it with -EFAULT instead of
 * parking the CPU, and the caller turns that into a #GP for the guest.
 */
#include <plinth/errno.h>
#include <plinth/types.h>

struct extable_entry {
	uint64_t insn, fixup;
};

#define EXTABLE_ENTRY(insn, fixup) \
	".pushsection __ex_table, \"a\"\n\t.balign 8\n\t.quad " #insn ", " #fixup "\n\t.popsection\n\t"

/* The fix-up address for a fault at @rip, or 0 (traps.c). */
uint64_t extable_fixup(uint64_t rip);

static inline int wrmsr_safe(uint32_t msr, uint64_t v)
{
	int err = -EFAULT;

	__asm__ volatile("1: wrmsr\n\t"
			 "xor %0, %0\n"
			 "2:\n\t" EXTABLE_ENTRY(1b, 2b)
			 : "+r"(err)
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
	return err;
}

static inline int xsetbv_safe(uint32_t reg, uint64_t v)
{
	int err = -EFAULT;

	__asm__ volatile("1: xsetbv\n\t"
			 "xor %0, %0\n"
			 "2:\n\t" EXTABLE_ENTRY(1b, 2b)
			 : "+r"(err)
			 : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
	return err;
}

#endif
