// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile driver for Plinth's virtio 1.x PCI devices (issue 8). For every
 * virtio-blk and virtio-net function on bus 0 it runs a table of cases: each
 * brings the device up (reset, ACKNOWLEDGE|DRIVER, VERSION_1, FEATURES_OK,
 * one queue in our RAM, DRIVER_OK), feeds it one malformed thing and checks
 * the reaction -- DEVICE_NEEDS_RESET within a time bound for a corrupt ring,
 * refused features and unchanged read-only fields for config-space abuse --
 * then resets it and proves it works again with one well-formed request.
 *
 * The device's registers are found as a driver must find them, through the
 * virtio_pci_cap list; nothing about Plinth's BAR layout is assumed. The
 * queue tested is 0 (requestq) on blk and 1 (transmitq) on net: a net
 * device takes buffers from its receiveq only when a frame arrives.
 * Everything is polled; no interrupt is enabled.
 *
 * cmdline (optional): blk=N net=N ro=N, the device counts to expect (ro:
 * blk devices offering VIRTIO_BLK_F_RO). Without them at least one blk and
 * one net device must be found.
 *
 * The guest's definitions of the virtio layout are its own, not Plinth's
 * headers: a misreading of the spec on the device side must not be mirrored.
 */
#include "guest.h"
#include "pci.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_DEVICE_MODERN 0x1040 /* + virtio device ID */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2

/* virtio_pci_cap (4.1.4). */
#define PCI_CAP_VNDR 0x09
#define CAP_CFG_TYPE 3
#define CAP_BAR 4
#define CAP_OFFSET 8
#define CAP_LENGTH 12
#define CAP_NOTIFY_MULT 16
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

/* virtio_pci_common_cfg (4.1.4.3). */
#define CC_DFSELECT 0x00
#define CC_DF 0x04
#define CC_GFSELECT 0x08
#define CC_GF 0x0c
#define CC_MSIX 0x10
#define CC_NUMQ 0x12
#define CC_STATUS 0x14
#define CC_CFGGEN 0x15
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
#define S_NEEDS_RESET 0x40
#define S_FAILED 0x80
#define S_RUNNING (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

#define F_VERSION_1 (1ULL << 32)
#define F_EVENT_IDX (1ULL << 29)
#define F_INDIRECT_DESC (1ULL << 28)
#define F_BLK_RO (1ULL << 5)
#define NO_VECTOR 0xffff

#define D_NEXT 1
#define D_WRITE 2
#define D_INDIRECT 4

#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define SECTOR 512

#define NET_HDR_LEN 12 /* virtio_net_hdr with num_buffers: VERSION_1 */
#define ETH_MIN 60

#define QSIZE_MAX 16
#define WAIT_US 1000000
#define MAX_DEVS 8
#define MAX_NOTIFY 2
#define LOW_RAM_MAX 0xc0000000ULL
#define FAR_ADDR 0x7f0000000000ULL
#define BAD_RING 0xfffffffff000ULL

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct avail {
	uint16_t flags, idx, ring[QSIZE_MAX], used_event;
};

struct used {
	uint16_t flags, idx;
	struct {
		uint32_t id, len;
	} ring[QSIZE_MAX];
	uint16_t avail_event;
};

struct blk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

struct vdev {
	char name[8];
	struct pci_dev pci;
	unsigned int id;
	struct pci_region common, isr, device, notify[MAX_NOTIFY];
	uint32_t notify_mult[MAX_NOTIFY];
	unsigned int nnotify, which_notify;
	unsigned int q;		/* the queue under test */
	uint16_t qsize, notify_off;
	uint64_t offered;
	bool ro, have_sector0;
	uint64_t capacity;
	uint8_t sector0[SECTOR];
};

static struct desc ring_desc[QSIZE_MAX] __aligned(4096);
static struct avail ring_avail __aligned(4096);
static struct used ring_used __aligned(4096);
static struct desc indirect[4] __aligned(16);
static struct blk_hdr blk_hdr __aligned(16);
static uint8_t data[SECTOR] __aligned(SECTOR);
static uint8_t status_byte;
static uint8_t frame[NET_HDR_LEN + ETH_MIN] __aligned(16);
static uint16_t avail_idx;
static uint64_t ram_end;

static struct vdev devs[MAX_DEVS];
static unsigned int ndevs;
static char why[160];

#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static void barrier(void)
{
	asm volatile("" ::: "memory");
}

static void mb(void)
{
	asm volatile("mfence" ::: "memory");
}

