/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <plinth/errno.h>
#include <vmm/cr_rules.h>

#define GP (-EPERM)
#define UD (-ENOSYS)

/* Every CR4 bit the module knows, so tests can isolate one rule at a time. */
#define CR4_ALL                                                    \
	(CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE |     \
	 CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT |    \
	 CR4_UMIP | CR4_LA57 | CR4_FSGSBASE | CR4_PCIDE | CR4_OSXSAVE | \
	 CR4_SMEP | CR4_SMAP | CR4_PKE | CR4_CET | CR4_PKS)

/* CR0 of a paged protected-mode kernel. */
#define CR0_PAGED \
	(CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG)
/* CR0 at reset: CD and NW set, ET hardwired. */
#define CR0_RESET (CR0_CD | CR0_NW | CR0_ET)

/* Real mode straight out of reset. */
static struct cr_context real_mode(void)
{
	return (struct cr_context){
		.cr0 = CR0_RESET,
		.cr4_allowed = CR4_ALL,
		.xcr0_allowed = XCR0_KNOWN,
	};
}

/* 32-bit protected mode with PAE paging. */
static struct cr_context legacy_paged(void)
{
	struct cr_context c = real_mode();

	c.cr0 = CR0_PAGED;
	c.cr4 = CR4_PAE | CR4_PSE | CR4_PGE;
	return c;
}

/* A 64-bit kernel; @cs_l false gives compatibility mode. */
static struct cr_context long_mode(bool cs_l)
{
	struct cr_context c = legacy_paged();

	c.efer = EFER_LME | EFER_LMA;
	c.cs_l = cs_l;
	return c;
}

static void test_mode_helper(void **state)
{
	struct cr_context c = long_mode(true);

	(void)state;
	assert_true(cr_in_64bit_mode(&c));
	c.cs_l = false;
	assert_false(cr_in_64bit_mode(&c));
	c = legacy_paged();
	c.cs_l = true; /* L is ignored outside IA-32e mode */
	assert_false(cr_in_64bit_mode(&c));
}

static void test_null_args(void **state)
{
	struct cr_context c = long_mode(true);

	(void)state;
	assert_int_equal(cr0_write_check(NULL, CR0_PAGED, NULL), -EINVAL);
	assert_int_equal(cr4_write_check(NULL, CR4_PAE, NULL), -EINVAL);
	assert_int_equal(xsetbv_check(NULL, 0, 1), -EINVAL);
	/* A NULL @loaded is allowed. */
	assert_int_equal(cr0_write_check(&c, CR0_PAGED, NULL), 0);
	assert_int_equal(cr4_write_check(&c, c.cr4, NULL), 0);
}

static void test_cr0_upper_bits(void **state)
{
	struct cr_context c = long_mode(true);
	uint64_t out = 0;

	(void)state;
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | (1ULL << 32), NULL), GP);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | (1ULL << 63), NULL), GP);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED, &out), 0);
	assert_int_equal(out, CR0_PAGED);

	/* Outside 64-bit mode the operand is 32 bits: the rest is not looked at. */
	c = long_mode(false);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | (0xdeadULL << 32), &out), 0);
	assert_int_equal(out, CR0_PAGED);
	c = legacy_paged();
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | (1ULL << 40), &out), 0);
	assert_int_equal(out, CR0_PAGED);
	c = real_mode();
	assert_int_equal(cr0_write_check(&c, CR0_RESET | (1ULL << 63), &out), 0);
	assert_int_equal(out, CR0_RESET);
}

static void test_cr0_reserved_low_ignored(void **state)
{
	struct cr_context c = legacy_paged();
	uint64_t out = 0;

	(void)state;
	/* Setting reserved bits 31:0 is ignored; clearing ET has no effect. */
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | (1ULL << 6) | (1ULL << 17) |
					  (1ULL << 28), &out), 0);
	assert_int_equal(out, CR0_PAGED);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED & ~CR0_ET, &out), 0);
	assert_int_equal(out, CR0_PAGED);
	assert_int_equal(cr0_write_check(&c, 0xffffffffULL & ~CR0_NW, &out), 0);
	assert_int_equal(out, 0xffffffffULL & ~CR0_NW & 0xe005003fULL);
	c = long_mode(true);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | 0x1ffc0ULL, &out), 0);
	assert_int_equal(out, CR0_PAGED);
}

