// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net end to end on fake RAM: one guest's TX chain through the
 * switch into another guest's RX buffers, with and without merged receive
 * buffers, checksum and segmentation offloads passed through or finished
 * in software, no buffers, malformed packets (dropped, the ring fine) and
 * corrupt rings (the device failed, once).
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <vmm/net/offload.h>
#include <vmm/virtio/net.h>
#include "net_frames.h"
#include "vnet_fixture.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#define F(x)		(1ULL << VIRTIO_NET_F_##x)
#define BASIC		(F(MAC) | F(STATUS))
#define ALL		(BASIC | F(CSUM) | F(GUEST_CSUM) | F(HOST_TSO4) | F(HOST_TSO6) | \
			 F(GUEST_TSO4) | F(GUEST_TSO6) | F(MRG_RXBUF))
#define HDR		VIRTIO_NET_HDR_SIZE

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };
static const uint8_t mac_c[6] = { 0x02, 0, 0, 0, 0, 0xc };
static struct vswitch sw;
static struct vnet_guest a, b, c;
static bool have_c;
static uint8_t frame[NET_FRAME_MAX + 64];
static uint8_t out[HDR + NET_FRAME_MAX + 64];
static uint8_t hdr[HDR];

static void start(uint64_t fa, uint64_t fb)
{
	vswitch_init(&sw, "sw0");
	vg_init(&a, &sw, "a", mac_a, fa);
	vg_init(&b, &sw, "b", mac_b, fb);
	have_c = false;
}

static int teardown(void **state)
{
	(void)state;
	vg_free(&a);
	vg_free(&b);
	if (have_c)
		vg_free(&c);
	return 0;
}

/* The TX used ring of g has n elements, all with length 0. */
static void tx_used(struct vnet_guest *g, unsigned int n)
{
	assert_int_equal(vg_used_pending(g, VIRTIO_NET_TXQ), n);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t e = VG_RAM_BASE + 0x10000 + 0x8000 + 4 +
			     8 * ((g->used_seen[1] + i) % VG_QSIZE);

		assert_int_equal(vq_ram_get32(&g->ram, e + 4), 0);
	}
	g->used_seen[1] = (uint16_t)(g->used_seen[1] + n);
}

static void plain_hdr(void)
{
	vg_hdr(hdr, 0, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 0, 0);
}

