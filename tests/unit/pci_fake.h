/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_PCI_FAKE_H
#define TESTS_PCI_FAKE_H

/*
 * A fake PCI function for drivers' host tests: it implements the calls of
 * drivers/pci/pci.h that a driver makes (configuration space, BAR access,
 * enable, DMA memory) over a 4 KiB configuration array and per-BAR register
 * callbacks, so a device model in the test sees every register access.
 * DMA memory is host memory whose bus address is its host address.
 * pci_fake_irq.c adds recording interrupt calls (pci_msix_*, pci_irq_*);
 * tests of drivers/pci's own interrupt code link that code instead.
 */
#include <pci/pci.h>

struct pci_fake_bar_ops {
	uint64_t (*read)(void *ctx, uint64_t off, unsigned int size);
	void (*write)(void *ctx, uint64_t off, unsigned int size, uint64_t v);
};

#define PCI_FAKE_MAX_VECTORS 8

struct pci_fake {
	struct pci_dev dev;	/* what the driver gets */
	uint8_t cfg[4096];
	uint64_t bar_size[PCI_MAX_BARS];	/* set by the test; pci_enable_device copies it */
	bool bar_io[PCI_MAX_BARS];
	const struct pci_fake_bar_ops *bar_ops[PCI_MAX_BARS];
	void *bar_ctx[PCI_MAX_BARS];
	int enable_ret;		/* what pci_enable_device() returns */
	bool enabled;

	/* pci_fake_irq.c */
	unsigned int msix_table_size;	/* 0: no MSI-X capability */
	bool has_msi, has_intx;
	unsigned int msix_enabled;	/* nvec, 0 when off */
	enum pci_irq_mode irq_mode;
	pci_irq_fn fn[PCI_FAKE_MAX_VECTORS];
	void *fn_ctx[PCI_FAKE_MAX_VECTORS];
};

/* Header of a type-0 function with these IDs; no BARs, no capabilities. */
void pci_fake_init(struct pci_fake *f, uint16_t vendor, uint16_t device);
struct pci_fake *pci_fake_of(const struct pci_dev *d);
/* Runs the handler of MSI-X entry @entry (or the single vector at 0); false if none is set. */
bool pci_fake_fire(struct pci_fake *f, unsigned int entry);
/* Bytes of DMA memory allocated and not freed. */
size_t pci_fake_dma_outstanding(void);

#endif