static void test_cr0_nw_cd(void **state)
{
	struct cr_context c = real_mode();
	uint64_t out;

	(void)state;
	assert_int_equal(cr0_write_check(&c, CR0_NW, NULL), GP);
	assert_int_equal(cr0_write_check(&c, CR0_NW | CR0_ET, NULL), GP);
	assert_int_equal(cr0_write_check(&c, CR0_NW | CR0_CD, &out), 0);
	assert_int_equal(out, CR0_RESET);
	assert_int_equal(cr0_write_check(&c, CR0_CD, NULL), 0);
	assert_int_equal(cr0_write_check(&c, 0, &out), 0);
	assert_int_equal(out, CR0_ET);

	c = long_mode(true);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | CR0_NW, NULL), GP);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | CR0_CD, NULL), 0);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | CR0_CD | CR0_NW,
					 NULL), 0);
}

static void test_cr0_pg_without_pe(void **state)
{
	struct cr_context c = real_mode();

	(void)state;
	assert_int_equal(cr0_write_check(&c, CR0_PG, NULL), GP);
	assert_int_equal(cr0_write_check(&c, CR0_PG | CR0_CD | CR0_NW,
					 NULL), GP);
	assert_int_equal(cr0_write_check(&c, CR0_PE, NULL), 0);
	c.cr0 = CR0_PE | CR0_ET;
	assert_int_equal(cr0_write_check(&c, CR0_PE | CR0_PG, NULL), 0);

	/* Dropping PE while paging is on also leaves PG without PE. */
	c = legacy_paged();
	assert_int_equal(cr0_write_check(&c, CR0_PAGED & ~CR0_PE, NULL), GP);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED & ~(CR0_PE | CR0_PG),
					 NULL), 0);
	c = long_mode(true);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED & ~CR0_PE, NULL), GP);
}

static void test_cr0_long_mode_activation(void **state)
{
	struct cr_context c = real_mode();
	const uint64_t on = CR0_PE | CR0_PG | CR0_ET;

	(void)state;
	c.cr0 = CR0_PE | CR0_ET;
	c.efer = EFER_LME;

	c.cr4 = 0;
	assert_int_equal(cr0_write_check(&c, on, NULL), GP);
	c.cr4 = CR4_PSE;
	assert_int_equal(cr0_write_check(&c, on, NULL), GP);
	c.cr4 = CR4_PAE;
	assert_int_equal(cr0_write_check(&c, on, NULL), 0);

	/* The CPU will not activate IA-32e mode from a 64-bit CS or 16-bit TSS. */
	c.cs_l = true;
	assert_int_equal(cr0_write_check(&c, on, NULL), GP);
	c.cs_l = false;
	c.tr_tss16 = true;
	assert_int_equal(cr0_write_check(&c, on, NULL), GP);
	c.tr_tss16 = false;
	assert_int_equal(cr0_write_check(&c, on, NULL), 0);

	/* Without LME the same writes start legacy paging: no such checks. */
	c.efer = 0;
	c.cr4 = 0;
	c.cs_l = true;
	c.tr_tss16 = true;
	assert_int_equal(cr0_write_check(&c, on, NULL), 0);

	/* LME with paging already on (LMA set): PG stays, nothing activates. */
	c = long_mode(false);
	c.tr_tss16 = true;
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | CR0_TS, NULL), 0);
	c = long_mode(true);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED | CR0_TS, NULL), 0);

	/* Writing CR0 with PG still clear under LME needs no PAE. */
	c = real_mode();
	c.cr0 = CR0_PE | CR0_ET;
	c.efer = EFER_LME;
	assert_int_equal(cr0_write_check(&c, CR0_PE | CR0_MP, NULL), 0);
}

