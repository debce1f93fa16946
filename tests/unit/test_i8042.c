/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <vmm/dev/i8042.h>

struct line {
	bool level;
	int rises;
	int calls;
};

static struct i8042 kbc;
static struct line irq1, irq12;
static int resets;
static bool reset_from_callback;
static int unknowns;
static uint8_t unknown_cmd;

static void set_level(void *ctx, bool asserted)
{
	struct line *l = ctx;

	/* The model only calls on a change. */
	assert_true(l->level != asserted);
	l->calls++;
	if (asserted)
		l->rises++;
	l->level = asserted;
}

static void on_reset(void *ctx)
{
	assert_ptr_equal(ctx, &kbc);
	resets++;
	if (reset_from_callback)
		i8042_reset(&kbc);
}

static void on_unknown(void *ctx, uint8_t cmd)
{
	(void)ctx;
	unknowns++;
	unknown_cmd = cmd;
}

static int setup(void **state)
{
	(void)state;
	struct i8042_config cfg = {
		.kbd_irq = { set_level, &irq1 },
		.aux_irq = { set_level, &irq12 },
		.reset = on_reset,
		.unknown = on_unknown,
		.ctx = &kbc,
	};

	irq1 = (struct line){ 0 };
	irq12 = (struct line){ 0 };
	resets = 0;
	reset_from_callback = false;
	unknowns = 0;
	i8042_init(&kbc, &cfg);
	return 0;
}

static uint8_t status(void)
{
	return i8042_read(&kbc, 0x64);
}

static uint8_t data(void)
{
	return i8042_read(&kbc, 0x60);
}

static void cmd(uint8_t c)
{
	/* What Linux's i8042_wait_write() checks first. */
	assert_false(status() & I8042_STR_IBF);
	i8042_write(&kbc, 0x64, c);
}

static void put(uint8_t v)
{
	assert_false(status() & I8042_STR_IBF);
	i8042_write(&kbc, 0x60, v);
}

/* A command and its one reply, as Linux's i8042_command() polls for it. */
static uint8_t query(uint8_t c)
{
	cmd(c);
	assert_true(status() & I8042_STR_OBF);
	assert_false(status() & I8042_STR_AUXDATA);
	return data();
}

static void write_ctr(uint8_t v)
{
	cmd(0x60);
	put(v);
}

static void assert_empty(void)
{
	assert_false(status() & I8042_STR_OBF);
}

static void test_power_on(void **state)
{
	(void)state;
	assert_int_equal(status(), I8042_STR_KEYLOCK);
	assert_int_equal(query(0x20), I8042_CTR_XLATE);
	assert_int_equal(query(0xd0), 0xcf);
	assert_empty();
	assert_false(irq1.level || irq12.level);
	assert_int_equal(resets + unknowns, 0);
}

/* Bit 3 says where the last write went; the flush loop's reads do not change it. */
static void test_cmd_dat_bit(void **state)
{
	(void)state;
	cmd(0xad);
	assert_true(status() & I8042_STR_CMDDAT);
	data();
	assert_true(status() & I8042_STR_CMDDAT);
	cmd(0xd2);
	put(0x12);
	assert_false(status() & I8042_STR_CMDDAT);
	assert_int_equal(data(), 0x12);
	cmd(0xae);
	assert_true(status() & I8042_STR_CMDDAT);
}

