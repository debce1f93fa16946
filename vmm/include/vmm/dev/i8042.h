/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_I8042_H
#define VMM_DEV_I8042_H

/*
 * An 8042 keyboard controller (ports 0x60 data, 0x64 status/command) with
 * nothing plugged into either of its ports. It exists so that a guest's
 * i8042 driver probes it and finds it empty quickly (self-test, CTR, the
 * AUX loopback and IRQ12 test all behave as on a PC), and so that the
 * "pulse reset line" commands a guest uses to reboot reach the owner.
 *
 * Every command completes at once, so IBF never reads set. Bytes the guest
 * sends to the keyboard (0x60 with no command pending) or to the mouse
 * (0xd4) are answered the way a controller answers a device that never
 * clocks the byte in: 0xfe with the timeout status bit set. Linux's libps2
 * takes 0xfe as a NAK (atkbd gives up after one resend) and psmouse aborts
 * on SERIO_TIMEOUT, so both probes fail in microseconds instead of waiting
 * out their per-command ACK timeouts as they would if nothing came back.
 *
 * IRQ1/IRQ12 follow the byte at the head of the output buffer: asserted
 * while it came from the keyboard/aux side and CTR enables that interrupt,
 * dropped when the guest reads it (and raised again for a next one, so an
 * edge-triggered pin sees every byte). Controller replies raise neither.
 *
 * Not locked: the owner serialises calls. The reset callback is always the
 * last thing a write does, so the owner may reset this model from inside it.
 */
#include <vmm/dev/dev.h>

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64 /* status on read, command on write */

/* Status register (0x64 read). */
#define I8042_STR_OBF 0x01     /* output buffer full */
#define I8042_STR_IBF 0x02     /* input buffer full: never, commands finish at once */
#define I8042_STR_SYSFLAG 0x04 /* CTR bit 2; set by the self-test */
#define I8042_STR_CMDDAT 0x08  /* last write was to 0x64 */
#define I8042_STR_KEYLOCK 0x10 /* 1 = keyboard not inhibited by the key lock */
#define I8042_STR_AUXDATA 0x20 /* the byte in the output buffer is from the aux port */
#define I8042_STR_TIMEOUT 0x40 /* ... and is the answer of a device that never responded */
#define I8042_STR_PARITY 0x80  /* never: nothing is ever received over a wire */

/* Controller configuration byte (CTR, internal RAM byte 0). */
#define I8042_CTR_KBDINT 0x01
#define I8042_CTR_AUXINT 0x02
#define I8042_CTR_SYSFLAG 0x04
#define I8042_CTR_IGNKEYLOCK 0x08
#define I8042_CTR_KBDDIS 0x10
#define I8042_CTR_AUXDIS 0x20
#define I8042_CTR_XLATE 0x40

/* Output port (0xd0 / 0xd1). */
#define I8042_OUT_RESET 0x01 /* active low: clearing it resets the CPU */
#define I8042_OUT_A20 0x02
#define I8042_OUT_KBD_OBF 0x10 /* reads back the IRQ1 line */
#define I8042_OUT_AUX_OBF 0x20 /* reads back the IRQ12 line */

#define I8042_RAM_SIZE 32
#define I8042_FIFO_SIZE 16

enum i8042_src {
	I8042_SRC_CTL, /* a reply of the controller itself */
	I8042_SRC_KBD,
	I8042_SRC_AUX,
};

struct i8042_byte {
	uint8_t value;
	uint8_t src; /* enum i8042_src */
	bool timeout;
};

struct i8042_config {
	struct dev_irq kbd_irq; /* ISA IRQ1 */
	struct dev_irq aux_irq; /* ISA IRQ12 */
	/* The guest pulsed the CPU reset line (0xfe, 0xf0-0xfe, 0xd1 with bit 0 clear). */
	void (*reset)(void *ctx);
	/* Optional: a command this model does not implement was ignored (every time). */
	void (*unknown)(void *ctx, uint8_t cmd);
	void *ctx;
};

struct i8042 {
	struct i8042_config cfg;
	uint8_t ctr;                 /* internal RAM byte 0 */
	uint8_t ram[I8042_RAM_SIZE]; /* bytes 1-31; [0] unused, it is ctr */
	uint8_t outport;             /* as last written; bits 4/5 are read from the lines */
	uint8_t pending;             /* command waiting for its data byte, 0 if none */
	bool cmd_last;               /* status bit 3 */
	uint8_t last;                /* what 0x60 reads with nothing pending */
	struct i8042_byte fifo[I8042_FIFO_SIZE];
	unsigned int head, count;
	bool kbd_level, aux_level; /* the lines as last driven */
};

void i8042_init(struct i8042 *kbc, const struct i8042_config *cfg);
/* Power-on state: buffer empty, CTR 0x40, output port 0xcf; asserted lines are dropped. */
void i8042_reset(struct i8042 *kbc);
/* port is 0x60 or 0x64; other ports read 0xff and are ignored. */
uint8_t i8042_read(struct i8042 *kbc, uint16_t port);
void i8042_write(struct i8042 *kbc, uint16_t port, uint8_t value);

#endif