static void test_cr0_clear_pg(void **state)
{
	struct cr_context c = long_mode(true);
	const uint64_t off = CR0_PAGED & ~CR0_PG;

	(void)state;
	/* 64-bit mode cannot switch paging off under itself ... */
	assert_int_equal(cr0_write_check(&c, off, NULL), GP);
	/* ... compatibility mode can: that is how IA-32e mode is left ... */
	c = long_mode(false);
	assert_int_equal(cr0_write_check(&c, off, NULL), 0);
	/* ... unless PCIDs are on. */
	c.cr4 |= CR4_PCIDE;
	assert_int_equal(cr0_write_check(&c, off, NULL), GP);
	c.cr4 &= ~CR4_PCIDE;
	assert_int_equal(cr0_write_check(&c, off, NULL), 0);

	/* Legacy paging may always be switched off. */
	c = legacy_paged();
	assert_int_equal(cr0_write_check(&c, off, NULL), 0);
	c.cs_l = true;
	assert_int_equal(cr0_write_check(&c, off, NULL), 0);

	/* Keeping PG set in 64-bit mode is of course fine. */
	c = long_mode(true);
	c.cr4 |= CR4_PCIDE;
	assert_int_equal(cr0_write_check(&c, CR0_PAGED, NULL), 0);
}

static void test_cr0_wp_cet(void **state)
{
	struct cr_context c = long_mode(true);

	(void)state;
	c.cr4 |= CR4_CET;
	assert_int_equal(cr0_write_check(&c, CR0_PAGED & ~CR0_WP, NULL), GP);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED, NULL), 0);
	c.cr4 &= ~CR4_CET;
	assert_int_equal(cr0_write_check(&c, CR0_PAGED & ~CR0_WP, NULL), 0);

	c = legacy_paged();
	c.cr4 |= CR4_CET;
	assert_int_equal(cr0_write_check(&c, CR0_PAGED & ~CR0_WP, NULL), GP);
	assert_int_equal(cr0_write_check(&c, CR0_PAGED, NULL), 0);
}

/* Real mode to 64-bit mode the way a kernel does it, every step legal. */
static void test_boot_sequence(void **state)
{
	struct cr_context c = real_mode();
	uint64_t cr0, cr4;

	(void)state;
	assert_int_equal(cr0_write_check(&c, (c.cr0 & ~(CR0_CD | CR0_NW)) |
					  CR0_PE, &cr0), 0);
	c.cr0 = cr0;
	assert_int_equal(cr4_write_check(&c, CR4_PAE | CR4_PGE, &cr4), 0);
	c.cr4 = cr4;
	c.efer = EFER_LME; /* WRMSR, checked by the MSR policy */
	assert_int_equal(cr0_write_check(&c, c.cr0 | CR0_PG | CR0_WP, &cr0), 0);
	c.cr0 = cr0;
	c.efer |= EFER_LMA; /* the CPU sets LMA */
	c.cs_l = true;           /* far jump to a 64-bit code segment */
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_OSFXSR |
					  CR4_OSXMMEXCPT | CR4_OSXSAVE |
					  CR4_PCIDE | CR4_SMEP, &cr4), 0);
	c.cr4 = cr4;
	assert_int_equal(xsetbv_check(&c, 0, 0x7), 0);
	assert_int_equal(cr8_write_check(0xf), 0);
	assert_int_equal(c.cr0, CR0_PE | CR0_ET | CR0_PG | CR0_WP);
}