/* Records why a check failed; returns false so callers can `return bad(...)`. */
static bool __printf_fmt(1, 2) bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

static uint8_t cc8(struct vdev *v, uint32_t off)
{
	return (uint8_t)pci_region_rd(&v->common, off, 1);
}

static uint16_t cc16(struct vdev *v, uint32_t off)
{
	return (uint16_t)pci_region_rd(&v->common, off, 2);
}

static uint32_t cc32(struct vdev *v, uint32_t off)
{
	return (uint32_t)pci_region_rd(&v->common, off, 4);
}

static void cc_wr(struct vdev *v, uint32_t off, unsigned int size, uint64_t val)
{
	pci_region_wr(&v->common, off, size, val);
}

/* 64-bit fields as two 32-bit halves, low first (4.1.3.1). */
static void cc_wr64(struct vdev *v, uint32_t off, uint64_t val)
{
	cc_wr(v, off, 4, (uint32_t)val);
	cc_wr(v, off + 4, 4, val >> 32);
}

static uint8_t status(struct vdev *v)
{
	return cc8(v, CC_STATUS);
}

/* Polls device_status until (status & mask) == want or WAIT_US pass; returns the last read. */
static uint8_t wait_status(struct vdev *v, uint8_t mask, uint8_t want)
{
	uint64_t end = rdtsc() + tsc_ticks_us(WAIT_US);
	uint8_t s;

	do {
		s = status(v);
		if ((s & mask) == want)
			break;
		cpu_relax();
	} while (rdtsc() < end);
	return s;
}

static bool dev_reset(struct vdev *v)
{
	uint8_t s;

	cc_wr(v, CC_STATUS, 1, 0);
	s = wait_status(v, 0xff, 0);
	return s == 0 || bad("status reads 0x%02x after reset, want 0", s);
}

static uint64_t offered_features(struct vdev *v)
{
	cc_wr(v, CC_DFSELECT, 4, 0);
	uint64_t lo = cc32(v, CC_DF);

	cc_wr(v, CC_DFSELECT, 4, 1);
	return (uint64_t)cc32(v, CC_DF) << 32 | lo;
}

static void set_driver_features(struct vdev *v, uint64_t f)
{
	cc_wr(v, CC_GFSELECT, 4, 0);
	cc_wr(v, CC_GF, 4, (uint32_t)f);
	cc_wr(v, CC_GFSELECT, 4, 1);
	cc_wr(v, CC_GF, 4, f >> 32);
}

/*
 * Reset through FEATURES_OK: VERSION_1, EVENT_IDX and INDIRECT_DESC if
 * offered (so the indirect cases break the rules of a negotiated feature),
 * and RO on a read-only disk.
 */
