/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Second half of the state-leak test: runs after leakw on the same CPU and
 * must find every piece of state leakw filled in its power-on value. All of
 * it is captured before the first line is printed (each line is a round of
 * VM exits), the FPU state first; the checks come afterwards.
 */
#include "leak.h"

#define FCW_FNINIT 0x037fu
#define FTW_ALL_EMPTY 0xffffu
#define FNSAVE_REGS 28	/* offset of ST(0) in the 32-bit FNSAVE image */

struct snapshot {
	uint64_t cr2;
	uint8_t env[28];	/* FNSTENV, 32-bit format: FCW, FSW, FTW at 0, 4, 8 */
	uint8_t fsave[108];	/* FNSAVE: the environment, then ST(0)..ST(7), 10 bytes each */
	int sse_vec;		/* what setting CR4.OSFXSR raised */
	uint64_t xmm[LEAK_XMM_COUNT][2];
	uint32_t mxcsr;
	const char *no_avx;	/* why YMM was not read, NULL if it was */
	uint64_t ymm_hi[LEAK_XMM_COUNT][2];
	uint64_t dr[4];
	uint64_t msr[LEAK_MSR_COUNT];
	int msr_vec[LEAK_MSR_COUNT];
};

static struct snapshot snap __aligned(16);

static const char *pattern_note(bool is_pattern)
{
	return is_pattern ? " (leakw's pattern)" : "";
}

static void capture_fpu(void)
{
	asm volatile("fnstenv %0" : "=m"(snap.env) : : "memory");
	/* FNSAVE also stores registers tagged empty: stale contents show up here. */
	asm volatile("fnsave %0" : "=m"(snap.fsave) : : "memory");
	snap.sse_vec = leak_enable_sse();
	if (snap.sse_vec != NO_TRAP)
		return;
	asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
		     "movdqu %%xmm\\r, \\r*16(%0)\n\t"
		     ".endr" : : "r"(snap.xmm) : "memory");
	asm volatile("stmxcsr %0" : "=m"(snap.mxcsr) : : "memory");
}

static void capture_other(void)
{
	asm volatile("mov %%dr0, %0" : "=r"(snap.dr[0]));
	asm volatile("mov %%dr1, %0" : "=r"(snap.dr[1]));
	asm volatile("mov %%dr2, %0" : "=r"(snap.dr[2]));
	asm volatile("mov %%dr3, %0" : "=r"(snap.dr[3]));
	for (size_t i = 0; i < LEAK_MSR_COUNT; i++)
		snap.msr_vec[i] = rdmsr_trap(leak_msrs[i].msr, &snap.msr[i]);
}

/* Last: enabling AVX takes an XSETBV exit, and may print an INFO line. */
static void capture_ymm(void)
{
	if (snap.sse_vec != NO_TRAP) {
		snap.no_avx = "SSE could not be enabled";
		return;
	}
	snap.no_avx = leak_enable_avx();
	if (snap.no_avx)
		return;
	asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
		     "vextractf128 $1, %%ymm\\r, \\r*16(%0)\n\t"
		     ".endr" : : "r"(snap.ymm_hi) : "memory");
}

static void check_x87(void)
{
	uint16_t fcw, fsw, ftw;
	unsigned int top;
	int leaked = -1;

	memcpy(&fcw, &snap.env[0], 2);
	memcpy(&fsw, &snap.env[4], 2);
	memcpy(&ftw, &snap.env[8], 2);
	top = (fsw >> 11) & 7;
	for (int i = 0; i < 8; i++) {
		uint64_t mant;

		memcpy(&mant, &snap.fsave[FNSAVE_REGS + 10 * i], 8);
		if ((uint32_t)(mant >> 32) == LEAK_X87_MANT_HI)
			leaked = i;
	}
	gprintf("INFO x87 FCW 0x%04x FSW 0x%04x FTW 0x%04x\n", fcw, fsw, ftw);
	if (ftw != FTW_ALL_EMPTY || top != 0)
		fail("no-leak-x87", "FTW 0x%04x TOP %u, want an empty stack (FTW 0xffff, TOP 0)",
		     ftw, top);
	else if (leaked >= 0)
		fail("no-leak-x87", "ST(%d) still holds leakw's value behind an empty tag",
		     leaked);
	else
		check(fcw == FCW_FNINIT, "no-leak-x87", "FCW 0x%04x, want 0x%04x%s", fcw,
		      FCW_FNINIT, pattern_note(fcw == LEAK_FCW));
}