static void test_cr4_reserved(void **state)
{
	struct cr_context c = long_mode(true);
	uint64_t out = 0;

	(void)state;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_SMEP, &out), 0);
	assert_int_equal(out, c.cr4 | CR4_SMEP);
	/* Not offered by CPUID -> reserved. */
	c.cr4_allowed &= ~CR4_SMEP;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_SMEP, NULL), GP);
	/* Bit 15 and everything from 25 up are unknown here. */
	c.cr4_allowed = ~0ULL;
	assert_int_equal(cr4_write_check(&c, c.cr4 | (1ULL << 15), NULL), GP);
	assert_int_equal(cr4_write_check(&c, c.cr4 | (1ULL << 25), NULL), GP);
	assert_int_equal(cr4_write_check(&c, c.cr4 | (1ULL << 32), NULL), GP);
	assert_int_equal(cr4_write_check(&c, c.cr4 | (1ULL << 63), NULL), GP);
	/* VMX and SMX are never offered, even if the allowed mask says so. */
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_VMXE, NULL), GP);
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_SMXE, NULL), GP);
	/* Every other known bit at once (LA57 cannot change in IA-32e mode). */
	assert_int_equal(cr4_write_check(&c, c.cr4 | (CR4_ALL & ~CR4_LA57),
					 NULL), 0);

	/* Outside 64-bit mode the high half of the GPR is not the operand. */
	c = long_mode(false);
	assert_int_equal(cr4_write_check(&c, c.cr4 | (1ULL << 32), &out), 0);
	assert_int_equal(out, c.cr4);
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_VMXE, NULL), GP);
	c = legacy_paged();
	assert_int_equal(cr4_write_check(&c, c.cr4 | (1ULL << 63), &out), 0);
	assert_int_equal(out, c.cr4);
	c.cr4_allowed = 0;
	assert_int_equal(cr4_write_check(&c, 0, &out), 0);
	assert_int_equal(out, 0);
	assert_int_equal(cr4_write_check(&c, CR4_PAE, NULL), GP);
}

static void test_cr4_pae(void **state)
{
	struct cr_context c = long_mode(true);

	(void)state;
	assert_int_equal(cr4_write_check(&c, c.cr4 & ~CR4_PAE, NULL), GP);
	c = long_mode(false);
	assert_int_equal(cr4_write_check(&c, c.cr4 & ~CR4_PAE, NULL), GP);
	assert_int_equal(cr4_write_check(&c, c.cr4, NULL), 0);
	/* Legacy PAE paging may go back to 32-bit paging. */
	c = legacy_paged();
	assert_int_equal(cr4_write_check(&c, c.cr4 & ~CR4_PAE, NULL), 0);
	/* LME alone (paging still off) does not pin PAE either. */
	c = real_mode();
	c.cr0 = CR0_PE | CR0_ET;
	c.cr4 = CR4_PAE;
	c.efer = EFER_LME;
	assert_int_equal(cr4_write_check(&c, 0, NULL), 0);
}

static void test_cr4_la57(void **state)
{
	struct cr_context c = long_mode(true);

	(void)state;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_LA57, NULL), GP);
	c.cr4 |= CR4_LA57;
	assert_int_equal(cr4_write_check(&c, c.cr4 & ~CR4_LA57, NULL), GP);
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_PGE, NULL), 0);
	c = long_mode(false);
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_LA57, NULL), GP);
	/* Outside IA-32e mode it is just a bit for the next activation. */
	c = legacy_paged();
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_LA57, NULL), 0);
	c.cr4 |= CR4_LA57;
	assert_int_equal(cr4_write_check(&c, c.cr4 & ~CR4_LA57, NULL), 0);
	c = real_mode();
	c.cr4_allowed &= ~CR4_LA57;
	assert_int_equal(cr4_write_check(&c, CR4_LA57, NULL), GP);
}

static void test_cr4_pcide(void **state)
{
	struct cr_context c = long_mode(true);

	(void)state;
	c.cr3 = 0x1000;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_PCIDE, NULL), 0);
	/* Turning PCIDs on needs CR3[11:0] = 0 (PWT/PCD count too). */
	c.cr3 = 0x1001;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_PCIDE, NULL), GP);
	c.cr3 = 0x1008;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_PCIDE, NULL), GP);
	c.cr3 = 0x1800;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_PCIDE, NULL), GP);
	/* Once on, CR3[11:0] is a PCID and rewriting CR4 is fine. */
	c.cr4 |= CR4_PCIDE;
	c.cr3 = 0x1005;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_SMEP, NULL), 0);
	assert_int_equal(cr4_write_check(&c, c.cr4 & ~CR4_PCIDE, NULL), 0);

	c = long_mode(false);
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_PCIDE, NULL), 0);

	/* Only in IA-32e mode. */
	c = legacy_paged();
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_PCIDE, NULL), GP);
	c = real_mode();
	c.efer = EFER_LME; /* LME without LMA is not IA-32e mode */
	assert_int_equal(cr4_write_check(&c, CR4_PAE | CR4_PCIDE, NULL), GP);

	c = long_mode(true);
	c.cr4_allowed &= ~CR4_PCIDE;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_PCIDE, NULL), GP);
}