static bool dev_negotiate(struct vdev *v)
{
	uint64_t want = F_VERSION_1 | F_EVENT_IDX | F_INDIRECT_DESC |
			(v->id == VIRTIO_ID_BLOCK ? F_BLK_RO : 0);
	uint8_t s;

	if (!dev_reset(v))
		return false;
	cc_wr(v, CC_STATUS, 1, S_ACK);
	cc_wr(v, CC_STATUS, 1, S_ACK | S_DRIVER);
	v->offered = offered_features(v);
	if (!(v->offered & F_VERSION_1))
		return bad("VERSION_1 not offered (features 0x%lx)", v->offered);
	set_driver_features(v, v->offered & want);
	cc_wr(v, CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	s = status(v);
	return (s & S_FEATURES_OK) || bad("FEATURES_OK refused (status 0x%02x)", s);
}

static void ring_clear(void)
{
	memset(ring_desc, 0, sizeof(ring_desc));
	memset(&ring_avail, 0, sizeof(ring_avail));
	memset(&ring_used, 0, sizeof(ring_used));
	memset(indirect, 0, sizeof(indirect));
	avail_idx = 0;
}

/* Programs and enables the queue under test with its descriptor table at desc. */
static bool queue_setup(struct vdev *v, uint64_t desc)
{
	uint16_t max;

	cc_wr(v, CC_Q_SELECT, 2, v->q);
	max = cc16(v, CC_Q_SIZE);
	if (max == 0)
		return bad("queue %u has size 0", v->q);
	v->qsize = max < QSIZE_MAX ? max : QSIZE_MAX;
	if (v->qsize & (v->qsize - 1))
		return bad("queue %u maximum size %u is not a power of two", v->q, max);
	cc_wr(v, CC_Q_SIZE, 2, v->qsize);
	cc_wr(v, CC_Q_MSIX, 2, NO_VECTOR);
	cc_wr64(v, CC_Q_DESC, desc);
	cc_wr64(v, CC_Q_DRIVER, (uintptr_t)&ring_avail);
	cc_wr64(v, CC_Q_DEVICE, (uintptr_t)&ring_used);
	v->notify_off = cc16(v, CC_Q_NOFF);
	unsigned int n = v->which_notify;
	uint64_t at = (uint64_t)v->notify_off * v->notify_mult[n];

	if (at + 2 > v->notify[n].len)
		return bad("queue %u notify offset %u x %u past the notify region (%u bytes)",
			   v->q, v->notify_off, v->notify_mult[n], v->notify[n].len);
	cc_wr(v, CC_Q_ENABLE, 2, 1);
	return true;
}

/* Negotiation, the queue at desc, DRIVER_OK. */
static bool dev_up(struct vdev *v, uint64_t desc)
{
	ring_clear();
	if (!dev_negotiate(v) || !queue_setup(v, desc))
		return false;
	cc_wr(v, CC_STATUS, 1, S_RUNNING);
	return true;
}

static bool dev_up_healthy(struct vdev *v)
{
	uint8_t s;

	if (!dev_up(v, (uintptr_t)ring_desc))
		return false;
	s = status(v);
	return s == S_RUNNING || bad("status 0x%02x after DRIVER_OK, want 0x%02x", s, S_RUNNING);
}

static void notify(struct vdev *v)
{
	unsigned int n = v->which_notify;

	mb();
	pci_region_wr(&v->notify[n], (uint32_t)v->notify_off * v->notify_mult[n], 2, v->q);
}

static void set_desc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	ring_desc[i] = (struct desc){ .addr = addr, .len = len, .flags = flags, .next = next };
}

/* Makes head available; idx_step > 1 lies about how many were added. */
static void publish(struct vdev *v, uint16_t head, uint16_t idx_step)
{
	ring_avail.ring[avail_idx % v->qsize] = head;
	barrier();
	avail_idx += idx_step;
	WRITE_ONCE(ring_avail.idx, avail_idx);
}

/* Waits until the device used count elements; false (and why) if it did not in WAIT_US. */
static bool wait_used(struct vdev *v, uint16_t count)
{
	uint64_t end = rdtsc() + tsc_ticks_us(WAIT_US);
	uint16_t idx;

	do {
		idx = READ_ONCE(ring_used.idx);
		if (idx == count)
			return true;
		cpu_relax();
	} while (rdtsc() < end);
	return bad("used idx %u after %u ms, want %u (status 0x%02x)", idx, WAIT_US / 1000,
		   count, status(v));
}

/*
 * The well-formed chain in table t: blk header, sector 0 buffer, status;
 * net one frame (header + broadcast). Returns its descriptor count.
 */
static unsigned int good_chain(struct vdev *v, struct desc *t, uint32_t blk_type)
{
	if (v->id == VIRTIO_ID_BLOCK) {
		blk_hdr = (struct blk_hdr){ .type = blk_type, .sector = 0 };
		status_byte = 0xff;
		t[0] = (struct desc){ (uintptr_t)&blk_hdr, sizeof(blk_hdr), D_NEXT, 1 };
		t[1] = (struct desc){ (uintptr_t)data, SECTOR,
				      (uint16_t)(D_NEXT | (blk_type == BLK_T_IN ? D_WRITE : 0)), 2 };
		t[2] = (struct desc){ (uintptr_t)&status_byte, 1, D_WRITE, 0 };
		return 3;
	}
	memset(frame, 0, sizeof(frame));
	memset(frame + NET_HDR_LEN, 0xff, 6);			/* broadcast */
	frame[NET_HDR_LEN + 6] = 0x02;				/* locally administered */
	frame[NET_HDR_LEN + 11] = (uint8_t)(v->pci.slot);
	frame[NET_HDR_LEN + 12] = 0x88;				/* local experimental */
	frame[NET_HDR_LEN + 13] = 0xb5;
	memcpy(frame + NET_HDR_LEN + 14, "virtio-hostile", 14);
	t[0] = (struct desc){ (uintptr_t)frame, sizeof(frame), 0, 0 };
	return 1;
}

/* The descriptor carrying the payload: blk data, net frame. */
static unsigned int payload_desc(struct vdev *v)
{
	return v->id == VIRTIO_ID_BLOCK ? 1 : 0;
}