static void test_plain_no_mrg(void **state)
{
	unsigned int nb;
	uint8_t cfg[VIRTIO_NET_CONFIG_SIZE];

	(void)state;
	start(BASIC, BASIC);
	b.net->dev.ops->config_read(&b.net->dev, 0, cfg, 6);
	b.net->dev.ops->config_read(&b.net->dev, 6, cfg + 6, 2);
	b.net->dev.ops->config_read(&b.net->dev, 8, cfg + 8, 2);
	assert_memory_equal(cfg, mac_b, 6);
	assert_int_equal(get_le16(cfg + 6), VIRTIO_NET_S_LINK_UP);
	assert_int_equal(get_le16(cfg + 8), 1);

	vg_post_rx(&b, 4, 1526, 2);
	tf_plain(frame, mac_b, mac_a, 1514, 1);
	plain_hdr();
	vg_send(&a, hdr, frame, 1514, 3);
	tx_used(&a, 1);
	assert_int_equal(a.irqs[VIRTIO_NET_TXQ], 1);
	assert_int_equal(vg_recv(&b, out, sizeof(out), &nb), HDR + 1514);
	assert_int_equal(nb, 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	assert_int_equal(get_le16(out + VIRTIO_NET_HDR_NUM_BUFFERS), 1);
	assert_memory_equal(out + HDR, frame, 1514);
	assert_int_equal(b.irqs[VIRTIO_NET_RXQ], 1);
	assert_int_equal(a.net->stats.tx_packets, 1);
	assert_int_equal(a.net->stats.tx_bytes, 1514);
	assert_int_equal(b.net->stats.rx_packets, 1);
	assert_int_equal(b.net->stats.rx_bytes, 1514);
	assert_int_equal(sw.ports[1]->stats.tx_packets, 1);
	/* A's own receive queue saw nothing: no loopback. */
	assert_int_equal(a.net->stats.rx_packets + a.net->stats.rx_no_buffer, 0);

	/* A frame bigger than every buffer without MRG_RXBUF: dropped, buffer kept. */
	vg_post_rx(&b, 1, 100, 1);
	tf_plain(frame, mac_b, mac_a, 1514, 2);
	vg_send(&a, hdr, frame, 60, 1);
	assert_int_equal(vg_recv(&b, out, sizeof(out), &nb), HDR + 60);
	assert_int_equal(a.net->stats.tx_errors + b.net->stats.rx_dropped, 0);
	assert_int_equal(a.fails + b.fails, 0);
}

static void test_too_small_chain_no_mrg(void **state)
{
	unsigned int nb;

	(void)state;
	start(BASIC, BASIC);
	vg_post_rx(&b, 1, 100, 1);
	tf_plain(frame, mac_b, mac_a, 200, 3);
	plain_hdr();
	vg_send(&a, hdr, frame, 200, 2);
	assert_int_equal(b.net->stats.rx_dropped, 1);
	assert_int_equal(vg_used_pending(&b, VIRTIO_NET_RXQ), 0);
	/* The chain was given back: a frame that fits takes it. */
	vg_send(&a, hdr, frame, 88, 2);
	assert_int_equal(vg_recv(&b, out, sizeof(out), &nb), HDR + 88);
	assert_memory_equal(out + HDR, frame, 88);
	assert_int_equal(b.fails, 0);
}

static void test_mrg_spreads_over_chains(void **state)
{
	unsigned int nb;

	(void)state;
	start(BASIC, BASIC | F(MRG_RXBUF));
	vg_post_rx(&b, 2, 1000, 1);
	tf_plain(frame, mac_b, mac_a, 3000, 4);
	plain_hdr();
	/* Two buffers are not enough: nothing is published, they are kept. */
	vg_send(&a, hdr, frame, 3000, 4);
	assert_int_equal(vg_used_pending(&b, VIRTIO_NET_RXQ), 0);
	assert_int_equal(b.net->stats.rx_no_buffer, 1);
	assert_int_equal(sw.ports[1]->stats.drop_no_buffer, 1);
	assert_int_equal(b.irqs[VIRTIO_NET_RXQ], 0);
	vg_post_rx(&b, 2, 1000, 3);
	vg_send(&a, hdr, frame, 3000, 4);
	assert_int_equal(vg_recv(&b, out, sizeof(out), &nb), HDR + 3000);
	assert_int_equal(nb, 4);
	assert_memory_equal(out + HDR, frame, 3000);
	assert_int_equal(b.irqs[VIRTIO_NET_RXQ], 1);
	assert_int_equal(b.net->stats.rx_packets, 1);
	/* A small one in one buffer says num_buffers = 1. */
	vg_post_rx(&b, 1, 1000, 1);
	vg_send(&a, hdr, frame, 64, 2);
	assert_int_equal(vg_recv(&b, out, sizeof(out), &nb), HDR + 64);
	assert_int_equal(nb, 1);
}

static uint32_t tcp_frame(bool v6, uint32_t payload, uint8_t flags, struct net_frame *f)
{
	struct tcp_frame_spec s = { .v6 = v6, .dst = mac_b, .src = mac_a,
				    .payload_len = payload, .seq = 1000, .ip_id = 7,
				    .tcp_flags = flags, .payload_seed = 5 };

	return tf_build(frame, &s, f);
}

static void test_csum_passthrough_and_software(void **state)
{
	struct net_frame f;
	unsigned int nb;

	(void)state;
	start(BASIC | F(CSUM), BASIC | F(GUEST_CSUM));
	have_c = true;
	vg_init(&c, &sw, "c", mac_c, BASIC);
	vg_post_rx(&b, 2, 2000, 1);
	vg_post_rx(&c, 2, 2000, 1);
	/* To the broadcast address, so both receivers get it. */
	tcp_frame(false, 500, 0x18, &f);
	memset(frame, 0xff, 6);
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, f.csum_start, f.csum_offset);
	vg_send(&a, hdr, frame, f.len, 2);
	/* B takes the partial checksum as it is. */
	assert_int_equal(vg_recv(&b, out, sizeof(out), &nb), HDR + f.len);
	assert_int_equal(out[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(get_le16(out + VIRTIO_NET_HDR_CSUM_START), f.csum_start);
	assert_int_equal(get_le16(out + VIRTIO_NET_HDR_CSUM_OFFSET), 16);
	assert_memory_equal(out + HDR, frame, f.len);
	/* C did not negotiate GUEST_CSUM: completed here. */
	assert_int_equal(vg_recv(&c, out, sizeof(out), &nb), HDR + f.len);
	assert_int_equal(out[0], 0);
	assert_true(tf_tcp_csum_ok(out + HDR, f.len, false, f.csum_start));
	assert_memory_not_equal(out + HDR, frame, f.len);
	/* The sender's frame was not touched on the way (B got it unchanged). */
	assert_int_equal(a.net->stats.tx_errors, 0);
}

static void tso_to(uint64_t fb, bool v6, bool expect_pass)
{
	struct net_frame f;
	uint32_t hlen, payload = 4000, mss = 1400, off = 0;
	unsigned int nb, segs = expect_pass ? 1 : 3;

	start(BASIC | F(CSUM) | F(HOST_TSO4) | F(HOST_TSO6), fb);
	vg_post_rx(&b, 8, fb & F(MRG_RXBUF) ? 1500 : 5000, 1);
	hlen = tcp_frame(v6, payload, 0x19, &f);
	/* A wrong hdr_len hint: the receiver is told the real one. */
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	       v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4, (uint16_t)(hlen + 5),
	       (uint16_t)mss, f.csum_start, f.csum_offset);
	vg_send(&a, hdr, frame, f.len, 3);
	tx_used(&a, 1);
	assert_int_equal(a.net->stats.tx_errors, 0);
	for (unsigned int i = 0; i < segs; i++) {
		uint32_t n = vg_recv(&b, out, sizeof(out), &nb);

		if (expect_pass) {
			assert_int_equal(n, HDR + f.len);
			assert_int_equal(out[1], v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
						      VIRTIO_NET_HDR_GSO_TCPV4);
			assert_int_equal(get_le16(out + VIRTIO_NET_HDR_GSO_SIZE), mss);
			assert_int_equal(get_le16(out + VIRTIO_NET_HDR_HDR_LEN), hlen);
			assert_int_equal(out[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
			assert_memory_equal(out + HDR, frame, f.len);
			break;
		}
		uint32_t chunk = payload - off < mss ? payload - off : mss;

		assert_int_equal(n, HDR + hlen + chunk);
		assert_int_equal(out[1], 0);
		assert_int_equal(out[0], fb & F(GUEST_CSUM) ? VIRTIO_NET_HDR_F_DATA_VALID : 0);
		assert_true(tf_tcp_csum_ok(out + HDR, n - HDR, v6, f.csum_start));
		if (!v6)
			assert_true(tf_ipv4_csum_ok(out + HDR + 14));
		assert_int_equal(tf_be32(out + HDR + f.csum_start + 4), 1000 + off);
		assert_memory_equal(out + HDR + hlen, frame + hlen + off, chunk);
		off += chunk;
	}
	assert_int_equal(vg_used_pending(&b, VIRTIO_NET_RXQ), 0);
	assert_int_equal(b.net->stats.rx_packets, segs);
	assert_int_equal(b.irqs[VIRTIO_NET_RXQ], 1);
}

static void test_tso_passthrough_mrg(void **state)
{
	(void)state;
	tso_to(ALL, false, true);
}

static void test_tso_passthrough_big_buffers(void **state)
{
	(void)state;
	tso_to(BASIC | F(GUEST_CSUM) | F(GUEST_TSO6), true, true);
}

static void test_tso_software(void **state)
{
	(void)state;
	tso_to(BASIC, false, false);
}

static void test_tso_software_v6_csum(void **state)
{
	(void)state;
	/* GUEST_TSO4 only: a v6 super-frame must still be cut. */
	tso_to(BASIC | F(GUEST_CSUM) | F(GUEST_TSO4) | F(MRG_RXBUF), true, false);
}

/* Software segmentation that runs out of buffers part way: the rest is dropped. */
static void test_tso_software_partial(void **state)
{
	struct net_frame f;
	uint32_t hlen;
	unsigned int nb;

	(void)state;
	start(BASIC | F(CSUM) | F(HOST_TSO4), BASIC);
	vg_post_rx(&b, 2, 1600, 1);
	hlen = tcp_frame(false, 4000, 0x18, &f);
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, (uint16_t)hlen, 1400,
	       f.csum_start, f.csum_offset);
	vg_send(&a, hdr, frame, f.len, 2);
	assert_int_equal(b.net->stats.rx_packets, 2);
	assert_int_equal(b.net->stats.rx_no_buffer, 1);
	assert_int_equal(sw.ports[1]->stats.drop_no_buffer, 1);
	assert_int_equal(b.irqs[VIRTIO_NET_RXQ], 1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(vg_recv(&b, out, sizeof(out), &nb), HDR + hlen + 1400);
		assert_true(tf_tcp_csum_ok(out + HDR, hlen + 1400, false, f.csum_start));
		/* Not the last segment: no PSH. */
		assert_int_equal(out[HDR + f.csum_start + 13] & TCP_FLAG_PSH, 0);
	}
	assert_int_equal(b.fails + a.fails, 0);
}

static void test_no_rx_buffers(void **state)
{
	unsigned int nb;

	(void)state;
	start(BASIC, BASIC | F(MRG_RXBUF));
	tf_plain(frame, mac_b, mac_a, 60, 1);
	plain_hdr();
	vg_send(&a, hdr, frame, 60, 2);
	vg_send(&a, hdr, frame, 60, 2);
	tx_used(&a, 2);
	assert_int_equal(b.net->stats.rx_no_buffer, 2);
	assert_int_equal(sw.ports[1]->stats.drop_no_buffer, 2);
	assert_int_equal(a.net->stats.tx_packets, 2);
	assert_int_equal(b.fails, 0);
	vg_post_rx(&b, 1, 1500, 1);
	vg_send(&a, hdr, frame, 60, 2);
	assert_int_equal(vg_recv(&b, out, sizeof(out), &nb), HDR + 60);
}

/* Sends hdr + frame from A; expects a drop counted on A, nothing at B, no failure. */
static void expect_tx_error(uint32_t len, unsigned int nseg)
{
	uint64_t before = a.net->stats.tx_errors;

	vg_send(&a, hdr, frame, len, nseg);
	tx_used(&a, 1);
	assert_int_equal(a.net->stats.tx_errors, before + 1);
	assert_int_equal(vg_used_pending(&b, VIRTIO_NET_RXQ), 0);
	assert_int_equal(a.fails, 0);
}

static void test_malformed_tx(void **state)
{
	struct net_frame f;
	uint32_t hlen;
	uint32_t lens[2] = { HDR, 100 };
	const uint8_t *data[2] = { hdr, frame };

	(void)state;
	start(BASIC | F(CSUM) | F(HOST_TSO4), BASIC | F(MRG_RXBUF));
	vg_post_rx(&b, 8, 2000, 1);
	hlen = tcp_frame(false, 3000, 0x10, &f);
	/* Checksum field past the end. */
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, (uint16_t)(f.len - 1), 0);
	expect_tx_error(f.len, 2);
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 0xffff, 0xffff);
	expect_tx_error(f.len, 2);
	/* GSO types not negotiated or not offered. */
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, (uint16_t)hlen, 1000,
	       f.csum_start, 16);
	expect_tx_error(f.len, 2);
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP, (uint16_t)hlen, 1000,
	       f.csum_start, 6);
	expect_tx_error(f.len, 2);
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
	       (uint16_t)hlen, 1000, f.csum_start, 16);
	expect_tx_error(f.len, 2);
	/* GSO without NEEDS_CSUM, with gso_size 0, with a broken IP header. */
	vg_hdr(hdr, 0, VIRTIO_NET_HDR_GSO_TCPV4, (uint16_t)hlen, 1000, 0, 0);
	expect_tx_error(f.len, 2);
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, (uint16_t)hlen, 0,
	       f.csum_start, 16);
	expect_tx_error(f.len, 2);
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, (uint16_t)hlen, 1000,
	       f.csum_start, 16);
	frame[14] = 0x4f;
	expect_tx_error(f.len, 2);
	frame[14] = 0x45;
	/* A frame shorter than an Ethernet header: the switch refuses it. */
	plain_hdr();
	expect_tx_error(13, 2);
	/* A chain shorter than the header, and one longer than header + 64 KiB. */
	vg_send(&a, hdr, frame, 0, 1);	/* 12 bytes: a header and an empty frame */
	tx_used(&a, 1);
	lens[0] = HDR - 1;
	vg_add_chain(&a, VIRTIO_NET_TXQ, 1, lens, data, false);
	vg_notify(&a, VIRTIO_NET_TXQ);
	tx_used(&a, 1);
	assert_int_equal(a.net->stats.tx_errors, 11);
	memset(frame, 0, NET_FRAME_MAX + 1);
	tf_plain(frame, mac_b, mac_a, 60, 1);
	expect_tx_error(NET_FRAME_MAX + 1, 3);
	/* A device-writable descriptor in a TX chain. */
	lens[0] = HDR;
	vg_add_chain(&a, VIRTIO_NET_TXQ, 2, lens, data, true);
	vg_notify(&a, VIRTIO_NET_TXQ);
	tx_used(&a, 1);
	assert_int_equal(a.net->stats.tx_errors, 13);
	/* And the ring still works. */
	expect_tx_error(13, 2);
	vg_send(&a, hdr, frame, NET_FRAME_MAX, 3);
	tx_used(&a, 1);
	assert_int_equal(a.net->stats.tx_packets, 1);
	assert_int_equal(a.fails, 0);
}

