/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DRIVERS_PCI_IRQ_H
#define DRIVERS_PCI_IRQ_H

/* Between pci_msi.c and pci_intx.c. */
#include <pci/pci.h>

/* The function's INTx pin through the I/O APIC; shared GSIs run every handler. */
int pci_intx_attach(struct pci_dev *d, pci_irq_fn fn, void *ctx);
void pci_intx_detach(struct pci_dev *d);

#endif