static void test_cr4_cet(void **state)
{
	struct cr_context c = long_mode(true);

	(void)state;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_CET, NULL), 0);
	c.cr0 &= ~CR0_WP;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_CET, NULL), GP);
	assert_int_equal(cr4_write_check(&c, c.cr4, NULL), 0);
	c = legacy_paged();
	c.cr0 &= ~CR0_WP;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_CET, NULL), GP);
	c.cr0 |= CR0_WP;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_CET, NULL), 0);
	c.cr4_allowed &= ~CR4_CET;
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_CET, NULL), GP);
}

static void test_cr8(void **state)
{
	(void)state;
	for (uint64_t v = 0; v <= 0xf; v++)
		assert_int_equal(cr8_write_check(v), 0);
	assert_int_equal(cr8_write_check(0x10), GP);
	assert_int_equal(cr8_write_check(0x1f), GP);
	assert_int_equal(cr8_write_check(1ULL << 32), GP);
	assert_int_equal(cr8_write_check(1ULL << 63), GP);
	assert_int_equal(cr8_write_check(~0ULL), GP);
}

static void test_xsetbv_ud_and_index(void **state)
{
	struct cr_context c = long_mode(true);

	(void)state;
	/* CR4.OSXSAVE = 0 is #UD, before any other check. */
	assert_int_equal(xsetbv_check(&c, 0, 0x7), UD);
	assert_int_equal(xsetbv_check(&c, 1, 0), UD);
	assert_int_equal(xsetbv_check(&c, 0, 0), UD);
	c.cr4 |= CR4_OSXSAVE;
	assert_int_equal(xsetbv_check(&c, 0, 0x7), 0);
	assert_int_equal(xsetbv_check(&c, 1, 0x7), GP);
	assert_int_equal(xsetbv_check(&c, 1, 0), GP);
	assert_int_equal(xsetbv_check(&c, 2, 0x1), GP);
	assert_int_equal(xsetbv_check(&c, 0xffffffffU, 0x1), GP);

	/* No mode restriction: legacy protected mode may write XCR0. */
	c = legacy_paged();
	c.cr4 |= CR4_OSXSAVE;
	assert_int_equal(xsetbv_check(&c, 0, 0x3), 0);
	c = real_mode();
	c.cr4 = CR4_OSXSAVE;
	assert_int_equal(xsetbv_check(&c, 0, 0x1), 0);
}

struct xcr0_case {
	uint64_t val;
	uint64_t allowed;
	int expect;
};

#define XALL XCR0_KNOWN
#define XNOMPX (XCR0_KNOWN & ~XFEATURE_MPX)
#define XNOAMX (XCR0_KNOWN & ~XFEATURE_AMX)
#define XNO512 (XCR0_KNOWN & ~XFEATURE_AVX512)

