// SPDX-License-Identifier: GPL-2.0
/*
 * 8254 PIT model against a fake clock: counting rates in every mode, the
 * latch and read-back commands, the byte flip-flops, BCD, periodic IRQ0
 * pulses over simulated time (a long gap included), counter 2 through port
 * 0x61, and random port traffic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <vmm/dev/pit8254.h>
#include <vmm/dev/ticks.h>
#include "dev_fixture.h"

static struct fake_line line;

static void setup_pit(struct pit *pit, uint64_t start)
{
	fake_now = start;
	fake_line_init(&line, false);
	pit_init(pit, &fake_clock, &line.irq);
}

/* The ns at which `ticks` input clocks have passed since t0. */
static uint64_t at_tick(uint64_t t0, uint64_t ticks)
{
	return t0 + dev_ticks_to_ns(ticks, PIT_HZ);
}

static void program(struct pit *pit, unsigned int counter, uint8_t cw_mode_bits, uint16_t count)
{
	pit_write(pit, PIT_PORT_CONTROL, (uint8_t)(counter << 6 | 0x30 | cw_mode_bits));
	pit_write(pit, (uint16_t)(PIT_PORT_COUNTER0 + counter), (uint8_t)count);
	pit_write(pit, (uint16_t)(PIT_PORT_COUNTER0 + counter), (uint8_t)(count >> 8));
}

static uint16_t latch_read(struct pit *pit, unsigned int counter)
{
	uint16_t port = (uint16_t)(PIT_PORT_COUNTER0 + counter);
	uint16_t lo;

	pit_write(pit, PIT_PORT_CONTROL, (uint8_t)(counter << 6));
	lo = pit_read(pit, port);
	return (uint16_t)(lo | pit_read(pit, port) << 8);
}

static void test_mode0_rate_and_irq(void **state)
{
	struct pit pit;
	uint64_t t0 = 5000000;

	(void)state;
	setup_pit(&pit, t0);
	program(&pit, 0, 0 << 1, 4096);
	assert_int_equal(latch_read(&pit, 0), 4096);
	fake_now = t0 + 1000000; /* 1 ms: 1193 input clocks */
	assert_int_equal(latch_read(&pit, 0), 4096 - 1193);
	assert_int_equal(pit_next_event_ns(&pit), at_tick(t0, 4096));
	assert_int_equal(pit_update(&pit, at_tick(t0, 4096) - 1), 0);
	assert_int_equal(line.rises, 0);
	assert_int_equal(pit_update(&pit, at_tick(t0, 4096)), 1);
	assert_int_equal(line.rises, 1);
	assert_false(line.level);
	/* One-shot: nothing more, and the count wraps through 0xffff. */
	assert_int_equal(pit_next_event_ns(&pit), UINT64_MAX);
	assert_int_equal(pit_update(&pit, t0 + 1000000000ULL), 0);
	fake_now = at_tick(t0, 4096 + 10);
	assert_int_equal(latch_read(&pit, 0), 0x10000 - 10);
	assert_int_equal(line.rises, 1);
}

static void test_latch_holds(void **state)
{
	struct pit pit;

	(void)state;
	setup_pit(&pit, 0);
	program(&pit, 1, 2 << 1, 50000);
	fake_now = at_tick(0, 100);
	pit_write(&pit, PIT_PORT_CONTROL, 0x40); /* latch counter 1 */
	fake_now = at_tick(0, 5000);
	/* A second latch before the first is read changes nothing. */
	pit_write(&pit, PIT_PORT_CONTROL, 0x40);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER1), (50000 - 100) & 0xff);
	fake_now = at_tick(0, 9000);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER1), (50000 - 100) >> 8);
	/* Latch consumed: live count again. */
	assert_int_equal(latch_read(&pit, 1), 50000 - 9000);
}

