/* SPDX-License-Identifier: GPL-2.0 */
/* ICR and SELF IPI sends, and lapic_match_dest() for every addressing model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include <plinth/errno.h>

#include "lapic_fixture.h"

static int setup_enabled(void **state)
{
	fx_setup(state);
	fx_sw_enable();
	return 0;
}

static uint32_t icr(unsigned int dm, unsigned int sh, uint8_t vector)
{
	return vector | dm << 8 | LAPIC_ICR_ASSERT | sh << LAPIC_ICR_SHORTHAND_SHIFT;
}

static void test_icr_fields_xapic(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_ICR_HI, 0x05ffffff);
	assert_int_equal(fx_rd(LAPIC_REG_ICR_HI), 0x05000000);
	assert_int_equal(fx_nipis, 0); /* the high half alone sends nothing */
	fx_wr(LAPIC_REG_ICR_LO, 0x40);
	assert_int_equal(fx_nipis, 1);
	assert_int_equal(fx_ipis[0].dest, 5);
	assert_int_equal(fx_ipis[0].source_id, FX_APIC_ID);
	assert_int_equal(fx_ipis[0].vector, 0x40);
	assert_int_equal(fx_ipis[0].delivery, LAPIC_DM_FIXED);
	assert_int_equal(fx_ipis[0].shorthand, LAPIC_SH_NONE);
	assert_false(fx_ipis[0].logical);
	assert_false(fx_ipis[0].asserted);
	assert_false(fx_ipis[0].level_triggered);
	/* All fields, and the delivery status reads idle. */
	fx_wr(LAPIC_REG_ICR_LO, 0xffffffff & ~(7u << 8) & ~(3u << 18));
	assert_int_equal(fx_rd(LAPIC_REG_ICR_LO), 0x0000c8ff);
	assert_int_equal(fx_nipis, 2);
	assert_true(fx_ipis[1].logical);
	assert_true(fx_ipis[1].asserted);
	assert_true(fx_ipis[1].level_triggered);
	assert_int_equal(fx_ipis[1].vector, 0xff);
}

/* Which delivery mode / shorthand pairs reach the owner. */
static void test_every_mode_and_shorthand(void **state)
{
	static const unsigned int modes[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	(void)state;
	for (unsigned int sh = 0; sh < 4; sh++) {
		for (unsigned int i = 0; i < 8; i++) {
			unsigned int dm = modes[i];
			bool expect = dm != 3 && dm != 7;

			if (sh == LAPIC_SH_SELF && dm != LAPIC_DM_FIXED)
				expect = false;
			if (sh == LAPIC_SH_ALL_INCL && dm == LAPIC_DM_LOWEST)
				expect = false;
			fx_nipis = 0;
			fx_wr(LAPIC_REG_ICR_HI, 0x07000000);
			fx_wr(LAPIC_REG_ICR_LO, icr(dm, sh, 0x30));
			assert_int_equal(fx_nipis, expect ? 1 : 0);
			if (!expect)
				continue;
			assert_int_equal(fx_ipis[0].delivery, dm);
			assert_int_equal(fx_ipis[0].shorthand, sh);
			assert_int_equal(fx_ipis[0].dest, 7);
			assert_int_equal(fx_ipis[0].vector, 0x30);
		}
	}
	fx_wr(LAPIC_REG_ESR, 0);
	assert_int_equal(fx_rd(LAPIC_REG_ESR), 0);
}

static void test_linux_ap_startup_sequence(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_ICR_HI, 0x01000000);
	fx_wr(LAPIC_REG_ICR_LO, LAPIC_ICR_LEVEL | LAPIC_ICR_ASSERT | LAPIC_DM_INIT << 8);
	fx_wr(LAPIC_REG_ICR_LO, LAPIC_ICR_LEVEL | LAPIC_DM_INIT << 8); /* de-assert: dropped */
	fx_wr(LAPIC_REG_ICR_LO, LAPIC_DM_STARTUP << 8 | 0x9a);
	fx_wr(LAPIC_REG_ICR_LO, LAPIC_DM_STARTUP << 8 | 0x9a);
	assert_int_equal(fx_nipis, 3);
	assert_int_equal(fx_ipis[0].delivery, LAPIC_DM_INIT);
	assert_int_equal(fx_ipis[0].dest, 1);
	assert_int_equal(fx_ipis[1].delivery, LAPIC_DM_STARTUP);
	assert_int_equal(fx_ipis[1].vector, 0x9a);
	assert_int_equal(fx_ipis[2].delivery, LAPIC_DM_STARTUP);
}

