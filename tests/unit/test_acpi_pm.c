// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI PM timer and PM1a blocks against a fake clock: the timer's rate and
 * 32-bit wrap, TMR_STS, write-1-to-clear status and SCI, SCI_EN, S5 and the
 * refused sleep states, and random port traffic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <plinth/errno.h>
#include <vmm/dev/acpi_pm.h>
#include <vmm/dev/ticks.h>
#include "dev_fixture.h"

static struct fake_line sci;
static unsigned int power_offs;

static void fake_power_off(void *ctx)
{
	assert_ptr_equal(ctx, &power_offs);
	power_offs++;
}


static void setup_pm(struct acpi_pm *pm)
{
	const struct acpi_pm_config cfg = {
		.evt_port = ACPI_PM1A_EVT_PORT,
		.cnt_port = ACPI_PM1A_CNT_PORT,
		.tmr_port = ACPI_PM_TMR_PORT,
		.power_off = fake_power_off,
		.ctx = &power_offs,
	};

	fake_now = 42 * SEC + 17;
	fake_line_init(&sci, true);
	power_offs = 0;
	acpi_pm_init(pm, &cfg, &fake_clock, &sci.irq);
}

static uint32_t tmr(struct acpi_pm *pm)
{
	return acpi_pm_read(pm, ACPI_PM_TMR_PORT, 4);
}

static void test_timer_rate_and_wrap(void **state)
{
	struct acpi_pm pm;
	uint64_t t0;

	(void)state;
	setup_pm(&pm);
	t0 = fake_now;
	assert_int_equal(tmr(&pm), 0);
	fake_now = t0 + SEC;
	assert_int_equal(tmr(&pm), 3579545);
	fake_now = t0 + 1000; /* 1 us: 3.58 ticks */
	assert_int_equal(tmr(&pm), 3);
	fake_now = t0 + 2 * SEC + SEC / 2;
	assert_int_equal(tmr(&pm), 8948862);
	assert_int_equal(acpi_pm_timer(&pm), 8948862);
	/* Writes do nothing. */
	assert_int_equal(acpi_pm_write(&pm, ACPI_PM_TMR_PORT, 4, 0), 0);
	assert_int_equal(tmr(&pm), 8948862);
	/* Narrow reads: bytes of the same counter. */
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_TMR_PORT + 1, 1), (8948862 >> 8) & 0xff);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_TMR_PORT + 2, 2), 8948862 >> 16);
	/* 32 bits wide: wraps after 2^32 ticks (about 20 minutes). */
	fake_now = t0 + dev_ticks_to_ns((1ULL << 32) + 5, ACPI_PM_TMR_HZ);
	assert_int_equal(tmr(&pm), 5);
	/* Monotonic between wraps over many small steps. */
	fake_now = t0;
	uint32_t last = tmr(&pm);

	for (unsigned int i = 0; i < 10000; i++) {
		uint32_t v;

		fake_now += 279; /* just under one tick */
		v = tmr(&pm);
		assert_true(v - last <= 1);
		last = v;
	}
	assert_int_equal(last, dev_ns_to_ticks(10000 * 279, ACPI_PM_TMR_HZ));
}

static void test_tmr_sts(void **state)
{
	struct acpi_pm pm;
	uint64_t t0, next;

	(void)state;
	setup_pm(&pm);
	t0 = fake_now;
	assert_int_equal(acpi_pm_next_event_ns(&pm), UINT64_MAX);
	assert_int_equal(acpi_pm_write(&pm, ACPI_PM1A_EVT_PORT + 2, 2, ACPI_PM1_TMR), 0);
	next = acpi_pm_next_event_ns(&pm);
	assert_int_equal(next, t0 + dev_ticks_to_ns(1ULL << 31, ACPI_PM_TMR_HZ));
	acpi_pm_update(&pm, next - 1);
	assert_false(sci.level);
	acpi_pm_update(&pm, next);
	assert_true(sci.level);
	fake_now = next;
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT_PORT, 2), ACPI_PM1_TMR);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT_PORT + 2, 2), ACPI_PM1_TMR);
	/* Clear: SCI drops; the next flip of bit 31 (the wrap) sets it again. */
	assert_int_equal(acpi_pm_write(&pm, ACPI_PM1A_EVT_PORT, 2, ACPI_PM1_TMR), 0);
	assert_false(sci.level);
	assert_int_equal(acpi_pm_next_event_ns(&pm),
			 t0 + dev_ticks_to_ns(1ULL << 32, ACPI_PM_TMR_HZ));
	/* Days unobserved: one flag. */
	acpi_pm_update(&pm, t0 + 10 * 86400 * SEC);
	assert_true(sci.level);
}