/* i8042_controller_check/selftest/init and i8042_check_aux, in order. */
static void test_linux_probe(void **state)
{
	(void)state;
	uint8_t ctr, again;

	/* i8042_flush: nothing queued, and no 0xff status saying "no controller". */
	assert_empty();
	assert_int_not_equal(status(), 0xff);

	assert_int_equal(query(0xaa), 0x55);
	assert_true(status() & I8042_STR_SYSFLAG);

	/* The CTR is read until two reads agree. */
	ctr = query(0x20);
	again = query(0x20);
	assert_int_equal(ctr, again);
	assert_true(ctr & I8042_CTR_SYSFLAG);
	assert_true(status() & I8042_STR_KEYLOCK); /* no "Keylock active" warning */

	ctr |= I8042_CTR_KBDDIS;
	ctr &= (uint8_t)~I8042_CTR_KBDINT;
	write_ctr(ctr);
	assert_int_equal(query(0x20), ctr);

	/* AUX loopback: the reply must be flagged as aux data. */
	cmd(0xd3);
	put(0x5a);
	assert_true(status() & I8042_STR_AUXDATA);
	assert_false(status() & I8042_STR_TIMEOUT);
	assert_int_equal(data(), 0x5a);
	assert_false(irq12.level); /* AUXINT still off */

	/* Bit assignment test. */
	cmd(0xa7);
	assert_true(query(0x20) & I8042_CTR_AUXDIS);
	cmd(0xa8);
	assert_false(query(0x20) & I8042_CTR_AUXDIS);

	/* AUX IRQ delivery test: i8042_enable_aux_port, then a loopback byte. */
	ctr = query(0x20);
	ctr &= (uint8_t)~I8042_CTR_AUXDIS;
	ctr |= I8042_CTR_AUXINT;
	write_ctr(ctr);
	assert_false(irq12.level);
	cmd(0xd3);
	put(0xa5);
	assert_true(irq12.level);
	assert_false(irq1.level);
	assert_int_equal(status() & (I8042_STR_OBF | I8042_STR_AUXDATA),
			 I8042_STR_OBF | I8042_STR_AUXDATA);
	assert_int_equal(data(), 0xa5);
	assert_false(irq12.level);
	assert_int_equal(irq12.rises, 1);

	/* i8042_enable_kbd_port. */
	ctr &= (uint8_t)~I8042_CTR_KBDDIS;
	ctr |= I8042_CTR_KBDINT;
	write_ctr(ctr);
	assert_int_equal(query(0x20), ctr);
	assert_empty();
	assert_false(irq1.level || irq12.level);
	assert_int_equal(resets + unknowns, 0);
}

/* i8042_set_mux_mode: a controller that echoes all three bytes is not a MUX. */
static void test_not_a_mux(void **state)
{
	(void)state;
	static const uint8_t seq[] = { 0xf0, 0x56, 0xa4 };

	for (unsigned int i = 0; i < sizeof(seq); i++) {
		cmd(0xd3);
		put(seq[i]);
		assert_int_equal(data(), seq[i]);
	}
}

static void test_port_tests_and_ports(void **state)
{
	(void)state;
	assert_int_equal(query(0xa9), 0x00);
	assert_int_equal(query(0xab), 0x00);
	assert_int_equal(query(0xc0), 0xa0);
	assert_int_equal(query(0xd0), 0xcf);
	assert_int_equal(resets + unknowns, 0);
}

static void test_port_enable_bits(void **state)
{
	(void)state;
	write_ctr(0x00);
	cmd(0xad);
	assert_int_equal(query(0x20), I8042_CTR_KBDDIS);
	cmd(0xa7);
	assert_int_equal(query(0x20), I8042_CTR_KBDDIS | I8042_CTR_AUXDIS);
	cmd(0xae);
	assert_int_equal(query(0x20), I8042_CTR_AUXDIS);
	cmd(0xa8);
	assert_int_equal(query(0x20), 0x00);
}

static void test_ctr_round_trip(void **state)
{
	(void)state;
	for (unsigned int v = 0; v < 256; v++) {
		write_ctr((uint8_t)v);
		assert_int_equal(query(0x20), v);
		assert_int_equal(!!(status() & I8042_STR_SYSFLAG), !!(v & I8042_CTR_SYSFLAG));
	}
	/* Controller replies never raise a line, whatever CTR enables. */
	assert_int_equal(irq1.calls + irq12.calls, 0);
}

static void test_internal_ram(void **state)
{
	(void)state;
	for (unsigned int i = 1; i < 32; i++) {
		cmd((uint8_t)(0x60 + i));
		put((uint8_t)(i * 7));
	}
	for (unsigned int i = 1; i < 32; i++)
		assert_int_equal(query((uint8_t)(0x20 + i)), (uint8_t)(i * 7));
	assert_int_equal(query(0x20), I8042_CTR_XLATE);
}

/* Replies come out in the order asked; reading past them repeats the last. */
static void test_output_order(void **state)
{
	(void)state;
	cmd(0xaa);
	cmd(0x20);
	cmd(0xd2);
	put(0x11);
	cmd(0xd3);
	put(0x22);
	cmd(0xc0);
	assert_int_equal(status() & I8042_STR_AUXDATA, 0);
	assert_int_equal(data(), 0x55);
	assert_int_equal(data(), I8042_CTR_XLATE | I8042_CTR_SYSFLAG);
	assert_int_equal(data(), 0x11);
	assert_true(status() & I8042_STR_AUXDATA);
	assert_int_equal(data(), 0x22);
	assert_false(status() & I8042_STR_AUXDATA);
	assert_int_equal(data(), 0xa0);
	assert_empty();
	assert_int_equal(data(), 0xa0);
	assert_int_equal(data(), 0xa0);
	assert_empty();
}