/* One good request on a running device: blk reads sector 0 (or writes it), net sends a frame. */
static bool good_request(struct vdev *v, uint32_t blk_type, uint8_t want_blk_status)
{
	uint16_t base = READ_ONCE(ring_used.idx);
	uint8_t s;

	good_chain(v, ring_desc, blk_type);
	publish(v, 0, 1);
	notify(v);
	if (!wait_used(v, (uint16_t)(base + 1)))
		return false;
	s = status(v);
	if (s != S_RUNNING)
		return bad("status 0x%02x after a good request, want 0x%02x", s, S_RUNNING);
	uint32_t id = READ_ONCE(ring_used.ring[base % v->qsize].id);

	if (id != 0)
		return bad("used id %u, want head 0", id);
	if (v->id != VIRTIO_ID_BLOCK)
		return true;
	if (READ_ONCE(status_byte) != want_blk_status)
		return bad("blk status %u, want %u", status_byte, want_blk_status);
	return true;
}

/* Reset, bring up, read sector 0 (the same data every time) or send a frame, reset. */
static bool prove(struct vdev *v)
{
	if (!dev_up_healthy(v) || !good_request(v, BLK_T_IN, BLK_S_OK))
		return false;
	if (v->id == VIRTIO_ID_BLOCK) {
		if (!v->have_sector0) {
			memcpy(v->sector0, data, SECTOR);
			v->have_sector0 = true;
		} else if (memcmp(v->sector0, data, SECTOR)) {
			return bad("sector 0 reads different data than before");
		}
	}
	(void)pci_region_rd(&v->isr, 0, 1); /* read-to-clear: leave no interrupt pending */
	return dev_reset(v);
}

/* The reaction to a corrupt ring: NEEDS_RESET within WAIT_US. */
static bool expect_needs_reset(struct vdev *v)
{
	uint8_t s = wait_status(v, S_NEEDS_RESET, S_NEEDS_RESET);

	return (s & S_NEEDS_RESET) ||
	       bad("no DEVICE_NEEDS_RESET within %u ms (status 0x%02x, queue_enable %u)",
		   WAIT_US / 1000, s, cc16(v, CC_Q_ENABLE));
}

/* Brings the device up healthy, lets mangle() corrupt the good chain, notifies. */
static bool corrupt_ring(struct vdev *v, void (*mangle)(struct vdev *v, unsigned int n),
			 bool idx_jump)
{
	unsigned int n;

	if (!dev_up_healthy(v))
		return false;
	n = good_chain(v, ring_desc, BLK_T_IN);
	mangle(v, n);
	publish(v, 0, idx_jump ? (uint16_t)(v->qsize + 1) : 1);
	notify(v);
	return expect_needs_reset(v);
}

static void m_far_buffer(struct vdev *v, unsigned int n)
{
	(void)n;
	ring_desc[payload_desc(v)].addr = FAR_ADDR;
}

/* net: the frame points at itself; blk: the status descriptor back at the data one. */
static void m_loop(struct vdev *v, unsigned int n)
{
	unsigned int last = n - 1;

	ring_desc[last].flags |= D_NEXT;
	ring_desc[last].next = (uint16_t)(v->id == VIRTIO_ID_BLOCK ? 1 : 0);
}

static void m_indirect(uint32_t len)
{
	ring_desc[0] = (struct desc){ (uintptr_t)indirect, len, D_INDIRECT, 0 };
}

static void m_indirect_odd(struct vdev *v, unsigned int n)
{
	(void)n;
	m_indirect(16 * good_chain(v, indirect, BLK_T_IN) + 8);
}

static void m_indirect_zero(struct vdev *v, unsigned int n)
{
	(void)n;
	good_chain(v, indirect, BLK_T_IN);
	m_indirect(0);
}

static void m_indirect_loop(struct vdev *v, unsigned int n)
{
	unsigned int in = good_chain(v, indirect, BLK_T_IN);

	(void)n;
	indirect[in - 1].flags |= D_NEXT;
	indirect[in - 1].next = (uint16_t)(v->id == VIRTIO_ID_BLOCK ? 1 : 0);
	m_indirect(16 * in);
}

/* blk: the status byte readable after the writable data; net: frame, writable, readable. */
static void m_read_after_write(struct vdev *v, unsigned int n)
{
	if (v->id == VIRTIO_ID_BLOCK) {
		ring_desc[n - 1].flags &= (uint16_t)~D_WRITE;
		return;
	}
	ring_desc[0].flags = D_NEXT;
	ring_desc[0].next = 1;
	set_desc(1, (uintptr_t)data, SECTOR, D_NEXT | D_WRITE, 2);
	set_desc(2, (uintptr_t)data, 16, 0, 0);
}