static void test_flip_flops(void **state)
{
	struct pit pit;

	(void)state;
	setup_pit(&pit, 0);
	/* LSB only: one byte written is the whole count, reads give the low byte. */
	pit_write(&pit, PIT_PORT_CONTROL, 0x90 | 0 << 1); /* counter 2, LSB, mode 0 */
	pit_write(&pit, PIT_PORT_SYS_CTRL, PIT_SYS_GATE2);
	pit_write(&pit, PIT_PORT_COUNTER2, 200);
	fake_now = at_tick(0, 50);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER2), 150);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER2), 150);
	/* MSB only. */
	pit_write(&pit, PIT_PORT_CONTROL, 0xa0);
	pit_write(&pit, PIT_PORT_COUNTER2, 0x20); /* 0x2000 */
	fake_now += dev_ticks_to_ns(0x100, PIT_HZ);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER2), 0x1f);
	/* LSB then MSB live reads, as Linux's quick_pit_calibrate() does. */
	pit_write(&pit, PIT_PORT_CONTROL, 0xb0);
	pit_write(&pit, PIT_PORT_COUNTER2, 0xff);
	/* Mode 0: the first byte stops the count and drops OUT until the second. */
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, 0);
	pit_write(&pit, PIT_PORT_COUNTER2, 0xff);
	uint64_t t0 = fake_now;

	fake_now = at_tick(t0, 0x0300);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER2), 0xff); /* 0xfcff */
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER2), 0xfc);
	/* The flip-flop is back on the LSB. */
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER2), 0xff);
	/* A control word resets the read flip-flop half way. */
	pit_write(&pit, PIT_PORT_CONTROL, 0xb0);
	pit_write(&pit, PIT_PORT_COUNTER2, 0x34);
	pit_write(&pit, PIT_PORT_COUNTER2, 0x12);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER2), 0x34);
	pit_write(&pit, PIT_PORT_CONTROL, 0xb0);
	pit_write(&pit, PIT_PORT_COUNTER2, 0x78);
	pit_write(&pit, PIT_PORT_COUNTER2, 0x56);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER2), 0x78);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER2), 0x56);
}

static void test_read_back(void **state)
{
	struct pit pit;

	(void)state;
	setup_pit(&pit, 0);
	pit_write(&pit, PIT_PORT_CONTROL, 0x34); /* counter 0, LSB/MSB, mode 2 */
	/* Status only, before the count: NULL COUNT set, OUT high in mode 2. */
	pit_write(&pit, PIT_PORT_CONTROL, 0xe2);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER0), 0x80 | 0x40 | 0x30 | 2 << 1);
	pit_write(&pit, PIT_PORT_COUNTER0, 0xe8);
	pit_write(&pit, PIT_PORT_COUNTER0, 0x03); /* 1000 */
	fake_now = at_tick(0, 10);
	/* Count and status of counters 0 and 2: status comes first. */
	pit_write(&pit, PIT_PORT_CONTROL, 0xc0 | 0x02 | 0x08);
	fake_now = at_tick(0, 400);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER0), 0x80 | 0x30 | 2 << 1);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER0), 990 & 0xff);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER0), 990 >> 8);
	/* Counter 2 (never programmed: mode 0, OUT low, NULL COUNT clear). */
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER2), 0x30);
	/* Count only. */
	pit_write(&pit, PIT_PORT_CONTROL, 0xd2);
	fake_now = at_tick(0, 500);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER0), 600 & 0xff);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER0), 600 >> 8);
	/* Mode 0 status: OUT low until terminal count, then high. */
	program(&pit, 1, 0, 100);
	pit_write(&pit, PIT_PORT_CONTROL, 0xe4);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER1) & 0x80, 0);
	fake_now += dev_ticks_to_ns(100, PIT_HZ);
	pit_write(&pit, PIT_PORT_CONTROL, 0xe4);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER1) & 0x80, 0x80);
	/* The control port is write-only. */
	assert_int_equal(pit_read(&pit, PIT_PORT_CONTROL), 0xff);
}

