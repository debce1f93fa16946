// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the virtual PCI bus. A bus with two devices (BARs
 * of every type, MSI-X in a 64-bit BAR, a hooked capability, INTx) takes a
 * stream of hostile operations from the input: CONFIG_ADDRESS/CONFIG_DATA,
 * ECAM, MMIO and I/O accesses, MSI-X raises, INTx changes, bus resets.
 *
 * Invariants checked after every operation: absent functions read all
 * ones through both mechanisms; the read-only identity fields of all three
 * functions never change; a BAR handler only ever sees accesses inside its
 * BAR and never the MSI-X table or PBA; read values fit their size; MSIs
 * are only sent while some function has MSI-X enabled and unmasked; INTx
 * reaches only the wired GSI and only as transitions.
 *
 * Input: a sequence of operations, each an opcode byte (low 3 bits: kind)
 * followed by up to 9 bytes of operands, read little-endian (zero past the
 * end of the input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <vmm/pci/vpci.h>

#define IO_BASE		0xc000u
#define MEM_BASE	0xe0000000u
#define GSI_BASE	16u
#define SLOT_A		2
#define SLOT_B		6

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vpci_bus bus;
static struct vpci_dev a, b;
static bool line_level[GSI_BASE + 8];
static uint32_t hook_reg;

static const struct vpci_id id_a = { 0x1af4, 0x1042, 0x1af4, 2, 1, 0x010000 };
static const struct vpci_id id_b = { 0x1af4, 0x1041, 0x1af4, 1, 1, 0x020000 };

static void die(const char *what)
{
	fprintf(stderr, "vpci: %s\n", what);
	abort();
}

static bool delivering(struct vpci_dev *d)
{
	uint16_t ctl = (uint16_t)(vpci_cfg_read(&bus, d->slot, 0, d->msix.cap + 2, 2));

	return (ctl & PCI_MSIX_FLAGS_ENABLE) && !(ctl & PCI_MSIX_FLAGS_MASKALL);
}

static void msi(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	(void)addr;
	(void)data;
	if (!delivering(&a) && !delivering(&b))
		die("MSI sent with MSI-X disabled or masked");
}

static void intx(void *ctx, unsigned int gsi, bool level)
{
	(void)ctx;
	if (gsi != a.gsi)
		die("INTx on a GSI nobody is wired to");
	if (line_level[gsi] == level)
		die("INTx call without a transition");
	line_level[gsi] = level;
}

static int bar_handler(void *opaque, unsigned int bar, uint64_t off, unsigned int size, bool write,
		       uint64_t *value)
{
	struct vpci_dev *d = opaque;
	const struct vpci_msix *m = &d->msix;

	if (bar >= PCI_NUM_BARS || d->bars[bar].type == VPCI_BAR_NONE)
		die("access to an unimplemented BAR");
	if (off >= d->bars[bar].size || size > d->bars[bar].size - off)
		die("access outside the BAR");
	if (bar == m->bar && ((off < m->table_off + m->nvec * 16u && off + size > m->table_off) ||
			      (off < m->pba_off + 8u && off + size > m->pba_off)))
		die("device saw the MSI-X table or PBA");
	if (!write)
		*value = ~0ull; /* all ones: vpci must cut it to size */
	return 0;
}

static void hook_read(void *opaque, unsigned int off, unsigned int size, uint32_t *value)
{
	(void)opaque;
	if (off >= 12 || off % size || (size != 1 && size != 2 && size != 4))
		die("hook read outside its capability");
	if (off >= 4 && off < 8)
		*value = hook_reg >> ((off - 4) * 8);
}

static void hook_write(void *opaque, unsigned int off, unsigned int size, uint32_t value)
{
	(void)opaque;
	if (off >= 12 || off % size || (size != 1 && size != 2 && size != 4))
		die("hook write outside its capability");
	if (off == 4 && size == 4)
		hook_reg = value;
}

static void setup(void)
{
	static const uint8_t vndr[12] = { 0, 0, 12, 1 };
	static const struct vpci_cap_hooks hooks = { hook_read, hook_write, NULL };
	const struct vpci_bus_config cfg = {
		.io_base = IO_BASE, .io_size = 0x1000, .mem_base = MEM_BASE, .mem_size = 0x1000000,
		.gsi_base = GSI_BASE, .gsi_count = 8, .msi = msi, .intx = intx,
	};

	memset(line_level, 0, sizeof(line_level));
	hook_reg = 0;
	if (vpci_bus_init(&bus, &cfg))
		die("bus init");
	vpci_dev_init(&a, &id_a, bar_handler, &a, true);
	if (vpci_dev_set_bar(&a, 0, VPCI_BAR_IO, 64, false) ||
	    vpci_dev_set_bar(&a, 1, VPCI_BAR_MEM32, 0x1000, false) ||
	    vpci_dev_set_bar(&a, 2, VPCI_BAR_MEM64, 0x4000, false) ||
	    vpci_dev_add_msix(&a, 8, 2, 0x1000, 0x2000) < 0 ||
	    vpci_dev_add_cap_hooked(&a, PCI_CAP_ID_VNDR, vndr, sizeof(vndr), &hooks) < 0 ||
	    vpci_bus_add(&bus, &a, SLOT_A))
		die("device a");
	vpci_dev_init(&b, &id_b, bar_handler, &b, false);
	if (vpci_dev_set_bar(&b, 0, VPCI_BAR_MEM64, 0x2000, true) ||
	    vpci_dev_add_cap(&b, PCI_CAP_ID_VNDR, vndr, 4) < 0 ||
	    vpci_dev_add_msix(&b, 3, 0, 0, 0x800) < 0 || vpci_bus_add(&bus, &b, SLOT_B))
		die("device b");
}

/* Vendor/device, revision/class, header dword, subsystem, interrupt pin: no padding to compare. */
struct ids {
	uint32_t w[5];
};

static struct ids read_ids(unsigned int slot)
{
	struct ids r = {
		{ vpci_cfg_read(&bus, slot, 0, 0, 4), vpci_cfg_read(&bus, slot, 0, 8, 4),
		  vpci_cfg_read(&bus, slot, 0, 0xc, 4), vpci_cfg_read(&bus, slot, 0, 0x2c, 4),
		  vpci_cfg_read(&bus, slot, 0, 0x3d, 1) },
	};

	r.w[2] &= 0xffff00ff; /* the host bridge's latency timer is writable */
	return r;
}

static void check(const struct ids *want)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 3; i++) {
		struct ids now = read_ids(i == 0 ? 0 : i == 1 ? SLOT_A : SLOT_B);

		if (memcmp(&now, &want[i], sizeof(now)))
			die("read-only identity field changed");
	}
	if (vpci_cfg_read(&bus, 1, 0, 0, 4) != 0xffffffffu ||
	    vpci_cfg_read(&bus, SLOT_A, 1, 0, 4) != 0xffffffffu ||
	    vpci_cfg_read(&bus, 31, 0, 0x3c, 1) != 0xff)
		die("absent function does not read all ones");
	vpci_ecam_access(&bus, (uint64_t)1 << 20 | SLOT_A << 15, 4, false, &v);
	if (v != 0xffffffffu)
		die("bus 1 does not read all ones");
}