static void m_past_ram_end(struct vdev *v, unsigned int n)
{
	(void)n;
	ring_desc[payload_desc(v)].addr = ram_end - 0x100;
	ring_desc[payload_desc(v)].len = 0x1000;
}

static void m_wrap_2_64(struct vdev *v, unsigned int n)
{
	(void)n;
	ring_desc[payload_desc(v)].addr = 0xffffffffffffff00ULL;
	ring_desc[payload_desc(v)].len = 0x200;
}

static void m_none(struct vdev *v, unsigned int n)
{
	(void)v;
	(void)n;
}

/* avail->idx claims qsize + 1 new entries: more than the ring holds. */
static bool c_idx_jump(struct vdev *v)
{
	return corrupt_ring(v, m_none, true);
}

/* The descriptor table outside RAM when the queue is enabled, then a request on it. */
static bool c_ring_outside(struct vdev *v)
{
	if (!dev_up(v, BAD_RING))
		return false;
	good_chain(v, ring_desc, BLK_T_IN);
	publish(v, 0, 1);
	notify(v);
	return expect_needs_reset(v);
}

/* A read-only common config field must read back unchanged after a write. */
static bool ro_field(struct vdev *v, uint32_t off, unsigned int size, const char *what)
{
	uint64_t before = pci_region_rd(&v->common, off, size), after;

	cc_wr(v, off, size, ~before);
	after = pci_region_rd(&v->common, off, size);
	return after == before ||
	       bad("read-only %s 0x%lx became 0x%lx after a write", what, before, after);
}

/* A queue that does not exist reads as size 0, disabled, whatever is written to it. */
static bool absent_queue(struct vdev *v, uint16_t q)
{
	uint16_t size, en;

	cc_wr(v, CC_Q_SELECT, 2, q);
	cc_wr(v, CC_Q_SIZE, 2, 8);
	cc_wr64(v, CC_Q_DESC, (uintptr_t)ring_desc);
	cc_wr(v, CC_Q_ENABLE, 2, 1);
	size = cc16(v, CC_Q_SIZE);
	en = cc16(v, CC_Q_ENABLE);
	return (size == 0 && en == 0) ||
	       bad("queue_select %u (absent) reads size %u enable %u, want 0 0", q, size, en);
}

