/* SPDX-License-Identifier: GPL-2.0 */
/*
 * First half of the state-leak test: leaves recognisable values (leak.h) in
 * every piece of CPU state Plinth must switch by hand between partitions
 * (x87, SSE, AVX, MXCSR, DR0-DR3, CR2, the SYSCALL/SWAPGS/RDTSCP MSRs) and
 * powers off without clearing any of it. leakr runs next on the same CPU.
 * Each value is read back first, or leakr could pass without testing anything.
 * The compiler emits no SSE/x87 (-mgeneral-regs-only), so only the asm
 * here touches those registers.
 */
#include "leak.h"

struct x87_value {
	uint64_t mant;
	uint16_t exp;
} __attribute__((packed));

static struct x87_value x87_values[LEAK_X87_COUNT];
static uint64_t xmm_out[LEAK_XMM_COUNT][2] __aligned(16);
static uint64_t ymm_out[LEAK_XMM_COUNT][2] __aligned(16);
static uint64_t xmm_back[LEAK_XMM_COUNT][2] __aligned(16);
static uint64_t ymm_back[LEAK_XMM_COUNT][2] __aligned(16);

static void fill_msrs(void)
{
	for (size_t i = 0; i < LEAK_MSR_COUNT; i++) {
		const struct leak_msr *m = &leak_msrs[i];
		uint64_t v = 0;
		int vec = wrmsr_trap(m->msr, m->value);

		if (vec != NO_TRAP) {
			gprintf("INFO WRMSR %s (0x%x) raised vector %d: not tested\n", m->name,
				m->msr, vec);
			continue;
		}
		vec = rdmsr_trap(m->msr, &v);
		if (vec != NO_TRAP || v != m->value)
			fail("leak-written", "%s reads 0x%lx (vector %d) after writing 0x%lx",
			     m->name, v, vec, m->value);
	}
}

/* DR7 stays as it is (0x400): no breakpoint is armed, so nothing fires. */
static void fill_debug_regs(void)
{
	uint64_t dr[4];

	asm volatile("mov %0, %%dr0" : : "r"(LEAK_DR(0)));
	asm volatile("mov %0, %%dr1" : : "r"(LEAK_DR(1)));
	asm volatile("mov %0, %%dr2" : : "r"(LEAK_DR(2)));
	asm volatile("mov %0, %%dr3" : : "r"(LEAK_DR(3)));
	asm volatile("mov %%dr0, %0" : "=r"(dr[0]));
	asm volatile("mov %%dr1, %0" : "=r"(dr[1]));
	asm volatile("mov %%dr2, %0" : "=r"(dr[2]));
	asm volatile("mov %%dr3, %0" : "=r"(dr[3]));
	for (int i = 0; i < 4; i++) {
		if (dr[i] != LEAK_DR(i))
			fail("leak-written", "DR%d reads 0x%lx after writing 0x%lx", i, dr[i],
			     LEAK_DR(i));
	}
}

/* A read of an address our page tables do not map leaves it in CR2. */
static void fill_cr2(void)
{
	uint64_t *pml4e = pt_entry(LEAK_CR2, 4);
	uint64_t cr2;

	if (!pml4e || pml4e == pt_entry(0, 4)) {
		fail("leak-written", "no PML4 slot of our own for 0x%lx", LEAK_CR2);
		return;
	}
	*pml4e = 0;
	invlpg(LEAK_CR2);
	trap_reset();
	asm volatile(TRY_BEGIN "movq (%0), %%rax" TRY_END
		     : : "r"(LEAK_CR2) : "rax", "r11", "memory");
	cr2 = read_cr2();
	if (trap_vector() != VEC_PF || trap_last.cr2 != LEAK_CR2 || cr2 != LEAK_CR2)
		fail("leak-written", "read of 0x%lx: vector %d, CR2 0x%lx (in handler 0x%lx)",
		     LEAK_CR2, trap_vector(), cr2, trap_last.cr2);
}

