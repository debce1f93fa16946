/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XSETBV is always a VM exit, so every rule of the instruction is Plinth's to
 * apply (vmm/cr_rules.c: xsetbv_check): with CR4.OSXSAVE set, an XCR0 value
 * the CPU itself would refuse, or one naming a component the guest's CPUID
 * does not offer, must raise #GP(0) in the guest and leave XCR0 as it was; a
 * legal value must be loaded for real (XGETBV does not exit and reads the
 * hardware register) and the enabled state must then be usable.
 *
 * Run on a CPU model with AVX-512 (Bochs corei7_skylake_x) to cover the
 * opmask/ZMM rules; without it those checks are reported as skipped.
 */
#include "guest.h"

#define VEC_UD 6
#define VEC_GP 13

#define CR4_OSFXSR ((uint64_t)1 << 9)
#define CR4_OSXMMEXCPT ((uint64_t)1 << 10)
#define CR4_OSXSAVE ((uint64_t)1 << 18)

#define X_X87 ((uint64_t)1 << 0)
#define X_SSE ((uint64_t)1 << 1)
#define X_AVX ((uint64_t)1 << 2)
#define X_BNDREGS ((uint64_t)1 << 3)
#define X_BNDCSR ((uint64_t)1 << 4)
#define X_OPMASK ((uint64_t)1 << 5)
#define X_ZMM_HI256 ((uint64_t)1 << 6)
#define X_HI16_ZMM ((uint64_t)1 << 7)
#define X_PKRU ((uint64_t)1 << 9)
#define X_TILECFG ((uint64_t)1 << 17)
#define X_TILEDATA ((uint64_t)1 << 18)
#define X_AVX512 (X_OPMASK | X_ZMM_HI256 | X_HI16_ZMM)

static uint64_t offered;	/* CPUID.(EAX=0DH,ECX=0):EDX:EAX as the guest sees it */
static bool has_avx512;

