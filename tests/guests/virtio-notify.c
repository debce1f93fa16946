// SPDX-License-Identifier: GPL-2.0
/*
 * The cost of one virtio queue notification, for tools/bench/virtio (not a
 * test). Finds the first virtio-blk function on bus 0, brings it up with
 * VERSION_1 only and queue 0 (requestq) enabled on an empty ring, so every
 * notify finds no new buffer: what is timed is the exit, the decode and the
 * device's look at the ring, not a request. Then times N notify writes
 * through each notify region the device offers (Plinth: the I/O ports of
 * BAR 0, the fast path, and the MMIO region of BAR 4, which needs an EPT
 * violation and an instruction decode), and as references an outb to the
 * test device port and a CPUID. The TSC counts emulated cycles under Bochs.
 *
 * cmdline: bench_iters=N (default 20000). Output: "BENCH name cycles" per
 * iteration, names notify-io, notify-mmio, outb, cpuid.
 */
#include "guest.h"
#include "pci.h"

#define DEFAULT_ITERS 20000

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_DEVICE_BLK 0x1042 /* 0x1040 + virtio device ID 2 */

/* virtio_pci_cap (virtio 1.x, 4.1.4); the guest's own definitions, not Plinth's. */
#define PCI_CAP_VNDR 0x09
#define CAP_CFG_TYPE 3
#define CAP_BAR 4
#define CAP_OFFSET 8
#define CAP_LENGTH 12
#define CAP_NOTIFY_MULT 16
#define CAP_COMMON 1
#define CAP_NOTIFY 2

/* virtio_pci_common_cfg (4.1.4.3). */
#define CC_DFSELECT 0x00
#define CC_DF 0x04
#define CC_GFSELECT 0x08
#define CC_GF 0x0c
#define CC_STATUS 0x14
#define CC_Q_SELECT 0x16
#define CC_Q_SIZE 0x18
#define CC_Q_MSIX 0x1a
#define CC_Q_ENABLE 0x1c
#define CC_Q_NOFF 0x1e
#define CC_Q_DESC 0x20
#define CC_Q_DRIVER 0x28
#define CC_Q_DEVICE 0x30
#define CC_MIN_LEN 0x38

#define S_ACK 0x01
#define S_DRIVER 0x02
#define S_DRIVER_OK 0x04
#define S_FEATURES_OK 0x08
#define F_VERSION_1_HI 1u /* bit 32: bit 0 of feature word 1 */
#define NO_VECTOR 0xffff

#define QSIZE 16
#define MAX_NOTIFY 2

struct ring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct ring_avail {
	uint16_t flags, idx, ring[QSIZE], used_event;
};

struct ring_used {
	uint16_t flags, idx;
	struct {
		uint32_t id, len;
	} ring[QSIZE];
	uint16_t avail_event;
};

static struct ring_desc desc[QSIZE] __aligned(4096);
static struct ring_avail avail __aligned(4096);
static struct ring_used used __aligned(4096);

struct notify_dev {
	struct pci_dev pci;
	struct pci_region common, notify[MAX_NOTIFY];
	uint32_t mult[MAX_NOTIFY];
	unsigned int nnotify;
};

static bool walk_cap(struct pci_dev d, unsigned int off, void *ctx)
{
	struct notify_dev *v = ctx;
	struct pci_region r;
	uint8_t type;

	if (pci_read8(d, off) != PCI_CAP_VNDR || pci_read8(d, off + 2) < 16)
		return true;
	type = pci_read8(d, off + CAP_CFG_TYPE);
	if (type != CAP_COMMON && type != CAP_NOTIFY)
		return true;
	if (pci_window(d, pci_read8(d, off + CAP_BAR), pci_read32(d, off + CAP_OFFSET),
		       pci_read32(d, off + CAP_LENGTH), &r))
		return true;
	if (type == CAP_COMMON && !v->common.present && r.len >= CC_MIN_LEN)
		v->common = r;
	else if (type == CAP_NOTIFY && v->nnotify < MAX_NOTIFY && pci_read8(d, off + 2) >= 20) {
		v->mult[v->nnotify] = pci_read32(d, off + CAP_NOTIFY_MULT);
		v->notify[v->nnotify++] = r;
	}
	return true;
}

static bool find_blk(struct notify_dev *v)
{
	for (uint8_t slot = 0; slot < 32; slot++) {
		struct pci_dev d = { slot, 0 };

		if (pci_read16(d, PCI_VENDOR_ID) != VIRTIO_VENDOR ||
		    pci_read16(d, PCI_DEVICE_ID) != VIRTIO_DEVICE_BLK)
			continue;
		v->pci = d;
		pci_enable(d);
		return pci_for_each_cap(d, walk_cap, v) >= 0 && v->common.present && v->nnotify;
	}
	return false;
}

static void cc_wr(struct notify_dev *v, uint32_t off, unsigned int size, uint64_t val)
{
	pci_region_wr(&v->common, off, size, val);
}

static uint64_t cc_rd(struct notify_dev *v, uint32_t off, unsigned int size)
{
	return pci_region_rd(&v->common, off, size);
}

static void cc_wr64(struct notify_dev *v, uint32_t off, uint64_t val)
{
	cc_wr(v, off, 4, (uint32_t)val);
	cc_wr(v, off + 4, 4, val >> 32);
}