/* A guest that never reads loses the newest bytes; the buffer stays bounded. */
static void test_output_overflow(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < I8042_FIFO_SIZE + 8; i++) {
		cmd(0xd2);
		put((uint8_t)i);
	}
	for (unsigned int i = 0; i < I8042_FIFO_SIZE; i++) {
		assert_true(status() & I8042_STR_OBF);
		assert_int_equal(data(), i);
	}
	assert_empty();
	assert_int_equal(data(), I8042_FIFO_SIZE - 1);
}

/* What libps2 sees for every byte sent to an absent keyboard or mouse. */
static void test_no_device_answer(void **state)
{
	(void)state;
	put(0xf2); /* GET ID */
	assert_int_equal(status() & (I8042_STR_OBF | I8042_STR_TIMEOUT | I8042_STR_AUXDATA),
			 I8042_STR_OBF | I8042_STR_TIMEOUT);
	assert_int_equal(data(), 0xfe);
	assert_false(status() & I8042_STR_TIMEOUT);
	assert_empty();

	cmd(0xd4);
	put(0xf2);
	assert_int_equal(status() & (I8042_STR_OBF | I8042_STR_TIMEOUT | I8042_STR_AUXDATA),
			 I8042_STR_OBF | I8042_STR_TIMEOUT | I8042_STR_AUXDATA);
	assert_int_equal(data(), 0xfe);
	assert_empty();

	/* The same with the keyboard interface disabled, and once per byte. */
	cmd(0xad);
	put(0xed);
	put(0x07);
	assert_int_equal(data(), 0xfe);
	assert_true(status() & I8042_STR_TIMEOUT);
	assert_int_equal(data(), 0xfe);
	assert_empty();
	assert_int_equal(status() & (I8042_STR_TIMEOUT | I8042_STR_PARITY), 0);
}

/* The answer reaches the serio drivers through the interrupt, as with a device. */
static void test_no_device_interrupts(void **state)
{
	(void)state;
	write_ctr(I8042_CTR_KBDINT | I8042_CTR_AUXINT | I8042_CTR_XLATE);
	put(0xff);
	assert_true(irq1.level);
	assert_false(irq12.level);
	data();
	cmd(0xd4);
	put(0xff);
	assert_true(irq12.level);
	assert_false(irq1.level);
	data();
	assert_false(irq1.level || irq12.level);
	assert_int_equal(irq1.rises, 1);
	assert_int_equal(irq12.rises, 1);
}

static void test_irq_lines(void **state)
{
	(void)state;
	/* Interrupts off: a keyboard byte raises nothing. */
	write_ctr(0x00);
	cmd(0xd2);
	put(0x41);
	assert_false(irq1.level);
	/* Enabling it with the byte waiting raises it; reading drops it. */
	write_ctr(I8042_CTR_KBDINT);
	assert_true(irq1.level);
	/* The output port's bits 4/5 are the lines, as they were when it was read. */
	cmd(0xd0);
	assert_int_equal(data(), 0x41);
	assert_false(irq1.level); /* the 0xd0 reply is a controller byte */
	assert_int_equal(data() & (I8042_OUT_KBD_OBF | I8042_OUT_AUX_OBF), I8042_OUT_KBD_OBF);
	assert_empty();

	/* Two keyboard bytes: one edge each. */
	cmd(0xd2);
	put(1);
	cmd(0xd2);
	put(2);
	assert_int_equal(irq1.rises, 2);
	assert_int_equal(data(), 1);
	assert_true(irq1.level);
	assert_int_equal(irq1.rises, 3);
	assert_int_equal(data(), 2);
	assert_false(irq1.level);

	/* A device byte behind a controller reply waits for it to be read. */
	cmd(0x20);
	cmd(0xd2);
	put(3);
	assert_false(irq1.level);
	assert_int_equal(data(), I8042_CTR_KBDINT);
	assert_true(irq1.level);
	/* Disabling the interrupt drops the line; the byte stays. */
	write_ctr(0x00);
	assert_false(irq1.level);
	assert_true(status() & I8042_STR_OBF);
	assert_int_equal(data(), 3);

	/* Aux bytes drive only IRQ12, and only with AUXINT. */
	cmd(0xd3);
	put(4);
	assert_false(irq12.level);
	write_ctr(I8042_CTR_AUXINT);
	assert_true(irq12.level);
	assert_false(irq1.level);
	cmd(0xd0);
	assert_int_equal(data(), 4);
	assert_false(irq12.level);
	assert_int_equal(data() & (I8042_OUT_KBD_OBF | I8042_OUT_AUX_OBF), I8042_OUT_AUX_OBF);

	/* A reset drops an asserted line. */
	write_ctr(I8042_CTR_AUXINT);
	cmd(0xd3);
	put(5);
	assert_true(irq12.level);
	i8042_reset(&kbc);
	assert_false(irq12.level);
	assert_empty();
}