/* Features without VERSION_1: FEATURES_OK must read back clear. */
static bool legacy_features(struct vdev *v)
{
	uint8_t s;

	if (!dev_reset(v))
		return false;
	cc_wr(v, CC_STATUS, 1, S_ACK | S_DRIVER);
	set_driver_features(v, offered_features(v) & ~F_VERSION_1 & 0xffffffffULL);
	cc_wr(v, CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	s = status(v);
	return !(s & S_FEATURES_OK) ||
	       bad("FEATURES_OK accepted without VERSION_1 (status 0x%02x)", s);
}

/* queue_size 3: the device must not run a queue of that size. */
static bool odd_queue_size(struct vdev *v)
{
	uint16_t size, en;
	uint8_t s;

	ring_clear();
	if (!dev_negotiate(v))
		return false;
	cc_wr(v, CC_Q_SELECT, 2, v->q);
	cc_wr(v, CC_Q_SIZE, 2, 3);
	cc_wr(v, CC_Q_MSIX, 2, NO_VECTOR);
	cc_wr64(v, CC_Q_DESC, (uintptr_t)ring_desc);
	cc_wr64(v, CC_Q_DRIVER, (uintptr_t)&ring_avail);
	cc_wr64(v, CC_Q_DEVICE, (uintptr_t)&ring_used);
	cc_wr(v, CC_Q_ENABLE, 2, 1);
	cc_wr(v, CC_STATUS, 1, S_RUNNING);
	size = cc16(v, CC_Q_SIZE);
	en = cc16(v, CC_Q_ENABLE);
	s = status(v);
	if ((size & (size - 1)) && en && !(s & S_NEEDS_RESET))
		return bad("queue of size %u enabled (status 0x%02x)", size, s);
	return dev_reset(v);
}

/*
 * Writes just past the device-specific config, if that is still inside the
 * page the config starts in and no other capability claims it (so the write
 * cannot land on an unmapped hole address), and tries to overwrite the
 * blk capacity, which is read-only.
 */
static bool device_config_abuse(struct vdev *v)
{
	const struct pci_region *r = &v->device;
	uint64_t past = (r->base + r->len + 3) & ~3ULL;
	const struct pci_region *others[] = { &v->common, &v->isr, &v->notify[0], &v->notify[1] };
	bool clash = r->io || (past & ~0xfffULL) != (r->base & ~0xfffULL);

	for (unsigned int i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		const struct pci_region *o = others[i];

		if (o->present && !o->io && past + 4 > o->base && past < o->base + o->len)
			clash = true;
	}
	if (!clash) {
		struct pci_region beyond = { .base = past, .len = 4, .present = true };

		pci_region_wr(&beyond, 0, 4, 0xffffffffu);
		(void)pci_region_rd(&beyond, 0, 4);
	} else {
		gprintf("INFO virtio-hostile: %s no room past the device config to write to\n",
			v->name);
	}
	if (v->id != VIRTIO_ID_BLOCK)
		return true;
	pci_region_wr(r, 0, 4, 0xdeadbeef);
	pci_region_wr(r, 4, 4, 0xdeadbeef);
	uint64_t cap = pci_region_rd(r, 0, 4) | pci_region_rd(r, 4, 4) << 32;

	return cap == v->capacity ||
	       bad("blk capacity %lu became %lu after a write", v->capacity, cap);
}

/* Misaligned and odd-size accesses across common config fields. */
static void odd_accesses(struct vdev *v)
{
	(void)pci_region_rd(&v->common, CC_DF + 1, 1);
	(void)pci_region_rd(&v->common, CC_DFSELECT + 1, 2);
	(void)pci_region_rd(&v->common, CC_DFSELECT, 8);
	(void)pci_region_rd(&v->common, CC_NUMQ + 1, 4);
	cc_wr(v, CC_GF + 1, 1, 0xff);
	cc_wr(v, CC_NUMQ, 4, 0);		/* num_queues, status, config_generation */
	cc_wr(v, CC_Q_SELECT + 1, 2, 0xffff);	/* straddles queue_select and queue_size */
	cc_wr(v, CC_Q_DESC, 8, BAD_RING);	/* a 64-bit field in one access */
	cc_wr(v, CC_Q_DESC + 2, 4, 0x12345678);
	if (v->common.len > CC_MIN_LEN)
		(void)pci_region_rd(&v->common, v->common.len - 1, 1);
}

static bool c_config_abuse(struct vdev *v)
{
	uint16_t numq;
	uint64_t f;

	if (!dev_reset(v))
		return false;
	cc_wr(v, CC_STATUS, 1, S_ACK | S_DRIVER);
	numq = cc16(v, CC_NUMQ);
	if (numq <= v->q)
		return bad("num_queues %u, the queue under test is %u", numq, v->q);
	cc_wr(v, CC_DFSELECT, 4, 1);
	if (!ro_field(v, CC_NUMQ, 2, "num_queues") || !ro_field(v, CC_DF, 4, "device_feature"))
		return false;
	cc_wr(v, CC_Q_SELECT, 2, v->q);
	if (!ro_field(v, CC_Q_NOFF, 2, "queue_notify_off") || !absent_queue(v, numq) ||
	    !absent_queue(v, 0xffff))
		return false;
	cc_wr(v, CC_DFSELECT, 4, 0x7fffffff);	/* no such feature word: reads 0 */
	f = cc32(v, CC_DF);
	if (f)
		return bad("device_feature word 0x7fffffff reads 0x%lx, want 0", f);
	if (!legacy_features(v) || !odd_queue_size(v) || !device_config_abuse(v))
		return false;
	odd_accesses(v);
	if (!dev_reset(v))
		return false;
	f = offered_features(v);
	if (f != v->offered)
		return bad("offered features 0x%lx changed to 0x%lx", v->offered, f);
	numq = cc16(v, CC_NUMQ);
	return numq > v->q || bad("num_queues reads %u after the abuse", numq);
}

/* blk offering RO: a write must end with IOERR, the device still running. */
static bool c_write_ro(struct vdev *v)
{
	if (!dev_up_healthy(v))
		return false;
	memset(data, 0x5a, SECTOR);
	return good_request(v, BLK_T_OUT, BLK_S_IOERR);
}

#define ON_BLK 1
#define ON_NET 2
#define ON_BLK_RO 4
#define ON_ALL (ON_BLK | ON_NET)

struct hcase {
	unsigned int num;
	const char *name;
	unsigned int on;
	/* Either a whole scenario, or how to corrupt a good chain (corrupt_ring()). */
	bool (*run)(struct vdev *v);
	void (*mangle)(struct vdev *v, unsigned int n);
};

static const struct hcase cases[] = {
	{ 1, "desc-outside-ram", ON_ALL, NULL, m_far_buffer },
	{ 2, "desc-loop", ON_ALL, NULL, m_loop },
	{ 3, "indirect-len-not-16n", ON_ALL, NULL, m_indirect_odd },
	{ 3, "indirect-len-zero", ON_ALL, NULL, m_indirect_zero },
	{ 3, "indirect-loop", ON_ALL, NULL, m_indirect_loop },
	{ 4, "readable-after-writable", ON_ALL, NULL, m_read_after_write },
	{ 5, "len-past-ram-end", ON_ALL, NULL, m_past_ram_end },
	{ 5, "len-wraps-2^64", ON_ALL, NULL, m_wrap_2_64 },
	{ 6, "avail-idx-jump", ON_ALL, c_idx_jump, NULL },
	{ 7, "ring-outside-ram", ON_ALL, c_ring_outside, NULL },
	{ 8, "config-abuse", ON_ALL, c_config_abuse, NULL },
	{ 9, "write-readonly", ON_BLK_RO, c_write_ro, NULL },
};

static void run_cases(struct vdev *v)
{
	unsigned int on = v->id == VIRTIO_ID_BLOCK ? ON_BLK | (v->ro ? ON_BLK_RO : 0) : ON_NET;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hcase *c = &cases[i];

		if (!(c->on & on))
			continue;
		/* Both notify regions (I/O and MMIO), case by case. */
		v->which_notify = i % v->nnotify;
		why[0] = '\0';
		hostile("virtio %s at 00:%02x.%u: case %u %s", v->name, v->pci.slot, v->pci.func,
			c->num, c->name);
		const char *stage = "malformed step";
		bool ok = c->run ? c->run(v) : corrupt_ring(v, c->mangle, false);

		if (ok) {
			stage = "after reset";
			ok = prove(v);
		}
		/* Leave it quiet whatever happened: the next device reuses the rings. */
		cc_wr(v, CC_STATUS, 1, 0);
		(void)wait_status(v, 0xff, 0);
		if (ok)
			gprintf("virtio-hostile: %s case %u %s: ok\n", v->name, c->num, c->name);
		else
			fail("virtio-hostile", "%s case %u %s: %s: %s (notify region %u)", v->name,
			     c->num, c->name, stage, why, v->which_notify);
	}
}

