// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X and MSI towards Plinth's service CPU: messages to the local APIC
 * of SCHED_SERVICE_CPU, fixed delivery, edge, one IDT vector per message.
 */
#include <asm/io_apic.h>
#include <asm/trap.h>
#include <pci/pci.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include "pci_irq.h"
#include "pci_regs.h"

#define PCI_IRQ_MAX_VECTORS 8

static void msix_not_set(void *ctx)
{
	(void)ctx;
}

static uint32_t msi_address(void)
{
	return MSI_ADDR_BASE | irq_service_apic_id() << MSI_ADDR_DEST_SHIFT;
}

static uint64_t msix_entry(const struct pci_dev *d, unsigned int entry)
{
	uint32_t table = pci_cfg_read32(d, d->msix_cap + PCI_MSIX_TABLE);

	return (table & ~(uint32_t)PCI_MSIX_BIR) + (uint64_t)entry * PCI_MSIX_ENTRY_SIZE;
}

static unsigned int msix_bir(const struct pci_dev *d)
{
	return pci_cfg_read32(d, d->msix_cap + PCI_MSIX_TABLE) & PCI_MSIX_BIR;
}

static void msix_mask_entry(const struct pci_dev *d, unsigned int bir, unsigned int entry)
{
	uint64_t e = msix_entry(d, entry);
	uint32_t ctl = pci_bar_read32(d, bir, e + PCI_MSIX_ENTRY_CTRL);

	pci_bar_write32(d, bir, e + PCI_MSIX_ENTRY_CTRL, ctl | PCI_MSIX_ENTRY_MASKED);
}

static void free_vectors(struct pci_dev *d)
{
	for (unsigned int i = 0; i < PCI_IRQ_MAX_VECTORS; i++) {
		if (d->vectors[i] > 0)
			irq_vector_free(d->vectors[i]);
		d->vectors[i] = 0;
	}
}

static void intx_disable(const struct pci_dev *d, bool off)
{
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);

	cmd = off ? cmd | PCI_COMMAND_INTX_DISABLE : cmd & ~PCI_COMMAND_INTX_DISABLE;
	pci_cfg_write16(d, PCI_COMMAND, cmd);
}

int pci_msix_enable(struct pci_dev *d, unsigned int nvec)
{
	unsigned int cap = pci_find_cap(d, PCI_CAP_ID_MSIX, 0), size, bir;
	uint16_t ctrl;
	uint64_t end;

	/* A message's destination field has 8 bits (no interrupt remapping). */
	if (!cap || irq_service_apic_id() > 0xff)
		return -ENODEV;
	if (d->irq_mode != PCI_IRQ_NONE)
		return -EBUSY;
	ctrl = pci_cfg_read16(d, cap + PCI_MSIX_CTRL);
	size = (ctrl & PCI_MSIX_CTRL_SIZE) + 1;
	if (!nvec || nvec > PCI_IRQ_MAX_VECTORS || nvec > size)
		return -ERANGE;
	d->msix_cap = cap;
	bir = msix_bir(d);
	end = msix_entry(d, size);
	if (bir >= PCI_MAX_BARS || d->bar[bir].io || end > d->bar[bir].size) {
		pr_warn("pci: %s: MSI-X table (%u entries, BAR %u offset %lx) is outside its BAR\n",
			d->name, size, bir, msix_entry(d, 0));
		d->msix_cap = 0;
		return -EIO;
	}
	/* The whole function masked while its entries are set up. */
	pci_cfg_write16(d, cap + PCI_MSIX_CTRL,
			ctrl | PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL);
	for (unsigned int i = 0; i < size; i++)
		msix_mask_entry(d, bir, i);
	for (unsigned int i = 0; i < nvec; i++) {
		int v = irq_vector_alloc(msix_not_set, d);

		if (v < 0) {
			free_vectors(d);
			pci_cfg_write16(d, cap + PCI_MSIX_CTRL,
					ctrl & ~(PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL));
			d->msix_cap = 0;
			return -ENOSPC;
		}
		d->vectors[i] = v;
	}
	d->msix_entries = nvec;
	d->irq_mode = PCI_IRQ_MSIX;
	intx_disable(d, true);
	pci_cfg_write16(d, cap + PCI_MSIX_CTRL,
			(ctrl | PCI_MSIX_CTRL_ENABLE) & ~PCI_MSIX_CTRL_MASKALL);
	return 0;
}