static void test_tx_ring_fault_fails_once(void **state)
{
	uint32_t lens[1] = { 100 };

	(void)state;
	start(BASIC, BASIC);
	vg_add_chain(&a, VIRTIO_NET_TXQ, 1, lens, NULL, false);
	/* Point the descriptor outside guest RAM. */
	vq_ram_put64(&a.ram, VG_RAM_BASE + 0x10000, 0x10);
	vg_notify(&a, VIRTIO_NET_TXQ);
	assert_int_equal(a.fails, 1);
	assert_true(a.net->dev.failed);
	assert_non_null(a.fail_reason);
	vg_notify(&a, VIRTIO_NET_TXQ);
	tf_plain(frame, mac_b, mac_a, 60, 1);
	plain_hdr();
	vg_send(&a, hdr, frame, 60, 1);
	assert_int_equal(a.fails, 1);
	assert_int_equal(a.net->stats.tx_packets, 0);
}

static void test_rx_readable_buffer_fails(void **state)
{
	uint32_t lens[1] = { 2000 };

	(void)state;
	start(BASIC, BASIC | F(MRG_RXBUF));
	vg_add_chain(&b, VIRTIO_NET_RXQ, 1, lens, NULL, false);
	tf_plain(frame, mac_b, mac_a, 60, 1);
	plain_hdr();
	vg_send(&a, hdr, frame, 60, 2);
	assert_int_equal(b.fails, 1);
	vg_send(&a, hdr, frame, 60, 2);
	assert_int_equal(b.fails, 1);
	assert_int_equal(b.net->stats.rx_packets, 0);
	assert_int_equal(b.net->stats.rx_dropped, 2);
	/* The sender is fine. */
	assert_int_equal(a.fails, 0);
	assert_int_equal(a.net->stats.tx_packets, 2);
}

