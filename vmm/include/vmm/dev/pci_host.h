/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_PCI_HOST_H
#define VMM_DEV_PCI_HOST_H

/*
 * A partition's PCI host bridge and configuration mechanism #1: CONFIG_ADDRESS
 * at 0xCF8 (32-bit) and the CONFIG_DATA window at 0xCFC-0xCFF (8/16/32-bit).
 * Bus 0 holds the host bridge at 00:00.0 and nothing else yet: every other
 * function reads all ones, as an empty slot does, and ignores writes.
 *
 * Only 32-bit accesses reach CONFIG_ADDRESS: byte accesses to 0xCF9 are the
 * reset control register (vmm/dev/reset_ctl), which the owner routes there.
 */
#include <plinth/types.h>

#define PCI_CONFIG_ADDRESS_PORT 0xcf8
#define PCI_CONFIG_DATA_PORT 0xcfc
#define PCI_CONFIG_ENABLE (1u << 31)

/* The bridge identifies as an Intel 440FX host bridge, which every OS knows needs no driver. */
#define PCI_HOST_VENDOR 0x8086
#define PCI_HOST_DEVICE 0x1237
#define PCI_CLASS_HOST_BRIDGE 0x060000

struct pci_host {
	uint32_t address;     /* CONFIG_ADDRESS as last written */
	uint16_t command;     /* the bridge's command register: the only writable field */
	uint8_t latency;      /* latency timer: writable, no effect */
};

void pci_host_init(struct pci_host *h);
/* port in 0xcf8-0xcff, size 1, 2 or 4. Other combinations read all ones and are ignored. */
uint32_t pci_host_read(struct pci_host *h, uint16_t port, unsigned int size);
void pci_host_write(struct pci_host *h, uint16_t port, unsigned int size, uint32_t value);

#endif
