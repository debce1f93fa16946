/* SPDX-License-Identifier: GPL-2.0 */
/* IA32_APIC_BASE transitions and the x2APIC MSR #GP rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include <plinth/errno.h>

#include "lapic_fixture.h"

#define XAPIC (LAPIC_DEFAULT_BASE | LAPIC_BASE_EN)
#define X2APIC (XAPIC | LAPIC_BASE_EXTD)
#define OFF LAPIC_DEFAULT_BASE

static int base_wr(uint64_t v)
{
	return lapic_msr_write(&fx, LAPIC_MSR_APIC_BASE, v);
}

static uint64_t base_rd(void)
{
	return fx_msr_rd(LAPIC_MSR_APIC_BASE) & ~LAPIC_BASE_BSP;
}

static void test_apic_base_transitions(void **state)
{
	(void)state;
	assert_int_equal(base_rd(), XAPIC);
	assert_int_equal(base_wr(XAPIC | LAPIC_BASE_BSP), 0);
	assert_int_equal(base_wr(X2APIC), 0); /* the BSP bit is read-only: clearing it is ignored */
	assert_int_equal(fx_msr_rd(LAPIC_MSR_APIC_BASE), X2APIC | LAPIC_BASE_BSP);
	assert_int_equal(base_wr(XAPIC), -EINVAL); /* x2APIC -> xAPIC directly */
	assert_int_equal(base_rd(), X2APIC);
	assert_int_equal(base_wr(OFF | LAPIC_BASE_EXTD), -EINVAL); /* EN=0 EXTD=1 is invalid */
	assert_int_equal(base_wr(OFF), 0);
	assert_int_equal(base_rd(), OFF);
	assert_int_equal(base_wr(X2APIC), -EINVAL); /* disabled -> x2APIC */
	assert_int_equal(base_wr(OFF | LAPIC_BASE_EXTD), -EINVAL);
	assert_int_equal(base_wr(XAPIC), 0);
	assert_int_equal(base_wr(OFF), 0); /* xAPIC -> disabled */
	assert_int_equal(base_wr(XAPIC), 0);
	assert_int_equal(base_rd(), XAPIC);
}

static void test_apic_base_bad_values(void **state)
{
	struct lapic_config cfg = fx_config();

	(void)state;
	assert_int_equal(base_wr(0xfed00000ULL | LAPIC_BASE_EN), -EINVAL); /* no relocation */
	assert_int_equal(base_wr(XAPIC | (1ULL << 40)), -EINVAL);
	assert_int_equal(base_wr(XAPIC | (1ULL << 9)), -EINVAL);
	assert_int_equal(base_wr(XAPIC | 1), -EINVAL);
	assert_int_equal(base_rd(), XAPIC);
	/* Without x2APIC in CPUID, EXTD is reserved. */
	cfg.x2apic = false;
	assert_int_equal(lapic_init(&fx, &cfg), 0);
	assert_int_equal(base_wr(X2APIC), -EINVAL);
	assert_false(lapic_in_x2apic(&fx));
}

static void test_disable_resets_state(void **state)
{
	(void)state;
	fx_sw_enable();
	fx_wr(LAPIC_REG_TPR, 0x40);
	fx_wr(LAPIC_REG_LVT_LINT0, 0x700);
	assert_true(lapic_accept(&fx, 0x80, false));
	assert_int_equal(base_wr(OFF), 0);
	assert_int_equal(base_wr(XAPIC), 0);
	assert_int_equal(fx_rd(LAPIC_REG_TPR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_SVR), 0xff);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_LINT0), LAPIC_LVT_MASKED);
	assert_false(fx_irr(0x80));
}