static void test_pm1_status_w1c(void **state)
{
	struct acpi_pm pm;

	(void)state;
	setup_pm(&pm);
	acpi_pm_raise(&pm, ACPI_PM1_PWRBTN | ACPI_PM1_WAK_STS | ACPI_PM1_RTC);
	/* Not enabled: no SCI. */
	assert_false(sci.level);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT_PORT, 2),
			 ACPI_PM1_PWRBTN | ACPI_PM1_WAK_STS | ACPI_PM1_RTC);
	/* Writing 0s changes nothing; 1s clear just those bits. */
	assert_int_equal(acpi_pm_write(&pm, ACPI_PM1A_EVT_PORT, 2, 0), 0);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT_PORT, 2),
			 ACPI_PM1_PWRBTN | ACPI_PM1_WAK_STS | ACPI_PM1_RTC);
	acpi_pm_write(&pm, ACPI_PM1A_EVT_PORT + 1, 1, ACPI_PM1_WAK_STS >> 8);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT_PORT, 2), ACPI_PM1_PWRBTN | ACPI_PM1_RTC);
	/* Enabling the power button raises SCI; clearing its status drops it. */
	acpi_pm_write(&pm, ACPI_PM1A_EVT_PORT + 2, 2, ACPI_PM1_PWRBTN);
	assert_true(sci.level);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT_PORT + 2, 2), ACPI_PM1_PWRBTN);
	acpi_pm_write(&pm, ACPI_PM1A_EVT_PORT, 2, ACPI_PM1_PWRBTN);
	assert_false(sci.level);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT_PORT, 2), ACPI_PM1_RTC);
	/* A 32-bit write covers status and enable together. */
	acpi_pm_write(&pm, ACPI_PM1A_EVT_PORT, 4, (uint32_t)ACPI_PM1_RTC << 16 | 0xffff);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT_PORT, 4), (uint32_t)ACPI_PM1_RTC << 16);
	/* Reserved enable bits stay 0. */
	acpi_pm_write(&pm, ACPI_PM1A_EVT_PORT + 2, 2, 0xffff);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT_PORT + 2, 2), ACPI_PM1_EN_MASK);
}

static void test_control_and_s5(void **state)
{
	struct acpi_pm pm;

	(void)state;
	setup_pm(&pm);
	/* SCI_EN reads 1 from reset and cannot be cleared. */
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_CNT_PORT, 2), ACPI_PM1_SCI_EN);
	acpi_pm_write(&pm, ACPI_PM1A_CNT_PORT, 2, 0);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_CNT_PORT, 2), ACPI_PM1_SCI_EN);
	/* SLP_TYP alone sleeps nothing; it is stored. */
	acpi_pm_write(&pm, ACPI_PM1A_CNT_PORT, 2, ACPI_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT);
	assert_int_equal(power_offs, 0);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_CNT_PORT, 2),
			 ACPI_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SCI_EN);
	/* S1-S4 style types: refused, no power-off. */
	for (unsigned int typ = 0; typ < 8; typ++) {
		if (typ == ACPI_SLP_TYP_S5)
			continue;
		assert_int_equal(acpi_pm_write(&pm, ACPI_PM1A_CNT_PORT, 2,
					       typ << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN),
				 -ENOTSUP);
	}
	assert_int_equal(power_offs, 0);
	/* Linux's acpi_hw_legacy_sleep(): SLP_TYP first, then SLP_TYP | SLP_EN. */
	assert_int_equal(acpi_pm_write(&pm, ACPI_PM1A_CNT_PORT, 2,
				       ACPI_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN),
			 0);
	assert_int_equal(power_offs, 1);
	/* SLP_EN reads 0. */
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_CNT_PORT, 2) & ACPI_PM1_SLP_EN, 0);
	/* A byte write of the high byte alone also works. */
	acpi_pm_write(&pm, ACPI_PM1A_CNT_PORT + 1, 1,
		      (ACPI_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN) >> 8);
	assert_int_equal(power_offs, 2);
}

static void test_ports_and_claims(void **state)
{
	struct acpi_pm pm;

	(void)state;
	setup_pm(&pm);
	assert_true(acpi_pm_claims(&pm, 0x600));
	assert_true(acpi_pm_claims(&pm, 0x605));
	assert_false(acpi_pm_claims(&pm, 0x606));
	assert_true(acpi_pm_claims(&pm, 0x60b));
	assert_false(acpi_pm_claims(&pm, 0x60c));
	assert_false(acpi_pm_claims(&pm, 0x5ff));
	assert_int_equal(acpi_pm_read(&pm, 0x606, 2), 0xffff);
	assert_int_equal(acpi_pm_read(&pm, 0x1234, 4), 0xffffffff);
	/* A read running past the control block: the missing byte is empty bus. */
	assert_int_equal(acpi_pm_read(&pm, 0x605, 2), 0xff00);
	assert_int_equal(acpi_pm_write(&pm, 0x606, 2, 0xffff), 0);
	assert_int_equal(acpi_pm_read(&pm, 0x600, 0), 0);
}

static void test_random_ports(void **state)
{
	struct acpi_pm pm;

	(void)state;
	srand(3579545);
	setup_pm(&pm);
	for (unsigned int i = 0; i < 200000; i++) {
		uint16_t port = (uint16_t)(rand() % 8 ? 0x5fe + rand() % 16 : rand());
		unsigned int size = 1u << (rand() % 4); /* 1, 2, 4 and an invalid 8 */
		uint64_t next;

		switch (rand() % 4) {
		case 0:
			(void)acpi_pm_write(&pm, port, size, (uint32_t)rand());
			break;
		case 1:
			(void)acpi_pm_read(&pm, port, size);
			break;
		case 2:
			fake_now += rand() % 16 ? (uint64_t)(rand() % 1000000) :
						  (uint64_t)rand() * 1000000000ULL;
			break;
		default:
			next = acpi_pm_next_event_ns(&pm);
			if (next != UINT64_MAX && next > fake_now)
				fake_now = next;
			acpi_pm_update(&pm, fake_now);
			break;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_rate_and_wrap),
		cmocka_unit_test(test_tmr_sts),
		cmocka_unit_test(test_pm1_status_w1c),
		cmocka_unit_test(test_control_and_s5),
		cmocka_unit_test(test_ports_and_claims),
		cmocka_unit_test(test_random_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