static bool walk_cap(struct pci_dev d, unsigned int off, void *ctx)
{
	struct vdev *v = ctx;
	struct pci_region r;
	uint8_t type;

	if (pci_read8(d, off) != PCI_CAP_VNDR || pci_read8(d, off + 2) < 16)
		return true;
	type = pci_read8(d, off + CAP_CFG_TYPE);
	if (type < CAP_COMMON || type > CAP_DEVICE)
		return true;
	if (pci_window(d, pci_read8(d, off + CAP_BAR), pci_read32(d, off + CAP_OFFSET),
		       pci_read32(d, off + CAP_LENGTH), &r)) {
		gprintf("INFO virtio-hostile: %s cap type %u at 0x%x outside its BAR, skipped\n",
			v->name, type, off);
		return true;
	}
	/* The first of each kind is the device's preference; keep two notify windows. */
	if (type == CAP_COMMON && !v->common.present && r.len >= CC_MIN_LEN)
		v->common = r;
	else if (type == CAP_ISR && !v->isr.present)
		v->isr = r;
	else if (type == CAP_DEVICE && !v->device.present)
		v->device = r;
	else if (type == CAP_NOTIFY && v->nnotify < MAX_NOTIFY && pci_read8(d, off + 2) >= 20) {
		v->notify_mult[v->nnotify] = pci_read32(d, off + CAP_NOTIFY_MULT);
		v->notify[v->nnotify++] = r;
	}
	return true;
}

static void __printf_fmt(3, 4) sfmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt(buf, size, fmt, ap);
	va_end(ap);
}

