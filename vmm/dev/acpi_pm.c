// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI PM timer and PM1a event and control blocks (vmm/include/vmm/dev/acpi_pm.h).
 * Accesses are split into bytes so that any width a guest uses on the
 * 16-bit registers behaves the same; one access samples the counter once.
 */
#include <plinth/errno.h>
#include <vmm/dev/acpi_pm.h>
#include <vmm/dev/ticks.h>

/* The status bits that have an enable and so can raise SCI. */
#define SCI_SOURCES (ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | ACPI_PM1_SLPBTN | ACPI_PM1_RTC)
#define CNT_STORED (ACPI_PM1_BM_RLD | ACPI_PM1_SLP_TYP_MASK)
#define TMR_STS_SHIFT 31 /* TMR_STS follows bit 31 of a 32-bit counter */

static uint64_t ticks_at(const struct acpi_pm *pm, uint64_t now)
{
	return now > pm->start_ns ? dev_ns_to_ticks(now - pm->start_ns, ACPI_PM_TMR_HZ) : 0;
}

static void update_sci(struct acpi_pm *pm)
{
	bool level = pm->sts & pm->en & SCI_SOURCES;

	if (level != pm->sci_asserted) {
		pm->sci_asserted = level;
		dev_irq_set(&pm->sci, level);
	}
}

void acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_config *cfg,
		  const struct dev_clock *clock, const struct dev_irq *sci)
{
	*pm = (struct acpi_pm){ .cfg = *cfg, .clock = *clock };
	if (sci)
		pm->sci = *sci;
	pm->start_ns = dev_clock_ns(clock);
}

void acpi_pm_update(struct acpi_pm *pm, uint64_t now_ns)
{
	uint64_t half = ticks_at(pm, now_ns) >> TMR_STS_SHIFT;

	/* Any number of bit-31 changes since the last look set the one flag. */
	if (half != pm->tmr_half_seen) {
		pm->tmr_half_seen = half;
		pm->sts |= ACPI_PM1_TMR;
	}
	update_sci(pm);
}

uint64_t acpi_pm_next_event_ns(const struct acpi_pm *pm)
{
	uint64_t ns;

	if (!(pm->en & ACPI_PM1_TMR) || pm->sci_asserted)
		return UINT64_MAX;
	ns = dev_ticks_to_ns((pm->tmr_half_seen + 1) << TMR_STS_SHIFT, ACPI_PM_TMR_HZ);
	return ns > UINT64_MAX - pm->start_ns ? UINT64_MAX : pm->start_ns + ns;
}

uint32_t acpi_pm_timer(const struct acpi_pm *pm)
{
	return (uint32_t)ticks_at(pm, dev_clock_ns(&pm->clock));
}

void acpi_pm_raise(struct acpi_pm *pm, uint16_t sts_bits)
{
	pm->sts |= sts_bits & ACPI_PM1_STS_MASK;
	update_sci(pm);
}

bool acpi_pm_claims(const struct acpi_pm *pm, uint16_t port)
{
	return (uint16_t)(port - pm->cfg.evt_port) < ACPI_PM1A_EVT_LEN ||
	       (uint16_t)(port - pm->cfg.cnt_port) < ACPI_PM1A_CNT_LEN ||
	       (uint16_t)(port - pm->cfg.tmr_port) < ACPI_PM_TMR_LEN;
}

static uint8_t read_byte(const struct acpi_pm *pm, uint16_t port, uint32_t tmr)
{
	uint16_t off;

	off = (uint16_t)(port - pm->cfg.evt_port);
	if (off < 2)
		return (uint8_t)(pm->sts >> (8 * off));
	if (off < ACPI_PM1A_EVT_LEN)
		return (uint8_t)(pm->en >> (8 * (off - 2)));
	off = (uint16_t)(port - pm->cfg.cnt_port);
	if (off < ACPI_PM1A_CNT_LEN)
		return (uint8_t)((pm->cnt | ACPI_PM1_SCI_EN) >> (8 * off));
	off = (uint16_t)(port - pm->cfg.tmr_port);
	if (off < ACPI_PM_TMR_LEN)
		return (uint8_t)(tmr >> (8 * off));
	return 0xff;
}

/* SLP_EN arrives in the control block's high byte, together with SLP_TYP. */
static int enter_sleep_state(struct acpi_pm *pm)
{
	unsigned int typ = (pm->cnt & ACPI_PM1_SLP_TYP_MASK) >> ACPI_PM1_SLP_TYP_SHIFT;

	if (typ != ACPI_SLP_TYP_S5)
		return -ENOTSUP;
	if (pm->cfg.power_off)
		pm->cfg.power_off(pm->cfg.ctx);
	return 0;
}

static int write_byte(struct acpi_pm *pm, uint16_t port, uint8_t b)
{
	uint16_t off;

	off = (uint16_t)(port - pm->cfg.evt_port);
	if (off < 2) {
		pm->sts &= ~((uint16_t)(b << (8 * off)) & ACPI_PM1_STS_MASK);
		return 0;
	}
	if (off < ACPI_PM1A_EVT_LEN) {
		uint16_t shift = 8 * (off - 2);

		pm->en = (uint16_t)((pm->en & ~(0xff << shift)) | ((b << shift) & ACPI_PM1_EN_MASK));
		return 0;
	}
	off = (uint16_t)(port - pm->cfg.cnt_port);
	if (off < ACPI_PM1A_CNT_LEN) {
		uint16_t v = (uint16_t)(b << (8 * off));
		uint16_t mask = (uint16_t)(0xff << (8 * off)) & CNT_STORED;

		pm->cnt = (pm->cnt & ~mask) | (v & mask);
		if (v & ACPI_PM1_SLP_EN)
			return enter_sleep_state(pm);
		return 0;
	}
	/* The timer is read-only; other ports are not ours. */
	return 0;
}

uint32_t acpi_pm_read(struct acpi_pm *pm, uint16_t port, unsigned int size)
{
	uint64_t now = dev_clock_ns(&pm->clock);
	uint32_t tmr = (uint32_t)ticks_at(pm, now);
	uint32_t v = 0;

	if (size > 4)
		size = 4;
	acpi_pm_update(pm, now);
	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)read_byte(pm, (uint16_t)(port + i), tmr) << (8 * i);
	return v;
}

int acpi_pm_write(struct acpi_pm *pm, uint16_t port, unsigned int size, uint32_t value)
{
	int ret = 0;

	if (size > 4)
		size = 4;
	acpi_pm_update(pm, dev_clock_ns(&pm->clock));
	for (unsigned int i = 0; i < size; i++) {
		int err = write_byte(pm, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));

		if (err)
			ret = err;
	}
	/* A cleared status or a new enable changes SCI at once. */
	update_sci(pm);
	return ret;
}
