// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI root bridge's AML (vmm/include/vmm/acpi_pci.h).
 */
#include <plinth/errno.h>
#include <vmm/acpi_pci.h>
#include <vmm/aml.h>
#include <vmm/dev/pci_host.h>

/* _PRT address field: the device in bits 31:16, all functions (0xffff). */
#define PRT_ALL_FUNCTIONS 0xffff

int acpi_pci_check(const struct acpi_pci_config *c)
{
	if (!c || c->io_min > c->io_max || c->mem_min > c->mem_max ||
	    c->route_count > ACPI_PCI_MAX_ROUTES)
		return -EINVAL;
	if (c->ecam_base & ((1ULL << 20) - 1) ||
	    c->ecam_base + acpi_pci_ecam_size(c) > 0x100000000ULL)
		return -EINVAL;
	for (unsigned int i = 0; i < c->route_count; i++)
		if (c->routes[i].slot > 31 || c->routes[i].pin > 3)
			return -EINVAL;
	return 0;
}

static void root_bridge(struct aml *a, const struct acpi_pci_config *c)
{
	size_t dev, buf, pkg;

	dev = aml_device_begin(a, "PCI0");
	/* PCI Express root (ECAM), compatible with a plain PCI root for older OSes. */
	aml_name_begin(a, "_HID");
	aml_eisaid(a, "PNP0A08");
	aml_name_begin(a, "_CID");
	aml_eisaid(a, "PNP0A03");
	aml_name_begin(a, "_ADR");
	aml_int(a, 0);
	aml_name_begin(a, "_UID");
	aml_int(a, 0);
	aml_name_begin(a, "_SEG");
	aml_int(a, 0);
	aml_name_begin(a, "_BBN");
	aml_int(a, 0);

	aml_name_begin(a, "_CRS");
	buf = aml_buffer_begin(a);
	aml_res_bus(a, 0, c->bus_end);
	/* The configuration ports are the bridge's own; the windows it passes down. */
	aml_res_io(a, PCI_CONFIG_ADDRESS_PORT, 8);
	aml_res_io_window(a, c->io_min, c->io_max);
	aml_res_mem32_window(a, c->mem_min, c->mem_max);
	aml_res_end(a);
	aml_buffer_end(a, buf);

	/* Each routed pin goes straight to an I/O APIC input (Source = 0: a GSI). */
	aml_name_begin(a, "_PRT");
	pkg = aml_package_begin(a, (uint8_t)c->route_count);
	for (unsigned int i = 0; i < c->route_count; i++) {
		const struct acpi_pci_route *r = &c->routes[i];
		size_t e = aml_package_begin(a, 4);

		aml_dword(a, (uint32_t)r->slot << 16 | PRT_ALL_FUNCTIONS);
		aml_int(a, r->pin);
		aml_int(a, 0);
		aml_int(a, r->gsi);
		aml_end(a, e);
	}
	aml_end(a, pkg);
	aml_end(a, dev);
}

static void ecam_reservation(struct aml *a, const struct acpi_pci_config *c)
{
	size_t dev, buf;

	dev = aml_device_begin(a, "MRES");
	aml_name_begin(a, "_HID");
	aml_eisaid(a, "PNP0C02");
	aml_name_begin(a, "_UID");
	aml_int(a, 1);
	aml_name_begin(a, "_CRS");
	buf = aml_buffer_begin(a);
	aml_res_mem32_fixed(a, (uint32_t)c->ecam_base, (uint32_t)acpi_pci_ecam_size(c));
	aml_res_end(a);
	aml_buffer_end(a, buf);
	aml_end(a, dev);
}

size_t acpi_pci_dsdt_aml(const struct acpi_pci_config *c, uint8_t *buf, size_t size)
{
	struct aml a;
	size_t sb;

	aml_init(&a, buf, size);
	sb = aml_scope_begin(&a, "\\_SB");
	root_bridge(&a, c);
	ecam_reservation(&a, c);
	aml_end(&a, sb);
	return a.len;
}