static const struct xcr0_case xcr0_cases[] = {
	{ 0x0, XALL, GP },      /* x87 must stay on */
	{ 0x1, XALL, 0 },
	{ 0x2, XALL, GP },
	{ 0x3, XALL, 0 },
	{ 0x5, XALL, GP },      /* AVX without SSE */
	{ 0x7, XALL, 0 },
	{ 0x6, XALL, GP },
	/* MPX: both or neither. */
	{ 0xb, XALL, GP },
	{ 0xf, XALL, GP },      /* BNDREGS without BNDCSR */
	{ 0x17, XALL, GP },     /* BNDCSR without BNDREGS */
	{ 0x1f, XALL, 0 },
	{ 0x1b, XALL, 0 },      /* MPX does not need AVX */
	{ 0x19, XALL, 0 },
	{ 0x1f, XNOMPX, GP },
	/* AVX-512: all three, and only on top of AVX. */
	{ 0xe7, XALL, 0 },
	{ 0xff, XALL, 0 },
	{ 0x27, XALL, GP },
	{ 0x47, XALL, GP },
	{ 0x87, XALL, GP },
	{ 0x67, XALL, GP },
	{ 0xa7, XALL, GP },
	{ 0xc7, XALL, GP },
	{ 0xe3, XALL, GP },     /* AVX-512 without AVX */
	{ 0xe1, XALL, GP },
	{ 0xe5, XALL, GP },     /* ... and AVX without SSE */
	{ 0xe7, XNO512, GP },
	/* PKRU stands alone. */
	{ 0x201, XALL, 0 },
	{ 0x2e7, XALL, 0 },
	{ 0x201, XALL & ~XFEATURE_PKRU, GP },
	/* AMX: TILECFG and TILEDATA together. */
	{ 0x60007, XALL, 0 },
	{ 0x602e7, XALL, 0 },
	{ 0x20007, XALL, GP },
	{ 0x40007, XALL, GP },
	{ 0x60007, XNOAMX, GP },
	/* Everything at once. */
	{ XALL, XALL, 0 },
	/* Not offered by CPUID. */
	{ 0x7, 0x3, GP },
	{ 0x3, 0x1, GP },
	{ 0x1, 0x0, GP },
	/* Bits this module does not know are reserved, allowed or not. */
	{ 0x7 | (1ULL << 19), ~0ULL, GP },
	{ 0x7 | (1ULL << 62), ~0ULL, GP },
	{ 0x7 | (1ULL << 63), ~0ULL, GP },
	{ 0x7 | (1ULL << 32), ~0ULL, GP },
};

static void test_xcr0_table(void **state)
{
	struct cr_context c = long_mode(true);

	(void)state;
	c.cr4 |= CR4_OSXSAVE;
	for (size_t i = 0; i < sizeof(xcr0_cases) / sizeof(xcr0_cases[0]); i++) {
		const struct xcr0_case *t = &xcr0_cases[i];

		c.xcr0_allowed = t->allowed;
		if (xsetbv_check(&c, 0, t->val) != t->expect)
			fail_msg("XCR0 %#llx allowed %#llx: got %d, want %d",
				 (unsigned long long)t->val,
				 (unsigned long long)t->allowed,
				 xsetbv_check(&c, 0, t->val), t->expect);
	}
}

static void test_xcr0_supervisor_bits(void **state)
{
	static const unsigned int sup[] = { 8, 10, 11, 12, 13, 14, 15, 16 };
	struct cr_context c = long_mode(true);

	(void)state;
	c.cr4 |= CR4_OSXSAVE;
	c.xcr0_allowed = ~0ULL; /* even a CPUID that lists them */
	for (size_t i = 0; i < sizeof(sup) / sizeof(sup[0]); i++) {
		assert_int_equal(xsetbv_check(&c, 0, 0x7 | (1ULL << sup[i])), GP);
		assert_int_equal(xsetbv_check(&c, 0, 0x1 | (1ULL << sup[i])), GP);
	}
	assert_int_equal(xsetbv_check(&c, 0, 0x7), 0);
}

static void test_xcr0_allowed_from_cpuid(void **state)
{
	/* Sapphire Rapids-like: x87..AVX-512, PKRU, AMX, plus PT/CET/... bits. */
	struct cpuid_result d = { .eax = 0x000602e7, .ebx = 0, .ecx = 0, .edx = 0 };
	struct cpuid_result hsw = { .eax = 0x7 };
	struct cpuid_result skx = { .eax = 0x2ff };
	struct cpuid_result junk = { .eax = 0xffffffffU, .edx = 0xffffffffU };

	(void)state;
	assert_int_equal(xcr0_allowed_from_cpuid(&d), 0x602e7);
	assert_int_equal(xcr0_allowed_from_cpuid(&hsw), 0x7);
	assert_int_equal(xcr0_allowed_from_cpuid(&skx), 0x2ff);
	/* Supervisor, unknown and upper-half bits never come through. */
	assert_int_equal(xcr0_allowed_from_cpuid(&junk), XCR0_KNOWN);
	assert_int_equal(XCR0_KNOWN, 0x602ffULL);
	d.eax |= 0x1fd00; /* PT, PASID, CET_U/S, HDC, UINTR, LBR, HWP */
	d.edx = 0x1;
	assert_int_equal(xcr0_allowed_from_cpuid(&d), 0x602e7);
	assert_int_equal(xcr0_allowed_from_cpuid(NULL), 0);
}