static void test_illegal_send_vector(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_ICR_LO, icr(LAPIC_DM_FIXED, 0, 15));
	fx_wr(LAPIC_REG_ICR_LO, icr(LAPIC_DM_LOWEST, 0, 0));
	assert_int_equal(fx_nipis, 0);
	fx_wr(LAPIC_REG_ESR, 0);
	assert_int_equal(fx_rd(LAPIC_REG_ESR), LAPIC_ESR_SEND_ILLEGAL);
	/* NMI ignores the vector. */
	fx_wr(LAPIC_REG_ICR_LO, icr(LAPIC_DM_NMI, 0, 0));
	assert_int_equal(fx_nipis, 1);
	assert_int_equal(fx_ipis[0].delivery, LAPIC_DM_NMI);
}

static void test_self_delivery_through_owner(void **state)
{
	(void)state;
	fx_loopback = true;
	fx_wr(LAPIC_REG_ICR_LO, icr(LAPIC_DM_FIXED, LAPIC_SH_SELF, 0x55));
	assert_true(fx_irr(0x55));
	assert_int_equal(lapic_pending_vector(&fx), 0x55);
	fx_wr(LAPIC_REG_ICR_LO, icr(LAPIC_DM_FIXED, LAPIC_SH_ALL_EXCL, 0x66));
	assert_false(fx_irr(0x66));
	fx_wr(LAPIC_REG_ICR_LO, icr(LAPIC_DM_FIXED, LAPIC_SH_ALL_INCL, 0x77) | LAPIC_ICR_LEVEL);
	assert_true(fx_irr(0x77));
	assert_true(fx_tmr(0x77));
	/* Physical to our own ID. */
	fx_wr(LAPIC_REG_ICR_HI, FX_APIC_ID << 24);
	fx_wr(LAPIC_REG_ICR_LO, icr(LAPIC_DM_FIXED, 0, 0x88));
	assert_true(fx_irr(0x88));
}

static void test_x2apic_icr_and_self_ipi(void **state)
{
	uint64_t v;

	(void)state;
	fx_to_x2apic();
	fx_msr_wr(LAPIC_MSR_ICR, 0x12345678ULL << 32 | LAPIC_ICR_LOGICAL | 0x41);
	assert_int_equal(fx_msr_rd(LAPIC_MSR_ICR), 0x12345678ULL << 32 | LAPIC_ICR_LOGICAL | 0x41);
	assert_int_equal(fx_nipis, 1);
	assert_int_equal(fx_ipis[0].dest, 0x12345678);
	assert_true(fx_ipis[0].logical);
	assert_int_equal(fx_ipis[0].source_id, FX_APIC_ID);
	fx_msr_wr(LAPIC_MSR_ICR, 0xffffffffULL << 32 | icr(LAPIC_DM_NMI, LAPIC_SH_ALL_EXCL, 0));
	assert_int_equal(fx_ipis[1].dest, 0xffffffffu);
	assert_int_equal(fx_ipis[1].shorthand, LAPIC_SH_ALL_EXCL);
	/* SELF IPI: a fixed, edge, self-shorthand message. */
	fx_loopback = true;
	fx_msr_wr(LAPIC_MSR_SELF_IPI, 0x51);
	assert_int_equal(fx_nipis, 3);
	assert_int_equal(fx_ipis[2].shorthand, LAPIC_SH_SELF);
	assert_int_equal(fx_ipis[2].delivery, LAPIC_DM_FIXED);
	assert_false(fx_ipis[2].level_triggered);
	assert_true(fx_irr(0x51));
	fx_msr_wr(LAPIC_MSR_SELF_IPI, 0x0f);
	assert_int_equal(fx_nipis, 3);
	fx_msr_wr(0x828, 0);
	assert_int_equal(fx_msr_rd(0x828), LAPIC_ESR_SEND_ILLEGAL);
	assert_int_equal(lapic_msr_read(&fx, LAPIC_MSR_SELF_IPI, &v), -EINVAL);
	assert_int_equal(lapic_msr_write(&fx, LAPIC_MSR_SELF_IPI, 0x151), -EINVAL);
}

static struct lapic_ipi dst(bool logical, uint32_t dest)
{
	struct lapic_ipi ipi = { .dest = dest, .logical = logical, .delivery = LAPIC_DM_FIXED };

