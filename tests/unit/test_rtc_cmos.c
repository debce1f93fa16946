// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818 RTC model against a fake clock: BCD, binary and 12-hour formats,
 * SET, UIP, register C, the periodic, update and alarm interrupts, time the
 * guest sets, the calendar's edge cases (checked against the host libc's
 * gmtime too) and random port traffic.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <time.h>
#include <vmm/dev/calendar.h>
#include <vmm/dev/rtc_cmos.h>
#include "dev_fixture.h"

/* 2024-02-28 23:59:58 UTC, a Wednesday. */
#define T_FEB28_2024 1709164798LL

/* A level: the model never repeats a level it already drives. */
static struct fake_line line;

static void setup_rtc(struct rtc_cmos *rtc, int64_t secs)
{
	fake_now = 7 * SEC + 123;
	fake_line_init(&line, true);
	rtc_cmos_init(rtc, &fake_clock, &line.irq, secs);
}

static uint8_t rd(struct rtc_cmos *rtc, uint8_t reg)
{
	rtc_cmos_write(rtc, RTC_PORT_INDEX, reg);
	return rtc_cmos_read(rtc, RTC_PORT_DATA);
}

static void wr(struct rtc_cmos *rtc, uint8_t reg, uint8_t v)
{
	/* With the NMI mask bit set, as Linux's CMOS_WRITE does not but BIOSes do. */
	rtc_cmos_write(rtc, RTC_PORT_INDEX, reg | 0x80);
	rtc_cmos_write(rtc, RTC_PORT_DATA, v);
}

static void expect_time(struct rtc_cmos *rtc, uint8_t cent, uint8_t year, uint8_t mon, uint8_t day,
			uint8_t wday, uint8_t hour, uint8_t min, uint8_t sec)
{
	assert_int_equal(rd(rtc, RTC_CENTURY), cent);
	assert_int_equal(rd(rtc, RTC_YEAR), year);
	assert_int_equal(rd(rtc, RTC_MONTH), mon);
	assert_int_equal(rd(rtc, RTC_DAY_OF_MONTH), day);
	assert_int_equal(rd(rtc, RTC_DAY_OF_WEEK), wday);
	assert_int_equal(rd(rtc, RTC_HOURS), hour);
	assert_int_equal(rd(rtc, RTC_MINUTES), min);
	assert_int_equal(rd(rtc, RTC_SECONDS), sec);
}

static void test_bcd_leap_day(void **state)
{
	struct rtc_cmos rtc;

	(void)state;
	setup_rtc(&rtc, T_FEB28_2024);
	assert_int_equal(rd(&rtc, RTC_REG_A), 0x26);
	assert_int_equal(rd(&rtc, RTC_REG_B), RTC_B_24H);
	assert_int_equal(rd(&rtc, RTC_REG_D), RTC_D_VRT);
	expect_time(&rtc, 0x20, 0x24, 0x02, 0x28, 4, 0x23, 0x59, 0x58);
	fake_now += 2 * SEC;
	expect_time(&rtc, 0x20, 0x24, 0x02, 0x29, 5, 0x00, 0x00, 0x00);
	fake_now += 86400 * SEC;
	expect_time(&rtc, 0x20, 0x24, 0x03, 0x01, 6, 0x00, 0x00, 0x00);
}

static void test_binary_and_12h(void **state)
{
	struct rtc_cmos rtc;

	(void)state;
	setup_rtc(&rtc, T_FEB28_2024);
	wr(&rtc, RTC_REG_B, RTC_B_24H | RTC_B_DM_BINARY);
	expect_time(&rtc, 20, 24, 2, 28, 4, 23, 59, 58);
	/* 12-hour binary: 11 PM. */
	wr(&rtc, RTC_REG_B, RTC_B_DM_BINARY);
	assert_int_equal(rd(&rtc, RTC_HOURS), RTC_HOURS_PM | 11);
	/* Midnight is 12 AM, noon 12 PM, 13:00 is 1 PM (BCD now). */
	fake_now += 2 * SEC;
	wr(&rtc, RTC_REG_B, 0);
	assert_int_equal(rd(&rtc, RTC_HOURS), 0x12);
	fake_now += 12 * 3600 * SEC;
	assert_int_equal(rd(&rtc, RTC_HOURS), RTC_HOURS_PM | 0x12);
	fake_now += 3600 * SEC;
	assert_int_equal(rd(&rtc, RTC_HOURS), RTC_HOURS_PM | 0x01);
	/* A guest setting 12-hour 3 PM gets 15:00. */
	wr(&rtc, RTC_HOURS, RTC_HOURS_PM | 0x03);
	wr(&rtc, RTC_REG_B, RTC_B_24H);
	assert_int_equal(rd(&rtc, RTC_HOURS), 0x15);
}