static uint64_t le(const uint8_t *p, size_t avail, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n && i < avail; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void fits(uint64_t v, unsigned int size)
{
	if (size < 8 && v >> (size * 8))
		die("read value wider than the access");
}

static void step(uint8_t op, uint64_t x, uint64_t val)
{
	unsigned int size = 1u << ((op >> 3) & 3);
	bool write = op & 0x20;
	uint64_t v = val;

	switch (op & 7) {
	case 0:
		vpci_cf8_write(&bus, PCI_CONFIG_ADDRESS_PORT, 4, (uint32_t)x);
		break;
	case 1: {
		uint16_t port = (uint16_t)(PCI_CONFIG_ADDRESS_PORT + (x & 7));

		if (write)
			vpci_cf8_write(&bus, port, size, (uint32_t)v);
		else
			fits(vpci_cf8_read(&bus, port, size), size);
		break;
	}
	case 2:
		/* Config space of the three functions and some absent ones, any register. */
		vpci_ecam_access(&bus, x & 0x1fffff, size, write, &v);
		if (!write)
			fits(v, size);
		break;
	case 3: {
		/* Near the memory window most of the time, anywhere otherwise. */
		uint64_t gpa = op & 0x40 ? (uint32_t)x : MEM_BASE + (x & 0xffff);

		if (!vpci_mmio_access(&bus, gpa, op & 0x80 ? 8 : size, write, &v) && !write)
			fits(v, op & 0x80 ? 8 : size);
		break;
	}
	case 4: {
		uint16_t port = op & 0x40 ? (uint16_t)x : (uint16_t)(IO_BASE + (x & 0xff));

		if (!vpci_io_access(&bus, port, size, write, &v) && !write)
			fits(v, size);
		break;
	}
	case 5:
		vpci_msix_raise(op & 0x40 ? &b : &a, (unsigned int)(x & 0xff) % 12);
		break;
	case 6:
		vpci_intx_set(op & 0x40 ? &b : &a, x & 1);
		break;
	default:
		if ((op & 0xf8) == 0xf8)
			vpci_bus_reset(&bus);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ids want[3];
	size_t i = 0;

	setup();
	want[0] = read_ids(0);
	want[1] = read_ids(SLOT_A);
	want[2] = read_ids(SLOT_B);
	while (i < size) {
		uint8_t op = data[i++];
		size_t avail = size - i;
		uint64_t x = le(data + i, avail, 3), val;

		/* Config addresses and raw addresses take 4 bytes, the others 3; then the value. */
		if ((op & 7) == 0 || ((op & 7) >= 3 && (op & 0x40)))
			x = le(data + i, avail, 4);
		i += (op & 7) == 0 ? 4 : 3;
		if (i > size)
			i = size;
		val = le(data + i, size - i, 1u << ((op >> 3) & 3));
		if (op & 0x20)
			i += 1u << ((op >> 3) & 3);
		if (i > size)
			i = size;
		step(op, x, val);
		check(want);
	}
	return 0;
}
