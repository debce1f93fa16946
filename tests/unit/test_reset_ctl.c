/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <vmm/dev/reset_ctl.h>

static struct reset_ctl rc;
static int resets;
static enum reset_ctl_kind last_kind;
static bool reset_from_callback;

static void on_reset(void *ctx, enum reset_ctl_kind kind)
{
	assert_ptr_equal(ctx, &rc);
	resets++;
	last_kind = kind;
	if (reset_from_callback)
		reset_ctl_reset(&rc);
}

static int setup(void **state)
{
	(void)state;
	struct reset_ctl_config cfg = { .reset = on_reset, .ctx = &rc };

	resets = 0;
	reset_from_callback = false;
	reset_ctl_init(&rc, &cfg);
	return 0;
}

static uint8_t cf9(void)
{
	return reset_ctl_read(&rc, 0xcf9);
}

static uint8_t port_a(void)
{
	return reset_ctl_read(&rc, 0x92);
}

static void test_power_on(void **state)
{
	(void)state;
	assert_int_equal(cf9(), 0x00);
	assert_int_equal(port_a(), 0x02);
	assert_int_equal(resets, 0);
}

/* Linux's reboot=pci, warm and cold: read, clear bits 1-3, 0x02, then the code. */
static void test_cf9_linux_reboot(void **state)
{
	(void)state;
	static const struct {
		uint8_t code;
		enum reset_ctl_kind kind;
	} modes[] = {
		{ 0x06, RESET_CTL_HARD },
		{ 0x0e, RESET_CTL_FULL },
	};

	for (unsigned int i = 0; i < 2; i++) {
		uint8_t v = cf9() & (uint8_t)~modes[i].code;

		reset_ctl_write(&rc, 0xcf9, v | 0x02);
		assert_int_equal(resets, (int)i);
		assert_int_equal(cf9(), v | 0x02);
		reset_ctl_write(&rc, 0xcf9, v | modes[i].code);
		assert_int_equal(resets, (int)i + 1);
		assert_int_equal(last_kind, modes[i].kind);
		/* RST_CPU reads clear; the rest as written. */
		assert_int_equal(cf9(), (v | modes[i].code) & 0xfb);
	}
}

static void test_cf9_direct_writes(void **state)
{
	(void)state;
	reset_ctl_write(&rc, 0xcf9, 0x06);
	assert_int_equal(resets, 1);
	assert_int_equal(last_kind, RESET_CTL_HARD);
	assert_int_equal(cf9(), 0x02);
	/* RST_CPU cleared itself: writing it again is a new request. */
	reset_ctl_write(&rc, 0xcf9, 0x06);
	assert_int_equal(resets, 2);

	reset_ctl_write(&rc, 0xcf9, 0x0e);
	assert_int_equal(resets, 3);
	assert_int_equal(last_kind, RESET_CTL_FULL);
	assert_int_equal(cf9(), 0x0a);

	/* Without SYS_RST it is an INIT, FULL_RST or not. */
	reset_ctl_write(&rc, 0xcf9, 0x04);
	assert_int_equal(resets, 4);
	assert_int_equal(last_kind, RESET_CTL_SOFT);
	reset_ctl_write(&rc, 0xcf9, 0x0c);
	assert_int_equal(resets, 5);
	assert_int_equal(last_kind, RESET_CTL_SOFT);
	assert_int_equal(cf9(), 0x08);
}

/* No write without bit 2 resets; everything but bit 2 reads back. */
static void test_cf9_no_reset_without_rst_cpu(void **state)
{
	(void)state;
	for (unsigned int v = 0; v < 256; v++) {
		if (v & 0x04)
			continue;
		reset_ctl_write(&rc, 0xcf9, (uint8_t)v);
		assert_int_equal(cf9(), v);
	}
	assert_int_equal(resets, 0);
	for (unsigned int v = 0; v < 256; v++) {
		if (!(v & 0x04))
			continue;
		reset_ctl_write(&rc, 0xcf9, (uint8_t)v);
		assert_int_equal(cf9(), v & 0xfb);
	}
	assert_int_equal(resets, 128);
}