static void test_rx_ring_fault_fails_once(void **state)
{
	uint32_t lens[1] = { 2000 };

	(void)state;
	start(BASIC, BASIC);
	vg_add_chain(&b, VIRTIO_NET_RXQ, 1, lens, NULL, true);
	vq_ram_put64(&b.ram, VG_RAM_BASE, VG_RAM_BASE + VG_RAM_SIZE - 10);
	tf_plain(frame, mac_b, mac_a, 60, 1);
	plain_hdr();
	vg_send(&a, hdr, frame, 60, 2);
	vg_send(&a, hdr, frame, 60, 2);
	assert_int_equal(b.fails, 1);
	assert_non_null(b.fail_reason);
	assert_int_equal(b.net->stats.rx_dropped, 2);
	assert_int_equal(vg_used_pending(&b, VIRTIO_NET_RXQ), 0);
	/* After a reset the device works again. */
	vg_reset(&b, BASIC);
	vg_post_rx(&b, 1, 2000, 1);
	vg_send(&a, hdr, frame, 60, 2);
	assert_int_equal(vg_used_pending(&b, VIRTIO_NET_RXQ), 1);
	assert_int_equal(b.fails, 0);
}

/* Frames from a port that is not virtio-net are checked again on delivery. */
static void test_rx_bad_frame_from_other_port(void **state)
{
	struct net_frame f;

	(void)state;
	start(BASIC, BASIC);
	vg_post_rx(&b, 4, 2000, 1);
	tcp_frame(false, 3000, 0x10, &f);
	f.gso_type = NET_GSO_TCPV4;
	f.gso_size = 0;
	assert_int_equal(b.net->port.ops->deliver(&b.net->port, &f), -EINVAL);
	f.gso_type = NET_GSO_NONE;
	f.csum_start = (uint16_t)(f.len - 1);
	assert_int_equal(b.net->port.ops->deliver(&b.net->port, &f), -EINVAL);
	/* Even to a guest that would take partial checksums as they are. */
	b.net->dev.features |= F(GUEST_CSUM);
	assert_int_equal(b.net->port.ops->deliver(&b.net->port, &f), -EINVAL);
	assert_int_equal(b.net->stats.rx_errors, 3);
	assert_int_equal(vg_used_pending(&b, VIRTIO_NET_RXQ), 0);
	assert_int_equal(b.fails, 0);
}