/* Reads what the cases rely on; false (and why) if the device is unusable. */
static bool dev_describe(struct vdev *v)
{
	int ncaps = pci_for_each_cap(v->pci, walk_cap, v);

	if (ncaps < 0)
		return bad("malformed PCI capability list");
	if (!v->common.present || !v->isr.present || !v->device.present || !v->nnotify)
		return bad("missing virtio caps: common %u isr %u device %u notify %u",
			   v->common.present, v->isr.present, v->device.present, v->nnotify);
	if (!dev_negotiate(v))
		return false;
	v->ro = v->id == VIRTIO_ID_BLOCK && (v->offered & F_BLK_RO);
	if (v->id == VIRTIO_ID_BLOCK) {
		if (v->device.len < 8)
			return bad("blk device config of %u bytes", v->device.len);
		v->capacity = pci_region_rd(&v->device, 0, 4) | pci_region_rd(&v->device, 4, 4) << 32;
		if (v->capacity == 0)
			return bad("blk capacity 0");
	}
	return dev_reset(v);
}

static void probe(struct pci_dev d, unsigned int *count)
{
	uint16_t did = pci_read16(d, PCI_DEVICE_ID);
	unsigned int id = did - VIRTIO_DEVICE_MODERN;
	struct vdev *v;

	if (pci_read16(d, PCI_VENDOR_ID) != VIRTIO_VENDOR || did <= VIRTIO_DEVICE_MODERN ||
	    did > 0x107f)
		return;
	if (id != VIRTIO_ID_BLOCK && id != VIRTIO_ID_NET) {
		gprintf("INFO virtio-hostile: 00:%02x.%u virtio device %u not tested\n", d.slot,
			d.func, id);
		return;
	}
	if (ndevs == MAX_DEVS) {
		fail("virtio-hostile", "more than %u virtio devices", MAX_DEVS);
		return;
	}
	v = &devs[ndevs];
	v->pci = d;
	v->id = id;
	v->q = id == VIRTIO_ID_BLOCK ? 0 : 1;
	sfmt(v->name, sizeof(v->name), "%s%u", id == VIRTIO_ID_BLOCK ? "blk" : "net", count[id]);
	pci_enable(d);
	if (!dev_describe(v)) {
		fail("virtio-hostile", "%s at 00:%02x.%u: %s", v->name, d.slot, d.func, why);
		return;
	}
	gprintf("INFO virtio-hostile: %s at 00:%02x.%u features 0x%lx%s, common %s 0x%lx, "
		"%u notify region(s), first %s 0x%lx x%u\n", v->name, d.slot, d.func, v->offered,
		v->ro ? " (read-only)" : "", v->common.io ? "io" : "mem", v->common.base,
		v->nnotify, v->notify[0].io ? "io" : "mem", v->notify[0].base, v->notify_mult[0]);
	count[id]++;
	if (v->ro)
		count[0]++;
	ndevs++;
}

static void scan(unsigned int *count)
{
	for (uint8_t slot = 0; slot < 32; slot++) {
		struct pci_dev d = { slot, 0 };

		if (pci_read16(d, PCI_VENDOR_ID) == 0xffff)
			continue;
		unsigned int nfunc = pci_read8(d, PCI_HEADER_TYPE) & 0x80 ? 8 : 1;

		for (uint8_t fn = 0; fn < nfunc; fn++) {
			d.func = fn;
			if (pci_read16(d, PCI_VENDOR_ID) != 0xffff)
				probe(d, count);
		}
	}
}

/* cmdline key=N must match the count found; without the key, at least min. */
static void expect_count(const char *key, unsigned int found, unsigned int min)
{
	const char *s = cmdline_get(key);
	char name[40];

	sfmt(name, sizeof(name), "virtio-hostile-%s-count", key);
	if (s)
		check(parse_u64(s, 10, NULL) == found, name, "%u found, cmdline says %s", found, s);
	else
		check(found >= min, name, "%u found, want at least %u", found, min);
}

void guest_main(const struct boot_block *bb)
{
	/* count[VIRTIO_ID_NET], count[VIRTIO_ID_BLOCK]; count[0]: read-only blk. */
	unsigned int count[3] = { 0 };
	unsigned int failures = guest_failures();

	ram_end = bb->memory_size < LOW_RAM_MAX ? bb->memory_size : LOW_RAM_MAX;
	scan(count);
	expect_count("blk", count[VIRTIO_ID_BLOCK], 1);
	expect_count("net", count[VIRTIO_ID_NET], 1);
	expect_count("ro", count[0], 0);
	for (unsigned int i = 0; i < ndevs; i++)
		run_cases(&devs[i]);
	if (guest_failures() == failures) {
		gprintf("virtio-hostile: all cases passed\n");
		poweroff(0);
	}
	poweroff(1);
}