/* Linux's reboot=kbd: wait for IBF clear, write 0xfe, ten times over. */
static void test_reset_fe(void **state)
{
	(void)state;
	for (int i = 0; i < 10; i++)
		cmd(0xfe);
	assert_int_equal(resets, 10);
	assert_int_equal(unknowns, 0);
}

static void test_pulse_commands(void **state)
{
	(void)state;
	for (unsigned int c = 0xf0; c <= 0xff; c++) {
		int before = resets;

		cmd((uint8_t)c);
		assert_int_equal(resets - before, (c & 1) ? 0 : 1);
	}
	assert_empty();
	assert_int_equal(unknowns, 0);
	/* Pulses leave the output port as it was. */
	assert_int_equal(query(0xd0), 0xcf);
}

static void test_write_output_port(void **state)
{
	(void)state;
	/* Linux's enable_a20_kbc: 0xd1 0xdf, then the null command 0xff. */
	cmd(0xd1);
	put(0xdf);
	cmd(0xff);
	assert_int_equal(resets, 0);
	assert_true(query(0xd0) & I8042_OUT_A20);

	cmd(0xd1);
	put(0xdd); /* A20 off */
	assert_int_equal(resets, 0);
	assert_int_equal(query(0xd0), 0xcd);

	cmd(0xd1);
	put(0xfe); /* reset asserted, A20 on */
	assert_int_equal(resets, 1);
	assert_int_equal(query(0xd0), 0xcf); /* the line reads released again */
	assert_empty();
}

/* The owner may reset the controller from the callback: nothing is touched after it. */
static void test_reset_reentrant(void **state)
{
	(void)state;
	reset_from_callback = true;
	write_ctr(I8042_CTR_KBDINT);
	cmd(0xd2);
	put(9);
	assert_true(irq1.level);
	cmd(0xd1);
	put(0x00);
	assert_int_equal(resets, 1);
	assert_false(irq1.level);
	assert_empty();
	assert_int_equal(query(0x20), I8042_CTR_XLATE);
	assert_int_equal(query(0xd0), 0xcf);
	cmd(0xfe);
	assert_int_equal(resets, 2);
	assert_int_equal(status(), I8042_STR_KEYLOCK);
}

/* A command replaces one still waiting for its data byte. */
static void test_pending_replaced(void **state)
{
	(void)state;
	cmd(0x60);
	assert_int_equal(query(0x20), I8042_CTR_XLATE);
	put(0x00); /* no longer the CTR: it goes to the keyboard */
	assert_true(status() & I8042_STR_TIMEOUT);
	assert_int_equal(data(), 0xfe);
	assert_int_equal(query(0x20), I8042_CTR_XLATE);

	cmd(0xd1);
	cmd(0xd2);
	put(0x00); /* the 0xd2 byte, not an output port write */
	assert_int_equal(resets, 0);
	assert_int_equal(data(), 0x00);
	assert_false(status() & I8042_STR_TIMEOUT);
}

static void test_unknown_commands(void **state)
{
	(void)state;
	static const uint8_t cmds[] = {
		0x00, 0x1f, 0x80, 0xa1, 0xa4, 0xa6, 0xac, 0xaf, 0xc1, 0xcf, 0xd5, 0xdd, 0xe0, 0xef,
	};

	for (unsigned int i = 0; i < sizeof(cmds); i++) {
		cmd(cmds[i]);
		assert_int_equal(unknowns, (int)i + 1);
		assert_int_equal(unknown_cmd, cmds[i]);
		assert_empty();
	}
	assert_int_equal(resets, 0);
	assert_int_equal(query(0x20), I8042_CTR_XLATE);
	assert_int_equal(query(0xd0), 0xcf);

	/* Without the optional callback they are just ignored. */
	struct i8042_config quiet = { 0 };

	i8042_init(&kbc, &quiet);
	cmd(0xa4);
	cmd(0xfe);
	put(0x00);
	assert_int_equal(data(), 0xfe);
}