static void test_set_freezes_and_guest_time_runs(void **state)
{
	struct rtc_cmos rtc;

	(void)state;
	setup_rtc(&rtc, T_FEB28_2024);
	/* Linux's set_rtc_time: SET, write the fields, clear SET. */
	wr(&rtc, RTC_REG_B, RTC_B_24H | RTC_B_SET | RTC_B_UIE);
	/* SET clears UIE. */
	assert_int_equal(rd(&rtc, RTC_REG_B), RTC_B_24H | RTC_B_SET);
	fake_now += 5 * SEC;
	assert_int_equal(rd(&rtc, RTC_SECONDS), 0x58);
	wr(&rtc, RTC_CENTURY, 0x20);
	wr(&rtc, RTC_YEAR, 0x99);
	wr(&rtc, RTC_MONTH, 0x12);
	wr(&rtc, RTC_DAY_OF_MONTH, 0x31);
	wr(&rtc, RTC_HOURS, 0x23);
	wr(&rtc, RTC_MINUTES, 0x59);
	wr(&rtc, RTC_SECONDS, 0x59);
	wr(&rtc, RTC_DAY_OF_WEEK, 0x07); /* shown while SET holds the registers */
	fake_now += 10 * SEC;
	assert_int_equal(rd(&rtc, RTC_SECONDS), 0x59);
	assert_int_equal(rd(&rtc, RTC_DAY_OF_WEEK), 0x07);
	assert_int_equal(rtc_cmos_time(&rtc), 4102444799LL);
	wr(&rtc, RTC_REG_B, RTC_B_24H);
	/* 2099 → 2100, which is not a leap year. */
	fake_now += SEC;
	expect_time(&rtc, 0x21, 0x00, 0x01, 0x01, 6, 0x00, 0x00, 0x00);
	assert_int_equal(rtc_cmos_time(&rtc), 4102444800LL);
	wr(&rtc, RTC_REG_B, RTC_B_24H | RTC_B_SET);
	wr(&rtc, RTC_MONTH, 0x02);
	wr(&rtc, RTC_DAY_OF_MONTH, 0x28);
	wr(&rtc, RTC_HOURS, 0x23);
	wr(&rtc, RTC_MINUTES, 0x59);
	wr(&rtc, RTC_SECONDS, 0x59);
	wr(&rtc, RTC_REG_B, RTC_B_24H);
	fake_now += SEC;
	expect_time(&rtc, 0x21, 0x00, 0x03, 0x01, 2, 0x00, 0x00, 0x00);
	/* Without SET: at once, keeping the position in the second. */
	fake_now += SEC / 2;
	wr(&rtc, RTC_MINUTES, 0x30);
	assert_int_equal(rd(&rtc, RTC_MINUTES), 0x30);
	fake_now += SEC / 2;
	assert_int_equal(rd(&rtc, RTC_SECONDS), 0x01);
	/* And it keeps running from there for days. */
	fake_now += 3 * 86400 * SEC;
	expect_time(&rtc, 0x21, 0x00, 0x03, 0x04, 5, 0x00, 0x30, 0x01);
}

static void test_year_end(void **state)
{
	struct rtc_cmos rtc;

	(void)state;
	setup_rtc(&rtc, 1704067199LL); /* 2023-12-31 23:59:59, Sunday */
	expect_time(&rtc, 0x20, 0x23, 0x12, 0x31, 1, 0x23, 0x59, 0x59);
	fake_now += SEC;
	expect_time(&rtc, 0x20, 0x24, 0x01, 0x01, 2, 0x00, 0x00, 0x00);
}