int pci_msix_set(struct pci_dev *d, unsigned int entry, pci_irq_fn fn, void *ctx)
{
	unsigned int bir;
	uint64_t e;
	int v;

	if (d->irq_mode != PCI_IRQ_MSIX || entry >= d->msix_entries || !fn)
		return -EINVAL;
	bir = msix_bir(d);
	e = msix_entry(d, entry);
	/* The address and data of an unmasked entry must not change. */
	msix_mask_entry(d, bir, entry);
	irq_vector_free(d->vectors[entry]);
	d->vectors[entry] = 0;
	v = irq_vector_alloc(fn, ctx);
	if (v < 0)
		return -ENOSPC;
	d->vectors[entry] = v;
	pci_bar_write32(d, bir, e + PCI_MSIX_ENTRY_ADDR_LO, msi_address());
	pci_bar_write32(d, bir, e + PCI_MSIX_ENTRY_ADDR_HI, 0);
	pci_bar_write32(d, bir, e + PCI_MSIX_ENTRY_DATA, v);
	pci_bar_write32(d, bir, e + PCI_MSIX_ENTRY_CTRL,
			pci_bar_read32(d, bir, e + PCI_MSIX_ENTRY_CTRL) & ~PCI_MSIX_ENTRY_MASKED);
	return 0;
}

static unsigned int msi_mask_reg(const struct pci_dev *d, uint16_t ctrl)
{
	if (!(ctrl & PCI_MSI_CTRL_MASKBIT))
		return 0;
	return d->msi_cap + (ctrl & PCI_MSI_CTRL_64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static int msi_attach(struct pci_dev *d, unsigned int cap, pci_irq_fn fn, void *ctx)
{
	uint16_t ctrl = pci_cfg_read16(d, cap + PCI_MSI_CTRL);
	unsigned int mask;
	int v = irq_vector_alloc(fn, ctx);

	if (v < 0)
		return -ENOSPC;
	d->msi_cap = cap;
	mask = msi_mask_reg(d, ctrl);
	/* Off while the message changes; one message (MME = 0) for the function. */
	ctrl &= ~(PCI_MSI_CTRL_ENABLE | PCI_MSI_CTRL_MME);
	pci_cfg_write16(d, cap + PCI_MSI_CTRL, ctrl);
	if (mask)
		pci_cfg_write32(d, mask, pci_cfg_read32(d, mask) | 1);
	pci_cfg_write32(d, cap + PCI_MSI_ADDR_LO, msi_address());
	if (ctrl & PCI_MSI_CTRL_64) {
		pci_cfg_write32(d, cap + PCI_MSI_ADDR_HI, 0);
		pci_cfg_write16(d, cap + PCI_MSI_DATA_64, v);
	} else {
		pci_cfg_write16(d, cap + PCI_MSI_DATA_32, v);
	}
	d->vectors[0] = v;
	d->irq_mode = PCI_IRQ_MSI;
	intx_disable(d, true);
	pci_cfg_write16(d, cap + PCI_MSI_CTRL, ctrl | PCI_MSI_CTRL_ENABLE);
	if (mask)
		pci_cfg_write32(d, mask, pci_cfg_read32(d, mask) & ~1u);
	return 0;
}

int pci_irq_single(struct pci_dev *d, pci_irq_fn fn, void *ctx)
{
	unsigned int cap;

	if (!fn)
		return -EINVAL;
	if (d->irq_mode != PCI_IRQ_NONE)
		return -EBUSY;
	cap = pci_find_cap(d, PCI_CAP_ID_MSI, 0);
	if (cap && irq_service_apic_id() <= 0xff)
		return msi_attach(d, cap, fn, ctx);
	return pci_intx_attach(d, fn, ctx);
}

void pci_irq_release(struct pci_dev *d)
{
	uint16_t ctrl;

	switch (d->irq_mode) {
	case PCI_IRQ_MSIX:
		ctrl = pci_cfg_read16(d, d->msix_cap + PCI_MSIX_CTRL);
		pci_cfg_write16(d, d->msix_cap + PCI_MSIX_CTRL, ctrl | PCI_MSIX_CTRL_MASKALL);
		for (unsigned int i = 0; i < d->msix_entries; i++)
			msix_mask_entry(d, msix_bir(d), i);
		pci_cfg_write16(d, d->msix_cap + PCI_MSIX_CTRL,
				ctrl & ~(PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL));
		d->msix_entries = 0;
		break;
	case PCI_IRQ_MSI:
		ctrl = pci_cfg_read16(d, d->msi_cap + PCI_MSI_CTRL);
		if (msi_mask_reg(d, ctrl))
			pci_cfg_write32(d, msi_mask_reg(d, ctrl),
					pci_cfg_read32(d, msi_mask_reg(d, ctrl)) | 1);
		pci_cfg_write16(d, d->msi_cap + PCI_MSI_CTRL, ctrl & ~PCI_MSI_CTRL_ENABLE);
		break;
	case PCI_IRQ_INTX:
		pci_intx_detach(d);
		break;
	default:
		return;
	}
	if (d->irq_mode != PCI_IRQ_INTX)
		free_vectors(d);
	intx_disable(d, true);
	d->irq_mode = PCI_IRQ_NONE;
}
