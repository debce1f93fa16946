/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FADT ("FACP"). The table grew with every ACPI revision and firmware is
 * known to pair old revision numbers with odd lengths, so every field is
 * read only when both the revision defines it and the length covers it.
 *
 * Revision -> layout: 1 = ACPI 1.0 (116 bytes), 2 = 1.0b + reset register
 * (129+), 3/4 = 2.0-4.0 (244), 5 = 5.0 (268), 6 = 6.x (276).
 */
#include <plinth/acpi.h>

#define FADT_FACS 36
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_PM_TMR_BLK 76
#define FADT_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_FACS 132
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT 172
#define FADT_X_PM1B_CNT 184
#define FADT_X_PM_TMR 208

#define FADT_V1_LEN 116
#define GAS_LEN 12

static bool has(const uint8_t *t, uint32_t len, uint32_t off, uint32_t size, uint8_t min_rev)
{
	return t[8] >= min_rev && len >= off + size;
}

paddr_t acpi_fadt_dsdt(const uint8_t *t, uint32_t len)
{
	if (len < ACPI_SDT_HEADER_LEN)
		return 0;
	if (has(t, len, FADT_X_DSDT, 8, 3) && acpi_rd64(t + FADT_X_DSDT))
		return acpi_rd64(t + FADT_X_DSDT);
	if (has(t, len, FADT_DSDT, 4, 0))
		return acpi_rd32(t + FADT_DSDT);
	return 0;
}

/* A 64-bit PM1x control block only helps us if it is still an I/O port. */
static uint32_t pm1_port(const uint8_t *t, uint32_t len, uint32_t legacy_off, uint32_t x_off)
{
	struct acpi_gas g;

	if (has(t, len, legacy_off, 4, 0) && acpi_rd32(t + legacy_off))
		return acpi_rd32(t + legacy_off);
	if (!has(t, len, x_off, GAS_LEN, 3))
		return 0;
	acpi_rd_gas(t + x_off, &g);
	if (g.space_id == ACPI_GAS_IO && g.address <= 0xffff)
		return (uint32_t)g.address;
	return 0;
}

static void parse_pm_timer(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	struct acpi_gas g;

	out->pm_timer.ext32 = out->fadt_flags & ACPI_FADT_TMR_VAL_EXT;
	/* Hardware-reduced platforms have no fixed hardware, whatever the fields say. */
	if (out->fadt_flags & ACPI_FADT_HW_REDUCED)
		return;
	if (has(t, len, FADT_X_PM_TMR, GAS_LEN, 3)) {
		acpi_rd_gas(t + FADT_X_PM_TMR, &g);
		if (g.address &&
		    (g.space_id == ACPI_GAS_IO || g.space_id == ACPI_GAS_MEMORY)) {
			out->pm_timer.present = true;
			out->pm_timer.reg = g;
			return;
		}
	}
	if (has(t, len, FADT_PM_TMR_BLK, 4, 0) && acpi_rd32(t + FADT_PM_TMR_BLK)) {
		out->pm_timer.present = true;
		out->pm_timer.reg.space_id = ACPI_GAS_IO;
		out->pm_timer.reg.bit_width = out->pm_timer.ext32 ? 32 : 24;
		out->pm_timer.reg.bit_offset = 0;
		out->pm_timer.reg.access_size = 3; /* dword */
		out->pm_timer.reg.address = acpi_rd32(t + FADT_PM_TMR_BLK);
	}
}

static void parse_reset(const uint8_t *t, uint32_t len, paddr_t pa,
			const struct acpi_mem_ops *ops, struct acpi_info *out)
{
	struct acpi_gas g;

	if (!(out->fadt_flags & ACPI_FADT_RESET_REG_SUP))
		return;
	/* RESET_REG_SUP is a reserved bit in the ACPI 1.0 layout. */
	if (!has(t, len, FADT_RESET_VALUE, 1, 2))
		return;
	acpi_rd_gas(t + FADT_RESET_REG, &g);
	if (!g.address || g.space_id > ACPI_GAS_PCI_CONFIG) {
		acpi_warn_at(ops, t, pa, "RESET_REG_SUP set but reset register unusable");
		return;
	}
	out->reset.supported = true;
	out->reset.reg = g;
	out->reset.value = t[FADT_RESET_VALUE];
}

void acpi_parse_fadt(const uint8_t *t, uint32_t len, paddr_t pa,
		     const struct acpi_mem_ops *ops, struct acpi_info *out)
{
	if (len < FADT_V1_LEN)
		acpi_warn_at(ops, t, pa, "shorter than the ACPI 1.0 FADT, using what is there");
	out->has_fadt = true;
	out->fadt_revision = t[8];
	if (has(t, len, FADT_FLAGS, 4, 0))
		out->fadt_flags = acpi_rd32(t + FADT_FLAGS);
	if (has(t, len, FADT_SCI_INT, 2, 0))
		out->sci_irq = acpi_rd16(t + FADT_SCI_INT);
	if (has(t, len, FADT_BOOT_ARCH, 2, 3))
		out->iapc_boot_arch = acpi_rd16(t + FADT_BOOT_ARCH);
	out->pm1a_cnt = pm1_port(t, len, FADT_PM1A_CNT, FADT_X_PM1A_CNT);
	out->pm1b_cnt = pm1_port(t, len, FADT_PM1B_CNT, FADT_X_PM1B_CNT);
	out->dsdt = acpi_fadt_dsdt(t, len);
	if (has(t, len, FADT_X_FACS, 8, 3) && acpi_rd64(t + FADT_X_FACS))
		out->facs = acpi_rd64(t + FADT_X_FACS);
	else if (has(t, len, FADT_FACS, 4, 0))
		out->facs = acpi_rd32(t + FADT_FACS);
	parse_pm_timer(t, len, out);
	parse_reset(t, len, pa, ops, out);
}