/* Haswell client: i7-4770 style leaf 1, leaf 7 without SMAP/PKU/LA57/UMIP. */
static void test_cr4_allowed_haswell(void **state)
{
	struct cpuid_result l1 = { .ecx = 0x7ffafbff, .edx = 0xbfebfbff };
	struct cpuid_result l7 = { .ebx = 0x000027ab, .ecx = 0, .edx = 0x9c000400 };
	uint64_t a;

	(void)state;
	a = cr4_allowed_from_cpuid(&l1, &l7);
	assert_int_equal(a, CR4_VME | CR4_PVI | CR4_TSD | CR4_DE |
			    CR4_PSE | CR4_PAE | CR4_MCE |
			    CR4_PGE | CR4_PCE | CR4_OSFXSR |
			    CR4_OSXMMEXCPT | CR4_FSGSBASE |
			    CR4_PCIDE | CR4_OSXSAVE | CR4_SMEP);
	/* Leaf 1 ECX says VMX and SMX on this part; neither gets through. */
	assert_false(a & (CR4_VMXE | CR4_SMXE));
	assert_false(a & (CR4_SMAP | CR4_PKE | CR4_LA57 | CR4_UMIP));
}

/* Skylake-SP: adds SMAP and PKU, still no UMIP, LA57 or CET. */
static void test_cr4_allowed_skylake_x(void **state)
{
	struct cpuid_result l1 = { .ecx = 0x7ffefbff, .edx = 0xbfebfbff };
	struct cpuid_result l7 = { .ebx = 0xd39ffffb, .ecx = 0x00000018,
				   .edx = 0x9c000400 };

	(void)state;
	assert_int_equal(cr4_allowed_from_cpuid(&l1, &l7),
			 CR4_VME | CR4_PVI | CR4_TSD | CR4_DE |
			 CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE |
			 CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT |
			 CR4_FSGSBASE | CR4_PCIDE | CR4_OSXSAVE |
			 CR4_SMEP | CR4_SMAP | CR4_PKE);
}

struct cpuid_bit_case {
	int reg;        /* which register: the enum below */
	unsigned int bit;
	uint64_t cr4;
};

enum { L1C, L1D, L7B, L7C, L7D };

static const struct cpuid_bit_case cpuid_bits[] = {
	{ L1D, 1, CR4_VME | CR4_PVI },
	{ L1D, 2, CR4_DE },
	{ L1D, 3, CR4_PSE },
	{ L1D, 4, CR4_TSD },
	{ L1D, 6, CR4_PAE },
	{ L1D, 7, CR4_MCE },
	{ L1D, 13, CR4_PGE },
	{ L1D, 24, CR4_OSFXSR },
	{ L1D, 25, CR4_OSXMMEXCPT },
	{ L1C, 17, CR4_PCIDE },
	{ L1C, 26, CR4_OSXSAVE },
	{ L1C, 5, 0 },  /* VMX */
	{ L1C, 6, 0 },  /* SMX */
	{ L1C, 27, 0 }, /* OSXSAVE mirror, not a capability */
	{ L7B, 0, CR4_FSGSBASE },
	{ L7B, 7, CR4_SMEP },
	{ L7B, 20, CR4_SMAP },
	{ L7C, 2, CR4_UMIP },
	{ L7C, 3, CR4_PKE },
	{ L7C, 4, 0 },  /* OSPKE mirror */
	{ L7C, 7, CR4_CET },
	{ L7C, 16, CR4_LA57 },
	{ L7C, 31, CR4_PKS },
	{ L7D, 20, CR4_CET },
};

