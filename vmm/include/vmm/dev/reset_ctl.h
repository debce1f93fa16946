/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_RESET_CTL_H
#define VMM_DEV_RESET_CTL_H

/*
 * The two chipset registers a PC guest resets itself through, besides the
 * 8042: the ICH reset control register at 0xcf9 and System Control Port A
 * at 0x92. Both are byte registers; 0xcf9 sits inside the PCI configuration
 * mechanism's 0xcf8-0xcff, and only a byte access to 0xcf9 itself is this
 * register (the owner sends wider accesses to CONFIG_ADDRESS).
 *
 * 0xcf9: bit 1 (SYS_RST) picks hard over soft reset, bit 3 (FULL_RST) with
 * it a power cycle, and a 0 to 1 transition of bit 2 (RST_CPU) performs it.
 * RST_CPU clears itself once acted on, so it always reads 0 and every write
 * with it set is a new request (Linux writes 0x02 and then 0x06 or 0x0e).
 *
 * 0x92: bit 0 (INIT_NOW) going from 0 to 1 is the fast reset; it reads back
 * as written, so a read-modify-write that keeps it set does not reset again
 * (which is why Linux's A20 code clears it). Bit 1 is the A20 gate, stored
 * and read back only: the partition's memory never wraps at 1 MiB. The
 * other bits are reserved and read 0.
 *
 * Not locked: the owner serialises calls. The reset callback is the last
 * thing a write does, so the owner may reset this model from inside it.
 */
#include <plinth/types.h>

#define RESET_CTL_CF9_PORT 0xcf9
#define RESET_CTL_PORT_A 0x92

#define RESET_CF9_SYS_RST 0x02
#define RESET_CF9_RST_CPU 0x04
#define RESET_CF9_FULL_RST 0x08

#define RESET_PORT_A_INIT 0x01
#define RESET_PORT_A_A20 0x02

enum reset_ctl_kind {
	RESET_CTL_SOFT, /* 0xcf9 with SYS_RST clear: INIT# only */
	RESET_CTL_HARD, /* 0xcf9 with SYS_RST: platform reset */
	RESET_CTL_FULL, /* 0xcf9 with SYS_RST and FULL_RST: power cycle */
	RESET_CTL_FAST, /* 0x92 INIT_NOW */
};

struct reset_ctl_config {
	void (*reset)(void *ctx, enum reset_ctl_kind kind);
	void *ctx;
};

struct reset_ctl {
	struct reset_ctl_config cfg;
	uint8_t cf9;    /* as last written, RST_CPU clear */
	uint8_t port_a; /* INIT_NOW and A20 as last written */
};

void reset_ctl_init(struct reset_ctl *rc, const struct reset_ctl_config *cfg);
/* Power-on state: 0xcf9 reads 0, port 0x92 reads 0x02 (A20 on). */
void reset_ctl_reset(struct reset_ctl *rc);
/* port is 0xcf9 or 0x92; other ports read 0xff and are ignored. */
uint8_t reset_ctl_read(struct reset_ctl *rc, uint16_t port);
void reset_ctl_write(struct reset_ctl *rc, uint16_t port, uint8_t value);

#endif
