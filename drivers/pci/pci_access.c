// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration space (ECAM or the 0xCF8/0xCFC port pair), registers behind
 * BARs, and the probe-time enable that sizes and maps a claimed function's
 * BARs.
 */
#include <asm/io.h>
#include <pci/pci.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include "pci_regs.h"

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc

/* The port pair is one address register for the whole machine. */
static spinlock_t port_lock = SPINLOCK_INIT;

static uint32_t port_addr(const struct pci_dev *d, unsigned int off)
{
	return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->slot << 11 |
	       (uint32_t)d->func << 8 | (off & 0xfc);
}

static uint32_t cfg_read(const struct pci_dev *d, unsigned int off, unsigned int size)
{
	uint32_t v;

	if (off & (size - 1))
		return 0xffffffffu >> (32 - 8 * size);
	if (d->cfg_base) {
		volatile void *p = (volatile void *)(d->cfg_base + off);

		if (off + size > 4096)
			return 0xffffffffu >> (32 - 8 * size);
		if (size == 1)
			return *(volatile uint8_t *)p;
		if (size == 2)
			return *(volatile uint16_t *)p;
		return mmio_read32(p);
	}
	if (off + size > 256)
		return 0xffffffffu >> (32 - 8 * size);
	spin_lock(&port_lock);
	outl(PCI_CONF_ADDR, port_addr(d, off));
	if (size == 1)
		v = inb(PCI_CONF_DATA + (off & 3));
	else if (size == 2)
		v = inw(PCI_CONF_DATA + (off & 2));
	else
		v = inl(PCI_CONF_DATA);
	spin_unlock(&port_lock);
	return v;
}

static void cfg_write(const struct pci_dev *d, unsigned int off, unsigned int size, uint32_t v)
{
	if (off & (size - 1))
		return;
	if (d->cfg_base) {
		volatile void *p = (volatile void *)(d->cfg_base + off);

		if (off + size > 4096)
			return;
		if (size == 1)
			*(volatile uint8_t *)p = v;
		else if (size == 2)
			*(volatile uint16_t *)p = v;
		else
			mmio_write32(p, v);
		return;
	}
	if (off + size > 256)
		return;
	spin_lock(&port_lock);
	outl(PCI_CONF_ADDR, port_addr(d, off));
	if (size == 1)
		outb(PCI_CONF_DATA + (off & 3), v);
	else if (size == 2)
		outw(PCI_CONF_DATA + (off & 2), v);
	else
		outl(PCI_CONF_DATA, v);
	spin_unlock(&port_lock);
}

uint32_t pci_cfg_read32(const struct pci_dev *d, unsigned int off)
{
	return cfg_read(d, off, 4);
}

uint16_t pci_cfg_read16(const struct pci_dev *d, unsigned int off)
{
	return cfg_read(d, off, 2);
}

uint8_t pci_cfg_read8(const struct pci_dev *d, unsigned int off)
{
	return cfg_read(d, off, 1);
}

void pci_cfg_write32(const struct pci_dev *d, unsigned int off, uint32_t v)
{
	cfg_write(d, off, 4, v);
}

void pci_cfg_write16(const struct pci_dev *d, unsigned int off, uint16_t v)
{
	cfg_write(d, off, 2, v);
}

void pci_cfg_write8(const struct pci_dev *d, unsigned int off, uint8_t v)
{
	cfg_write(d, off, 1, v);
}

static uint64_t bar_read(const struct pci_dev *d, unsigned int n, uint64_t off, unsigned int size)
{
	const struct pci_bar *b;
	uint64_t ones = ~0ull >> (64 - 8 * size);

	if (n >= PCI_MAX_BARS)
		return ones;
	b = &d->bar[n];
	if (b->io) {
		uint16_t port = b->addr + off;

		return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
	}
	if (!b->va)
		return ones;
	if (size == 1)
		return *(volatile uint8_t *)(b->va + off);
	if (size == 2)
		return *(volatile uint16_t *)(b->va + off);
	return mmio_read32((volatile uint8_t *)b->va + off);
}

static void bar_write(const struct pci_dev *d, unsigned int n, uint64_t off, unsigned int size,
		      uint32_t v)
{
	const struct pci_bar *b;

	if (n >= PCI_MAX_BARS)
		return;
	b = &d->bar[n];
	if (b->io) {
		uint16_t port = b->addr + off;

		if (size == 1)
			outb(port, v);
		else if (size == 2)
			outw(port, v);
		else
			outl(port, v);
		return;
	}
	if (!b->va)
		return;
	if (size == 1)
		*(volatile uint8_t *)(b->va + off) = v;
	else if (size == 2)
		*(volatile uint16_t *)(b->va + off) = v;
	else
		mmio_write32((volatile uint8_t *)b->va + off, v);
}

uint8_t pci_bar_read8(const struct pci_dev *d, unsigned int n, uint64_t off)
{
	return bar_read(d, n, off, 1);
}

uint16_t pci_bar_read16(const struct pci_dev *d, unsigned int n, uint64_t off)
{
	return bar_read(d, n, off, 2);
}