/* Services IRQ0 the way the owner would: a host timer at the next event. */
static unsigned int run_until(struct pit *pit, uint64_t end)
{
	unsigned int pulses = 0;

	for (;;) {
		uint64_t next = pit_next_event_ns(pit);

		if (next > end)
			break;
		fake_now = next;
		assert_int_equal(pit_update(pit, next), 1);
		pulses++;
	}
	fake_now = end;
	return pulses;
}

static void test_mode2_periods(void **state)
{
	struct pit pit;
	uint64_t t0 = 123456;

	(void)state;
	setup_pit(&pit, t0);
	program(&pit, 0, 2 << 1, 1193); /* Linux's HZ=1000 LATCH */
	assert_int_equal(run_until(&pit, t0 + 1000000000ULL), 1000);
	assert_int_equal(line.rises, 1000);
	/* Count reloads: N, N-1 .. 1, N. */
	fake_now = at_tick(t0, 1193 * 1001 + 1);
	assert_int_equal(latch_read(&pit, 0), 1192);
	fake_now = at_tick(t0, 1193 * 1001 + 1192);
	assert_int_equal(latch_read(&pit, 0), 1);
	/* Count 0 is 65536. */
	setup_pit(&pit, 0);
	program(&pit, 0, 2 << 1, 0);
	assert_int_equal(pit_next_event_ns(&pit), at_tick(0, 65536));
	assert_int_equal(run_until(&pit, 1000000000ULL), PIT_HZ / 65536);
	/* Mode 6 is mode 2. */
	setup_pit(&pit, 0);
	program(&pit, 0, 6 << 1, 11932);
	assert_int_equal(run_until(&pit, 1000000000ULL), 99);
}

static void test_mode3_square_wave(void **state)
{
	struct pit pit;

	(void)state;
	setup_pit(&pit, 0);
	program(&pit, 0, 3 << 1, 100);
	assert_int_equal(run_until(&pit, at_tick(0, 100 * 50)), 50);
	/* Counter 2: OUT high for the first half period, low for the second. */
	setup_pit(&pit, 0);
	pit_write(&pit, PIT_PORT_SYS_CTRL, PIT_SYS_GATE2);
	program(&pit, 2, 3 << 1, 100);
	fake_now = at_tick(0, 10);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, PIT_SYS_OUT2);
	assert_int_equal(latch_read(&pit, 2), 80); /* down by two */
	fake_now = at_tick(0, 60);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, 0);
	assert_int_equal(latch_read(&pit, 2), 80);
	fake_now = at_tick(0, 100);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, PIT_SYS_OUT2);
	/* Odd count: high one tick longer than low. */
	program(&pit, 2, 3 << 1, 5);
	uint64_t t0 = fake_now;

	fake_now = at_tick(t0, 2);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, PIT_SYS_OUT2);
	fake_now = at_tick(t0, 3);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, 0);
	/* Gate low forces OUT high and stops; gate high restarts the period. */
	pit_write(&pit, PIT_PORT_SYS_CTRL, 0);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, PIT_SYS_OUT2);
	fake_now = at_tick(t0, 1000);
	pit_write(&pit, PIT_PORT_SYS_CTRL, PIT_SYS_GATE2);
	fake_now = at_tick(at_tick(t0, 1000), 3);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, 0);
}

static void test_long_gap_coalesces(void **state)
{
	struct pit pit;
	uint64_t hour = 3600ULL * 1000000000ULL;

	(void)state;
	setup_pit(&pit, 0);
	program(&pit, 0, 2 << 1, 2); /* the fastest legal rate, ~600 kHz */
	fake_now = hour;
	/* An hour of periods is one pulse, reported as the periods it stands for. */
	assert_int_equal(pit_update(&pit, hour), dev_ns_to_ticks(hour, PIT_HZ) / 2);
	assert_int_equal(line.rises, 1);
	assert_int_equal(pit_update(&pit, hour), 0);
	assert_true(pit_next_event_ns(&pit) > hour);
	assert_true(pit_next_event_ns(&pit) <= hour + dev_ticks_to_ns(2, PIT_HZ));
	/* A week later, still one pulse and no loop over the periods. */
	assert_true(pit_update(&pit, 7 * 24 * hour) > 0);
	assert_int_equal(line.rises, 2);
}

