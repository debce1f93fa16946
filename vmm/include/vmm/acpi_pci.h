/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_ACPI_PCI_H
#define VMM_ACPI_PCI_H

/*
 * How a partition's virtual PCI bus is described to its OS: a PCI Express
 * root bridge \_SB.PCI0 in the DSDT (its bus range, I/O and memory windows
 * in _CRS, INTx routing in _PRT), a motherboard resource device reserving
 * the ECAM window (Linux trusts MMCONFIG only where ACPI reserves it), and
 * an MCFG table entry pointing at that window (vmm/boot/acpi_build.c).
 */
#include <plinth/types.h>

#define ACPI_PCI_MAX_ROUTES 32

struct acpi_pci_route {
	uint8_t slot;	/* device number on bus 0 */
	uint8_t pin;	/* 0 = INTA# .. 3 = INTD# */
	uint32_t gsi;	/* the I/O APIC input it drives */
};

struct acpi_pci_config {
	uint64_t ecam_base;	/* 1 MiB per bus, buses 0..bus_end */
	uint8_t bus_end;
	uint16_t io_min, io_max;	/* I/O window for BARs, inclusive */
	uint32_t mem_min, mem_max;	/* 32-bit memory window for BARs, inclusive */
	unsigned int route_count;
	struct acpi_pci_route routes[ACPI_PCI_MAX_ROUTES];
};

static inline uint64_t acpi_pci_ecam_size(const struct acpi_pci_config *c)
{
	return ((uint64_t)c->bus_end + 1) << 20;
}

/*
 * Appends the \_SB scope with PCI0 and the ECAM reservation to a DSDT body:
 * writes at most size bytes at buf (NULL to size it) and returns the length
 * the AML needs.
 */
size_t acpi_pci_dsdt_aml(const struct acpi_pci_config *c, uint8_t *buf, size_t size);

/* -EINVAL unless the windows are ordered, non-empty and the ECAM window sits below 4 GiB. */
int acpi_pci_check(const struct acpi_pci_config *c);

#endif