static void test_xapic_to_x2apic_keeps_state(void **state)
{
	(void)state;
	fx_sw_enable();
	fx_wr(LAPIC_REG_TPR, 0x40);
	fx_wr(LAPIC_REG_LDR, 0x01000000);
	fx_wr(LAPIC_REG_LVT_LINT1, 0x400);
	assert_true(lapic_accept(&fx, 0x80, false));
	fx_to_x2apic();
	assert_int_equal(fx_msr_rd(0x808), 0x40);
	assert_int_equal(fx_msr_rd(0x80d), 0x00020008);
	assert_int_equal(fx_msr_rd(0x836), 0x400);
	assert_int_equal(fx_msr_rd(0x80f), 0x1ff);
	assert_true(fx_irr(0x80));
	/* Out through disabled and back to xAPIC: reset state, xAPIC LDR again. */
	assert_int_equal(base_wr(OFF), 0);
	assert_int_equal(base_wr(XAPIC), 0);
	assert_int_equal(fx_rd(LAPIC_REG_LDR), 0);
}

static void test_x2apic_msrs_need_x2apic_mode(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(lapic_msr_read(&fx, 0x802, &v), -EINVAL);
	assert_int_equal(lapic_msr_write(&fx, 0x808, 0), -EINVAL);
	assert_int_equal(lapic_msr_write(&fx, LAPIC_MSR_SELF_IPI, 0x40), -EINVAL);
	/* Not LAPIC MSRs at all. */
	assert_int_equal(lapic_msr_read(&fx, 0x10, &v), -ENOENT);
	assert_int_equal(lapic_msr_write(&fx, 0x900, 0), -ENOENT);
	assert_int_equal(lapic_msr_read(&fx, 0x7ff, &v), -ENOENT);
	/* The TSC-deadline MSR works in xAPIC mode too. */
	assert_int_equal(lapic_msr_read(&fx, LAPIC_MSR_TSC_DEADLINE, &v), 0);
	fx_to_x2apic();
	assert_int_equal(lapic_msr_read(&fx, 0x802, &v), 0);
}

