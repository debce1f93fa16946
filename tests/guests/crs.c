/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Control-register writes the guest chooses, judged as the SDM says (Vol. 2B
 * MOV—Move to/from Control Registers, Vol. 3A 2.5): illegal ones raise #GP(0)
 * and change nothing, legal ones take effect, and none of them stops the
 * partition.
 *
 * A MOV to CR0 reaches Plinth (vmm/cr_rules.c) only when it changes a bit
 * Plinth owns in the CR0 guest/host mask (NE); every other write is checked
 * by the CPU itself. So each CR0 case is run twice: as is ("...-gp", the
 * CPU's check) and with NE flipped ("...-gp-exit", Plinth's check after the
 * VM exit). CR4 writes exit only when they touch VMXE; CR8 always exits.
 * (With CD and NW in Plinth's mask too, writes that change them exit as well.)
 */
#include "guest.h"

#define VEC_GP 13
#define VEC_PF 14

#define CR0_PE ((uint64_t)1 << 0)
#define CR0_NE ((uint64_t)1 << 5)
#define CR0_WP ((uint64_t)1 << 16)
#define CR0_NW ((uint64_t)1 << 29)
#define CR0_CD ((uint64_t)1 << 30)
#define CR0_PG ((uint64_t)1 << 31)

#define CR4_VME ((uint64_t)1 << 0)
#define CR4_PVI ((uint64_t)1 << 1)
#define CR4_TSD ((uint64_t)1 << 2)
#define CR4_DE ((uint64_t)1 << 3)
#define CR4_PSE ((uint64_t)1 << 4)
#define CR4_PAE ((uint64_t)1 << 5)
#define CR4_MCE ((uint64_t)1 << 6)
#define CR4_PGE ((uint64_t)1 << 7)
#define CR4_PCE ((uint64_t)1 << 8)
#define CR4_OSFXSR ((uint64_t)1 << 9)
#define CR4_OSXMMEXCPT ((uint64_t)1 << 10)
#define CR4_UMIP ((uint64_t)1 << 11)
#define CR4_LA57 ((uint64_t)1 << 12)
#define CR4_VMXE ((uint64_t)1 << 13)
#define CR4_SMXE ((uint64_t)1 << 14)
#define CR4_FSGSBASE ((uint64_t)1 << 16)
#define CR4_PCIDE ((uint64_t)1 << 17)
#define CR4_OSXSAVE ((uint64_t)1 << 18)
#define CR4_KL ((uint64_t)1 << 19)
#define CR4_SMEP ((uint64_t)1 << 20)
#define CR4_SMAP ((uint64_t)1 << 21)
#define CR4_PKE ((uint64_t)1 << 22)
#define CR4_CET ((uint64_t)1 << 23)
#define CR4_PKS ((uint64_t)1 << 24)
#define CR4_UINTR ((uint64_t)1 << 25)
#define CR4_LASS ((uint64_t)1 << 27)
#define CR4_LAM_SUP ((uint64_t)1 << 28)
#define CR4_FRED ((uint64_t)1 << 32)

/* A 2 MiB page of RAM the guest makes read-only to see CR0.WP act. */
#define RO_VA 0x600000UL

#define TIMER_VECTOR 0x30

static inline uint64_t rd_cr8(void)
{
	uint64_t v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static int wr_cr0(uint64_t v)
{
	trap_reset();
	asm volatile(TRY_BEGIN "mov %0, %%cr0" TRY_END : : "r"(v) : "r11", "memory");
	return trap_vector();
}

static int wr_cr3(uint64_t v)
{
	trap_reset();
	asm volatile(TRY_BEGIN "mov %0, %%cr3" TRY_END : : "r"(v) : "r11", "memory");
	return trap_vector();
}

static int wr_cr4(uint64_t v)
{
	trap_reset();
	asm volatile(TRY_BEGIN "mov %0, %%cr4" TRY_END : : "r"(v) : "r11", "memory");
	return trap_vector();
}

static int wr_cr8(uint64_t v)
{
	trap_reset();
	asm volatile(TRY_BEGIN "mov %0, %%cr8" TRY_END : : "r"(v) : "r11", "memory");
	return trap_vector();
}

static uint64_t cr0_base, cr4_base, cr4_offered;

/* One CR0 value that must raise #GP(0) and leave CR0 as it was. */
static bool cr0_gp_one(const char *name, uint64_t v, bool quiet)
{
	int vec = wr_cr0(v);
	uint64_t err = trap_last.error_code, now = read_cr0();

	if (vec != VEC_GP || err || now != cr0_base) {
		fail(name, "MOV CR0 0x%lx: vector %d error 0x%lx, CR0 now 0x%lx (was 0x%lx)", v, vec,
		     err, now, cr0_base);
		if (now != cr0_base)
			wr_cr0(cr0_base);
		return false;
	}
	if (!quiet)
		pass(name);
	return true;
}

/* The CPU's check (NE as it is) and Plinth's (NE flipped: a VM exit). */
static void cr0_gp(const char *name, uint64_t v)
{
	char n[64];
	unsigned int len = 0;

	while (name[len] && len < sizeof(n) - 6) {
		n[len] = name[len];
		len++;
	}
	memcpy(&n[len], "-exit", 6);
	cr0_gp_one(name, v, false);
	cr0_gp_one(n, v ^ CR0_NE, false);
}

/* A legal CR0 value: loaded, read back, then the original restored. */
static bool cr0_ok(const char *name, uint64_t v)
{
	int vec = wr_cr0(v);
	uint64_t now = read_cr0();
	bool ok = vec == NO_TRAP && now == v;

	if (!ok)
		fail(name, "MOV CR0 0x%lx: vector %d, reads 0x%lx", v, vec, now);
	return ok;
}

static void cr0_restore(const char *name)
{
	int vec = wr_cr0(cr0_base);

	if (vec != NO_TRAP || read_cr0() != cr0_base)
		fail(name, "restoring CR0 0x%lx: vector %d, reads 0x%lx", cr0_base, vec, read_cr0());
}

/* Write to the read-only page: the vector raised (NO_TRAP if it went through). */
static int ro_write(void)
{
	trap_reset();
	asm volatile(TRY_BEGIN "movl $0x5a5a5a5a, (%0)" TRY_END : : "r"(RO_VA + 0x40)
		     : "r11", "memory");
	return trap_vector();
}

static void test_cr0_wp(const char *name, uint64_t ne)
{
	int vec;

	if (!cr0_ok(name, (cr0_base & ~CR0_WP) ^ ne))
		goto out;
	vec = ro_write();
	if (vec != NO_TRAP) {
		fail(name, "with CR0.WP=0 a supervisor write to a read-only page raised %d", vec);
		goto out;
	}
	cr0_restore(name);
	vec = ro_write();
	check(vec == VEC_PF && trap_last.error_code == 3, name,
	      "with CR0.WP=1 the write gave vector %d error 0x%lx, want #PF(3)", vec,
	      trap_last.error_code);
	return;
out:
	cr0_restore(name);
}

static void test_cr0(void)
{
	uint64_t *pde = pt_entry(RO_VA, 2);

	cr0_base = read_cr0();
	gprintf("INFO CR0 0x%lx CR3 0x%lx CR4 0x%lx\n", cr0_base, read_cr3(), read_cr4());

	cr0_gp("crs-cr0-nw-without-cd-gp", (cr0_base & ~CR0_CD) | CR0_NW);
	cr0_gp("crs-cr0-pg-clear-long-mode-gp", cr0_base & ~CR0_PG);
	cr0_gp("crs-cr0-pe-clear-with-pg-gp", cr0_base & ~CR0_PE);
	cr0_gp("crs-cr0-bit32-gp", cr0_base | (1ULL << 32));
	cr0_gp("crs-cr0-bit63-gp", cr0_base | (1ULL << 63));
	cr0_gp("crs-cr0-high-all-gp", cr0_base | 0xffffffff00000000ULL);

	if (!pde || !(*pde & PTE_PS)) {
		fail("crs-cr0-wp", "no 2 MiB mapping for 0x%lx", RO_VA);
	} else {
		*pde &= ~PTE_W;
		invlpg(RO_VA);
		test_cr0_wp("crs-cr0-wp-toggle", 0);
		test_cr0_wp("crs-cr0-wp-toggle-exit", CR0_NE);
		*pde |= PTE_W;
		invlpg(RO_VA);
	}

	if (cr0_ok("crs-cr0-cd-nw", cr0_base | CR0_CD | CR0_NW)) {
		/* Memory still works with caching off. */
		volatile uint32_t *p = (volatile uint32_t *)(RO_VA + 0x80);

		*p = 0x1234abcd;
		cr0_restore("crs-cr0-cd-nw");
		check(*p == 0x1234abcd && read_cr0() == cr0_base, "crs-cr0-cd-nw",
		      "memory 0x%x, CR0 0x%lx after restore", *p, read_cr0());
	} else {
		cr0_restore("crs-cr0-cd-nw");
	}
	if (cr0_ok("crs-cr0-cd-nw-exit", (cr0_base | CR0_CD | CR0_NW) & ~CR0_NE)) {
		cr0_restore("crs-cr0-cd-nw-exit");
		check(read_cr0() == cr0_base, "crs-cr0-cd-nw-exit", "CR0 0x%lx after restore",
		      read_cr0());
	} else {
		cr0_restore("crs-cr0-cd-nw-exit");
	}
	if (cr0_ok("crs-cr0-cd-only", cr0_base | CR0_CD)) {
		cr0_restore("crs-cr0-cd-only");
		pass("crs-cr0-cd-only");
	} else {
		cr0_restore("crs-cr0-cd-only");
	}
	/* NE is Plinth's in the mask: the guest must still see what it wrote. */
	if (cr0_ok("crs-cr0-ne-clear-reads-back", cr0_base & ~CR0_NE)) {
		cr0_restore("crs-cr0-ne-clear-reads-back");
		check(read_cr0() == cr0_base, "crs-cr0-ne-clear-reads-back", "CR0 0x%lx", read_cr0());
	}
}

/* CR4 bits the guest's CPUID announces (Vol. 2A CPUID, Vol. 3A 2.5). */
static uint64_t cr4_from_cpuid(void)
{
	uint32_t l0[4], l1[4], l7[4] = { 0 }, l71[4] = { 0 };
	uint64_t a = CR4_PCE;

	cpuid(0, 0, l0);
	cpuid(1, 0, l1);
	if (l0[0] >= 7) {
		cpuid(7, 0, l7);
		if (l7[0] >= 1)
			cpuid(7, 1, l71);
	}
	gprintf("INFO cpuid 1 ecx 0x%08x edx 0x%08x; 7.0 ebx 0x%08x ecx 0x%08x edx 0x%08x; "
		"7.1 eax 0x%08x\n", l1[2], l1[3], l7[1], l7[2], l7[3], l71[0]);
	if (l1[3] & (1u << 1))
		a |= CR4_VME | CR4_PVI;
	if (l1[3] & (1u << 4))
		a |= CR4_TSD;
	if (l1[3] & (1u << 2))
		a |= CR4_DE;
	if (l1[3] & (1u << 3))
		a |= CR4_PSE;
	if (l1[3] & (1u << 6))
		a |= CR4_PAE;
	if (l1[3] & (1u << 7))
		a |= CR4_MCE;
	if (l1[3] & (1u << 13))
		a |= CR4_PGE;
	if (l1[3] & (1u << 24))
		a |= CR4_OSFXSR;
	if (l1[3] & (1u << 25))
		a |= CR4_OSXMMEXCPT;
	if (l1[2] & (1u << 5))
		a |= CR4_VMXE;
	if (l1[2] & (1u << 6))
		a |= CR4_SMXE;
	if (l1[2] & (1u << 17))
		a |= CR4_PCIDE;
	if (l1[2] & (1u << 26))
		a |= CR4_OSXSAVE;
	if (l7[1] & (1u << 0))
		a |= CR4_FSGSBASE;
	if (l7[1] & (1u << 7))
		a |= CR4_SMEP;
	if (l7[1] & (1u << 20))
		a |= CR4_SMAP;
	if (l7[2] & (1u << 2))
		a |= CR4_UMIP;
	if (l7[2] & (1u << 3))
		a |= CR4_PKE;
	if (l7[2] & (1u << 16))
		a |= CR4_LA57;
	if (l7[2] & (1u << 23))
		a |= CR4_KL;
	if (l7[2] & (1u << 31))
		a |= CR4_PKS;
	if ((l7[2] & (1u << 7)) || (l7[3] & (1u << 20)))
		a |= CR4_CET;
	if (l7[3] & (1u << 5))
		a |= CR4_UINTR;
	if (l71[0] & (1u << 6))
		a |= CR4_LASS;
	if (l71[0] & (1u << 26))
		a |= CR4_LAM_SUP;
	if (l71[0] & (1u << 17))
		a |= CR4_FRED;
	return a;
}

static bool cr4_gp(const char *name, uint64_t v, bool quiet)
{
	int vec = wr_cr4(v);
	uint64_t err = trap_last.error_code, now = read_cr4();

	if (vec != VEC_GP || err || now != cr4_base) {
		fail(name, "MOV CR4 0x%lx: vector %d error 0x%lx, CR4 now 0x%lx (was 0x%lx)", v, vec,
		     err, now, cr4_base);
		if (now != cr4_base)
			wr_cr4(cr4_base);
		return false;
	}
	if (!quiet)
		pass(name);
	return true;
}

static void cr4_toggle(const char *name, uint64_t bit)
{
	uint64_t v = cr4_base ^ bit;
	int vec = wr_cr4(v), vec2;
	uint64_t now = read_cr4(), back;

	vec2 = wr_cr4(cr4_base);
	back = read_cr4();
	check(vec == NO_TRAP && now == v && vec2 == NO_TRAP && back == cr4_base, name,
	      "MOV CR4 0x%lx: vector %d reads 0x%lx; back to 0x%lx: vector %d reads 0x%lx", v, vec,
	      now, cr4_base, vec2, back);
}

static void test_cr4(void)
{
	/* Bits whose effect cannot hurt this guest at CPL 0 in long mode. */
	const uint64_t harmless = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_MCE |
				  CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP |
				  CR4_FSGSBASE | CR4_OSXSAVE | CR4_PKE;
	unsigned int bad = 0;

	cr4_base = read_cr4();
	cr4_offered = cr4_from_cpuid();
	gprintf("INFO CR4 bits the guest's CPUID offers: 0x%lx\n", cr4_offered);

	check(!(cr4_offered & (CR4_VMXE | CR4_SMXE)), "crs-cpuid-vmx-smx-hidden",
	      "CPUID offers CR4 bits 0x%lx", cr4_offered & (CR4_VMXE | CR4_SMXE));
	/* VMXE is in Plinth's CR4 mask: this write exits, and Plinth must refuse it. */
	cr4_gp("crs-cr4-vmxe-gp", cr4_base | CR4_VMXE, false);
	cr4_gp("crs-cr4-smxe-gp", cr4_base | CR4_SMXE, false);
	cr4_gp("crs-cr4-la57-change-gp", cr4_base ^ CR4_LA57, false);
	cr4_gp("crs-cr4-pae-clear-gp", cr4_base & ~CR4_PAE, false);
	if (!(cr4_offered & CR4_PKE))
		cr4_gp("crs-cr4-pke-hidden-gp", cr4_base | CR4_PKE, false);
	else
		gprintf("INFO CPUID offers PKU: CR4.PKE is legal here\n");
	if (!(cr4_offered & CR4_PKS))
		cr4_gp("crs-cr4-pks-hidden-gp", cr4_base | CR4_PKS, false);
	if (!(cr4_offered & CR4_CET))
		cr4_gp("crs-cr4-cet-hidden-gp", cr4_base | CR4_CET, false);

	/* Every bit the guest's CPUID does not offer, one at a time. */
	for (unsigned int b = 0; b < 64; b++) {
		if ((cr4_offered & (1ULL << b)) || (1ULL << b) == CR4_LA57)
			continue;
		if (!cr4_gp("crs-cr4-reserved-gp", cr4_base | (1ULL << b), true))
			bad++;
	}
	if (!bad)
		pass("crs-cr4-reserved-gp");

	/* Every harmless bit it does offer takes effect and reads back. */
	bad = 0;
	for (unsigned int b = 0; b < 64; b++) {
		uint64_t bit = 1ULL << b;

		if (!(cr4_offered & harmless & bit))
			continue;
		int vec = wr_cr4(cr4_base ^ bit);
		uint64_t now = read_cr4();

		wr_cr4(cr4_base);
		if (vec != NO_TRAP || now != (cr4_base ^ bit)) {
			fail("crs-cr4-offered-bits", "CR4 bit %u offered by CPUID: vector %d, reads 0x%lx",
			     b, vec, now);
			bad++;
		}
	}
	if (!bad && read_cr4() == cr4_base)
		pass("crs-cr4-offered-bits");

	if (cr4_offered & CR4_PGE)
		cr4_toggle("crs-cr4-pge-toggle", CR4_PGE);
	if (cr4_offered & CR4_OSXMMEXCPT) {
		wr_cr4(cr4_base | CR4_OSFXSR);
		cr4_base = read_cr4();
		cr4_toggle("crs-cr4-osxmmexcpt-toggle", CR4_OSXMMEXCPT);
	}

	/* PCIDs need CR3[11:0] = 0 (PCID 0) at the moment they are turned on. */
	if (cr4_offered & CR4_PCIDE) {
		uint64_t cr3 = read_cr3();
		int vec = wr_cr3(cr3 | 0x18);

		if (vec != NO_TRAP || read_cr3() != (cr3 | 0x18)) {
			fail("crs-cr4-pcide-cr3-low-gp", "MOV CR3 0x%lx: vector %d, reads 0x%lx",
			     cr3 | 0x18, vec, read_cr3());
		} else {
			cr4_gp("crs-cr4-pcide-cr3-low-gp", cr4_base | CR4_PCIDE, false);
		}
		wr_cr3(cr3);
		cr4_toggle("crs-cr4-pcide-cr3-pcid0", CR4_PCIDE);
	} else {
		gprintf("INFO no PCID in CPUID: PCIDE/CR3 rule not tested\n");
		cr4_gp("crs-cr4-pcide-hidden-gp", cr4_base | CR4_PCIDE, false);
	}
	check(read_cr4() == cr4_base, "crs-cr4-unchanged", "CR4 0x%lx, want 0x%lx", read_cr4(),
	      cr4_base);
}

static volatile unsigned int timer_hits;

static void timer_irq(struct trap_frame *f)
{
	(void)f;
	timer_hits++;
	apic_eoi();
}

static void test_cr8(void)
{
	static const uint64_t bad_vals[] = { 0x10, 0x1f, 0xf0, 1ULL << 32, 1ULL << 63, ~0ULL };
	unsigned int bad = 0;

	for (uint64_t v = 0; v < 16; v++) {
		int vec = wr_cr8(v);
		uint64_t now = rd_cr8();

		if (vec != NO_TRAP || now != v) {
			fail("crs-cr8-values", "MOV CR8 %lu: vector %d, reads %lu", v, vec, now);
			bad++;
		}
	}
	if (!bad)
		pass("crs-cr8-values");

	wr_cr8(5);
	bad = 0;
	for (unsigned int i = 0; i < sizeof(bad_vals) / sizeof(bad_vals[0]); i++) {
		int vec = wr_cr8(bad_vals[i]);
		uint64_t err = trap_last.error_code, now = rd_cr8();

		if (vec != VEC_GP || err || now != 5) {
			fail("crs-cr8-high-bits-gp", "MOV CR8 0x%lx: vector %d error 0x%lx, reads %lu",
			     bad_vals[i], vec, err, now);
			bad++;
		}
	}
	if (!bad)
		pass("crs-cr8-high-bits-gp");

	/*
	 * TPR 3 holds back vectors 0x30-0x3f (priority class 3); lowering it to 2
	 * lets the pending one in.
	 */
	set_irq_handler(TIMER_VECTOR, timer_irq);
	apic_sw_enable();
	outb(GUEST_TIMER_VECTOR_PORT, TIMER_VECTOR);
	wr_cr8(3);
	timer_hits = 0;
	outl(GUEST_TIMER_PORT, 200);
	asm volatile("sti" ::: "memory");
	delay_us(5000);
	unsigned int held = timer_hits;

	wr_cr8(2);
	for (int i = 0; i < 1000 && !timer_hits; i++)
		delay_us(10);
	asm volatile("cli" ::: "memory");
	check(held == 0, "crs-cr8-tpr-masks-interrupt",
	      "vector 0x%x delivered %u time(s) while CR8 was 3", TIMER_VECTOR, held);
	check(timer_hits >= 1, "crs-cr8-tpr-lowered-delivers",
	      "vector 0x%x not delivered after CR8 went down to 2", TIMER_VECTOR);
	wr_cr8(0);
	check(rd_cr8() == 0, "crs-cr8-restore", "CR8 %lu", rd_cr8());
}

void guest_main(const struct boot_block *bb)
{
	(void)bb;
	test_cr0();
	test_cr4();
	test_cr8();
	check(read_cr0() == cr0_base, "crs-cr0-final", "CR0 0x%lx, want 0x%lx", read_cr0(), cr0_base);
	pass("crs-partition-survived");
}