static void test_mode4_oneshot_rearm(void **state)
{
	struct pit pit;

	(void)state;
	setup_pit(&pit, 0);
	/* Linux's i8253 one-shot clockevent: 0x38 once, then LSB/MSB per event. */
	pit_write(&pit, PIT_PORT_CONTROL, 0x38);
	assert_int_equal(pit_next_event_ns(&pit), UINT64_MAX);
	pit_write(&pit, PIT_PORT_COUNTER0, 100);
	pit_write(&pit, PIT_PORT_COUNTER0, 0);
	assert_int_equal(run_until(&pit, at_tick(0, 1000)), 1);
	pit_write(&pit, PIT_PORT_COUNTER0, 50);
	pit_write(&pit, PIT_PORT_COUNTER0, 0);
	assert_int_equal(pit_next_event_ns(&pit), at_tick(at_tick(0, 1000), 50));
	/* Reprogramming after the event is due but before the update delivers it first. */
	fake_now = at_tick(0, 1100);
	pit_write(&pit, PIT_PORT_COUNTER0, 50);
	assert_int_equal(line.rises, 2);
	pit_write(&pit, PIT_PORT_COUNTER0, 0);
	assert_int_equal(run_until(&pit, at_tick(0, 5000)), 1);
	assert_int_equal(line.rises, 3);
}

static void test_gate_modes(void **state)
{
	struct pit pit;
	uint64_t t0;

	(void)state;
	setup_pit(&pit, 0);
	/* Mode 0 on counter 2 with the gate low holds the count: the TSC calibration pattern. */
	program(&pit, 2, 0, 0xffff);
	fake_now = at_tick(0, 500);
	assert_int_equal(latch_read(&pit, 2), 0xffff);
	t0 = fake_now;
	pit_write(&pit, PIT_PORT_SYS_CTRL, PIT_SYS_GATE2 | PIT_SYS_SPEAKER);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & 0x0f, PIT_SYS_GATE2 | PIT_SYS_SPEAKER);
	fake_now = at_tick(t0, 0xfffe);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, 0);
	/* Pause the gate: the count holds; resume: it continues. */
	pit_write(&pit, PIT_PORT_SYS_CTRL, 0);
	fake_now += 1000000;
	assert_int_equal(latch_read(&pit, 2), 1);
	t0 = fake_now;
	pit_write(&pit, PIT_PORT_SYS_CTRL, PIT_SYS_GATE2);
	fake_now = at_tick(t0, 1);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, PIT_SYS_OUT2);
	/* Mode 1: waits for a gate edge, OUT low for N ticks after it. */
	pit_write(&pit, PIT_PORT_SYS_CTRL, 0);
	program(&pit, 2, 1 << 1, 10);
	fake_now += 1000000;
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, PIT_SYS_OUT2);
	assert_int_equal(latch_read(&pit, 2), 10);
	t0 = fake_now;
	pit_write(&pit, PIT_PORT_SYS_CTRL, PIT_SYS_GATE2);
	fake_now = at_tick(t0, 5);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, 0);
	assert_int_equal(latch_read(&pit, 2), 5);
	/* The gate's level does not matter in mode 1, only its rising edge. */
	pit_write(&pit, PIT_PORT_SYS_CTRL, 0);
	fake_now = at_tick(t0, 10);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, PIT_SYS_OUT2);
	/* Mode 5: a one-tick strobe N ticks after the edge. */
	program(&pit, 2, 5 << 1, 20);
	t0 = fake_now;
	pit_write(&pit, PIT_PORT_SYS_CTRL, PIT_SYS_GATE2);
	fake_now = at_tick(t0, 20);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, 0);
	fake_now = at_tick(t0, 21);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_OUT2, PIT_SYS_OUT2);
	/* Mode 1 on counter 0, whose gate is tied high, never fires. */
	program(&pit, 0, 1 << 1, 10);
	assert_int_equal(pit_next_event_ns(&pit), UINT64_MAX);
	assert_int_equal(pit_update(&pit, fake_now + 1000000000ULL), 0);
}

