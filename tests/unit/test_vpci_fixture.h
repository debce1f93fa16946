/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TEST_VPCI_FIXTURE_H
#define TEST_VPCI_FIXTURE_H

/*
 * The bus the vpci unit tests share: I/O window 0xc000-0xcfff, memory
 * window 0xe0000000-0xefffffff, GSIs 16-23, callbacks that record what
 * they were asked, and a BAR handler that records its last access.
 * Include from exactly one .c file per test binary (static state).
 */
#include <plinth/errno.h>
#include <string.h>
#include <vmm/pci/vpci.h>

#define IO_BASE		0xc000u
#define IO_SIZE		0x1000u
#define MEM_BASE	0xe0000000u
#define MEM_SIZE	0x10000000u
#define GSI_BASE	16u
#define GSI_COUNT	8u
#define MAX_MSI		64

struct msi_rec {
	uint64_t addr;
	uint32_t data;
};

struct bar_rec {
	void *opaque;
	unsigned int bar;
	uint64_t off;
	unsigned int size;
	bool write;
	uint64_t value;
	unsigned int calls;
};

static struct vpci_bus bus;
static struct msi_rec msis[MAX_MSI];
static unsigned int nmsi;
static unsigned int intx_gsi, intx_calls;
static bool intx_level;
static struct bar_rec last;

static void rec_msi(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	if (nmsi < MAX_MSI)
		msis[nmsi] = (struct msi_rec){ addr, data };
	nmsi++;
}

static void rec_intx(void *ctx, unsigned int gsi, bool level)
{
	(void)ctx;
	intx_gsi = gsi;
	intx_level = level;
	intx_calls++;
}

#define READ_VALUE 0x1122334455667788ull

static int rec_bar(void *opaque, unsigned int bar, uint64_t off, unsigned int size, bool write,
		   uint64_t *value)
{
	last = (struct bar_rec){ opaque, bar, off, size, write, write ? *value : 0,
				 last.calls + 1 };
	if (!write)
		*value = READ_VALUE;
	return 0;
}

static void fixture_bus_init(void)
{
	const struct vpci_bus_config cfg = {
		.io_base = IO_BASE, .io_size = IO_SIZE,
		.mem_base = MEM_BASE, .mem_size = MEM_SIZE,
		.gsi_base = GSI_BASE, .gsi_count = GSI_COUNT,
		.msi = rec_msi, .intx = rec_intx, .ctx = NULL,
	};

	memset(msis, 0, sizeof(msis));
	nmsi = 0;
	intx_gsi = 0;
	intx_calls = 0;
	intx_level = false;
	memset(&last, 0, sizeof(last));
	if (vpci_bus_init(&bus, &cfg))
		abort();
}

static inline uint32_t cfg_addr(unsigned int b, unsigned int dev, unsigned int fn,
				unsigned int reg)
{
	return PCI_CONFIG_ENABLE | b << 16 | dev << 11 | fn << 8 | reg;
}

/* Mechanism #1. */
static inline uint32_t cf8_read(unsigned int slot, unsigned int reg, unsigned int size)
{
	vpci_cf8_write(&bus, PCI_CONFIG_ADDRESS_PORT, 4, cfg_addr(0, slot, 0, reg & 0xfc));
	return vpci_cf8_read(&bus, (uint16_t)(PCI_CONFIG_DATA_PORT + (reg & 3)), size);
}

static inline void cf8_write(unsigned int slot, unsigned int reg, unsigned int size, uint32_t v)
{
	vpci_cf8_write(&bus, PCI_CONFIG_ADDRESS_PORT, 4, cfg_addr(0, slot, 0, reg & 0xfc));
	vpci_cf8_write(&bus, (uint16_t)(PCI_CONFIG_DATA_PORT + (reg & 3)), size, v);
}

/* ECAM. */
static inline uint64_t ecam_off(unsigned int b, unsigned int dev, unsigned int fn,
				unsigned int reg)
{
	return (uint64_t)b << 20 | dev << 15 | fn << 12 | reg;
}

static inline uint64_t ecam_read(uint64_t off, unsigned int size)
{
	uint64_t v = 0;

	if (vpci_ecam_access(&bus, off, size, false, &v))
		abort();
	return v;
}

static inline void ecam_write(uint64_t off, unsigned int size, uint64_t v)
{
	if (vpci_ecam_access(&bus, off, size, true, &v))
		abort();
}

static inline int mmio(uint64_t gpa, unsigned int size, bool write, uint64_t *v)
{
	return vpci_mmio_access(&bus, gpa, size, write, v);
}

static inline uint64_t mmio_read(uint64_t gpa, unsigned int size)
{
	uint64_t v = 0;

	if (mmio(gpa, size, false, &v))
		abort();
	return v;
}

static inline void mmio_write(uint64_t gpa, unsigned int size, uint64_t v)
{
	if (mmio(gpa, size, true, &v))
		abort();
}

#endif