static void test_other_ports(void **state)
{
	(void)state;
	assert_int_equal(i8042_read(&kbc, 0x61), 0xff);
	assert_int_equal(i8042_read(&kbc, 0x65), 0xff);
	i8042_write(&kbc, 0x61, 0xfe);
	i8042_write(&kbc, 0x62, 0x00);
	assert_int_equal(status(), I8042_STR_KEYLOCK);
	assert_int_equal(resets + unknowns, 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Any guest writes: no crash, a bounded buffer, and status and lines that agree with it. */
static void test_random_writes(void **state)
{
	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint32_t r = next_rand();
		uint8_t v = (uint8_t)(r >> 8);

		reset_from_callback = r & 0x10000;
		switch (r & 7) {
		case 0:
		case 1:
		case 2:
			i8042_write(&kbc, 0x64, v);
			break;
		case 3:
		case 4:
			i8042_write(&kbc, 0x60, v);
			break;
		case 5:
			i8042_read(&kbc, 0x60);
			break;
		case 6:
			i8042_write(&kbc, (uint16_t)(0x5e + (r >> 20) % 10), v);
			break;
		case 7:
			i8042_read(&kbc, (uint16_t)(0x5e + (r >> 20) % 10));
			break;
		}

		uint8_t s = status();

		assert_true(kbc.count <= I8042_FIFO_SIZE);
		assert_true(kbc.head < I8042_FIFO_SIZE);
		assert_int_equal(!!(s & I8042_STR_OBF), kbc.count > 0);
		assert_false(s & (I8042_STR_IBF | I8042_STR_PARITY));
		assert_int_equal(!!(s & I8042_STR_SYSFLAG), !!(kbc.ctr & I8042_CTR_SYSFLAG));
		if (!(s & I8042_STR_OBF))
			assert_false(s & (I8042_STR_AUXDATA | I8042_STR_TIMEOUT));

		const struct i8042_byte *b = kbc.count ? &kbc.fifo[kbc.head] : NULL;

		assert_int_equal(irq1.level, b && b->src == I8042_SRC_KBD && (kbc.ctr & I8042_CTR_KBDINT));
		assert_int_equal(irq12.level, b && b->src == I8042_SRC_AUX && (kbc.ctr & I8042_CTR_AUXINT));
		assert_int_equal(irq1.level, kbc.kbd_level);
		assert_int_equal(irq12.level, kbc.aux_level);
	}
	/* Still a working controller afterwards. */
	while (status() & I8042_STR_OBF)
		data();
	assert_int_equal(query(0xaa), 0x55);
	assert_true(resets > 0);
	assert_true(unknowns > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on, setup),
		cmocka_unit_test_setup(test_cmd_dat_bit, setup),
		cmocka_unit_test_setup(test_linux_probe, setup),
		cmocka_unit_test_setup(test_not_a_mux, setup),
		cmocka_unit_test_setup(test_port_tests_and_ports, setup),
		cmocka_unit_test_setup(test_port_enable_bits, setup),
		cmocka_unit_test_setup(test_ctr_round_trip, setup),
		cmocka_unit_test_setup(test_internal_ram, setup),
		cmocka_unit_test_setup(test_output_order, setup),
		cmocka_unit_test_setup(test_output_overflow, setup),
		cmocka_unit_test_setup(test_no_device_answer, setup),
		cmocka_unit_test_setup(test_no_device_interrupts, setup),
		cmocka_unit_test_setup(test_irq_lines, setup),
		cmocka_unit_test_setup(test_reset_fe, setup),
		cmocka_unit_test_setup(test_pulse_commands, setup),
		cmocka_unit_test_setup(test_write_output_port, setup),
		cmocka_unit_test_setup(test_reset_reentrant, setup),
		cmocka_unit_test_setup(test_pending_replaced, setup),
		cmocka_unit_test_setup(test_unknown_commands, setup),
		cmocka_unit_test_setup(test_other_ports, setup),
		cmocka_unit_test_setup(test_random_writes, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
