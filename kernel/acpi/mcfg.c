/* SPDX-License-Identifier: GPL-2.0 */
/* MCFG: where each PCI segment's ECAM window lives. */
#include <plinth/acpi.h>

#define MCFG_ENTRIES_OFF 44 /* header + 8 reserved bytes */
#define MCFG_ENTRY_LEN 16

void acpi_parse_mcfg(const uint8_t *t, uint32_t len, paddr_t pa,
		     const struct acpi_mem_ops *ops, struct acpi_info *out)
{
	uint32_t n;

	if (len < MCFG_ENTRIES_OFF) {
		acpi_warn_at(ops, t, pa, "shorter than the fixed MCFG fields, ignored");
		return;
	}
	if ((len - MCFG_ENTRIES_OFF) % MCFG_ENTRY_LEN)
		acpi_warn_at(ops, t, pa, "partial trailing entry ignored");
	n = (len - MCFG_ENTRIES_OFF) / MCFG_ENTRY_LEN;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = t + MCFG_ENTRIES_OFF + i * MCFG_ENTRY_LEN;
		struct acpi_mcfg_region *r;

		if (e[10] > e[11] || !acpi_rd64(e)) {
			acpi_warn_at(ops, t, pa, "entry with empty bus range or null base skipped");
			continue;
		}
		if (out->mcfg_count >= ACPI_MAX_MCFG) {
			acpi_warn_at(ops, t, pa, "more than ACPI_MAX_MCFG regions, rest ignored");
			return;
		}
		r = &out->mcfg[out->mcfg_count++];
		r->base = acpi_rd64(e);
		r->segment = acpi_rd16(e + 8);
		r->bus_start = e[10];
		r->bus_end = e[11];
	}
}