/* XSETBV that may fault: the vector raised or NO_TRAP. */
static int xsetbv_trap(uint32_t index, uint64_t v)
{
	trap_reset();
	asm volatile(TRY_BEGIN "xsetbv" TRY_END
		     : : "c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "r11", "memory");
	return trap_vector();
}

static int xgetbv_trap(uint32_t index, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;

	trap_reset();
	asm volatile(TRY_BEGIN "xgetbv" TRY_END
		     : "+a"(lo), "+d"(hi) : "c"(index) : "r11", "memory");
	*v = (uint64_t)hi << 32 | lo;
	return trap_vector();
}

static uint64_t xcr0(void)
{
	uint64_t v;

	if (xgetbv_trap(0, &v) != NO_TRAP)
		return ~0ULL;
	return v;
}

/* XSETBV index/value must raise #GP(0) and leave XCR0 unchanged. */
static bool expect_gp(const char *name, uint32_t index, uint64_t v, bool quiet)
{
	uint64_t before = xcr0(), after;
	int vec = xsetbv_trap(index, v);
	uint64_t err = trap_last.error_code;

	after = xcr0();
	if (vec != VEC_GP || err != 0 || after != before) {
		fail(name, "XSETBV ecx=%u 0x%lx: vector %d error 0x%lx, XCR0 0x%lx -> 0x%lx; "
		     "want #GP(0) and XCR0 unchanged", index, v, vec, err, before, after);
		return false;
	}
	if (!quiet)
		pass(name);
	return true;
}

static void expect_ok(const char *name, uint64_t v)
{
	int vec = xsetbv_trap(0, v);
	uint64_t got = xcr0();

	check(vec == NO_TRAP && got == v, name, "XSETBV 0x%lx: vector %d, XGETBV reads 0x%lx", v,
	      vec, got);
}

static void test_no_osxsave(void)
{
	uint64_t v;
	int vec;

	write_cr4(read_cr4() & ~CR4_OSXSAVE);
	vec = xsetbv_trap(0, X_X87);
	check(vec == VEC_UD, "xsetbv-no-osxsave-ud", "XSETBV with CR4.OSXSAVE=0: vector %d, want #UD",
	      vec);
	vec = xgetbv_trap(0, &v);
	check(vec == VEC_UD, "xgetbv-no-osxsave-ud", "XGETBV with CR4.OSXSAVE=0: vector %d, want #UD",
	      vec);
}

static void test_illegal(void)
{
	unsigned int bad = 0;
	const uint64_t base = X_X87 | X_SSE;

	expect_gp("xsetbv-x87-clear-zero-gp", 0, 0, false);
	expect_gp("xsetbv-x87-clear-sse-gp", 0, X_SSE, false);
	if (offered & X_AVX) {
		expect_gp("xsetbv-x87-clear-avx-gp", 0, X_SSE | X_AVX, false);
		expect_gp("xsetbv-avx-without-sse-gp", 0, X_X87 | X_AVX, false);
	}
	if (has_avx512) {
		/* Every strict, non-empty subset of opmask/ZMM_Hi256/Hi16_ZMM. */
		static const uint64_t subsets[] = {
			X_OPMASK, X_ZMM_HI256, X_HI16_ZMM, X_OPMASK | X_ZMM_HI256,
			X_OPMASK | X_HI16_ZMM, X_ZMM_HI256 | X_HI16_ZMM,
		};
		bool ok = true;

		for (unsigned int i = 0; i < sizeof(subsets) / sizeof(subsets[0]); i++)
			ok &= expect_gp("xsetbv-avx512-partial-gp", 0, base | X_AVX | subsets[i], true);
		if (ok)
			pass("xsetbv-avx512-partial-gp");
		expect_gp("xsetbv-avx512-without-avx-gp", 0, base | X_AVX512, false);
		expect_gp("xsetbv-avx512-without-sse-avx-gp", 0, X_X87 | X_AVX512, false);
	} else {
		gprintf("INFO no AVX-512 in CPUID: opmask/ZMM rules not tested\n");
	}
	/* Hidden by Plinth's CPUID (leaf 7 and leaf 0xD), whatever the host has. */
	expect_gp("xsetbv-mpx-gp", 0, base | X_BNDREGS | X_BNDCSR, false);
	expect_gp("xsetbv-mpx-bndregs-only-gp", 0, base | X_BNDREGS, false);
	expect_gp("xsetbv-amx-gp", 0, base | X_AVX | X_TILECFG | X_TILEDATA, false);
	expect_gp("xsetbv-amx-tilecfg-only-gp", 0, base | X_AVX | X_TILECFG, false);

	/* Each bit CPUID.0xD does not offer, alone on top of a legal value. */
	for (unsigned int b = 0; b < 64; b++) {
		if (offered & (1ULL << b))
			continue;
		if (!expect_gp("xsetbv-unoffered-bit-gp", 0, base | (1ULL << b), true))
			bad++;
	}
	if (!bad)
		pass("xsetbv-unoffered-bits-gp");

	/* Only XCR0 is writable: XCR1 (XINUSE) is read-only, others do not exist. */
	expect_gp("xsetbv-ecx1-gp", 1, X_X87, false);
	expect_gp("xsetbv-ecx1-legal-value-gp", 1, base, false);
	expect_gp("xsetbv-ecx-high-gp", 0x80000000u, X_X87, false);
	expect_gp("xsetbv-ecx2-gp", 2, X_X87, false);
}

static uint8_t zsrc[64] __aligned(64);
static uint8_t zdst[64] __aligned(64);

static void zfill(uint8_t seed)
{
	for (unsigned int i = 0; i < sizeof(zsrc); i++)
		zsrc[i] = (uint8_t)(seed + i * 7);
	memset(zdst, 0, sizeof(zdst));
}

/* Opmask, the upper half of ZMM5 (ZMM_Hi256) and ZMM17 (Hi16_ZMM), all at once. */
static void test_avx512_use(void)
{
	uint32_t k = 0;
	uint64_t mask = 0xa5c3;
	int vec;

	zfill(0x31);
	trap_reset();
	asm volatile(TRY_BEGIN
		     "kmovw %k[m], %%k1\n\t"
		     "kmovw %%k1, %k[k]\n\t"
		     "vmovdqu64 (%[src]), %%zmm17\n\t"
		     "vmovdqu64 %%zmm17, (%[dst])"
		     TRY_END
		     : [k] "+r"(k) : [m] "r"(mask), [src] "r"(zsrc), [dst] "r"(zdst)
		     : "r11", "memory");
	vec = trap_vector();
	if (vec != NO_TRAP) {
		fail("xsetbv-avx512-usable", "kmovw/vmovdqu64 raised vector %d with XCR0 0x%lx", vec,
		     xcr0());
		return;
	}
	check(k == 0xa5c3 && !memcmp(zsrc, zdst, sizeof(zsrc)), "xsetbv-avx512-usable",
	      "k1 read 0x%x (want 0xa5c3), zmm17 round trip %s", k,
	      memcmp(zsrc, zdst, sizeof(zsrc)) ? "differs" : "ok");

	/* A masked, zeroing move: dword i survives iff bit i of k1 is set. */
	zfill(0x52);
	trap_reset();
	asm volatile(TRY_BEGIN
		     "vmovdqu32 (%[src]), %%zmm18%{%%k1%}%{z%}\n\t"
		     "vmovdqu64 %%zmm18, (%[dst])"
		     TRY_END
		     : : [src] "r"(zsrc), [dst] "r"(zdst) : "r11", "memory");
	vec = trap_vector();
	bool ok = vec == NO_TRAP;

	for (unsigned int i = 0; ok && i < 16; i++) {
		uint32_t s, d;

		memcpy(&s, &zsrc[i * 4], 4);
		memcpy(&d, &zdst[i * 4], 4);
		ok = d == ((mask >> i) & 1 ? s : 0);
	}
	check(ok, "xsetbv-avx512-opmask-effect", "masked vmovdqu32: vector %d or wrong lanes", vec);

	/* Vector state must survive exits of every kind while XCR0 has it enabled. */
	zfill(0x77);
	trap_reset();
	asm volatile(TRY_BEGIN
		     "vmovdqu64 (%[src]), %%zmm17\n\t"
		     "vmovdqu64 (%[src]), %%zmm5\n\t"
		     "movl $0x5aa5, %%eax\n\t"
		     "kmovw %%eax, %%k3"
		     TRY_END
		     : : [src] "r"(zsrc) : "rax", "r11", "memory");
	if (trap_vector() != NO_TRAP) {
		fail("xsetbv-avx512-survives-exits", "load raised vector %d", trap_vector());
		return;
	}
	{
		uint32_t r[4];
		static const char msg[] = "INFO console write between ZMM load and store\n";

		for (int i = 0; i < 20; i++) {
			cpuid(0, 0, r);
			outb(GUEST_TESTDEV_PORT, (uint8_t)i);
			(void)inb(GUEST_TESTDEV_PORT);
			*(volatile uint32_t *)GUEST_TESTDEV_MMIO = (uint32_t)i;
		}
		hypercall(HC_CONSOLE_WRITE, (uint64_t)(uintptr_t)msg, sizeof(msg) - 1, 0);
		gprintf("INFO XCR0 0x%lx between ZMM load and store\n", xcr0());
	}
	uint8_t hi[64];

	memset(hi, 0, sizeof(hi));
	k = 0;
	trap_reset();
	asm volatile(TRY_BEGIN
		     "vmovdqu64 %%zmm17, (%[dst])\n\t"
		     "vmovdqu64 %%zmm5, (%[hi])\n\t"
		     "kmovw %%k3, %k[k]"
		     TRY_END
		     : [k] "+r"(k) : [dst] "r"(zdst), [hi] "r"(hi) : "r11", "memory");
	check(trap_vector() == NO_TRAP && k == 0x5aa5 && !memcmp(zsrc, zdst, 64) &&
	      !memcmp(zsrc, hi, 64), "xsetbv-avx512-survives-exits",
	      "vector %d, k3 0x%x, zmm17 %s, zmm5 %s", trap_vector(), k,
	      memcmp(zsrc, zdst, 64) ? "changed" : "ok", memcmp(zsrc, hi, 64) ? "changed" : "ok");
}

/* With AVX-512 state disabled again, the same instructions must be #UD. */
static void test_avx512_disabled(void)
{
	int vec;

	trap_reset();
	asm volatile(TRY_BEGIN "kmovw %%k1, %%eax" TRY_END : : : "rax", "r11", "memory");
	vec = trap_vector();
	check(vec == VEC_UD, "xsetbv-avx512-off-ud", "kmovw with XCR0 0x%lx: vector %d, want #UD",
	      xcr0(), vec);
}

void guest_main(const struct boot_block *bb)
{
	uint32_t r[4];
	uint64_t v;

	(void)bb;
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 26))) {
		fail("xsetbv-cpuid", "CPUID.1:ECX.XSAVE is clear (ecx 0x%x)", r[2]);
		return;
	}
	check(!(r[2] & (1u << 27)), "xsetbv-cpuid-osxsave-clear",
	      "CPUID.1:ECX.OSXSAVE set while CR4.OSXSAVE is clear");
	cpuid(7, 0, r);
	has_avx512 = r[1] & (1u << 16);
	gprintf("INFO cpuid 7: ebx 0x%08x ecx 0x%08x edx 0x%08x (AVX512F %d, MPX %d, AMX-TILE %d)\n",
		r[1], r[2], r[3], !!(r[1] & (1u << 16)), !!(r[1] & (1u << 14)),
		!!(r[3] & (1u << 24)));
	cpuid(0xd, 0, r);
	offered = (uint64_t)r[3] << 32 | r[0];
	gprintf("INFO cpuid 0xd.0: eax 0x%08x ebx 0x%x ecx 0x%x edx 0x%08x: XCR0 may hold 0x%lx\n",
		r[0], r[1], r[2], r[3], offered);
	cpuid(0xd, 1, r);
	gprintf("INFO cpuid 0xd.1: eax 0x%08x ecx 0x%08x edx 0x%08x\n", r[0], r[2], r[3]);
	if (has_avx512 && (offered & X_AVX512) != X_AVX512) {
		fail("xsetbv-cpuid-avx512", "AVX512F in leaf 7 but leaf 0xD offers 0x%lx", offered);
		has_avx512 = false;
	}
	check((offered & (X_BNDREGS | X_BNDCSR | X_TILECFG | X_TILEDATA)) == 0,
	      "xsetbv-cpuid-mpx-amx-hidden", "leaf 0xD offers 0x%lx", offered);

	test_no_osxsave();

	v = read_cr4();
	write_cr4(v | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE);
	check(read_cr4() & CR4_OSXSAVE, "xsetbv-cr4-osxsave", "CR4 0x%lx", read_cr4());
	cpuid(1, 0, r);
	check(r[2] & (1u << 27), "xsetbv-cpuid-osxsave-set",
	      "CPUID.1:ECX.OSXSAVE clear after CR4.OSXSAVE was set (ecx 0x%x)", r[2]);
	v = xcr0();
	check(v == X_X87, "xsetbv-initial-xcr0", "XCR0 0x%lx at start, want 0x1", v);

	expect_ok("xsetbv-legal-x87", X_X87);
	expect_ok("xsetbv-legal-x87-sse", X_X87 | X_SSE);
	if (offered & X_AVX)
		expect_ok("xsetbv-legal-x87-sse-avx", X_X87 | X_SSE | X_AVX);

	test_illegal();

	if (has_avx512) {
		expect_ok("xsetbv-legal-avx512", X_X87 | X_SSE | X_AVX | X_AVX512);
		if (xcr0() == (X_X87 | X_SSE | X_AVX | X_AVX512)) {
			test_avx512_use();
			/* Rejected writes while AVX-512 is on leave it on. */
			expect_gp("xsetbv-partial-while-avx512-gp", 0,
				  X_X87 | X_SSE | X_AVX | X_OPMASK, false);
			expect_gp("xsetbv-x87-clear-while-avx512-gp", 0,
				  X_SSE | X_AVX | X_AVX512, false);
			trap_reset();
			asm volatile(TRY_BEGIN "kmovw %%k1, %%eax" TRY_END ::: "rax", "r11", "memory");
			check(trap_vector() == NO_TRAP, "xsetbv-avx512-still-usable",
			      "kmovw after rejected XSETBV: vector %d", trap_vector());
		}
		if (offered & X_PKRU)
			expect_ok("xsetbv-legal-avx512-pkru",
				  X_X87 | X_SSE | X_AVX | X_AVX512 | X_PKRU);
		expect_ok("xsetbv-legal-back-to-avx", X_X87 | X_SSE | X_AVX);
		test_avx512_disabled();
	} else if (offered & X_PKRU) {
		expect_ok("xsetbv-legal-pkru", X_X87 | X_SSE | X_PKRU);
	}
	expect_ok("xsetbv-legal-x87-again", X_X87);
}
