// SPDX-License-Identifier: GPL-2.0
/*
 * Enumeration of every bus reachable from each segment's first bus
 * (following PCI-to-PCI and CardBus bridges), and the driver registry.
 * Functions no driver claims are only read.
 */
#include <pci/pci.h>
#include <plinth/acpi.h>
#include <plinth/acpi_kernel.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/string.h>
#include "pci_regs.h"

extern const struct pci_driver __pci_drivers_start[], __pci_drivers_end[];

#define ECAM_BUS_SIZE (1ull << 20)

struct pci_segment {
	uint16_t segment;
	const struct acpi_mcfg_region *ecam[ACPI_MAX_MCFG];
	unsigned int ecam_count;
	uint64_t seen[256 / 64];
};

struct pci_scan {
	struct pci_segment seg[ACPI_MAX_MCFG + 1];
	unsigned int seg_count;
	unsigned int functions, buses, ecam_buses, claimed;
};

static struct pci_dev *dev_head, **dev_tail = &dev_head;

struct pci_dev *pci_devices(void)
{
	return dev_head;
}

/* Virtual address of @bus's ECAM window, 0 when only port 0xCF8 reaches it. */
static uintptr_t ecam_bus(const struct pci_segment *s, unsigned int bus)
{
	for (unsigned int i = 0; i < s->ecam_count; i++) {
		const struct acpi_mcfg_region *r = s->ecam[i];
		volatile void *va;

		if (bus < r->bus_start || bus > r->bus_end)
			continue;
		/* The region's base address is that of bus 0 even when it starts later. */
		va = ioremap(r->base + bus * ECAM_BUS_SIZE, ECAM_BUS_SIZE);
		if (!va) {
			pr_warn("pci: cannot map ECAM of bus %02x, using port 0xCF8\n", bus);
			return 0;
		}
		return (uintptr_t)va;
	}
	return 0;
}

static bool class_matches(const struct pci_device_id *id, const struct pci_dev *d)
{
	uint32_t class = (uint32_t)d->class_code << 16 | d->subclass << 8 | d->prog_if;

	return (class & id->class_mask) == (id->class_code & id->class_mask);
}

static bool id_matches(const struct pci_device_id *id, const struct pci_dev *d)
{
	return (id->vendor == PCI_ANY_ID || id->vendor == d->vendor) &&
	       (id->device == PCI_ANY_ID || id->device == d->device) && class_matches(id, d);
}

static bool id_end(const struct pci_device_id *id)
{
	return !id->vendor && !id->device && !id->class_mask && !id->class_code;
}

static void probe(struct pci_dev *d)
{
	for (const struct pci_driver *drv = __pci_drivers_start; drv < __pci_drivers_end; drv++) {
		const struct pci_device_id *id = drv->ids;
		int ret;

		while (id && !id_end(id) && !id_matches(id, d))
			id++;
		if (!id || id_end(id))
			continue;
		ret = drv->probe(d);
		if (!ret) {
			d->driver = drv;
			return;
		}
		pr_warn("pci: %s: %s does not take it (%d)\n", d->name, drv->name, ret);
	}
}

static struct pci_dev *read_function(const struct pci_segment *s, unsigned int bus,
				     unsigned int slot, unsigned int func, uintptr_t ecam)
{
	struct pci_dev probe_dev = {
		.segment = s->segment, .bus = bus, .slot = slot, .func = func,
	};
	struct pci_dev *d;
	uint32_t class;

	if (ecam)
		probe_dev.cfg_base = ecam + ((slot << 15) | (func << 12));
	if (pci_cfg_read16(&probe_dev, PCI_VENDOR_ID) == 0xffff ||
	    pci_cfg_read16(&probe_dev, PCI_VENDOR_ID) == 0)
		return NULL;
	d = kzalloc(sizeof(*d));
	if (!d) {
		pr_err("pci: out of memory at %02x:%02x.%x\n", bus, slot, func);
		return NULL;
	}
	*d = probe_dev;
	d->vendor = pci_cfg_read16(d, PCI_VENDOR_ID);
	d->device = pci_cfg_read16(d, PCI_DEVICE_ID);
	class = pci_cfg_read32(d, PCI_CLASS_REVISION);
	d->revision = class & 0xff;
	d->prog_if = class >> 8;
	d->subclass = class >> 16;
	d->class_code = class >> 24;
	d->header_type = pci_cfg_read8(d, PCI_HEADER_TYPE) & ~PCI_HEADER_MULTI;
	if (d->header_type == 0) {
		d->subsys_vendor = pci_cfg_read16(d, PCI_SUBSYS_VENDOR);
		d->subsys_device = pci_cfg_read16(d, PCI_SUBSYS_ID);
	}
	d->irq_line = pci_cfg_read8(d, PCI_INTERRUPT_LINE);
	d->irq_pin = pci_cfg_read8(d, PCI_INTERRUPT_PIN);
	if (d->irq_pin > 4)
		d->irq_pin = 0;
	if (s->segment)
		snprintf(d->name, sizeof(d->name), "%04x:%02x:%02x.%x", s->segment, bus, slot,
			 func);
	else
		snprintf(d->name, sizeof(d->name), "%02x:%02x.%x", bus, slot, func);
	*dev_tail = d;
	dev_tail = &d->next;
	return d;
}

