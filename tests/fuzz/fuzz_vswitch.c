// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: three guests with virtio-net NICs (features from the
 * input) on one switch, driven by a script in the input: packets sent with
 * any header and bytes, receive buffers posted, the clock moved, devices
 * reset, the transmit ring scribbled on. After every step each device's
 * counters must agree with the switch's and with what its guest read back.
 *
 * Input: 3 feature bytes, then records of an op byte (port = op % 3, kind
 * = op / 3 % 6, flag bits 0x40 / 0x80) and its operands:
 *  send:  nseg, len le16, 12-byte header, len frame bytes (0x40: the
 *         sender's own MAC as source, 0x80: another NIC's as destination)
 *  post:  count, size le16, nseg
 *  clock: seconds
 *  reset: -
 *  poke:  offset le16, value le16 into a queue's rings (0x40: the RX
 *         queue), then a notify of that queue
 *  wire:  room, budget, len le16, len bytes: the uplink's NIC receives
 *         the bytes (if len > 0), then one round of the uplink's thread
 *         with that much room in the NIC's ring, and a poll of Plinth's
 *         host port
 * The switch also has an uplink to a fake NIC and a host port: every frame
 * either reaches the NIC or Plinth's stack, is still queued, or is counted
 * as refused, and neither ever sees a frame longer than the wire's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <vmm/net/host_port.h>
#include <vmm/net/uplink.h>
#include <vmm/virtio/net.h>
#include "vnet_fixture.h"

#define NDEV	3
#define F(x)	(1ULL << VIRTIO_NET_F_##x)

static struct vswitch sw;
static struct vnet_guest g[NDEV];
static uint64_t feat[NDEV];
static uint64_t got[NDEV];	/* packets each guest read back */
static uint8_t out[VIRTIO_NET_HDR_SIZE + NET_FRAME_MAX + 64];
static uint8_t frame[NET_FRAME_MAX];

#define SLOTS 16
static struct uplink up;
static struct host_port hp;
static struct frame_slot up_slots[SLOTS], hp_slots[SLOTS];
static struct netdev nic;
static unsigned int nic_room;
static const uint8_t *nic_rx;
static size_t nic_rx_len;

static void check_wire_frame(size_t len)
{
	if (len < 14 || len > NETDEV_FRAME_MAX)
		abort();
}

static int nic_open(struct netdev *nd)
{
	(void)nd;
	return 0;
}

static int nic_xmit(struct netdev *nd, const void *f, size_t len, const struct netdev_tx_meta *m)
{
	(void)nd;
	(void)f;
	check_wire_frame(len);
	if (m && (m->csum_start + m->csum_offset + 2u > len))
		abort();
	if (!nic_room)
		return -EAGAIN;
	nic_room--;
	return 0;
}

static unsigned int nic_poll(struct netdev *nd, unsigned int budget)
{
	if (!budget || !nic_rx_len)
		return 0;
	nd->rx(nd->rx_ctx, nic_rx, nic_rx_len, NULL);
	nic_rx_len = 0;
	return 1;
}

static const struct netdev_ops nic_ops = { .open = nic_open, .xmit = nic_xmit, .poll = nic_poll };

static uint64_t fz_clock(void)
{
	return vg_now;
}

static void nop_wake(void *ctx)
{
	(void)ctx;
}

static void stack_rx(void *ctx, const void *f, size_t len, const struct netdev_rx_meta *m)
{
	(void)ctx;
	(void)f;
	(void)m;
	check_wire_frame(len);
}

static uint64_t ring_pending(const struct frame_ring *r)
{
	return r->tail - r->head;
}

static void check_wire(void)
{
	if (up.txq.stats.queued != up.stats.tx_packets + up.stats.tx_errors + ring_pending(&up.txq) ||
	    hp.rxq.stats.queued != hp.nd.stats.rx_packets + hp.nd.stats.rx_errors +
	    ring_pending(&hp.rxq))
		abort();
}

static uint64_t features_of(uint8_t b)
{
	uint64_t f = F(MAC) | F(STATUS);

	if (b & 1)
		f |= F(CSUM);
	if (b & 2)
		f |= F(GUEST_CSUM);
	if (b & 4)
		f |= F(HOST_TSO4) | F(CSUM);
	if (b & 8)
		f |= F(HOST_TSO6) | F(CSUM);
	if (b & 16)
		f |= F(GUEST_TSO4) | F(GUEST_CSUM);
	if (b & 32)
		f |= F(GUEST_TSO6) | F(GUEST_CSUM);
	if (b & 64)
		f |= F(MRG_RXBUF);
	return f;
}

