/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_ACPI_PM_H
#define VMM_DEV_ACPI_PM_H

/*
 * ACPI fixed hardware: the PM timer, the PM1a event block and the PM1a
 * control block (ACPI 6.5 section 4.8), at ports the ACPI tables announce.
 *
 * PM timer: 32 bits wide (the FADT must set TMR_VAL_EXT), counting at
 * 3.579545 MHz from 0 at init, read-only. The spec wants 32-bit reads; a
 * narrower read returns the matching bytes of one sample, and writes are
 * dropped. TMR_STS is set each time bit 31 of the counter changes.
 *
 * PM1a event block: PM1_STS (2 bytes, write 1 to clear) then PM1_EN (2
 * bytes). SCI, the device's dev_irq, is held asserted while any status bit
 * is set together with its enable, as the level-triggered SCI is.
 *
 * PM1a control block (2 bytes): SCI_EN reads 1 whatever is written: there
 * is no SMM firmware to hand the hardware over from legacy mode, so the
 * platform is in ACPI mode from reset (the FADT's SMI_CMD is 0, which tells
 * the OS there is nothing to switch). Writing SLP_EN
 * with SLP_TYP = ACPI_SLP_TYP_S5 calls power_off(ctx). S1-S4 need firmware
 * and memory preservation this platform does not have: any other SLP_TYP
 * with SLP_EN is ignored and the write returns -ENOTSUP so the owner can log
 * it. SLP_EN and GBL_RLS always read 0.
 *
 * Not thread-safe: the owner serialises port accesses and updates.
 */
#include <plinth/types.h>
#include <vmm/dev/dev.h>

/* Where the ACPI tables (vmm/include/vmm/acpi_build.h, when it exists) place the blocks. */
#define ACPI_PM1A_EVT_PORT 0x600
#define ACPI_PM1A_EVT_LEN 4
#define ACPI_PM1A_CNT_PORT 0x604
#define ACPI_PM1A_CNT_LEN 2
#define ACPI_PM_TMR_PORT 0x608
#define ACPI_PM_TMR_LEN 4
#define ACPI_PM_TMR_HZ 3579545ULL
#define ACPI_PM_TMR_BITS 32
/* The _S5 package in the DSDT must give this SLP_TYP value. */
#define ACPI_SLP_TYP_S5 5

/* PM1_STS / PM1_EN bits. */
#define ACPI_PM1_TMR 0x0001
#define ACPI_PM1_BM_STS 0x0010 /* status only */
#define ACPI_PM1_GBL 0x0020
#define ACPI_PM1_PWRBTN 0x0100
#define ACPI_PM1_SLPBTN 0x0200
#define ACPI_PM1_RTC 0x0400
#define ACPI_PM1_PCIEXP_WAKE_DIS 0x4000 /* enable register only */
#define ACPI_PM1_WAK_STS 0x8000 /* status only */
#define ACPI_PM1_STS_MASK 0x8731
#define ACPI_PM1_EN_MASK 0x4721

/* PM1_CNT bits. */
#define ACPI_PM1_SCI_EN 0x0001
#define ACPI_PM1_BM_RLD 0x0002
#define ACPI_PM1_GBL_RLS 0x0004 /* write-only */
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_TYP_MASK 0x1c00
#define ACPI_PM1_SLP_EN 0x2000 /* write-only */

struct acpi_pm_config {
	uint16_t evt_port; /* ACPI_PM1A_EVT_PORT, ... unless the tables say otherwise */
	uint16_t cnt_port;
	uint16_t tmr_port;
	void (*power_off)(void *ctx); /* the guest entered S5 */
	void *ctx;
};

struct acpi_pm {
	struct acpi_pm_config cfg;
	struct dev_clock clock;
	struct dev_irq sci;
	uint64_t start_ns; /* the counter's 0 */
	uint64_t tmr_half_seen; /* counter / 2^31 when TMR_STS was last accounted */
	uint16_t sts;
	uint16_t en;
	uint16_t cnt; /* BM_RLD and SLP_TYP as written */
	bool sci_asserted;
};

void acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_config *cfg,
		  const struct dev_clock *clock, const struct dev_irq *sci);

/* Does the port belong to one of the three blocks? */
bool acpi_pm_claims(const struct acpi_pm *pm, uint16_t port);
/*
 * size (1, 2 or 4) bytes from port, byte by byte within the blocks; a byte
 * outside them reads 0xff.
 */
uint32_t acpi_pm_read(struct acpi_pm *pm, uint16_t port, unsigned int size);
/* 0, or -ENOTSUP for a refused sleep state (the write is otherwise done). */
int acpi_pm_write(struct acpi_pm *pm, uint16_t port, unsigned int size, uint32_t value);

/* The counter now: what a PM_TMR read returns. */
uint32_t acpi_pm_timer(const struct acpi_pm *pm);
/* Sets status bits from outside (a power button press: ACPI_PM1_PWRBTN). */
void acpi_pm_raise(struct acpi_pm *pm, uint16_t sts_bits);
/* When TMR_STS is next set if TMR_EN is on, for an SCI; UINT64_MAX otherwise. */
uint64_t acpi_pm_next_event_ns(const struct acpi_pm *pm);
/* Accounts TMR_STS by now_ns and updates SCI. */
void acpi_pm_update(struct acpi_pm *pm, uint64_t now_ns);

#endif