	return ipi;
}

static void test_match_physical_xapic(void **state)
{
	struct lapic_ipi ipi;

	(void)state;
	ipi = dst(false, FX_APIC_ID);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(false, FX_APIC_ID + 1);
	assert_false(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(false, 0xff);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(false, 0x100 | FX_APIC_ID); /* no xAPIC has a 9-bit ID */
	assert_false(lapic_match_dest(&fx, &ipi, false));
	/* Software-disabled still matches (INIT/SIPI must get through). */
	fx_wr(LAPIC_REG_SVR, 0xff);
	ipi = dst(false, FX_APIC_ID);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	fx_msr_wr(LAPIC_MSR_APIC_BASE, LAPIC_DEFAULT_BASE);
	assert_false(lapic_match_dest(&fx, &ipi, false));
}

static void test_match_logical_flat_and_cluster(void **state)
{
	struct lapic_ipi ipi;

	(void)state;
	/* Flat: LDR bit 3. */
	fx_wr(LAPIC_REG_LDR, 0x08000000);
	ipi = dst(true, 0x08);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0x0c);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0x04);
	assert_false(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0xff);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	/* Logical and physical are different namespaces. */
	ipi = dst(true, FX_APIC_ID);
	assert_false(lapic_match_dest(&fx, &ipi, false));
	/* Cluster: cluster 2, member bit 0. */
	fx_wr(LAPIC_REG_DFR, 0x0fffffff);
	fx_wr(LAPIC_REG_LDR, 0x21000000);
	ipi = dst(true, 0x21);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0x2f);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0x31);
	assert_false(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0x22);
	assert_false(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0xff);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	/* An LDR of 0 is in no logical group. */
	fx_wr(LAPIC_REG_LDR, 0);
	ipi = dst(true, 0x0f);
	assert_false(lapic_match_dest(&fx, &ipi, false));
}

static void test_match_x2apic(void **state)
{
	struct lapic_ipi ipi;

	(void)state;
	fx_to_x2apic();
	ipi = dst(false, FX_APIC_ID);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(false, 0xffffffff);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(false, 0xff); /* only a real ID in x2APIC mode */
	assert_false(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(false, 0x100 | FX_APIC_ID);
	assert_false(lapic_match_dest(&fx, &ipi, false));
	/* ID 0x23: cluster 2, bit 3. */
	ipi = dst(true, 0x00020008);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0x0002ffff);
	assert_true(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0x00030008);
	assert_false(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0x00020004);
	assert_false(lapic_match_dest(&fx, &ipi, false));
	ipi = dst(true, 0xffffffff);
	assert_true(lapic_match_dest(&fx, &ipi, false));
}

static void test_match_shorthands(void **state)
{
	struct lapic_ipi ipi = dst(false, 0x77);

	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		if (mode)
			fx_to_x2apic();
		ipi.shorthand = LAPIC_SH_NONE;
		assert_false(lapic_match_dest(&fx, &ipi, true));
		ipi.shorthand = LAPIC_SH_SELF;
		assert_true(lapic_match_dest(&fx, &ipi, true));
		assert_false(lapic_match_dest(&fx, &ipi, false));
		ipi.shorthand = LAPIC_SH_ALL_INCL;
		assert_true(lapic_match_dest(&fx, &ipi, true));
		assert_true(lapic_match_dest(&fx, &ipi, false));
		ipi.shorthand = LAPIC_SH_ALL_EXCL;
		assert_false(lapic_match_dest(&fx, &ipi, true));
		assert_true(lapic_match_dest(&fx, &ipi, false));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_icr_fields_xapic, setup_enabled),
		cmocka_unit_test_setup(test_every_mode_and_shorthand, setup_enabled),
		cmocka_unit_test_setup(test_linux_ap_startup_sequence, setup_enabled),
		cmocka_unit_test_setup(test_illegal_send_vector, setup_enabled),
		cmocka_unit_test_setup(test_self_delivery_through_owner, setup_enabled),
		cmocka_unit_test_setup(test_x2apic_icr_and_self_ipi, setup_enabled),
		cmocka_unit_test_setup(test_match_physical_xapic, setup_enabled),
		cmocka_unit_test_setup(test_match_logical_flat_and_cluster, setup_enabled),
		cmocka_unit_test_setup(test_match_x2apic, setup_enabled),
		cmocka_unit_test_setup(test_match_shorthands, setup_enabled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
