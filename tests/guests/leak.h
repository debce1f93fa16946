/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUEST_LEAK_H
#define GUEST_LEAK_H

/*
 * Shared by leakw (fills CPU state with these patterns and powers off) and
 * leakr (runs next on the same CPU and must see none of them). Every
 * pattern carries 0x5ec7e7 so a leak is recognisable in a FAIL line.
 * Addresses and MSR values are canonical and within what WRMSR accepts.
 */
#include "guest.h"

#define LEAK_TAG 0x5ec7e7UL
#define LEAK_MSR_COUNT (sizeof(leak_msrs) / sizeof(leak_msrs[0]))

/* x87: 80-bit values with the integer bit set, so FLD takes them as normals. */
#define LEAK_X87_COUNT 6
#define LEAK_X87_MANT_HI 0xd5ec7e70u
#define LEAK_X87_MANT(i) ((uint64_t)LEAK_X87_MANT_HI << 32 | (0x5ec7e700u + (uint32_t)(i)))
#define LEAK_X87_EXP(i) ((uint16_t)(0x3fff + (i)))

/* leakw loads it; FNINIT (and XRSTOR of the init state) gives 0x037f. */
#define LEAK_FCW 0x027fu

/* XMMn = { lo, hi } and the YMMn upper half = { lo, hi } (qwords). */
#define LEAK_XMM_COUNT 16
#define LEAK_VEC(reg, q) (LEAK_TAG << 40 | 0xa5UL << 16 | (uint64_t)(reg) << 8 | (uint64_t)(q))
#define LEAK_XMM_LO(reg) LEAK_VEC(reg, 0)
#define LEAK_XMM_HI(reg) LEAK_VEC(reg, 1)
#define LEAK_YMM_LO(reg) LEAK_VEC(reg, 2)
#define LEAK_YMM_HI(reg) LEAK_VEC(reg, 3)

/* Round toward zero instead of to nearest: every exception stays masked. */
#define MXCSR_DEFAULT 0x1f80u
#define LEAK_MXCSR (MXCSR_DEFAULT ^ 0x6000u)

#define LEAK_DR(i) (LEAK_TAG << 20 | 0xd00UL | (uint64_t)(i))

/* PML4 slot 252: far above the 4 GiB boot map, so nothing maps it. */
#define LEAK_CR2 0x00007e575ec7e000UL

#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SFMASK 0xc0000084u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX 0xc0000103u

struct leak_msr {
	const char *name;
	uint32_t msr;
	uint64_t value;	/* what leakw writes */
};

/* SFMASK and TSC_AUX are 32 bits wide: their upper halves are reserved. */
static const struct leak_msr leak_msrs[] = {
	{ "KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, LEAK_TAG << 24 | 0x0102 },
	{ "STAR", MSR_STAR, 0x0023001000000000UL | LEAK_TAG << 8 | 0x81 },
	{ "LSTAR", MSR_LSTAR, LEAK_TAG << 24 | 0x0082 },
	{ "CSTAR", MSR_CSTAR, LEAK_TAG << 24 | 0x0083 },
	{ "SFMASK", MSR_SFMASK, 0x5ec70084 },
	{ "TSC_AUX", MSR_TSC_AUX, 0x5ec70103 },
};

#define VEC_PF 14

#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_OSXSAVE (1ULL << 18)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX (1u << 28)
#define XCR0_X87_SSE_AVX 7UL

/* Returns the vector a CR4 write raised, or NO_TRAP. */
static inline int write_cr4_trap(uint64_t v)
{
	trap_reset();
	asm volatile(TRY_BEGIN "mov %0, %%cr4" TRY_END : : "r"(v) : "r11", "memory");
	return trap_vector();
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* Plinth starts long-mode guests with CR4 = PAE: SSE needs OSFXSR first. */
static inline int leak_enable_sse(void)
{
	return write_cr4_trap(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

/*
 * CR4.OSXSAVE and XCR0 = x87|SSE|AVX, which VEX instructions need. Returns
 * NULL when AVX is usable, else why not (the caller prints INFO and skips).
 */
static inline const char *leak_enable_avx(void)
{
	uint32_t r[4];
	int vec;

	cpuid(0, 0, r);
	if (r[0] < 0xd)
		return "CPUID has no leaf 0xd";
	cpuid(1, 0, r);
	if (!(r[2] & CPUID1_ECX_XSAVE))
		return "CPUID.1:ECX lacks XSAVE";
	if (!(r[2] & CPUID1_ECX_AVX))
		return "CPUID.1:ECX lacks AVX";
	cpuid(0xd, 0, r);
	if ((r[0] & XCR0_X87_SSE_AVX) != XCR0_X87_SSE_AVX)
		return "CPUID.0xd:EAX lacks the AVX state component";
	vec = write_cr4_trap(read_cr4() | CR4_OSXSAVE);
	if (vec != NO_TRAP)
		return "setting CR4.OSXSAVE faulted";
	cpuid(1, 0, r);
	if (!(r[2] & CPUID1_ECX_OSXSAVE))
		gprintf("INFO CPUID.1:ECX[27] OSXSAVE is clear with CR4.OSXSAVE set (CR4 0x%lx)\n",
			read_cr4());
	trap_reset();
	asm volatile(TRY_BEGIN "xsetbv" TRY_END
		     : : "c"(0), "a"((uint32_t)XCR0_X87_SSE_AVX), "d"(0) : "r11", "memory");
	if (trap_vector() != NO_TRAP) {
		gprintf("INFO XSETBV XCR0=7 raised vector %d error 0x%lx\n", trap_vector(),
			trap_last.error_code);
		return "XSETBV XCR0=7 faulted";
	}
	return NULL;
}

#endif