static void check_xmm(void)
{
	int bad = 0;

	if (snap.sse_vec != NO_TRAP) {
		fail("no-leak-xmm", "setting CR4.OSFXSR raised vector %d", snap.sse_vec);
		return;
	}
	for (int i = 0; i < LEAK_XMM_COUNT; i++) {
		uint64_t lo = snap.xmm[i][0], hi = snap.xmm[i][1];

		if (!lo && !hi)
			continue;
		fail("no-leak-xmm", "XMM%d = 0x%016lx_%016lx%s", i, hi, lo,
		     pattern_note(lo == LEAK_XMM_LO(i) && hi == LEAK_XMM_HI(i)));
		bad++;
	}
	if (!bad)
		pass("no-leak-xmm");
}

static void check_ymm(void)
{
	int bad = 0;

	if (snap.no_avx) {
		gprintf("INFO skip no-leak-ymm: %s\n", snap.no_avx);
		return;
	}
	for (int i = 0; i < LEAK_XMM_COUNT; i++) {
		uint64_t lo = snap.ymm_hi[i][0], hi = snap.ymm_hi[i][1];

		if (!lo && !hi)
			continue;
		fail("no-leak-ymm", "YMM%d upper half = 0x%016lx_%016lx%s", i, hi, lo,
		     pattern_note(lo == LEAK_YMM_LO(i) && hi == LEAK_YMM_HI(i)));
		bad++;
	}
	if (!bad)
		pass("no-leak-ymm");
}

static void check_mxcsr(void)
{
	if (snap.sse_vec != NO_TRAP) {
		fail("no-leak-mxcsr", "setting CR4.OSFXSR raised vector %d", snap.sse_vec);
		return;
	}
	check(snap.mxcsr == MXCSR_DEFAULT, "no-leak-mxcsr", "MXCSR 0x%x, want 0x%x%s",
	      snap.mxcsr, MXCSR_DEFAULT, pattern_note(snap.mxcsr == LEAK_MXCSR));
}

static void check_dr(void)
{
	int bad = 0;

	for (int i = 0; i < 4; i++) {
		if (!snap.dr[i])
			continue;
		fail("no-leak-dr", "DR%d = 0x%lx, want 0%s", i, snap.dr[i],
		     pattern_note(snap.dr[i] == LEAK_DR(i)));
		bad++;
	}
	if (!bad)
		pass("no-leak-dr");
}

static void check_msrs(void)
{
	int bad = 0;

	for (size_t i = 0; i < LEAK_MSR_COUNT; i++) {
		const struct leak_msr *m = &leak_msrs[i];

		/* An MSR this partition cannot read cannot leak to it either. */
		if (snap.msr_vec[i] != NO_TRAP) {
			gprintf("INFO RDMSR %s (0x%x) raised vector %d: counted as no leak\n",
				m->name, m->msr, snap.msr_vec[i]);
			continue;
		}
		if (!snap.msr[i])
			continue;
		fail("no-leak-msrs", "%s (0x%x) = 0x%lx, want 0%s", m->name, m->msr,
		     snap.msr[i], pattern_note(snap.msr[i] == m->value));
		bad++;
	}
	if (!bad)
		pass("no-leak-msrs");
}

void guest_main(const struct boot_block *bb)
{
	/* Before anything can fault: CR2 is only ever written by a #PF. */
	snap.cr2 = read_cr2();
	(void)bb;
	capture_fpu();
	capture_other();
	capture_ymm();

	check_x87();
	check_xmm();
	check_ymm();
	check_mxcsr();
	check_dr();
	check(snap.cr2 == 0, "no-leak-cr2", "CR2 = 0x%lx, want 0%s", snap.cr2,
	      pattern_note(snap.cr2 == LEAK_CR2));
	check_msrs();
	poweroff(guest_failures() ? 1 : 0);
}