static void setup_once(void)
{
	static bool done;
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	char name[2] = { 0, 0 };

	if (done)
		return;
	done = true;
	vswitch_init(&sw, "fuzz");
	for (int i = 0; i < NDEV; i++) {
		mac[5] = (uint8_t)(i + 1);
		name[0] = (char)('a' + i);
		vg_init(&g[i], &sw, name, mac, 0);
	}
	nic.ops = &nic_ops;
	mac[5] = 0x10;
	memcpy(nic.mac, mac, 6);
	if (uplink_init(&up, &sw, &nic, up_slots, SLOTS, fz_clock, nop_wake, NULL) ||
	    uplink_open(&up))
		abort();
	mac[5] = 0x11;
	if (host_port_init(&hp, &sw, "plinth", mac, hp_slots, SLOTS, fz_clock))
		abort();
	hp.nd.rx = stack_rx;
	hp.nd.ops->open(&hp.nd);
}

static void drain(int i)
{
	unsigned int nb;

	while (vg_recv(&g[i], out, sizeof(out), &nb))
		got[i]++;
}

static void check(void)
{
	for (int i = 0; i < NDEV; i++) {
		struct virtio_net_stats *s = &g[i].net->stats;
		struct vswitch_port_stats *p = &g[i].net->port.stats;

		drain(i);
		if (p->rx_packets != s->tx_packets ||
		    (!g[i].lenient && got[i] != s->rx_packets) ||
		    p->tx_packets > s->rx_packets || g[i].fails > 1 ||
		    (g[i].fails == 1) != g[i].net->dev.failed)
			abort();
	}
}

static bool take(const uint8_t **d, size_t *n, void *dst, size_t len)
{
	if (*n < len)
		return false;
	memcpy(dst, *d, len);
	*d += len;
	*n -= len;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t fb[NDEV], op, b[4], hdr[VIRTIO_NET_HDR_SIZE];

	setup_once();
	if (!take(&data, &size, fb, NDEV))
		return 0;
	memset(sw.table, 0, sizeof(sw.table));
	vswitch_set_ageing(&sw, VSWITCH_AGEING_NS);
	vg_now = 0;
	for (int i = 0; i < NDEV; i++) {
		feat[i] = features_of(fb[i]);
		vg_reset(&g[i], feat[i]);
		got[i] = 0;
	}
	frame_ring_init(&up.txq, up_slots, SLOTS);
	frame_ring_init(&hp.rxq, hp_slots, SLOTS);
	memset(&up.stats, 0, sizeof(up.stats));
	memset(&hp.nd.stats, 0, sizeof(hp.nd.stats));
	nic.features = fb[0] & 0x80 ? NETDEV_F_TX_CSUM : 0;
	while (take(&data, &size, &op, 1)) {
		int i = op % NDEV;

		switch (op / NDEV % 6) {
		case 0: {
			uint32_t len;
			unsigned int nseg;

			if (!take(&data, &size, b, 3) || !take(&data, &size, hdr, sizeof(hdr)))
				return 0;
			nseg = 1 + b[0] % 4;
			len = get_le16(b + 1);
			if (len > size)
				len = (uint32_t)size;
			take(&data, &size, frame, len);
			if (len >= 12 && (op & 0x40))
				memcpy(frame + 6, g[i].net->mac, 6);
			if (len >= 6 && (op & 0x80))
				memcpy(frame, g[(i + 1 + (b[0] >> 2) % 2) % NDEV].net->mac, 6);
			if (g[i].net->dev.failed)
				break;
			vg_send(&g[i], hdr, frame, len, nseg);
			break;
		}
		case 1: {
			unsigned int count, nseg;
			uint32_t sz;

			if (!take(&data, &size, b, 4))
				return 0;
			count = 1 + b[0] % 16;
			sz = get_le16(b + 1);
			nseg = 1 + b[3] % 4;
			if (sz < nseg)
				sz = nseg;
			while (count-- && g[i].rx_outstanding + nseg <= VG_QSIZE)
				vg_post_rx(&g[i], 1, sz, nseg);
			vg_notify(&g[i], VIRTIO_NET_RXQ);
			break;
		}
		case 2:
			if (!take(&data, &size, b, 1))
				return 0;
			vg_now += b[0] * 10ULL * 1000000000ULL;
			break;
		case 3:
			drain(i);
			vg_reset(&g[i], feat[i]);
			got[i] = 0;
			break;
		case 4: {
			unsigned int q = op & 0x40 ? VIRTIO_NET_RXQ : VIRTIO_NET_TXQ;
			uint64_t at = VG_RAM_BASE + 0x10000 * q;

			if (!take(&data, &size, b, 4))
				return 0;
			at += get_le16(b) % 0x8000;
			vq_ram_put16(&g[i].ram, at, get_le16(b + 2));
			if (q == VIRTIO_NET_RXQ)
				g[i].lenient = true;
			vg_notify(&g[i], q);
			break;
		}
		default: {
			uint32_t len;

			if (!take(&data, &size, b, 4))
				return 0;
			len = get_le16(b + 2);
			if (len > size)
				len = (uint32_t)size;
			nic_rx = data;
			nic_rx_len = len;
			data += len;
			size -= len;
			nic_room = b[0] % 8;
			uplink_service(&up, 1 + b[1] % 8);
			hp.nd.ops->poll(&hp.nd, 1 + b[1] % 8);
			nic_rx_len = 0;
			break;
		}
		}
		check();
		check_wire();
	}
	return 0;
}