/* Reset, VERSION_1 only, queue 0 on the empty rings, DRIVER_OK: its notify offset, or -1. */
static int dev_up(struct notify_dev *v)
{
	uint16_t max;

	cc_wr(v, CC_STATUS, 1, 0);
	while (cc_rd(v, CC_STATUS, 1))
		cpu_relax();
	cc_wr(v, CC_STATUS, 1, S_ACK);
	cc_wr(v, CC_STATUS, 1, S_ACK | S_DRIVER);
	cc_wr(v, CC_DFSELECT, 4, 1);
	if (!(cc_rd(v, CC_DF, 4) & F_VERSION_1_HI))
		return -1;
	cc_wr(v, CC_GFSELECT, 4, 0);
	cc_wr(v, CC_GF, 4, 0);
	cc_wr(v, CC_GFSELECT, 4, 1);
	cc_wr(v, CC_GF, 4, F_VERSION_1_HI);
	cc_wr(v, CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(cc_rd(v, CC_STATUS, 1) & S_FEATURES_OK))
		return -1;
	cc_wr(v, CC_Q_SELECT, 2, 0);
	max = (uint16_t)cc_rd(v, CC_Q_SIZE, 2);
	if (max < QSIZE)
		return -1;
	cc_wr(v, CC_Q_SIZE, 2, QSIZE);
	cc_wr(v, CC_Q_MSIX, 2, NO_VECTOR);
	cc_wr64(v, CC_Q_DESC, (uintptr_t)desc);
	cc_wr64(v, CC_Q_DRIVER, (uintptr_t)&avail);
	cc_wr64(v, CC_Q_DEVICE, (uintptr_t)&used);
	int noff = (int)cc_rd(v, CC_Q_NOFF, 2);

	cc_wr(v, CC_Q_ENABLE, 2, 1);
	cc_wr(v, CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return noff;
}

static void report(const char *name, uint64_t t0, uint64_t t1, uint64_t iters)
{
	gprintf("BENCH %s %lu\n", name, (t1 - t0) / iters);
}

/* N notify writes of queue 0 (the value written is the queue index) through region r. */
static void time_notify(const char *name, const struct pci_region *r, uint64_t at,
			uint64_t iters)
{
	uint64_t t0, t1;

	if (r->io) {
		uint16_t port = (uint16_t)(r->base + at);

		t0 = rdtsc();
		for (uint64_t i = 0; i < iters; i++)
			asm volatile("outw %%ax, %%dx" : : "a"(0), "d"(port) : "memory");
		t1 = rdtsc();
	} else {
		volatile uint16_t *reg = (volatile uint16_t *)(uintptr_t)(r->base + at);

		t0 = rdtsc();
		for (uint64_t i = 0; i < iters; i++)
			asm volatile("movw %w0, (%1)" : : "r"(0), "r"(reg) : "memory");
		t1 = rdtsc();
	}
	report(name, t0, t1, iters);
}

void guest_main(const struct boot_block *bb)
{
	const char *arg = cmdline_get("bench_iters");
	uint64_t iters = arg ? parse_u64(arg, 10, NULL) : DEFAULT_ITERS;
	struct notify_dev v = { 0 };
	bool seen_io = false, seen_mem = false;
	uint64_t t0, t1;
	int noff;

	(void)bb;
	if (!iters)
		iters = DEFAULT_ITERS;
	if (!find_blk(&v)) {
		fail("virtio-notify", "no usable virtio-blk function on bus 0");
		poweroff(1);
	}
	noff = dev_up(&v);
	if (noff < 0) {
		fail("virtio-notify", "the device refused VERSION_1 or a %u-entry queue 0", QSIZE);
		poweroff(1);
	}
	gprintf("INFO virtio-notify: %lu iterations, tsc_khz %u, %u notify region(s)\n", iters,
		tsc_khz(), v.nnotify);
	for (unsigned int n = 0; n < v.nnotify; n++) {
		uint64_t at = (uint64_t)noff * v.mult[n];
		bool io = v.notify[n].io;

		if (at + 2 > v.notify[n].len || (io ? seen_io : seen_mem))
			continue;
		time_notify(io ? "notify-io" : "notify-mmio", &v.notify[n], at, iters);
		if (io)
			seen_io = true;
		else
			seen_mem = true;
	}
	uint16_t nused = *(volatile uint16_t *)&used.idx;

	if (nused != 0)
		fail("virtio-notify", "the device used %u buffers of an empty ring", nused);

	t0 = rdtsc();
	for (uint64_t i = 0; i < iters; i++)
		asm volatile("outb %%al, %%dx" : : "a"(0x5a), "d"(GUEST_TESTDEV_PORT) : "memory");
	t1 = rdtsc();
	report("outb", t0, t1, iters);

	t0 = rdtsc();
	for (uint64_t i = 0; i < iters; i++) {
		uint32_t a = 0, b, c = 0, d;

		asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
	}
	t1 = rdtsc();
	report("cpuid", t0, t1, iters);

	cc_wr(&v, CC_STATUS, 1, 0);
	poweroff(seen_io && seen_mem ? 0 : 1);
}
