/* SPDX-License-Identifier: GPL-2.0 */
/* The virtual LAPIC timer against a fake clock: one-shot, periodic, TSC-deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include <plinth/errno.h>

#include "lapic_fixture.h"

#define TVEC 0xec
#define PERIODIC (LAPIC_TIMER_PERIODIC << LAPIC_LVT_TIMER_SHIFT)
#define DEADLINE (LAPIC_TIMER_TSC_DEADLINE << LAPIC_LVT_TIMER_SHIFT)

static int setup_timer(void **state)
{
	fx_setup(state);
	fx_sw_enable();
	fx_wr(LAPIC_REG_TIMER_DCR, 0xb); /* divide by 1: one tick per ns */
	fx_wr(LAPIC_REG_LVT_TIMER, TVEC);
	return 0;
}

/* Takes the timer interrupt if it is pending; true if it was. */
static bool took_timer(void)
{
	if (!fx_irr(TVEC))
		return false;
	assert_int_equal(lapic_pending_vector(&fx), TVEC);
	lapic_ack(&fx, TVEC);
	fx_wr(LAPIC_REG_EOI, 0);
	return true;
}

static void advance(uint64_t ns)
{
	fx_ns += ns;
	lapic_timer_update(&fx, fx_ns);
}

static void test_one_shot(void **state)
{
	uint64_t t0 = fx_ns;

	(void)state;
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);
	fx_wr(LAPIC_REG_TIMER_INIT, 1000);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_INIT), 1000);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 1000);
	assert_int_equal(lapic_next_deadline_ns(&fx), t0 + 1000);
	advance(300);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 700);
	advance(699);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 1);
	assert_false(took_timer());
	advance(1);
	assert_true(took_timer());
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 0);
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);
	advance(100000);
	assert_false(took_timer());
	/* Writing the initial count again restarts it; 0 stops it. */
	fx_wr(LAPIC_REG_TIMER_INIT, 50);
	assert_int_equal(lapic_next_deadline_ns(&fx), fx_ns + 50);
	fx_wr(LAPIC_REG_TIMER_INIT, 0);
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 0);
	advance(100);
	assert_false(took_timer());
}

static void test_expiry_seen_by_a_read(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_TIMER_INIT, 10);
	fx_ns += 20; /* the owner has not called lapic_timer_update() yet */
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 0);
	assert_true(took_timer());
}

static void test_divide_settings(void **state)
{
	static const struct {
		uint32_t dcr;
		uint64_t div;
	} enc[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		uint64_t t0 = fx_ns;

		fx_wr(LAPIC_REG_TIMER_DCR, enc[i].dcr | 0xfffffff4u);
		assert_int_equal(fx_rd(LAPIC_REG_TIMER_DCR), enc[i].dcr);
		fx_wr(LAPIC_REG_TIMER_INIT, 100);
		assert_int_equal(lapic_next_deadline_ns(&fx), t0 + 100 * enc[i].div);
		fx_ns += enc[i].div * 25 + enc[i].div - 1;
		assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 75);
		advance(enc[i].div * 75 - (enc[i].div - 1) - 1);
		assert_false(took_timer());
		advance(1);
		assert_true(took_timer());
	}
}

static void test_divide_change_mid_count(void **state)
{
	uint64_t t0 = fx_ns;

	(void)state;
	fx_wr(LAPIC_REG_TIMER_INIT, 1000);
	fx_ns += 400;
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 600);
	fx_wr(LAPIC_REG_TIMER_DCR, 0x0); /* now divide by 2 */
	fx_ns += 200;
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 500);
	assert_int_equal(lapic_next_deadline_ns(&fx), t0 + 400 + 1200);
}

