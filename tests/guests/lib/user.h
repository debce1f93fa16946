/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

/*
 * Ring 3 for the long-mode test guests (user.c): a GDT with user segments
 * and a 64-bit TSS, a way to run a function at CPL3 and come back, and
 * helpers on the identity map and the protection controls.
 *
 * GDT (a superset of Plinth's boot GDT, same kernel selectors):
 *   0x08 64-bit code DPL0, 0x10 data DPL0, 0x18 user data DPL3 (0x1b),
 *   0x20 64-bit user code DPL3 (0x23), 0x28 64-bit TSS (16 bytes),
 *   0x38 data DPL0 with base USER_BASED_DS_BASE (its base is ignored in 64-bit mode).
 *
 * user_call() enters fn at CPL3 by IRETQ (RDI = arg, a user stack, a return
 * address on a user trampoline page that executes INT USER_RET_VECTOR, a
 * DPL 3 gate). Back at CPL0 it returns fn's RAX. An exception at CPL3 ends
 * the call instead: it is recorded in trap_last (and the whole frame in
 * user_fault_frame) and user_call() returns USER_FAULTED.
 *
 * Code run at CPL3 must be on user pages (user_map_range()): that of the
 * test guests sits in its own page-aligned section. With CR4.SMEP set, CPL0
 * must not execute code there.
 */
#include "guest.h"

#define USER_CS 0x23
#define USER_DS 0x1b
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_TSS_SEL 0x28
#define USER_BASED_DS_SEL 0x38
#define USER_BASED_DS_BASE 0x10000ULL
#define USER_RET_VECTOR 0x81
#define USER_FAULTED 0xbadc0defa017ULL

#define PTE_US 0x4ULL
#define PTE_PAT4K 0x80ULL
#define PTE_PAT2M 0x1000ULL
#define PTE_NX (1ULL << 63)

#define CR0_WP (1ULL << 16)
#define CR0_AM (1ULL << 18)
#define CR4_FSGSBASE (1ULL << 16)
#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)
#define RFLAGS_AC (1ULL << 18)
#define RFLAGS_DF (1ULL << 10)
#define RFLAGS_IOPL_SHIFT 12

#define MSR_EFER 0xc0000080
#define EFER_NXE (1ULL << 11)
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101

#define PF_P 0x1
#define PF_W 0x2
#define PF_U 0x4
#define PF_RSVD 0x8
#define PF_I 0x10

typedef uint64_t (*user_fn)(uint64_t arg);

/* Loads the GDT and TSS above, installs the return gate; safe to call again. */
void user_init(void);
/* Runs fn(arg) at CPL3 on the user stack; fn's RAX, or USER_FAULTED (see trap_last). */
uint64_t user_call(user_fn fn, uint64_t arg);
/* Frame of the last exception that ended a user_call(). */
extern struct trap_frame user_fault_frame;
/* RFLAGS bits (IOPL, AC, DF, ...) user_call() enters CPL3 with; IF stays 0. */
void user_set_rflags(uint64_t set, uint64_t clear);
void user_set_iopl(unsigned int iopl);
/* RSP0 and IST1 tops (16-byte aligned) of the TSS. */
uint64_t user_rsp0_top(void);
uint64_t user_ist1_top(void);

/* 4 KiB page-table entry for va, splitting its 2 MiB page (same mapping) first if need be. */
uint64_t *pt_entry_4k(uint64_t va);
/* Sets and clears bits of the 4 KiB entries covering [start, end); U also on the upper levels. */
void pt_set_range(uint64_t start, uint64_t end, uint64_t set, uint64_t clear);
static inline void user_map_range(uint64_t start, uint64_t end)
{
	pt_set_range(start, end, PTE_US, 0);
}
static inline void supervisor_range(uint64_t start, uint64_t end)
{
	pt_set_range(start, end, 0, PTE_US);
}
static inline void readonly_range(uint64_t start, uint64_t end)
{
	pt_set_range(start, end, 0, PTE_W);
}
/* NX needs EFER.NXE: this sets it first. */
void nx_range(uint64_t start, uint64_t end);
void flush_tlb(void);

/* CPUID.7.0:EBX feature bits. */
bool cpu_has_smep(void);
bool cpu_has_smap(void);
bool cpu_has_fsgsbase(void);

/* CR4 bits that may fault (#GP when the CPU lacks them): the vector or NO_TRAP. */
int cr4_update(uint64_t set, uint64_t clear);
static inline void cr0_wp(bool on)
{
	write_cr0(on ? read_cr0() | CR0_WP : read_cr0() & ~CR0_WP);
}

static inline void stac(void)
{
	asm volatile("stac" ::: "memory");
}

static inline void clac(void)
{
	asm volatile("clac" ::: "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;

	asm volatile("pushfq\n\tpopq %0" : "=r"(v));
	return v;
}

#endif