static void test_x2apic_gp_cases(void **state)
{
	static const uint32_t missing[] = {
		0x800, 0x801, 0x804, 0x805, 0x806, 0x807, 0x809, 0x80c, 0x80e, 0x829, 0x82a,
		0x82b, 0x82c, 0x82d, 0x82e, 0x831, 0x83a, 0x83b, 0x83c, 0x83d, 0x840, 0x8ff,
	};
	static const uint32_t read_only[] = { 0x802, 0x803, 0x80a, 0x80d, 0x839 };
	static const struct {
		uint32_t msr;
		uint64_t value;
	} reserved[] = {
		{ 0x80b, 1 },                /* EOI: nonzero */
		{ 0x828, 0x40 },             /* ESR: nonzero */
		{ 0x808, 0x100 },            /* TPR 31:8 */
		{ 0x808, 1ULL << 32 },       /* 63:32 of a 32-bit register */
		{ 0x80f, 0x1000 },           /* SVR bit 12: no EOI broadcast suppression */
		{ 0x83e, 0x4 },              /* DCR bit 2 */
		{ 0x838, 1ULL << 40 },
		{ 0x83f, 0x100 },            /* SELF IPI 31:8 */
		{ 0x832, 1u << 19 },         /* LVT timer */
		{ 0x832, 3u << 17 },         /* reserved timer mode */
		{ 0x835, 1u << 17 },         /* LINT0 */
		{ 0x837, 0x700 },            /* error LVT has no delivery mode */
		{ 0x833, 1u << 13 },         /* thermal has no polarity */
		{ 0x830, 1u << 13 },         /* ICR bit 13 */
		{ 0x830, 1u << 16 },
		{ 0x830, 1u << 20 },
	};
	uint64_t v;

	(void)state;
	fx_to_x2apic();
	fx_sw_enable();
	for (unsigned int i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		assert_int_equal(lapic_msr_read(&fx, missing[i], &v), -EINVAL);
		assert_int_equal(lapic_msr_write(&fx, missing[i], 0), -EINVAL);
	}
	for (unsigned int msr = 0x810; msr < 0x828; msr++)
		assert_int_equal(lapic_msr_write(&fx, msr, 0), -EINVAL);
	for (unsigned int i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++)
		assert_int_equal(lapic_msr_write(&fx, read_only[i], 0), -EINVAL);
	assert_int_equal(lapic_msr_read(&fx, 0x80b, &v), -EINVAL); /* EOI is write-only */
	assert_int_equal(lapic_msr_read(&fx, 0x83f, &v), -EINVAL);
	for (unsigned int i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		assert_int_equal(lapic_msr_write(&fx, reserved[i].msr, reserved[i].value), -EINVAL);
	assert_int_equal(fx_nipis, 0);
	/* The valid neighbours of those values are accepted. */
	assert_int_equal(lapic_msr_write(&fx, 0x80b, 0), 0);
	assert_int_equal(lapic_msr_write(&fx, 0x808, 0xff), 0);
	assert_int_equal(lapic_msr_write(&fx, 0x80f, 0x3ff), 0);
	assert_int_equal(lapic_msr_write(&fx, 0x832, 0x000510ff), 0); /* delivery status is ignored */
	assert_int_equal(fx_msr_rd(0x832), 0x000500ff);
	assert_int_equal(lapic_msr_write(&fx, 0x835, 0x0001f7ff), 0);
	assert_int_equal(fx_msr_rd(0x835), 0x0001a7ff);
	assert_int_equal(lapic_msr_write(&fx, 0x830, 0xffffffffULL << 32 | 0xcd7ff), 0);
	assert_int_equal(fx_nipis, 0); /* reserved delivery mode 7: dropped */
	/* Nothing was logged: #GP cases are not APIC errors. */
	assert_int_equal(fx_msr_rd(0x828), 0);
}

/*
 * SDM "x2APIC Register Address Space" / "Logical Destination Mode in x2APIC
 * Mode": the ID register holds the whole 32-bit x2APIC ID, the LDR is
 * derived from it (cluster ID[19:4] in 31:16, 1 << ID[3:0] in 15:0) and is
 * read-only, and the xAPIC page stops answering.
 */
static void test_x2apic_id_ldr_and_page(void **state)
{
	struct lapic_config cfg = fx_config();
	uint32_t v32 = 0;

	(void)state;
	cfg.apic_id = 0x123;
	assert_int_equal(lapic_init(&fx, &cfg), 0);
	fx_sw_enable();
	/* xAPIC: the ID register shows the low 8 bits in 31:24. */
	assert_int_equal(fx_rd(LAPIC_REG_ID), 0x23u << 24);
	fx_to_x2apic();
	assert_int_equal(fx_msr_rd(0x802), 0x123);
	assert_int_equal(fx_msr_rd(0x80d), (0x12u << 16) | (1u << 3));
	assert_int_equal(lapic_msr_write(&fx, 0x80d, 0x10001), -EINVAL);
	assert_int_equal(lapic_msr_write(&fx, 0x802, 0x5), -EINVAL);
	assert_int_equal(fx_msr_rd(0x80d), (0x12u << 16) | (1u << 3));
	/* MMIO-only registers have no MSR: DFR, ICR high half, APR, RRD. */
	assert_int_equal(lapic_msr_write(&fx, 0x80e, 0xffffffff), -EINVAL);
	assert_int_equal(lapic_msr_write(&fx, 0x831, 0), -EINVAL);
	/* The page is gone in x2APIC mode: the bus then treats it as unclaimed. */
	assert_int_equal(lapic_mmio_read(&fx, LAPIC_REG_ID, 4, &v32), -ENODEV);
	assert_int_equal(lapic_mmio_write(&fx, LAPIC_REG_TPR, 4, 0x10), -ENODEV);
	/* The BSP's APIC_BASE keeps BSP; EXTD and EN read back as written. */
	assert_int_equal(fx_msr_rd(LAPIC_MSR_APIC_BASE) & (LAPIC_BASE_EN | LAPIC_BASE_EXTD),
			 LAPIC_BASE_EN | LAPIC_BASE_EXTD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_apic_base_transitions, fx_setup),
		cmocka_unit_test_setup(test_apic_base_bad_values, fx_setup),
		cmocka_unit_test_setup(test_disable_resets_state, fx_setup),
		cmocka_unit_test_setup(test_xapic_to_x2apic_keeps_state, fx_setup),
		cmocka_unit_test_setup(test_x2apic_msrs_need_x2apic_mode, fx_setup),
		cmocka_unit_test_setup(test_x2apic_gp_cases, fx_setup),
		cmocka_unit_test_setup(test_x2apic_id_ldr_and_page, fx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