static void test_periodic(void **state)
{
	uint64_t t0 = fx_ns;

	(void)state;
	fx_wr(LAPIC_REG_LVT_TIMER, PERIODIC | TVEC);
	fx_wr(LAPIC_REG_TIMER_INIT, 1000);
	advance(1000);
	assert_true(took_timer());
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 1000);
	assert_int_equal(lapic_next_deadline_ns(&fx), t0 + 2000);
	advance(250);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 750);
	advance(750);
	assert_true(took_timer());
	/* A long gap: one interrupt for all the missed periods, phase kept. */
	advance(1000000 + 500);
	assert_true(took_timer());
	assert_false(took_timer());
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 500);
	assert_int_equal(lapic_next_deadline_ns(&fx), t0 + 2000 + 1001000);
	/* An enormous gap is still one step. */
	fx_wr(LAPIC_REG_TIMER_DCR, 0xa);
	fx_wr(LAPIC_REG_TIMER_INIT, 0xffffffff);
	advance(1ULL << 60);
	assert_true(took_timer());
	assert_false(took_timer());
	/* Back to one-shot: counts out the current period, then stops. */
	fx_wr(LAPIC_REG_TIMER_DCR, 0xb);
	fx_wr(LAPIC_REG_TIMER_INIT, 100);
	fx_wr(LAPIC_REG_LVT_TIMER, TVEC);
	advance(100);
	assert_true(took_timer());
	advance(100);
	assert_false(took_timer());
}

static void test_masked_timer(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | TVEC);
	fx_wr(LAPIC_REG_TIMER_INIT, 100);
	/* Nothing to wake up for, but the counter runs. */
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);
	fx_ns += 40;
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 60);
	advance(100);
	assert_false(took_timer());
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 0);
	/* Unmasking later does not resurrect the lost interrupt. */
	fx_wr(LAPIC_REG_LVT_TIMER, TVEC);
	assert_false(took_timer());
	/* Periodic, masked over many periods, then unmasked: next expiry on the old phase. */
	fx_wr(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | PERIODIC | TVEC);
	uint64_t t0 = fx_ns;

	fx_wr(LAPIC_REG_TIMER_INIT, 1000);
	fx_ns += 10500;
	fx_wr(LAPIC_REG_LVT_TIMER, PERIODIC | TVEC);
	assert_false(took_timer());
	assert_int_equal(lapic_next_deadline_ns(&fx), t0 + 11000);
	/* Software disable masks the timer too. */
	fx_wr(LAPIC_REG_SVR, 0xff);
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);
}

static void test_tsc_deadline(void **state)
{
	(void)state;
	/* Outside TSC-deadline mode the MSR reads 0 and ignores writes. */
	fx_msr_wr(LAPIC_MSR_TSC_DEADLINE, fx_tsc() + 100);
	assert_int_equal(fx_msr_rd(LAPIC_MSR_TSC_DEADLINE), 0);
	fx_wr(LAPIC_REG_LVT_TIMER, DEADLINE | TVEC);
	/* The count registers are inert in this mode. */
	fx_wr(LAPIC_REG_TIMER_INIT, 500);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_INIT), 0);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 0);
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);

	uint64_t dl = fx_tsc() + 2001; /* 1000.5 ns at 2 GHz: rounds up */

	fx_msr_wr(LAPIC_MSR_TSC_DEADLINE, dl);
	assert_int_equal(fx_msr_rd(LAPIC_MSR_TSC_DEADLINE), dl);
	assert_int_equal(lapic_next_deadline_ns(&fx), fx_ns + 1001);
	advance(1000);
	assert_false(took_timer());
	assert_int_equal(fx_msr_rd(LAPIC_MSR_TSC_DEADLINE), dl);
	advance(1);
	assert_true(took_timer());
	assert_int_equal(fx_msr_rd(LAPIC_MSR_TSC_DEADLINE), 0);
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);
	/* Writing 0 disarms. */
	fx_msr_wr(LAPIC_MSR_TSC_DEADLINE, fx_tsc() + 10);
	fx_msr_wr(LAPIC_MSR_TSC_DEADLINE, 0);
	advance(100);
	assert_false(took_timer());
	/* A deadline already passed fires at once. */
	fx_msr_wr(LAPIC_MSR_TSC_DEADLINE, 1);
	assert_true(took_timer());
	/* Far in the future: no overflow in the ns conversion. */
	fx_msr_wr(LAPIC_MSR_TSC_DEADLINE, UINT64_MAX);
	assert_true(lapic_next_deadline_ns(&fx) > fx_ns);
	/* Masked: it still expires and clears, but nothing is delivered. */
	fx_wr(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | DEADLINE | TVEC);
	fx_msr_wr(LAPIC_MSR_TSC_DEADLINE, fx_tsc() + 20);
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);
	fx_ns += 10;
	assert_int_equal(fx_msr_rd(LAPIC_MSR_TSC_DEADLINE), 0);
	assert_false(took_timer());
}