static void test_uip(void **state)
{
	struct rtc_cmos rtc;
	uint64_t t0;

	(void)state;
	setup_rtc(&rtc, 1000);
	t0 = fake_now;
	assert_int_equal(rd(&rtc, RTC_REG_A) & RTC_A_UIP, 0);
	fake_now = t0 + SEC - RTC_UIP_NS - 1;
	assert_int_equal(rd(&rtc, RTC_REG_A) & RTC_A_UIP, 0);
	fake_now = t0 + SEC - RTC_UIP_NS;
	assert_int_equal(rd(&rtc, RTC_REG_A), 0x26 | RTC_A_UIP);
	assert_int_equal(rd(&rtc, RTC_SECONDS), 0x40); /* 1000 s = 00:16:40 */
	fake_now = t0 + SEC;
	assert_int_equal(rd(&rtc, RTC_REG_A) & RTC_A_UIP, 0);
	assert_int_equal(rd(&rtc, RTC_SECONDS), 0x41);
	/* Not while SET holds updates; UIP itself is read-only. */
	fake_now = t0 + 2 * SEC - 1000;
	wr(&rtc, RTC_REG_B, RTC_B_24H | RTC_B_SET);
	wr(&rtc, RTC_REG_A, 0xa6);
	assert_int_equal(rd(&rtc, RTC_REG_A), 0x26);
}

