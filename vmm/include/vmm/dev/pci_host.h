/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_PCI_HOST_H
#define VMM_DEV_PCI_HOST_H

/*
 * A partition's PCI host bridge and configuration mechanism #1: CONFIG_ADDRESS
 * at 0xCF8 (32-bit) and the CONFIG_DATA window at 0xCFC-0xCFF (8/16/32-bit),
 * as the port handler of the PC platform (vmm/core/pc_devices.c) reaches them.
 *
 * The bus behind it is a virtual PCI bus (vmm/include/vmm/pci/vpci.h), which
 * implements the host bridge at 00:00.0 and both configuration mechanisms;
 * this is its port-level face. pci_host_init() gives a bus with the host
 * bridge and nothing else: every other function reads all ones, as an empty
 * slot does, and ignores writes. Devices are added to h->bus with
 * vpci_bus_add() once the partition gives the bus windows and interrupt
 * callbacks (vpci_bus_init() on h->bus with the partition's configuration).
 *
 * Only 32-bit accesses reach CONFIG_ADDRESS: byte accesses to 0xCF9 are the
 * reset control register (vmm/dev/reset_ctl), which the owner routes there.
 *
 * Locking: the bus has its own lock (bus->lock), taken inside whatever lock
 * the caller holds (pc.lock): pc.lock -> bus->lock -> irq_lock.
 */
#include <plinth/types.h>
#include <vmm/pci/pci_regs.h>
#include <vmm/pci/vpci.h>

struct pci_host {
	struct vpci_bus bus;
};

/* Power-on: CONFIG_ADDRESS 0, the host bridge's command register as firmware leaves it. */
void pci_host_init(struct pci_host *h);
/* port in 0xcf8-0xcff, size 1, 2 or 4. Other combinations read all ones and are ignored. */
uint32_t pci_host_read(struct pci_host *h, uint16_t port, unsigned int size);
void pci_host_write(struct pci_host *h, uint16_t port, unsigned int size, uint32_t value);

#endif
