// SPDX-License-Identifier: GPL-2.0
/*
 * The partition's 8042 keyboard controller (vmm/include/vmm/dev/i8042.h).
 *
 * A real 8042 has a one-byte output buffer and holds its devices off while
 * it is full; here the only bytes ever produced are answers to the guest's
 * own writes, one per write, so a short FIFO keeps them in order and a guest
 * that never reads simply loses the newest ones: the buffer cannot grow.
 */
#include <plinth/string.h>
#include <vmm/dev/i8042.h>

/* Controller commands (0x64 write). */
#define CMD_READ_RAM 0x20  /* 0x20-0x3f: RAM byte (cmd & 0x1f); 0x20 is the CTR */
#define CMD_WRITE_RAM 0x60 /* 0x60-0x7f: the next data byte into RAM */
#define CMD_AUX_DISABLE 0xa7
#define CMD_AUX_ENABLE 0xa8
#define CMD_AUX_TEST 0xa9
#define CMD_SELF_TEST 0xaa
#define CMD_KBD_TEST 0xab
#define CMD_KBD_DISABLE 0xad
#define CMD_KBD_ENABLE 0xae
#define CMD_READ_INPORT 0xc0
#define CMD_READ_OUTPORT 0xd0
#define CMD_WRITE_OUTPORT 0xd1
#define CMD_WRITE_KBD_OBUF 0xd2
#define CMD_WRITE_AUX_OBUF 0xd3
#define CMD_WRITE_AUX 0xd4
#define CMD_PULSE 0xf0 /* 0xf0-0xff: pulse output port bits 0-3 that are clear */

#define SELF_TEST_OK 0x55
#define PORT_TEST_OK 0x00
#define DEVICE_NO_ANSWER 0xfe

/*
 * Input port: bit 7 keyboard not inhibited, bit 5 no manufacturing jumper
 * (an installed one sends some firmware into a test loop); the RAM-size
 * and display-type bits of the AT mean nothing here and read 0.
 */
#define INPORT_VALUE 0xa0
/*
 * Output port at power-on: reset released, A20 on (the partition's memory
 * never wraps at 1 MiB), bits 2-3 and the idle-high clock/data lines 6-7 set.
 */
#define OUTPORT_POWER_ON 0xcf
/* Bits of a 0xd1 write that are kept: 4 and 5 are the IRQ lines, driven by the buffer. */
#define OUTPORT_STORED 0xcf
/* Keyboard and aux ports enabled, interrupts off until the guest asks, scan code translation on. */
#define CTR_POWER_ON I8042_CTR_XLATE

static const struct i8042_byte *fifo_head(const struct i8042 *k)
{
	return k->count ? &k->fifo[k->head] : NULL;
}

static void drive(const struct dev_irq *irq, bool *level, bool want)
{
	if (*level == want)
		return;
	*level = want;
	dev_irq_set(irq, want);
}

/*
 * Lines follow the head of the buffer. fresh: the head was just consumed,
 * so drop both first and a following device byte gets an edge of its own.
 */
static void update_irqs(struct i8042 *k, bool fresh)
{
	const struct i8042_byte *b = fifo_head(k);
	bool kbd = b && b->src == I8042_SRC_KBD && (k->ctr & I8042_CTR_KBDINT);
	bool aux = b && b->src == I8042_SRC_AUX && (k->ctr & I8042_CTR_AUXINT);

	if (fresh) {
		drive(&k->cfg.kbd_irq, &k->kbd_level, false);
		drive(&k->cfg.aux_irq, &k->aux_level, false);
	}
	drive(&k->cfg.kbd_irq, &k->kbd_level, kbd);
	drive(&k->cfg.aux_irq, &k->aux_level, aux);
}

static void push(struct i8042 *k, uint8_t value, enum i8042_src src, bool timeout)
{
	if (k->count == I8042_FIFO_SIZE)
		return; /* the guest is not reading: drop, never grow */
	k->fifo[(k->head + k->count) % I8042_FIFO_SIZE] = (struct i8042_byte){
		.value = value,
		.src = (uint8_t)src,
		.timeout = timeout,
	};
	k->count++;
	if (k->count == 1)
		update_irqs(k, false);
}

static uint8_t pop(struct i8042 *k)
{
	if (!k->count)
		return k->last; /* the output buffer latch still holds the old byte */
	k->last = k->fifo[k->head].value;
	k->head = (k->head + 1) % I8042_FIFO_SIZE;
	k->count--;
	update_irqs(k, true);
	return k->last;
}

void i8042_init(struct i8042 *kbc, const struct i8042_config *cfg)
{
	memset(kbc, 0, sizeof(*kbc));
	kbc->cfg = *cfg;
	i8042_reset(kbc);
}

void i8042_reset(struct i8042 *kbc)
{
	memset(kbc->ram, 0, sizeof(kbc->ram));
	kbc->ctr = CTR_POWER_ON;
	kbc->outport = OUTPORT_POWER_ON;
	kbc->pending = 0;
	kbc->cmd_last = false;
	kbc->last = 0;
	kbc->head = 0;
	kbc->count = 0;
	update_irqs(kbc, false);
}

