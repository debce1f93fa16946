// SPDX-License-Identifier: GPL-2.0
/*
 * The partition's reset control registers (vmm/include/vmm/dev/reset_ctl.h).
 */
#include <plinth/string.h>
#include <vmm/dev/reset_ctl.h>

#define PORT_A_POWER_ON RESET_PORT_A_A20
#define PORT_A_BITS (RESET_PORT_A_INIT | RESET_PORT_A_A20)

void reset_ctl_init(struct reset_ctl *rc, const struct reset_ctl_config *cfg)
{
	memset(rc, 0, sizeof(*rc));
	rc->cfg = *cfg;
	reset_ctl_reset(rc);
}

void reset_ctl_reset(struct reset_ctl *rc)
{
	rc->cf9 = 0;
	rc->port_a = PORT_A_POWER_ON;
}

uint8_t reset_ctl_read(struct reset_ctl *rc, uint16_t port)
{
	if (port == RESET_CTL_CF9_PORT)
		return rc->cf9;
	if (port == RESET_CTL_PORT_A)
		return rc->port_a;
	return 0xff;
}

static void request(struct reset_ctl *rc, enum reset_ctl_kind kind)
{
	if (rc->cfg.reset)
		rc->cfg.reset(rc->cfg.ctx, kind);
}

static void write_cf9(struct reset_ctl *rc, uint8_t v)
{
	enum reset_ctl_kind kind = RESET_CTL_SOFT;

	/* The stored RST_CPU is always 0, so a write that sets it is the rising edge. */
	rc->cf9 = v & ~RESET_CF9_RST_CPU;
	if (!(v & RESET_CF9_RST_CPU))
		return;
	if (v & RESET_CF9_SYS_RST)
		kind = (v & RESET_CF9_FULL_RST) ? RESET_CTL_FULL : RESET_CTL_HARD;
	request(rc, kind);
}

static void write_port_a(struct reset_ctl *rc, uint8_t v)
{
	bool rising = (v & RESET_PORT_A_INIT) && !(rc->port_a & RESET_PORT_A_INIT);

	rc->port_a = v & PORT_A_BITS;
	if (rising)
		request(rc, RESET_CTL_FAST);
}

void reset_ctl_write(struct reset_ctl *rc, uint16_t port, uint8_t value)
{
	if (port == RESET_CTL_CF9_PORT)
		write_cf9(rc, value);
	else if (port == RESET_CTL_PORT_A)
		write_port_a(rc, value);
}
