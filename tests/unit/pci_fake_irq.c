// SPDX-License-Identifier: GPL-2.0
/* Recording interrupt calls for pci_fake.h: the test fires them itself. */
#include <plinth/errno.h>
#include "pci_fake.h"

int pci_msix_enable(struct pci_dev *d, unsigned int nvec)
{
	struct pci_fake *f = pci_fake_of(d);

	if (!f->msix_table_size)
		return -ENODEV;
	if (!nvec || nvec > PCI_FAKE_MAX_VECTORS || nvec > f->msix_table_size)
		return -ERANGE;
	f->msix_enabled = nvec;
	f->irq_mode = PCI_IRQ_MSIX;
	return 0;
}

int pci_msix_set(struct pci_dev *d, unsigned int entry, pci_irq_fn fn, void *ctx)
{
	struct pci_fake *f = pci_fake_of(d);

	if (f->irq_mode != PCI_IRQ_MSIX || entry >= f->msix_enabled)
		return -EINVAL;
	f->fn[entry] = fn;
	f->fn_ctx[entry] = ctx;
	return 0;
}

int pci_irq_single(struct pci_dev *d, pci_irq_fn fn, void *ctx)
{
	struct pci_fake *f = pci_fake_of(d);

	if (!f->has_msi && !f->has_intx)
		return -ENODEV;
	f->irq_mode = f->has_msi ? PCI_IRQ_MSI : PCI_IRQ_INTX;
	f->fn[0] = fn;
	f->fn_ctx[0] = ctx;
	return 0;
}

void pci_irq_release(struct pci_dev *d)
{
	struct pci_fake *f = pci_fake_of(d);

	for (unsigned int i = 0; i < PCI_FAKE_MAX_VECTORS; i++)
		f->fn[i] = NULL;
	f->msix_enabled = 0;
	f->irq_mode = PCI_IRQ_NONE;
}

bool pci_fake_fire(struct pci_fake *f, unsigned int entry)
{
	if (entry >= PCI_FAKE_MAX_VECTORS || !f->fn[entry])
		return false;
	f->fn[entry](f->fn_ctx[entry]);
	return true;
}