/* A super-frame cut into many segments still interrupts every NOTIFY_BATCH. */
static void test_tso_many_segments(void **state)
{
	struct net_frame f;
	uint32_t hlen;
	unsigned int nb;

	(void)state;
	start(BASIC | F(CSUM) | F(HOST_TSO4), BASIC | F(MRG_RXBUF));
	vg_post_rx(&b, 200, 700, 1);
	hlen = tcp_frame(false, 65000, 0x18, &f);
	vg_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, (uint16_t)hlen, 500,
	       f.csum_start, f.csum_offset);
	vg_send(&a, hdr, frame, f.len, 4);
	assert_int_equal(b.net->stats.rx_packets, 130);
	assert_true(b.irqs[VIRTIO_NET_RXQ] >= 2 && b.irqs[VIRTIO_NET_RXQ] <= 4);
	for (int i = 0; i < 130; i++) {
		assert_int_equal(vg_recv(&b, out, sizeof(out), &nb), HDR + hlen + 500);
		assert_true(tf_tcp_csum_ok(out + HDR, hlen + 500, false, f.csum_start));
		assert_int_equal(tf_be16(out + HDR + 14 + 4), (uint16_t)(7 + i));
	}
}

static void test_rx_mrg_tiny_buffer_fails(void **state)
{
	(void)state;
	start(BASIC, BASIC | F(MRG_RXBUF));
	vg_post_rx(&b, 1, 8, 1);
	tf_plain(frame, mac_b, mac_a, 60, 1);
	plain_hdr();
	vg_send(&a, hdr, frame, 60, 2);
	assert_int_equal(b.fails, 1);
	assert_int_equal(vg_used_pending(&b, VIRTIO_NET_RXQ), 0);
}

