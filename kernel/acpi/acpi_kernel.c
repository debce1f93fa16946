/* SPDX-License-Identifier: GPL-2.0 */
/* Runs the ACPI parser against real memory through the direct map. */
#include <plinth/acpi_kernel.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/string.h>

struct acpi_info acpi;

static const void *acpi_map(void *ctx, paddr_t pa, size_t len)
{
	(void)ctx;
	/* Tables live in RAM-typed ranges, which the direct map covers. */
	if (pa + len < pa || pa + len > DIRECT_MAP_SIZE)
		return NULL;
	return phys_to_virt(pa);
}

static void acpi_warn(void *ctx, const char *msg)
{
	(void)ctx;
	pr_warn("acpi: %s\n", msg);
}

static const struct acpi_mem_ops acpi_ops = {
	.map = acpi_map,
	.warn = acpi_warn,
};

static void dump_line(void *ctx, const char *line)
{
	(void)ctx;
	log_raw("%s\n", line);
}

int acpi_init(paddr_t rsdp, bool dump)
{
	int ret;

	if (!rsdp) {
		pr_err("acpi: firmware gave no RSDP\n");
		return -ENODEV;
	}
	ret = acpi_parse(rsdp, &acpi_ops, &acpi);
	if (ret < 0)
		return ret;
	pr_info("acpi: RSDP rev %u at %lx, OEM '%s', %u tables via %s\n", acpi.revision, rsdp,
		acpi.oem_id, acpi.table_count, acpi.xsdt_used ? "XSDT" : "RSDT");
	for (unsigned int i = 0; i < acpi.table_count; i++)
		pr_info("acpi:   %s at %lx, %u bytes%s\n", acpi.tables[i].signature,
			acpi.tables[i].phys, acpi.tables[i].length,
			acpi.tables[i].checksum_ok ? "" : " (BAD CHECKSUM, ignored)");
	pr_info("acpi: MADT %u CPUs, %u IOAPICs, %u overrides; PM timer %s; reset %s; %u ECAM regions\n",
		acpi.cpu_count, acpi.ioapic_count, acpi.override_count,
		acpi.pm_timer.present ? "yes" : "no", acpi.reset.supported ? "yes" : "no",
		acpi.mcfg_count);
	if (dump)
		acpi_dump(rsdp, &acpi_ops, dump_line, NULL);
	return 0;
}
