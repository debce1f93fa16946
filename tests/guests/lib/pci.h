/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

/*
 * PCI configuration space through mechanism #1 (0xcf8/0xcfc) on bus 0, BAR
 * decoding and capability-list walking, for test guests that drive PCI
 * devices Plinth emulates. Every value read from config space is treated as
 * untrusted: offsets are bounded to 256 bytes and walks are bounded in length.
 */
#include "guest.h"

#define PCI_CFG_ADDR 0xcf8
#define PCI_CFG_DATA 0xcfc

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_CAP_PTR 0x34

#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEM 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_STATUS_CAP_LIST 0x10

#define PCI_NUM_BARS 6
#define PCI_CFG_SIZE 256
/* A capability list longer than this loops: (256 - 0x40) / 4 entries at most. */
#define PCI_CAP_MAX 48

/* Bus 0 device (slot 0-31, function 0-7). */
struct pci_dev {
	uint8_t slot, func;
};

uint8_t pci_read8(struct pci_dev d, unsigned int off);
uint16_t pci_read16(struct pci_dev d, unsigned int off);
uint32_t pci_read32(struct pci_dev d, unsigned int off);
void pci_write16(struct pci_dev d, unsigned int off, uint16_t v);
void pci_write32(struct pci_dev d, unsigned int off, uint32_t v);

struct pci_bar {
	uint64_t addr;	/* guest-physical address or I/O port */
	bool io;	/* an I/O BAR */
	bool mem64;	/* a 64-bit memory BAR (it used BAR n + 1 as well) */
};

/*
 * BAR n (0-5) as assigned: 0, or -1 if n is the upper half of a 64-bit BAR,
 * a 64-bit BAR without its upper half, or n > 5.
 */
int pci_bar(struct pci_dev d, unsigned int n, struct pci_bar *bar);

/* A register window: a slice of an I/O or memory BAR. */
struct pci_region {
	uint64_t base;	/* guest-physical address, or I/O port */
	uint32_t len;
	bool io, present;
};

/*
 * The window [offset, offset + len) of BAR bar, checked to lie in an assigned
 * BAR inside the MMIO hole (memory) or below 64 KiB (I/O): 0, or -1 if not.
 */
int pci_window(struct pci_dev d, unsigned int bar, uint32_t offset, uint32_t len,
	       struct pci_region *r);

/* Accesses of 1, 2, 4 or 8 bytes at r->base + off (8 only in memory; as 4 in I/O space). */
uint64_t pci_region_rd(const struct pci_region *r, uint32_t off, unsigned int size);
void pci_region_wr(const struct pci_region *r, uint32_t off, unsigned int size, uint64_t v);

/* Turns on I/O, memory decoding and bus mastering; returns the command register before. */
uint16_t pci_enable(struct pci_dev d);

/*
 * Calls fn(d, off, ctx) for each capability in the list (off = its offset in
 * config space), stopping at the end, at a pointer outside 0x40..0xfc, after
 * PCI_CAP_MAX entries or when fn returns false. Returns the number visited,
 * or -1 if the list was malformed (bad pointer or loop).
 */
int pci_for_each_cap(struct pci_dev d, bool (*fn)(struct pci_dev d, unsigned int off, void *ctx),
		     void *ctx);

#endif