static void test_rx_not_running(void **state)
{
	(void)state;
	start(BASIC, BASIC);
	vg_post_rx(&b, 2, 2000, 1);
	/* The driver reset the device (the transport holds every queue lock). */
	b.net->dev.ops->reset(&b.net->dev);
	tf_plain(frame, mac_b, mac_a, 60, 1);
	plain_hdr();
	vg_send(&a, hdr, frame, 60, 2);
	assert_int_equal(b.net->stats.rx_dropped, 1);
	assert_int_equal(sw.ports[1]->stats.drop_filtered, 1);
	assert_int_equal(vg_used_pending(&b, VIRTIO_NET_RXQ), 0);
	b.net->dev.ops->driver_ok(&b.net->dev);
	vg_send(&a, hdr, frame, 60, 2);
	assert_int_equal(vg_used_pending(&b, VIRTIO_NET_RXQ), 1);
}

static void test_features_ok(void **state)
{
	(void)state;
	start(BASIC, BASIC);
	assert_int_equal(vg_features_ok(&a, F(GUEST_TSO4)), -EINVAL);
	assert_int_equal(vg_features_ok(&a, F(GUEST_TSO6) | F(CSUM)), -EINVAL);
	assert_int_equal(vg_features_ok(&a, F(HOST_TSO4) | F(GUEST_CSUM)), -EINVAL);
	assert_int_equal(vg_features_ok(&a, F(HOST_TSO6)), -EINVAL);
	assert_int_equal(vg_features_ok(&a, ALL), 0);
	assert_int_equal(vg_features_ok(&a, F(CSUM) | F(HOST_TSO4)), 0);
	assert_int_equal(vg_features_ok(&a, 0), 0);
	/* Bits we do not implement are not offered. */
	assert_int_equal(virtio_net_features() & (F(CTRL_VQ) | F(HOST_ECN) | F(GUEST_ECN) |
						  F(HOST_UFO) | F(GUEST_UFO)), 0);
}