static void scan_bus(struct pci_scan *sc, struct pci_segment *s, unsigned int bus,
		     unsigned int depth)
{
	uintptr_t ecam;

	if (s->seen[bus / 64] & (1ull << (bus % 64)))
		return;
	s->seen[bus / 64] |= 1ull << (bus % 64);
	ecam = ecam_bus(s, bus);
	if (!ecam && s->segment) {
		/* Port 0xCF8 reaches segment 0 only. */
		return;
	}
	sc->buses++;
	if (ecam)
		sc->ecam_buses++;
	for (unsigned int slot = 0; slot < 32; slot++) {
		unsigned int nfunc = 1;

		for (unsigned int func = 0; func < nfunc; func++) {
			struct pci_dev *d = read_function(s, bus, slot, func, ecam);
			uint8_t ht, secondary;

			if (!d)
				continue;
			ht = pci_cfg_read8(d, PCI_HEADER_TYPE);
			if (func == 0 && (ht & PCI_HEADER_MULTI))
				nfunc = 8;
			sc->functions++;
			if (d->header_type != 1 && d->header_type != 2)
				continue;
			secondary = pci_cfg_read8(d, PCI_SECONDARY_BUS);
			/* Bounded by the 256 buses' seen bits; depth guards the stack. */
			if (secondary > bus && depth < 32)
				scan_bus(sc, s, secondary, depth + 1);
			else if (secondary && secondary <= bus)
				pr_warn("pci: %s: bridge to bus %02x behind bus %02x, ignored\n",
					d->name, secondary, bus);
		}
	}
}

static struct pci_segment *segment(struct pci_scan *sc, uint16_t nr)
{
	for (unsigned int i = 0; i < sc->seg_count; i++)
		if (sc->seg[i].segment == nr)
			return &sc->seg[i];
	if (sc->seg_count == ACPI_MAX_MCFG + 1)
		return NULL;
	sc->seg[sc->seg_count].segment = nr;
	return &sc->seg[sc->seg_count++];
}

static void log_function(const struct pci_dev *d)
{
	char irq[32] = "no irq";

	if (d->irq_pin)
		snprintf(irq, sizeof(irq), "irq pin %c line %u", 'A' + d->irq_pin - 1, d->irq_line);
	pr_info("pci: %s %04x:%04x class %02x.%02x.%02x %s -> %s\n", d->name, d->vendor,
		d->device, d->class_code, d->subclass, d->prog_if, irq,
		d->driver ? d->driver->name : "no driver");
}

void pci_init(void)
{
	static struct pci_scan sc;
	const char *how;

	segment(&sc, 0);
	for (unsigned int i = 0; i < acpi.mcfg_count && i < ACPI_MAX_MCFG; i++) {
		struct pci_segment *s = segment(&sc, acpi.mcfg[i].segment);

		if (s && acpi.mcfg[i].bus_start <= acpi.mcfg[i].bus_end)
			s->ecam[s->ecam_count++] = &acpi.mcfg[i];
	}
	for (unsigned int i = 0; i < sc.seg_count; i++) {
		struct pci_segment *s = &sc.seg[i];
		unsigned int first = s->segment ? s->ecam[0]->bus_start : 0;

		scan_bus(&sc, s, first, 0);
	}
	for (struct pci_dev *d = dev_head; d; d = d->next) {
		probe(d);
		if (d->driver)
			sc.claimed++;
		log_function(d);
	}
	how = !sc.ecam_buses ? "port 0xCF8" : sc.ecam_buses == sc.buses ? "ECAM" :
								     "ECAM and port 0xCF8";
	pr_info("pci: %u functions on %u bus%s (%s), %u claimed\n", sc.functions, sc.buses,
		sc.buses == 1 ? "" : "es", how, sc.claimed);
}
