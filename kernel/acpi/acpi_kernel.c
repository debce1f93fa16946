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

/* The RSDP sits on a 16-byte boundary and carries its own checksum. */
static paddr_t scan_for_rsdp(paddr_t start, uint64_t len)
{
	for (uint64_t off = 0; off + 20 <= len; off += 16) {
		const char *p = phys_to_virt(start + off);

		if (!memcmp(p, "RSD PTR ", 8) && acpi_checksum_ok(p, 20))
			return start + off;
	}
	return 0;
}

/*
 * Firmware that did not publish the RSDP in the EFI configuration table
 * (OVMF without QEMU's fw_cfg, for one) may still have left it in ACPI
 * memory or the legacy BIOS area, where pre-UEFI loaders looked for it.
 */
static paddr_t find_rsdp_fallback(const struct boot_info *bi)
{
	paddr_t found = scan_for_rsdp(0xe0000, 0x20000);

	for (uint32_t i = 0; i < bi->mem_count && !found; i++) {
		const struct boot_mem_range *r = &bi->mem[i];

		if (r->type == BOOT_MEM_ACPI_RECLAIM || r->type == BOOT_MEM_ACPI_NVS)
			found = scan_for_rsdp(r->base, r->length);
	}
	return found;
}

int acpi_init(const struct boot_info *bi, bool dump)
{
	paddr_t rsdp = bi->rsdp_phys;
	int ret;

	if (!rsdp) {
		rsdp = find_rsdp_fallback(bi);
		if (!rsdp) {
			pr_err("acpi: firmware gave no RSDP and none was found in ACPI or BIOS memory\n");
			return -ENODEV;
		}
		pr_warn("acpi: firmware did not publish the RSDP; found one at %lx\n", rsdp);
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