static void test_many_tx_in_one_notify(void **state)
{
	uint32_t lens[2] = { HDR, 60 };
	const uint8_t *data[2] = { hdr, frame };
	unsigned int nb;

	(void)state;
	start(BASIC, BASIC | F(MRG_RXBUF));
	vg_post_rx(&b, 200, 128, 1);
	tf_plain(frame, mac_b, mac_a, 60, 1);
	plain_hdr();
	for (int i = 0; i < 100; i++)
		vg_add_chain(&a, VIRTIO_NET_TXQ, 2, lens, data, false);
	vg_notify(&a, VIRTIO_NET_TXQ);
	tx_used(&a, 100);
	assert_int_equal(b.net->stats.rx_packets, 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(vg_recv(&b, out, sizeof(out), &nb), HDR + 60);
	/* Interrupts batched, not one per packet. */
	assert_true(a.irqs[VIRTIO_NET_TXQ] >= 1 && a.irqs[VIRTIO_NET_TXQ] <= 3);
	assert_int_equal(b.irqs[VIRTIO_NET_RXQ], 100);
}

/* The two walker calls the receive path adds: batched publication and give-back. */
static void test_vq_push_n_unpop(void **state)
{
	struct virtq *vq;
	struct virtq_seg seg[4];
	struct virtq_chain ch[3];
	struct virtq_used_elem e[3];
	uint64_t used = VG_RAM_BASE + 0x8000;

	(void)state;
	start(BASIC, BASIC);
	vq = &a.net->dev.queues[VIRTIO_NET_RXQ].vq;
	vg_post_rx(&a, 3, 100, 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vq_pop(vq, seg, 4, &ch[i]), 1);
	assert_int_equal(vq_unpop(vq, 4), -ENOSPC);
	assert_int_equal(vq_unpop(vq, 2), 0);
	/* The given-back chains come again, in order. */
	assert_int_equal(vq_pop(vq, seg, 4, &ch[1]), 1);
	assert_int_equal(vq_pop(vq, seg, 4, &ch[2]), 1);
	assert_int_equal(ch[1].head, 1);
	assert_int_equal(ch[2].head, 2);
	for (int i = 0; i < 3; i++)
		e[i] = (struct virtq_used_elem){ ch[i].head, 10u + (uint32_t)i };
	e[2].head = VG_QSIZE;
	assert_int_equal(vq_push_n(vq, e, 3), -EINVAL);
	assert_int_equal(vq_ram_get16(&a.ram, used + 2), 0);
	e[2].head = ch[2].head;
	assert_int_equal(vq_push_n(vq, e, 2), 0);
	assert_int_equal(vq_ram_get16(&a.ram, used + 2), 2);
	assert_int_equal(vq_ram_get32(&a.ram, used + 4 + 8 + 4), 11);
	assert_int_equal(vq_push_n(vq, e, 2), -ENOSPC);
	assert_int_equal(vq_push_n(vq, e + 2, 1), 0);
	assert_int_equal(vq_ram_get16(&a.ram, used + 2), 3);
	assert_int_equal(vq_unpop(vq, 1), -ENOSPC);
	assert_int_equal(vq_push_n(vq, e, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_plain_no_mrg, teardown),
		cmocka_unit_test_teardown(test_too_small_chain_no_mrg, teardown),
		cmocka_unit_test_teardown(test_mrg_spreads_over_chains, teardown),
		cmocka_unit_test_teardown(test_csum_passthrough_and_software, teardown),
		cmocka_unit_test_teardown(test_tso_passthrough_mrg, teardown),
		cmocka_unit_test_teardown(test_tso_passthrough_big_buffers, teardown),
		cmocka_unit_test_teardown(test_tso_software, teardown),
		cmocka_unit_test_teardown(test_tso_software_v6_csum, teardown),
		cmocka_unit_test_teardown(test_tso_software_partial, teardown),
		cmocka_unit_test_teardown(test_no_rx_buffers, teardown),
		cmocka_unit_test_teardown(test_malformed_tx, teardown),
		cmocka_unit_test_teardown(test_tx_ring_fault_fails_once, teardown),
		cmocka_unit_test_teardown(test_rx_readable_buffer_fails, teardown),
		cmocka_unit_test_teardown(test_rx_mrg_tiny_buffer_fails, teardown),
		cmocka_unit_test_teardown(test_rx_ring_fault_fails_once, teardown),
		cmocka_unit_test_teardown(test_rx_bad_frame_from_other_port, teardown),
		cmocka_unit_test_teardown(test_tso_many_segments, teardown),
		cmocka_unit_test_teardown(test_rx_not_running, teardown),
		cmocka_unit_test_teardown(test_features_ok, teardown),
		cmocka_unit_test_teardown(test_many_tx_in_one_notify, teardown),
		cmocka_unit_test_teardown(test_vq_push_n_unpop, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