uint32_t pci_bar_read32(const struct pci_dev *d, unsigned int n, uint64_t off)
{
	return bar_read(d, n, off, 4);
}

void pci_bar_write8(const struct pci_dev *d, unsigned int n, uint64_t off, uint8_t v)
{
	bar_write(d, n, off, 1, v);
}

void pci_bar_write16(const struct pci_dev *d, unsigned int n, uint64_t off, uint16_t v)
{
	bar_write(d, n, off, 2, v);
}

void pci_bar_write32(const struct pci_dev *d, unsigned int n, uint64_t off, uint32_t v)
{
	bar_write(d, n, off, 4, v);
}

/*
 * Sizes BAR @n (decoding is off): all ones written, the read-back's
 * writable bits give the size, the original value goes back. Returns how
 * many BAR registers it used (2 for a 64-bit BAR).
 */
static unsigned int bar_size(struct pci_dev *d, unsigned int n, unsigned int nbars)
{
	unsigned int reg = PCI_BAR0 + 4 * n;
	uint32_t orig = pci_cfg_read32(d, reg), mask, orig_hi = 0, mask_hi = 0;
	struct pci_bar *b = &d->bar[n];
	uint64_t addr, m;

	memset(b, 0, sizeof(*b));
	pci_cfg_write32(d, reg, 0xffffffffu);
	mask = pci_cfg_read32(d, reg);
	pci_cfg_write32(d, reg, orig);
	if (orig & PCI_BAR_IO) {
		m = mask & ~3u & 0xffff;
		if (!m)
			return 1;
		b->io = true;
		b->addr = orig & ~3u & 0xffff;
		b->size = (~m + 1) & 0xffff;
		return 1;
	}
	if ((orig & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_64) {
		if (n + 1 >= nbars) {
			pr_warn("pci: %s: 64-bit BAR %u has no upper half, ignored\n", d->name, n);
			return 1;
		}
		orig_hi = pci_cfg_read32(d, reg + 4);
		pci_cfg_write32(d, reg + 4, 0xffffffffu);
		mask_hi = pci_cfg_read32(d, reg + 4);
		pci_cfg_write32(d, reg + 4, orig_hi);
		b->is64 = true;
		memset(&d->bar[n + 1], 0, sizeof(*b));
	}
	m = ((uint64_t)mask_hi << 32 | (mask & ~0xfu));
	if (!b->is64)
		m |= 0xffffffff00000000ull;
	addr = ((uint64_t)orig_hi << 32) | (orig & ~0xfu);
	b->prefetchable = orig & PCI_BAR_PREFETCH;
	if (m & 0xfffffff0u || mask_hi)
		b->size = ~m + 1;
	if (b->size && addr & (b->size - 1)) {
		pr_warn("pci: %s: BAR %u at %lx is not aligned to its size %lx, ignored\n",
			d->name, n, addr, b->size);
		b->size = 0;
	} else if (b->size && !addr) {
		/* Plinth assigns no addresses; the firmware left this BAR unplaced. */
		pr_warn("pci: %s: BAR %u has no address, ignored\n", d->name, n);
		b->size = 0;
	}
	b->addr = addr;
	return b->is64 ? 2 : 1;
}

int pci_enable_device(struct pci_dev *d)
{
	unsigned int nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND), on = PCI_COMMAND_MASTER;
	volatile void *old_va[PCI_MAX_BARS];
	uint64_t old_addr[PCI_MAX_BARS];

	for (unsigned int n = 0; n < PCI_MAX_BARS; n++) {
		old_va[n] = d->bar[n].va;
		old_addr[n] = d->bar[n].addr;
	}
	/* Decoding off: a BAR holding all ones must not claim cycles meanwhile. */
	pci_cfg_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned int n = 0; n < PCI_MAX_BARS;) {
		if (n < nbars) {
			n += bar_size(d, n, nbars);
			continue;
		}
		memset(&d->bar[n++], 0, sizeof(d->bar[0]));
	}
	/* A second enable keeps the first mapping (ioremap space is not given back). */
	for (unsigned int n = 0; n < PCI_MAX_BARS; n++)
		if (d->bar[n].size && !d->bar[n].io && d->bar[n].addr == old_addr[n])
			d->bar[n].va = old_va[n];
	for (unsigned int n = 0; n < PCI_MAX_BARS; n++) {
		struct pci_bar *b = &d->bar[n];

		if (!b->size)
			continue;
		if (b->io) {
			on |= PCI_COMMAND_IO;
			continue;
		}
		on |= PCI_COMMAND_MEMORY;
		if (!b->va)
			b->va = ioremap(b->addr, b->size);
		if (!b->va) {
			pr_err("pci: %s: cannot map BAR %u (%lx bytes at %lx)\n", d->name, n,
			       b->size, b->addr);
			pci_cfg_write16(d, PCI_COMMAND, cmd);
			return -ENOMEM;
		}
	}
	pci_cfg_write16(d, PCI_COMMAND, cmd | on);
	return 0;
}

void pci_disable_device(struct pci_dev *d)
{
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);

	pci_cfg_write16(d, PCI_COMMAND,
			cmd & ~(PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
}