static void test_update_irq_and_reg_c(void **state)
{
	struct rtc_cmos rtc;
	uint64_t t0;

	(void)state;
	setup_rtc(&rtc, 1000);
	t0 = fake_now;
	wr(&rtc, RTC_REG_A, 0x20); /* no periodic flag in the way */
	wr(&rtc, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	assert_int_equal(rtc_cmos_next_event_ns(&rtc), t0 + SEC);
	rtc_cmos_update(&rtc, t0 + SEC - 1);
	assert_false(line.level);
	fake_now = t0 + SEC;
	rtc_cmos_update(&rtc, fake_now);
	assert_true(line.level);
	assert_int_equal(rtc_cmos_next_event_ns(&rtc), UINT64_MAX);
	/* Reading C returns the flags, clears them and releases IRQ8. */
	assert_int_equal(rd(&rtc, RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
	assert_false(line.level);
	assert_int_equal(rd(&rtc, RTC_REG_C), 0);
	/* C and D are read-only. */
	wr(&rtc, RTC_REG_C, 0xff);
	wr(&rtc, RTC_REG_D, 0x00);
	assert_int_equal(rd(&rtc, RTC_REG_C), 0);
	assert_int_equal(rd(&rtc, RTC_REG_D), RTC_D_VRT);
	/* A flag set with its interrupt off raises IRQF once it is enabled. */
	wr(&rtc, RTC_REG_B, RTC_B_24H);
	fake_now += 3 * SEC;
	rtc_cmos_update(&rtc, fake_now);
	assert_false(line.level);
	wr(&rtc, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	assert_true(line.level);
	assert_int_equal(line.rises, 2);
	assert_int_equal(rd(&rtc, RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
}

/* Services IRQ8 as Linux's handler does, returning the interrupts taken. */
static unsigned int run_until(struct rtc_cmos *rtc, uint64_t end)
{
	unsigned int n = 0;

	for (;;) {
		uint64_t next = rtc_cmos_next_event_ns(rtc);

		if (next > end)
			break;
		fake_now = next;
		rtc_cmos_update(rtc, next);
		assert_true(line.level);
		n++;
		(void)rd(rtc, RTC_REG_C);
	}
	fake_now = end;
	return n;
}

static void test_periodic_rates(void **state)
{
	static const struct {
		uint8_t rs;
		unsigned int hz;
	} rates[] = { { 6, 1024 }, { 15, 2 }, { 3, 8192 }, { 1, 256 }, { 2, 128 }, { 8, 256 } };
	struct rtc_cmos rtc;

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(rates); i++) {
		uint64_t t0;

		setup_rtc(&rtc, 1000);
		wr(&rtc, RTC_REG_A, 0x20 | rates[i].rs);
		wr(&rtc, RTC_REG_B, RTC_B_24H | RTC_B_PIE);
		t0 = fake_now;
		assert_int_equal(run_until(&rtc, t0 + SEC), rates[i].hz);
	}
	/* RS = 0: no periodic interrupt at all. */
	setup_rtc(&rtc, 1000);
	wr(&rtc, RTC_REG_A, 0x20);
	wr(&rtc, RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	assert_int_equal(rtc_cmos_next_event_ns(&rtc), UINT64_MAX);
	/* PF is set whatever PIE says; an hour unobserved is one flag. */
	setup_rtc(&rtc, 1000);
	fake_now += 3600 * SEC;
	assert_int_equal(rd(&rtc, RTC_REG_C), RTC_C_PF | RTC_C_UF);
	assert_int_equal(line.rises, 0);
}

static void test_alarm(void **state)
{
	struct rtc_cmos rtc;
	uint64_t t0;

	(void)state;
	setup_rtc(&rtc, T_FEB28_2024); /* 23:59:58 */
	t0 = fake_now;
	wr(&rtc, RTC_HOURS_ALARM, 0x00);
	wr(&rtc, RTC_MINUTES_ALARM, 0x00);
	wr(&rtc, RTC_SECONDS_ALARM, 0x10);
	wr(&rtc, RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	/* Across midnight: 00:00:10 is 12 s away. */
	assert_int_equal(rtc_cmos_next_event_ns(&rtc), t0 + 12 * SEC);
	assert_int_equal(run_until(&rtc, t0 + 12 * SEC - 1), 0);
	assert_int_equal(run_until(&rtc, t0 + 13 * SEC), 1);
	/* Next one a day later. */
	assert_int_equal(rtc_cmos_next_event_ns(&rtc), t0 + (12 + 86400) * SEC);
	/* An alarm passed during a gap the owner slept through still flags AF. */
	fake_now = t0 + 2 * 86400 * SEC;
	assert_int_equal(rd(&rtc, RTC_REG_C) & RTC_C_AF, RTC_C_AF);
	/* Don't-care in all three: every second. */
	wr(&rtc, RTC_HOURS_ALARM, 0xc0);
	wr(&rtc, RTC_MINUTES_ALARM, 0xff);
	wr(&rtc, RTC_SECONDS_ALARM, 0xc0);
	t0 = fake_now;
	assert_int_equal(run_until(&rtc, t0 + 10 * SEC), 10);
	/* Don't-care hour: once an hour at mm:ss = 30:00. */
	wr(&rtc, RTC_MINUTES_ALARM, 0x30);
	wr(&rtc, RTC_SECONDS_ALARM, 0x00);
	assert_int_equal(run_until(&rtc, fake_now + 24 * 3600 * SEC), 24);
	/* A value that can never match (BCD 0x99 seconds): never. */
	wr(&rtc, RTC_SECONDS_ALARM, 0x99);
	assert_int_equal(rtc_cmos_next_event_ns(&rtc), UINT64_MAX);
	assert_int_equal(run_until(&rtc, fake_now + 3 * 86400 * SEC), 0);
}

static void test_nvram_and_ports(void **state)
{
	struct rtc_cmos rtc;

	(void)state;
	setup_rtc(&rtc, 0);
	for (unsigned int i = 0x0e; i < RTC_CMOS_SIZE; i++)
		if (i != RTC_CENTURY)
			wr(&rtc, (uint8_t)i, (uint8_t)(i ^ 0x5a));
	for (unsigned int i = 0x0e; i < RTC_CMOS_SIZE; i++)
		if (i != RTC_CENTURY)
			assert_int_equal(rd(&rtc, (uint8_t)i), i ^ 0x5a);
	rtc_cmos_set_nvram(&rtc, 0x15, 0x80);
	assert_int_equal(rd(&rtc, 0x15), 0x80);
	/* The index port is write-only; unrelated ports are empty bus. */
	assert_int_equal(rtc_cmos_read(&rtc, RTC_PORT_INDEX), 0xff);
	assert_int_equal(rtc_cmos_read(&rtc, 0x72), 0xff);
	rtc_cmos_write(&rtc, 0x72, 0);
	/* 1970-01-01, Thursday. */
	expect_time(&rtc, 0x19, 0x70, 0x01, 0x01, 5, 0x00, 0x00, 0x00);
}

static void test_calendar(void **state)
{
	struct cal_time t;

	(void)state;
	assert_true(cal_is_leap(2024));
	assert_true(cal_is_leap(2000));
	assert_false(cal_is_leap(2100));
	assert_false(cal_is_leap(2023));
	assert_int_equal(cal_days_in_month(2024, 2), 29);
	assert_int_equal(cal_days_in_month(2100, 2), 28);
	assert_int_equal(cal_days_in_month(2023, 12), 31);
	assert_int_equal(cal_days_in_month(2023, 4), 30);
	assert_int_equal(cal_days_in_month(2023, 0), 0);
	assert_int_equal(cal_days_in_month(2023, 13), 0);
	cal_from_unix(1709208000LL, &t); /* 2024-02-29 12:00 Thursday */
	assert_int_equal(t.year, 2024);
	assert_int_equal(t.month, 2);
	assert_int_equal(t.day, 29);
	assert_int_equal(t.hour, 12);
	assert_int_equal(t.wday, 4);
	assert_int_equal(cal_to_unix(&t), 1709208000LL);
	/* Clamping: Feb 30 2100 is Feb 28, month 13 is December, hour 99 is 23. */
	t = (struct cal_time){ .year = 2100, .month = 2, .day = 30 };
	assert_int_equal(cal_to_unix(&t), 4107456000LL);
	t = (struct cal_time){ .year = 60000, .month = 13, .day = 40, .hour = 99, .min = 99, .sec = 99 };
	assert_int_equal(cal_to_unix(&t), 253402300799LL);
	cal_from_unix(INT64_MAX, &t);
	assert_int_equal(t.year, 9999);
	cal_from_unix(INT64_MIN, &t);
	assert_int_equal(t.year, 0);
	assert_int_equal(t.month, 1);
	assert_int_equal(t.day, 1);
	/* Against the host's gmtime over years 0..9999, and back. */
	srand(146818);
	for (unsigned int i = 0; i < 200000; i++) {
		int64_t s = -62167219200LL + (int64_t)(((uint64_t)rand() << 31 | (uint64_t)rand()) %
						      (253402300800ULL + 62167219200ULL));
		time_t ts = (time_t)s;
		struct tm tm;

		if (i < 1000)
			s = ts = (time_t)(951782400LL + (int64_t)i * 43201); /* around 2000-02-29 */
		assert_non_null(gmtime_r(&ts, &tm));
		cal_from_unix(s, &t);
		assert_int_equal(t.year, tm.tm_year + 1900);
		assert_int_equal(t.month, tm.tm_mon + 1);
		assert_int_equal(t.day, tm.tm_mday);
		assert_int_equal(t.hour, tm.tm_hour);
		assert_int_equal(t.min, tm.tm_min);
		assert_int_equal(t.sec, tm.tm_sec);
		assert_int_equal(t.wday, tm.tm_wday);
		assert_int_equal(cal_to_unix(&t), s);
	}
}

static void test_random_ports(void **state)
{
	static const uint16_t ports[] = { 0x70, 0x71, 0x71, 0x71, 0x72, 0x00 };
	struct rtc_cmos rtc;

	(void)state;
	srand(8);
	setup_rtc(&rtc, T_FEB28_2024);
	for (unsigned int i = 0; i < 200000; i++) {
		uint16_t port = ports[rand() % ARRAY_SIZE(ports)];
		uint64_t next;

		switch (rand() % 4) {
		case 0:
			/* Bias the index to the registers that do something. */
			rtc_cmos_write(&rtc, port, (uint8_t)(port == 0x70 && rand() % 2 ?
							     rand() % 0x0e : rand()));
			break;
		case 1:
			(void)rtc_cmos_read(&rtc, port);
			break;
		case 2:
			fake_now += rand() % 16 ? (uint64_t)(rand() % 10000000) :
						  (uint64_t)rand() * 1000000000ULL;
			break;
		default:
			next = rtc_cmos_next_event_ns(&rtc);
			if (next != UINT64_MAX && next > fake_now)
				fake_now = next;
			rtc_cmos_update(&rtc, fake_now);
			break;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcd_leap_day),
		cmocka_unit_test(test_binary_and_12h),
		cmocka_unit_test(test_set_freezes_and_guest_time_runs),
		cmocka_unit_test(test_year_end),
		cmocka_unit_test(test_uip),
		cmocka_unit_test(test_update_irq_and_reg_c),
		cmocka_unit_test(test_periodic_rates),
		cmocka_unit_test(test_alarm),
		cmocka_unit_test(test_nvram_and_ports),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_random_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