/* Six pushes: TOP ends at 2 with six registers tagged valid. */
static void fill_x87(void)
{
	uint8_t env[28];
	uint16_t fcw_in = LEAK_FCW, fcw, fsw, ftw;

	for (int i = 0; i < LEAK_X87_COUNT; i++) {
		x87_values[i].mant = LEAK_X87_MANT(i);
		x87_values[i].exp = LEAK_X87_EXP(i);
	}
	asm volatile("fninit\n\tfldcw %0" : : "m"(fcw_in) : "memory");
	for (int i = 0; i < LEAK_X87_COUNT; i++)
		asm volatile("fldt %0" : : "m"(x87_values[i]) : "memory");
	asm volatile("fnstenv %0" : "=m"(env) : : "memory");
	memcpy(&fcw, &env[0], 2);
	memcpy(&fsw, &env[4], 2);
	memcpy(&ftw, &env[8], 2);
	/* FNSTENV masks every x87 exception: LEAK_FCW has them all masked already. */
	if (fcw != LEAK_FCW || ((fsw >> 11) & 7) != 8 - LEAK_X87_COUNT || ftw == 0xffff)
		fail("leak-written", "x87 FCW 0x%x FSW 0x%x FTW 0x%x after %d loads", fcw, fsw,
		     ftw, LEAK_X87_COUNT);
}

static void fill_xmm(void)
{
	for (int i = 0; i < LEAK_XMM_COUNT; i++) {
		xmm_out[i][0] = LEAK_XMM_LO(i);
		xmm_out[i][1] = LEAK_XMM_HI(i);
	}
	asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
		     "movdqu \\r*16(%0), %%xmm\\r\n\t"
		     ".endr" : : "r"(xmm_out) : "memory");
	asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
		     "movdqu %%xmm\\r, \\r*16(%0)\n\t"
		     ".endr" : : "r"(xmm_back) : "memory");
	if (memcmp(xmm_back, xmm_out, sizeof(xmm_out)))
		fail("leak-written", "XMM registers do not read back their patterns");
}

/* VINSERTF128 keeps the low halves, so XMM0-15 still hold fill_xmm()'s patterns. */
static void fill_ymm(void)
{
	const char *why = leak_enable_avx();

	if (why) {
		gprintf("INFO AVX not usable (%s): YMM upper halves not written\n", why);
		return;
	}
	for (int i = 0; i < LEAK_XMM_COUNT; i++) {
		ymm_out[i][0] = LEAK_YMM_LO(i);
		ymm_out[i][1] = LEAK_YMM_HI(i);
	}
	asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
		     "vinsertf128 $1, \\r*16(%0), %%ymm\\r, %%ymm\\r\n\t"
		     ".endr" : : "r"(ymm_out) : "memory");
	asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
		     "vextractf128 $1, %%ymm\\r, \\r*16(%0)\n\t"
		     ".endr" : : "r"(ymm_back) : "memory");
	if (memcmp(ymm_back, ymm_out, sizeof(ymm_out)))
		fail("leak-written", "YMM upper halves do not read back their patterns");
	asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
		     "movdqu %%xmm\\r, \\r*16(%0)\n\t"
		     ".endr" : : "r"(xmm_back) : "memory");
	if (memcmp(xmm_back, xmm_out, sizeof(xmm_out)))
		fail("leak-written", "VINSERTF128 changed the XMM halves");
}

static void fill_mxcsr(void)
{
	uint32_t in = LEAK_MXCSR, out = 0;

	asm volatile("ldmxcsr %1\n\tstmxcsr %0" : "=m"(out) : "m"(in) : "memory");
	if (out != LEAK_MXCSR)
		fail("leak-written", "MXCSR reads 0x%x after loading 0x%x", out, LEAK_MXCSR);
}

void guest_main(const struct boot_block *bb)
{
	int vec;

	(void)bb;
	fill_msrs();
	fill_debug_regs();
	fill_cr2();
	fill_x87();
	vec = leak_enable_sse();
	if (vec != NO_TRAP) {
		fail("leak-written", "setting CR4.OSFXSR raised vector %d: no SSE state written",
		     vec);
	} else {
		fill_xmm();
		fill_ymm();
		fill_mxcsr();
	}
	/* Everything stays as it is: leakr looks for it after this partition. */
	if (!guest_failures())
		pass("leak-written");
	poweroff(guest_failures() ? 1 : 0);
}
