// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration mechanism #1 for the long-mode test guests: the 0xcf8
 * address register takes bus/device/function/dword, 0xcfc..0xcff the data,
 * so sub-dword accesses go to 0xcfc + (off & 3).
 */
#include "pci.h"

static void pci_select(struct pci_dev d, unsigned int off)
{
	outl(PCI_CFG_ADDR, 0x80000000u | (uint32_t)(d.slot & 0x1f) << 11 |
			   (uint32_t)(d.func & 7) << 8 | (off & 0xfc));
}

uint8_t pci_read8(struct pci_dev d, unsigned int off)
{
	pci_select(d, off);
	return inb(PCI_CFG_DATA + (off & 3));
}

uint16_t pci_read16(struct pci_dev d, unsigned int off)
{
	pci_select(d, off);
	return inw(PCI_CFG_DATA + (off & 2));
}

uint32_t pci_read32(struct pci_dev d, unsigned int off)
{
	pci_select(d, off);
	return inl(PCI_CFG_DATA);
}

void pci_write16(struct pci_dev d, unsigned int off, uint16_t v)
{
	pci_select(d, off);
	outw(PCI_CFG_DATA + (off & 2), v);
}

void pci_write32(struct pci_dev d, unsigned int off, uint32_t v)
{
	pci_select(d, off);
	outl(PCI_CFG_DATA, v);
}

/* BAR n with the 64-bit pairs below it taken into account, walking up from BAR 0. */
int pci_bar(struct pci_dev d, unsigned int n, struct pci_bar *bar)
{
	unsigned int i = 0;

	while (i < PCI_NUM_BARS) {
		uint32_t lo = pci_read32(d, PCI_BAR0 + 4 * i);
		bool io = lo & 1, mem64 = !io && (lo & 6) == 4;

		if (i == n) {
			bar->io = io;
			bar->mem64 = mem64;
			bar->addr = io ? (lo & ~3u) : (lo & ~0xfu);
			if (mem64) {
				if (i + 1 >= PCI_NUM_BARS)
					return -1;
				bar->addr |= (uint64_t)pci_read32(d, PCI_BAR0 + 4 * (i + 1)) << 32;
			}
			return 0;
		}
		i += mem64 ? 2 : 1;
	}
	return -1;
}

int pci_window(struct pci_dev d, unsigned int bar, uint32_t offset, uint32_t len,
	       struct pci_region *r)
{
	struct pci_bar b;
	uint64_t end;

	if (len == 0 || pci_bar(d, bar, &b))
		return -1;
	/* offset and len are 32-bit, so with the address below 4 GiB nothing wraps. */
	if (b.addr >= GUEST_MMIO_HOLE_END)
		return -1;
	end = b.addr + offset + len;
	if (b.io) {
		if (b.addr == 0 || end > 0x10000)
			return -1;
	} else if (b.addr < GUEST_MMIO_HOLE_START || end > GUEST_MMIO_HOLE_END) {
		return -1;
	}
	*r = (struct pci_region){ .base = b.addr + offset, .len = len, .io = b.io,
				  .present = true };
	return 0;
}

uint64_t pci_region_rd(const struct pci_region *r, uint32_t off, unsigned int size)
{
	uint64_t a = r->base + off;

	if (r->io) {
		if (size == 1)
			return inb((uint16_t)a);
		return size == 2 ? inw((uint16_t)a) : inl((uint16_t)a);
	}
	switch (size) {
	case 1:
		return *(volatile uint8_t *)(uintptr_t)a;
	case 2:
		return *(volatile uint16_t *)(uintptr_t)a;
	case 4:
		return *(volatile uint32_t *)(uintptr_t)a;
	default:
		return *(volatile uint64_t *)(uintptr_t)a;
	}
}

void pci_region_wr(const struct pci_region *r, uint32_t off, unsigned int size, uint64_t v)
{
	uint64_t a = r->base + off;

	if (r->io) {
		if (size == 1)
			outb((uint16_t)a, (uint8_t)v);
		else if (size == 2)
			outw((uint16_t)a, (uint16_t)v);
		else
			outl((uint16_t)a, (uint32_t)v);
		return;
	}
	switch (size) {
	case 1:
		*(volatile uint8_t *)(uintptr_t)a = (uint8_t)v;
		break;
	case 2:
		*(volatile uint16_t *)(uintptr_t)a = (uint16_t)v;
		break;
	case 4:
		*(volatile uint32_t *)(uintptr_t)a = (uint32_t)v;
		break;
	default:
		*(volatile uint64_t *)(uintptr_t)a = v;
		break;
	}
}

uint16_t pci_enable(struct pci_dev d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	uint16_t want = PCI_COMMAND_IO | PCI_COMMAND_MEM | PCI_COMMAND_MASTER;

	if ((cmd & want) != want)
		pci_write16(d, PCI_COMMAND, cmd | want);
	return cmd;
}

int pci_for_each_cap(struct pci_dev d, bool (*fn)(struct pci_dev d, unsigned int off, void *ctx),
		     void *ctx)
{
	unsigned int off, n = 0;

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	off = pci_read8(d, PCI_CAP_PTR) & 0xfc;
	while (off) {
		if (off < 0x40 || off > PCI_CFG_SIZE - 4 || n >= PCI_CAP_MAX)
			return -1;
		n++;
		if (!fn(d, off, ctx))
			break;
		off = pci_read8(d, off + 1) & 0xfc;
	}
	return (int)n;
}
