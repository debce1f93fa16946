// SPDX-License-Identifier: GPL-2.0
/* See pci_fake.h. */
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <plinth/types.h>
#include "pci_fake.h"

static size_t dma_bytes;

void pci_fake_init(struct pci_fake *f, uint16_t vendor, uint16_t device)
{
	memset(f, 0, sizeof(*f));
	f->cfg[0] = vendor & 0xff;
	f->cfg[1] = vendor >> 8;
	f->cfg[2] = device & 0xff;
	f->cfg[3] = device >> 8;
	f->dev.vendor = vendor;
	f->dev.device = device;
	f->dev.cfg_base = (uintptr_t)f;
	strcpy(f->dev.name, "00:03.0");
}

struct pci_fake *pci_fake_of(const struct pci_dev *d)
{
	return container_of(d, struct pci_fake, dev);
}

static uint32_t cfg_read(const struct pci_dev *d, unsigned int off, unsigned int size)
{
	const struct pci_fake *f = pci_fake_of(d);
	uint32_t v = 0;

	if (off + size > sizeof(f->cfg))
		return 0xffffffffu >> (32 - 8 * size);
	memcpy(&v, f->cfg + off, size);
	return v;
}

static void cfg_write(const struct pci_dev *d, unsigned int off, unsigned int size, uint32_t v)
{
	struct pci_fake *f = pci_fake_of(d);

	if (off + size <= sizeof(f->cfg))
		memcpy(f->cfg + off, &v, size);
}

uint32_t pci_cfg_read32(const struct pci_dev *d, unsigned int off) { return cfg_read(d, off, 4); }
uint16_t pci_cfg_read16(const struct pci_dev *d, unsigned int off) { return cfg_read(d, off, 2); }
uint8_t pci_cfg_read8(const struct pci_dev *d, unsigned int off) { return cfg_read(d, off, 1); }
void pci_cfg_write32(const struct pci_dev *d, unsigned int off, uint32_t v) { cfg_write(d, off, 4, v); }
void pci_cfg_write16(const struct pci_dev *d, unsigned int off, uint16_t v) { cfg_write(d, off, 2, v); }
void pci_cfg_write8(const struct pci_dev *d, unsigned int off, uint8_t v) { cfg_write(d, off, 1, v); }

static uint64_t bar_read(const struct pci_dev *d, unsigned int n, uint64_t off, unsigned int size)
{
	struct pci_fake *f = pci_fake_of(d);

	if (n >= PCI_MAX_BARS || !f->bar_ops[n] || !f->bar_ops[n]->read)
		return ~0ull >> (64 - 8 * size);
	return f->bar_ops[n]->read(f->bar_ctx[n], off, size);
}

static void bar_write(const struct pci_dev *d, unsigned int n, uint64_t off, unsigned int size,
		      uint64_t v)
{
	struct pci_fake *f = pci_fake_of(d);

	if (n < PCI_MAX_BARS && f->bar_ops[n] && f->bar_ops[n]->write)
		f->bar_ops[n]->write(f->bar_ctx[n], off, size, v);
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

int pci_enable_device(struct pci_dev *d)
{
	struct pci_fake *f = pci_fake_of(d);

	if (f->enable_ret)
		return f->enable_ret;
	for (unsigned int i = 0; i < PCI_MAX_BARS; i++) {
		d->bar[i].size = f->bar_size[i];
		d->bar[i].io = f->bar_io[i];
		d->bar[i].addr = f->bar_size[i] ? 0xfe000000ull + 0x100000ull * i : 0;
	}
	f->enabled = true;
	return 0;
}

void pci_disable_device(struct pci_dev *d)
{
	pci_fake_of(d)->enabled = false;
}

void *dma_alloc(size_t size, uint64_t *bus)
{
	size_t rounded = (size + 4095) & ~(size_t)4095;
	void *p = aligned_alloc(4096, rounded ? rounded : 4096);

	if (!p)
		return NULL;
	memset(p, 0, rounded);
	dma_bytes += rounded;
	*bus = (uintptr_t)p;
	return p;
}

void dma_free(void *va, size_t size)
{
	if (!va)
		return;
	dma_bytes -= (size + 4095) & ~(size_t)4095;
	free(va);
}

size_t pci_fake_dma_outstanding(void)
{
	return dma_bytes;
}