static void test_mode_switch_disarms(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_LVT_TIMER, DEADLINE | TVEC);
	fx_msr_wr(LAPIC_MSR_TSC_DEADLINE, fx_tsc() + 100);
	fx_wr(LAPIC_REG_LVT_TIMER, TVEC);
	fx_wr(LAPIC_REG_LVT_TIMER, DEADLINE | TVEC);
	assert_int_equal(fx_msr_rd(LAPIC_MSR_TSC_DEADLINE), 0);
	advance(1000);
	assert_false(took_timer());
	/* A running count stops on the way into TSC-deadline mode. */
	fx_wr(LAPIC_REG_LVT_TIMER, TVEC);
	fx_wr(LAPIC_REG_TIMER_INIT, 100);
	fx_wr(LAPIC_REG_LVT_TIMER, DEADLINE | TVEC);
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);
	fx_wr(LAPIC_REG_LVT_TIMER, TVEC);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 0);
	advance(1000);
	assert_false(took_timer());
	/* One-shot <-> periodic keeps counting. */
	fx_wr(LAPIC_REG_TIMER_INIT, 100);
	fx_wr(LAPIC_REG_LVT_TIMER, PERIODIC | TVEC);
	advance(100);
	assert_true(took_timer());
	advance(100);
	assert_true(took_timer());
}

static void test_no_tsc_deadline_offered(void **state)
{
	struct lapic_config cfg = fx_config();
	uint64_t v;

	(void)state;
	cfg.tsc_hz = 0;
	assert_int_equal(lapic_init(&fx, &cfg), 0);
	assert_int_equal(lapic_msr_read(&fx, LAPIC_MSR_TSC_DEADLINE, &v), -EINVAL);
	assert_int_equal(lapic_msr_write(&fx, LAPIC_MSR_TSC_DEADLINE, 1), -EINVAL);
}

static void test_timer_stops_when_apic_disabled(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_TIMER_INIT, 100);
	fx_msr_wr(LAPIC_MSR_APIC_BASE, LAPIC_DEFAULT_BASE);
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);
	advance(1000);
	fx_msr_wr(LAPIC_MSR_APIC_BASE, LAPIC_DEFAULT_BASE | LAPIC_BASE_EN);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 0);
	assert_int_equal(lapic_pending_vector(&fx), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_one_shot, setup_timer),
		cmocka_unit_test_setup(test_expiry_seen_by_a_read, setup_timer),
		cmocka_unit_test_setup(test_divide_settings, setup_timer),
		cmocka_unit_test_setup(test_divide_change_mid_count, setup_timer),
		cmocka_unit_test_setup(test_periodic, setup_timer),
		cmocka_unit_test_setup(test_masked_timer, setup_timer),
		cmocka_unit_test_setup(test_tsc_deadline, setup_timer),
		cmocka_unit_test_setup(test_mode_switch_disarms, setup_timer),
		cmocka_unit_test_setup(test_no_tsc_deadline_offered, setup_timer),
		cmocka_unit_test_setup(test_timer_stops_when_apic_disabled, setup_timer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
