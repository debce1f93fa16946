/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

/*
 * Plinth's own PCI layer: enumeration of the machine's buses, configuration
 * space, BARs, capabilities, MSI/MSI-X/INTx interrupts towards Plinth's CPU
 * and a registry of drivers (drivers/pci/). The guests' virtual PCI is a
 * different thing (vmm/pci/).
 *
 * Drivers reach their device only through these calls, so that the host
 * unit tests can link the same driver against a fake device
 * (tests/unit/pci_fake.[ch]) instead of drivers/pci/pci_access.c.
 *
 * Devices no driver claims are only read: their BARs are not sized, their
 * command register is not written.
 */
#include <plinth/types.h>

#define PCI_MAX_BARS 6
#define PCI_ANY_ID 0xffffu
#define PCI_CLASS_ANY 0xffffffffu

struct pci_bar {
	uint64_t addr;		/* bus address = host-physical address (no IOMMU); port for I/O */
	uint64_t size;		/* 0: not implemented (or not sized yet) */
	bool io;
	bool is64;
	bool prefetchable;
	volatile void *va;	/* pci_bar_map(): uncached mapping of a memory BAR */
};

struct pci_driver;

struct pci_dev {
	uint16_t segment;
	uint8_t bus, slot, func;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type;	/* without the multi-function bit */
	uint8_t irq_line, irq_pin;	/* as the firmware left them; pin 0 = none */
	char name[16];		/* "00:03.0", with the segment prefix when not 0 */
	struct pci_bar bar[PCI_MAX_BARS];
	const struct pci_driver *driver;
	void *drvdata;
	/* Private to drivers/pci (configuration access, interrupt state). */
	uintptr_t cfg_base;	/* ECAM virtual address of the function, 0: port 0xCF8 */
	uint8_t msix_cap, msi_cap;
	uint16_t msix_entries;
	uint8_t irq_mode;	/* enum pci_irq_mode */
	int16_t vectors[8];	/* IDT vectors in use by MSI-X entries 0..7 / MSI / INTx */
	struct pci_dev *next;
};

/* Configuration space of the function (offsets up to 4095 with ECAM, 255 without). */
uint32_t pci_cfg_read32(const struct pci_dev *d, unsigned int off);
uint16_t pci_cfg_read16(const struct pci_dev *d, unsigned int off);
uint8_t pci_cfg_read8(const struct pci_dev *d, unsigned int off);
void pci_cfg_write32(const struct pci_dev *d, unsigned int off, uint32_t v);
void pci_cfg_write16(const struct pci_dev *d, unsigned int off, uint16_t v);
void pci_cfg_write8(const struct pci_dev *d, unsigned int off, uint8_t v);

/*
 * Registers behind a BAR (I/O ports or MMIO, whichever the BAR is). The
 * driver validated @off against bar[n].size at probe; these do not.
 */
uint8_t pci_bar_read8(const struct pci_dev *d, unsigned int n, uint64_t off);
uint16_t pci_bar_read16(const struct pci_dev *d, unsigned int n, uint64_t off);
uint32_t pci_bar_read32(const struct pci_dev *d, unsigned int n, uint64_t off);
void pci_bar_write8(const struct pci_dev *d, unsigned int n, uint64_t off, uint8_t v);
void pci_bar_write16(const struct pci_dev *d, unsigned int n, uint64_t off, uint16_t v);
void pci_bar_write32(const struct pci_dev *d, unsigned int n, uint64_t off, uint32_t v);

/*
 * Probe-time set-up, by the driver that claims the device: sizes every BAR
 * (decoding off meanwhile), maps memory BARs uncached, turns on memory and
 * I/O decoding and bus mastering. 0 or negative errno.
 */
int pci_enable_device(struct pci_dev *d);
/* Bus mastering and decoding off (a driver giving the device up). */
void pci_disable_device(struct pci_dev *d);

/*
 * Capability list: offset of the first capability with @id at or after
 * the one following @from (0: from the list head), 0 when none. Walks at
 * most 48 entries and never leaves 0x40..0xff, so a looping or broken list
 * ends the walk.
 */
unsigned int pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned int from);

#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_MSIX 0x11

/*
 * Interrupts to Plinth's service CPU (SCHED_SERVICE_CPU). @fn runs in
 * interrupt context with the EOI already arranged; it should only note the
 * event and wake a thread.
 */
typedef void (*pci_irq_fn)(void *ctx);

enum pci_irq_mode { PCI_IRQ_NONE, PCI_IRQ_MSIX, PCI_IRQ_MSI, PCI_IRQ_INTX };

/*
 * MSI-X with @nvec table entries in use (1..8, at most the table size),
 * all masked until pci_msix_set(). -ENODEV: no MSI-X capability; -ERANGE:
 * the table is smaller; -ENOSPC: no free IDT vectors.
 */
int pci_msix_enable(struct pci_dev *d, unsigned int nvec);
/* Entry @entry (< nvec) raises @fn(@ctx); unmasked on return. */
int pci_msix_set(struct pci_dev *d, unsigned int entry, pci_irq_fn fn, void *ctx);
/*
 * One interrupt for the whole function: MSI if the device has it, else its
 * INTx pin through the I/O APIC (level, active low). -ENODEV if neither.
 */
int pci_irq_single(struct pci_dev *d, pci_irq_fn fn, void *ctx);
/* Every vector of the device masked and freed, MSI/MSI-X off. */
void pci_irq_release(struct pci_dev *d);

/*
 * DMA memory: zeroed, physically contiguous, page aligned, cacheable (x86
 * DMA is coherent). *bus receives the address the device uses.
 */
void *dma_alloc(size_t size, uint64_t *bus);
void dma_free(void *va, size_t size);

struct pci_device_id {
	uint16_t vendor, device;	/* PCI_ANY_ID matches any */
	uint32_t class_mask, class_code; /* (class << 16 | subclass << 8 | prog_if) & mask */
};

struct pci_driver {
	const char *name;
	const struct pci_device_id *ids; /* ends with an all-zero entry */
	/* 0: the device is this driver's; negative errno: left alone (and logged). */
	int (*probe)(struct pci_dev *d);
};

/*
 * Drivers register themselves in a linker section, as services do; its name
 * has no .rodata prefix because host test builds (PIE) must make it writable.
 */
#define PCI_DRIVER(id)                                                                  \
	static const struct pci_driver __pci_driver_##id                                \
		__attribute__((used, section("pci_drivers"), aligned(8)))

/*
 * Boot: enumerates every bus (ECAM from the MCFG table where it covers a
 * bus, port 0xCF8 otherwise), logs one "pci:" line per function and which
 * driver took it, and probes drivers. Call once on the boot CPU with
 * interrupts on.
 */
void pci_init(void);
/* Functions found, in bus order. */
struct pci_dev *pci_devices(void);

#endif
