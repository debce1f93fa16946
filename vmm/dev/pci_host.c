// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration mechanism #1 for the PC platform's ports
 * (vmm/include/vmm/dev/pci_host.h): the host bridge and the decoding live
 * in the virtual PCI bus (vmm/pci/vpci.c), so there is one of each.
 */
#include <vmm/dev/pci_host.h>

void pci_host_init(struct pci_host *h)
{
	/*
	 * No windows and no interrupt callbacks: a bus with the host bridge
	 * only. A bus that takes devices is set up with the partition's
	 * windows and GSIs instead. The configuration is valid, so this
	 * cannot fail.
	 */
	const struct vpci_bus_config cfg = { .gsi_count = 1 };

	(void)vpci_bus_init(&h->bus, &cfg);
}

uint32_t pci_host_read(struct pci_host *h, uint16_t port, unsigned int size)
{
	return vpci_cf8_read(&h->bus, port, size);
}

void pci_host_write(struct pci_host *h, uint16_t port, unsigned int size, uint32_t value)
{
	vpci_cf8_write(&h->bus, port, size, value);
}