/* Linux's enable_a20_fast: read, set A20, clear INIT_NOW, write. */
static void test_port_a_a20(void **state)
{
	(void)state;
	reset_ctl_write(&rc, 0x92, 0x00);
	assert_int_equal(port_a(), 0x00);
	uint8_t v = port_a();

	v |= 0x02;
	v &= (uint8_t)~0x01;
	reset_ctl_write(&rc, 0x92, v);
	assert_int_equal(port_a(), 0x02);
	/* Reserved bits read 0. */
	reset_ctl_write(&rc, 0x92, 0xfe);
	assert_int_equal(port_a(), 0x02);
	assert_int_equal(resets, 0);
}

static void test_port_a_fast_reset(void **state)
{
	(void)state;
	reset_ctl_write(&rc, 0x92, 0x03);
	assert_int_equal(resets, 1);
	assert_int_equal(last_kind, RESET_CTL_FAST);
	assert_int_equal(port_a(), 0x03);
	/* A read-modify-write keeping INIT_NOW set is no new edge. */
	reset_ctl_write(&rc, 0x92, port_a());
	reset_ctl_write(&rc, 0x92, 0x01);
	assert_int_equal(resets, 1);
	assert_int_equal(port_a(), 0x01);
	/* Down, then up again. */
	reset_ctl_write(&rc, 0x92, 0x00);
	assert_int_equal(resets, 1);
	reset_ctl_write(&rc, 0x92, 0x01);
	assert_int_equal(resets, 2);
	/* The two registers are independent. */
	assert_int_equal(cf9(), 0x00);
}

/* The owner resets the model from inside the callback: the new state sticks. */
static void test_reset_reentrant(void **state)
{
	(void)state;
	reset_from_callback = true;
	reset_ctl_write(&rc, 0xcf9, 0x0e);
	assert_int_equal(resets, 1);
	assert_int_equal(cf9(), 0x00);
	reset_ctl_write(&rc, 0x92, 0x01);
	assert_int_equal(resets, 2);
	assert_int_equal(port_a(), 0x02); /* INIT_NOW back to 0: the next 1 is an edge */
	reset_ctl_write(&rc, 0x92, 0x03);
	assert_int_equal(resets, 3);
}

static void test_other_ports_and_no_callback(void **state)
{
	(void)state;
	assert_int_equal(reset_ctl_read(&rc, 0xcf8), 0xff);
	assert_int_equal(reset_ctl_read(&rc, 0xcfa), 0xff);
	assert_int_equal(reset_ctl_read(&rc, 0x93), 0xff);
	reset_ctl_write(&rc, 0xcf8, 0x06);
	reset_ctl_write(&rc, 0x93, 0x01);
	assert_int_equal(resets, 0);
	assert_int_equal(cf9(), 0x00);
	assert_int_equal(port_a(), 0x02);

	struct reset_ctl_config none = { 0 };

	reset_ctl_init(&rc, &none);
	reset_ctl_write(&rc, 0xcf9, 0x06);
	reset_ctl_write(&rc, 0x92, 0x01);
	assert_int_equal(cf9(), 0x02);
	assert_int_equal(port_a(), 0x01);
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Random writes against the rules stated in the header, tracked independently. */
static void test_random_writes(void **state)
{
	(void)state;
	int expect = 0;
	uint8_t a = port_a();

	for (int i = 0; i < 100000; i++) {
		uint32_t r = next_rand();
		uint8_t v = (uint8_t)(r >> 8);

		if (r & 1) {
			reset_ctl_write(&rc, 0xcf9, v);
			if (v & 0x04)
				expect++;
			assert_int_equal(cf9(), v & 0xfb);
		} else {
			reset_ctl_write(&rc, 0x92, v);
			if ((v & 1) && !(a & 1))
				expect++;
			a = v & 0x03;
			assert_int_equal(port_a(), a);
		}
		assert_int_equal(resets, expect);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on, setup),
		cmocka_unit_test_setup(test_cf9_linux_reboot, setup),
		cmocka_unit_test_setup(test_cf9_direct_writes, setup),
		cmocka_unit_test_setup(test_cf9_no_reset_without_rst_cpu, setup),
		cmocka_unit_test_setup(test_port_a_a20, setup),
		cmocka_unit_test_setup(test_port_a_fast_reset, setup),
		cmocka_unit_test_setup(test_reset_reentrant, setup),
		cmocka_unit_test_setup(test_other_ports_and_no_callback, setup),
		cmocka_unit_test_setup(test_random_writes, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