static void test_refresh_toggle(void **state)
{
	struct pit pit;
	unsigned int flips = 0;
	uint8_t last;

	(void)state;
	setup_pit(&pit, 0);
	last = pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_REFRESH;
	/* 1 ms in 1 us steps: a flip every 15.085 us. */
	for (unsigned int i = 1; i <= 1000; i++) {
		uint8_t r;

		fake_now = i * 1000ULL;
		r = pit_read(&pit, PIT_PORT_SYS_CTRL) & PIT_SYS_REFRESH;
		flips += r != last;
		last = r;
	}
	assert_in_range(flips, 65, 67);
	/* Bits 6 and 7 (parity and I/O check errors) never set. */
	pit_write(&pit, PIT_PORT_SYS_CTRL, 0xff);
	assert_int_equal(pit_read(&pit, PIT_PORT_SYS_CTRL) & 0xc0, 0);
}

static void test_bcd(void **state)
{
	struct pit pit;

	(void)state;
	setup_pit(&pit, 0);
	program(&pit, 0, 0x01, 0x1000); /* BCD 1000 */
	fake_now = at_tick(0, 100);
	assert_int_equal(latch_read(&pit, 0), 0x0900);
	assert_int_equal(pit_next_event_ns(&pit), at_tick(0, 1000));
	/* BCD 0 is 10000, and the count wraps to 9999. */
	program(&pit, 1, (2 << 1) | 0x01, 0);
	uint64_t t0 = fake_now;

	fake_now = at_tick(t0, 1);
	assert_int_equal(latch_read(&pit, 1), 0x9999);
	fake_now = at_tick(t0, 10000);
	assert_int_equal(latch_read(&pit, 1), 0x0000);
	/* Not BCD digits: some count, no crash. */
	program(&pit, 1, 0x01, 0xffff);
	pit_write(&pit, PIT_PORT_CONTROL, 0xe4);
	assert_int_equal(pit_read(&pit, PIT_PORT_COUNTER1) & 0x0f, 0x01);
}

static void test_random_ports(void **state)
{
	static const uint16_t ports[] = { 0x40, 0x41, 0x42, 0x43, 0x61, 0x44, 0x60, 0x00, 0xffff };
	struct pit pit;

	(void)state;
	srand(8254);
	setup_pit(&pit, 0);
	for (unsigned int i = 0; i < 200000; i++) {
		uint16_t port = ports[rand() % ARRAY_SIZE(ports)];
		uint64_t next;

		switch (rand() % 4) {
		case 0:
			pit_write(&pit, port, (uint8_t)rand());
			break;
		case 1:
			(void)pit_read(&pit, port);
			break;
		case 2:
			/* Mostly small steps, sometimes days. */
			fake_now += rand() % 16 ? (uint64_t)(rand() % 100000) :
						  (uint64_t)rand() * 1000000ULL;
			break;
		default:
			next = pit_next_event_ns(&pit);
			if (next != UINT64_MAX && next > fake_now)
				fake_now = next;
			(void)pit_update(&pit, fake_now);
			/* Nothing due is left behind after an update at the event. */
			assert_true(pit_next_event_ns(&pit) > fake_now ||
				    pit_next_event_ns(&pit) == UINT64_MAX);
			break;
		}
		assert_false(line.level);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode0_rate_and_irq),
		cmocka_unit_test(test_latch_holds),
		cmocka_unit_test(test_flip_flops),
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_mode2_periods),
		cmocka_unit_test(test_mode3_square_wave),
		cmocka_unit_test(test_long_gap_coalesces),
		cmocka_unit_test(test_mode4_oneshot_rearm),
		cmocka_unit_test(test_gate_modes),
		cmocka_unit_test(test_refresh_toggle),
		cmocka_unit_test(test_bcd),
		cmocka_unit_test(test_random_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