static uint8_t status(const struct i8042 *k)
{
	const struct i8042_byte *b = fifo_head(k);
	uint8_t s = I8042_STR_KEYLOCK;

	if (k->ctr & I8042_CTR_SYSFLAG)
		s |= I8042_STR_SYSFLAG;
	if (k->cmd_last)
		s |= I8042_STR_CMDDAT;
	if (b) {
		s |= I8042_STR_OBF;
		if (b->src == I8042_SRC_AUX)
			s |= I8042_STR_AUXDATA;
		if (b->timeout)
			s |= I8042_STR_TIMEOUT;
	}
	return s;
}

uint8_t i8042_read(struct i8042 *kbc, uint16_t port)
{
	if (port == I8042_CMD_PORT)
		return status(kbc);
	if (port == I8042_DATA_PORT)
		return pop(kbc);
	return 0xff;
}

static void set_ctr(struct i8042 *k, uint8_t v)
{
	k->ctr = v;
	update_irqs(k, false);
}

static uint8_t outport_value(const struct i8042 *k)
{
	uint8_t v = k->outport & OUTPORT_STORED;

	if (k->kbd_level)
		v |= I8042_OUT_KBD_OBF;
	if (k->aux_level)
		v |= I8042_OUT_AUX_OBF;
	return v;
}

static void cpu_reset(struct i8042 *k)
{
	if (k->cfg.reset)
		k->cfg.reset(k->cfg.ctx);
}

static void write_command(struct i8042 *k, uint8_t cmd)
{
	/* A new command replaces one still waiting for its data byte. */
	k->pending = 0;

	if (cmd >= CMD_READ_RAM && cmd < CMD_READ_RAM + I8042_RAM_SIZE) {
		unsigned int i = cmd - CMD_READ_RAM;

		push(k, i ? k->ram[i] : k->ctr, I8042_SRC_CTL, false);
		return;
	}
	if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + I8042_RAM_SIZE) {
		k->pending = cmd;
		return;
	}
	if (cmd >= CMD_PULSE) {
		/*
		 * Bits 1-3 come back within microseconds, so only the reset
		 * line (bit 0) has an effect. 0xff pulses nothing: Linux's
		 * A20 code sends it as a null command.
		 */
		if (!(cmd & I8042_OUT_RESET))
			cpu_reset(k);
		return;
	}

	switch (cmd) {
	case CMD_AUX_DISABLE:
		set_ctr(k, k->ctr | I8042_CTR_AUXDIS);
		return;
	case CMD_AUX_ENABLE:
		set_ctr(k, k->ctr & ~I8042_CTR_AUXDIS);
		return;
	case CMD_KBD_DISABLE:
		set_ctr(k, k->ctr | I8042_CTR_KBDDIS);
		return;
	case CMD_KBD_ENABLE:
		set_ctr(k, k->ctr & ~I8042_CTR_KBDDIS);
		return;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		/* The clock and data lines are idle and fine: nothing is plugged in. */
		push(k, PORT_TEST_OK, I8042_SRC_CTL, false);
		return;
	case CMD_SELF_TEST:
		set_ctr(k, k->ctr | I8042_CTR_SYSFLAG);
		push(k, SELF_TEST_OK, I8042_SRC_CTL, false);
		return;
	case CMD_READ_INPORT:
		push(k, INPORT_VALUE, I8042_SRC_CTL, false);
		return;
	case CMD_READ_OUTPORT:
		push(k, outport_value(k), I8042_SRC_CTL, false);
		return;
	case CMD_WRITE_OUTPORT:
	case CMD_WRITE_KBD_OBUF:
	case CMD_WRITE_AUX_OBUF:
	case CMD_WRITE_AUX:
		k->pending = cmd;
		return;
	}
	if (k->cfg.unknown)
		k->cfg.unknown(k->cfg.ctx, cmd);
}

static void write_data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + I8042_RAM_SIZE) {
		if (cmd == CMD_WRITE_RAM)
			set_ctr(k, v);
		else
			k->ram[cmd - CMD_WRITE_RAM] = v;
		return;
	}
	switch (cmd) {
	case CMD_WRITE_OUTPORT:
		/*
		 * The reset line is taken as a pulse: it reads back released,
		 * since the CPU it held has been reset by the owner.
		 */
		k->outport = (v & OUTPORT_STORED) | I8042_OUT_RESET;
		if (!(v & I8042_OUT_RESET))
			cpu_reset(k);
		return;
	case CMD_WRITE_KBD_OBUF:
		/* Returned untranslated: it is the guest's own byte, not a scan code. */
		push(k, v, I8042_SRC_KBD, false);
		return;
	case CMD_WRITE_AUX_OBUF:
		push(k, v, I8042_SRC_AUX, false);
		return;
	case CMD_WRITE_AUX:
		push(k, DEVICE_NO_ANSWER, I8042_SRC_AUX, true);
		return;
	}
	/*
	 * For the keyboard. Whether or not its interface is disabled, nothing
	 * answers, and the controller reports that as a device would a resend
	 * request, flagged as a timeout. 0xfe passes scan code translation
	 * unchanged on a real 8042, so XLATE makes no difference.
	 */
	push(k, DEVICE_NO_ANSWER, I8042_SRC_KBD, true);
}

void i8042_write(struct i8042 *kbc, uint16_t port, uint8_t value)
{
	if (port == I8042_CMD_PORT) {
		kbc->cmd_last = true;
		write_command(kbc, value);
	} else if (port == I8042_DATA_PORT) {
		kbc->cmd_last = false;
		write_data(kbc, value);
	}
}