/* Each CPUID bit alone yields exactly its CR4 bits (plus PCE, always there). */
static void test_cr4_allowed_each_bit(void **state)
{
	(void)state;
	assert_int_equal(cr4_allowed_from_cpuid(NULL, NULL), CR4_PCE);
	for (size_t i = 0; i < sizeof(cpuid_bits) / sizeof(cpuid_bits[0]); i++) {
		const struct cpuid_bit_case *t = &cpuid_bits[i];
		struct cpuid_result l1 = { 0 }, l7 = { 0 };
		uint32_t *r[] = { &l1.ecx, &l1.edx, &l7.ebx, &l7.ecx, &l7.edx };
		uint64_t got;

		*r[t->reg] = 1U << t->bit;
		got = cr4_allowed_from_cpuid(&l1, &l7);
		if (got != (t->cr4 | CR4_PCE))
			fail_msg("case %zu: got %#llx, want %#llx", i,
				 (unsigned long long)got,
				 (unsigned long long)(t->cr4 | CR4_PCE));
	}
	/* Everything set: every known bit except VMXE/SMXE. */
	{
		struct cpuid_result l1 = { .ecx = ~0U, .edx = ~0U, .eax = ~0U,
					   .ebx = ~0U };
		struct cpuid_result l7 = l1;

		assert_int_equal(cr4_allowed_from_cpuid(&l1, &l7), CR4_ALL);
		/* Leaf 7 missing: only the leaf 1 controls. */
		assert_int_equal(cr4_allowed_from_cpuid(&l1, NULL),
				 CR4_ALL & ~(CR4_FSGSBASE | CR4_SMEP |
					     CR4_SMAP | CR4_UMIP |
					     CR4_PKE | CR4_CET |
					     CR4_LA57 | CR4_PKS));
	}
}

/* The CPUID-derived masks plug straight into the checks. */
static void test_cpuid_to_checks(void **state)
{
	struct cpuid_result l1 = { .ecx = 0x7ffafbff, .edx = 0xbfebfbff };
	struct cpuid_result l7 = { .ebx = 0x000027ab };
	struct cpuid_result d = { .eax = 0x7 };
	struct cr_context c = long_mode(true);

	(void)state;
	c.cr4_allowed = cr4_allowed_from_cpuid(&l1, &l7);
	c.xcr0_allowed = xcr0_allowed_from_cpuid(&d);
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_OSXSAVE |
					 CR4_SMEP | CR4_FSGSBASE, NULL), 0);
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_SMAP, NULL), GP);
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_PKE, NULL), GP);
	assert_int_equal(cr4_write_check(&c, c.cr4 | CR4_VMXE, NULL), GP);
	c.cr4 |= CR4_OSXSAVE;
	assert_int_equal(xsetbv_check(&c, 0, 0x7), 0);
	assert_int_equal(xsetbv_check(&c, 0, 0xe7), GP);
	assert_int_equal(xsetbv_check(&c, 0, 0x1f), GP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_helper),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_cr0_upper_bits),
		cmocka_unit_test(test_cr0_reserved_low_ignored),
		cmocka_unit_test(test_cr0_nw_cd),
		cmocka_unit_test(test_cr0_pg_without_pe),
		cmocka_unit_test(test_cr0_long_mode_activation),
		cmocka_unit_test(test_cr0_clear_pg),
		cmocka_unit_test(test_cr0_wp_cet),
		cmocka_unit_test(test_boot_sequence),
		cmocka_unit_test(test_cr4_reserved),
		cmocka_unit_test(test_cr4_pae),
		cmocka_unit_test(test_cr4_la57),
		cmocka_unit_test(test_cr4_pcide),
		cmocka_unit_test(test_cr4_cet),
		cmocka_unit_test(test_cr8),
		cmocka_unit_test(test_xsetbv_ud_and_index),
		cmocka_unit_test(test_xcr0_table),
		cmocka_unit_test(test_xcr0_supervisor_bits),
		cmocka_unit_test(test_xcr0_allowed_from_cpuid),
		cmocka_unit_test(test_cr4_allowed_haswell),
		cmocka_unit_test(test_cr4_allowed_skylake_x),
		cmocka_unit_test(test_cr4_allowed_each_bit),
		cmocka_unit_test(test_cpuid_to_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
