// SPDX-License-Identifier: GPL-2.0
/*
 * A switch's uplink and host port (vmm/net/uplink.c, host_port.c,
 * frame_ring.c) on a real vmm/net/vswitch.c, with a fake NIC behind the
 * uplink and a recording guest port: frames both ways, TSO cut to the
 * NIC's frame size with valid checksums, partial checksums finished or
 * handed to a NIC that offloads them, a full queue that drops and counts,
 * a full NIC ring that keeps frames queued, budgets, and bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <vmm/net/host_port.h>
#include <vmm/net/offload.h>
#include <vmm/net/uplink.h>
#include "log_capture.h"
#include "net_frames.h"

#define SLOTS 8
#define MAX_TX 128

static const uint8_t nic_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t guest_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x77 };
static const uint8_t far_mac[ETH_ALEN] = { 0x52, 0x55, 0x0a, 0, 2, 2 };	/* beyond the NIC */
static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* The fake NIC: what it sent, what it will receive, and how it answers. */
static struct {
	struct netdev nd;
	unsigned int opens, promisc_calls;
	int promisc_answer;
	unsigned int ring_room;		/* xmit answers -EAGAIN once it is 0 */
	unsigned int tx_count;
	uint8_t tx[MAX_TX][NETDEV_FRAME_MAX];
	size_t tx_len[MAX_TX];
	bool tx_offloaded[MAX_TX];
	unsigned int rx_count, rx_next;
	uint8_t rx[MAX_TX][NETDEV_FRAME_MAX];
	size_t rx_len[MAX_TX];
	unsigned int last_budget;
} nic;

static struct {
	struct vswitch sw;
	struct uplink u;
	struct host_port hp;
	struct vswitch_port guest;
	struct frame_slot up_slots[SLOTS], hp_slots[SLOTS];
	unsigned int wakes, notifies;
	unsigned int guest_got;
	uint8_t guest_last[NET_FRAME_MAX];
	struct net_frame guest_last_f;
	unsigned int stack_got;
	uint8_t stack_last[NETDEV_FRAME_MAX];
	size_t stack_len;
	bool stack_csum_valid;
	uint8_t big[NET_FRAME_MAX];
} fx;


static uint64_t clock_ns(void)
{
	return 1000;
}

static int nic_open(struct netdev *nd)
{
	(void)nd;
	nic.opens++;
	return 0;
}

static int nic_xmit(struct netdev *nd, const void *frame, size_t len,
		    const struct netdev_tx_meta *meta)
{
	(void)nd;
	assert_true(len >= ETH_HLEN && len <= NETDEV_FRAME_MAX);
	if (!nic.ring_room)
		return -EAGAIN;
	nic.ring_room--;
	assert_true(nic.tx_count < MAX_TX);
	memcpy(nic.tx[nic.tx_count], frame, len);
	nic.tx_len[nic.tx_count] = len;
	nic.tx_offloaded[nic.tx_count] = meta && meta->csum_partial;
	nic.tx_count++;
	return 0;
}

static unsigned int nic_poll(struct netdev *nd, unsigned int budget)
{
	unsigned int n = 0;

	nic.last_budget = budget;
	for (; n < budget && nic.rx_next < nic.rx_count; n++, nic.rx_next++) {
		struct netdev_rx_meta meta = { .csum_valid = false };

		nd->rx(nd->rx_ctx, nic.rx[nic.rx_next], nic.rx_len[nic.rx_next], &meta);
	}
	return n;
}

static int nic_promisc(struct netdev *nd, bool on)
{
	(void)nd;
	assert_true(on);
	nic.promisc_calls++;
	return nic.promisc_answer;
}

static const struct netdev_ops nic_ops = {
	.open = nic_open, .xmit = nic_xmit, .poll = nic_poll, .set_promisc = nic_promisc,
};

static void wake(void *ctx)
{
	assert_ptr_equal(ctx, &fx);
	fx.wakes++;
}

static void hp_notify(void *ctx)
{
	assert_ptr_equal(ctx, &fx);
	fx.notifies++;
}

static int guest_deliver(struct vswitch_port *p, const struct net_frame *f)
{
	(void)p;
	fx.guest_got++;
	memcpy(fx.guest_last, f->data, f->len);
	fx.guest_last_f = *f;
	return 0;
}

static const struct vswitch_port_ops guest_ops = { .deliver = guest_deliver };

static void stack_rx(void *ctx, const void *frame, size_t len, const struct netdev_rx_meta *meta)
{
	assert_ptr_equal(ctx, &fx);
	fx.stack_got++;
	memcpy(fx.stack_last, frame, len);
	fx.stack_len = len;
	fx.stack_csum_valid = meta->csum_valid;
}

static int setup(void **state)
{
	(void)state;
	memset(&nic, 0, sizeof(nic));
	memset(&fx, 0, sizeof(fx));
	strcpy(nic.nd.name, "eth0");
	nic.nd.driver = "fake";
	memcpy(nic.nd.mac, nic_mac, ETH_ALEN);
	nic.nd.ops = &nic_ops;
	nic.ring_room = MAX_TX;
	vswitch_init(&fx.sw, "lan0");
	assert_int_equal(vswitch_add_port(&fx.sw, &fx.guest, "web", &guest_ops), 0);
	vswitch_port_set_mac(&fx.guest, guest_mac);
	assert_int_equal(uplink_init(&fx.u, &fx.sw, &nic.nd, fx.up_slots, SLOTS, clock_ns, wake,
				     &fx), 0);
	assert_int_equal(host_port_init(&fx.hp, &fx.sw, "plinth", nic_mac, fx.hp_slots, SLOTS,
					clock_ns), 0);
	strcpy(fx.hp.nd.name, "lan0");
	fx.hp.nd.rx = stack_rx;
	fx.hp.nd.rx_ctx = &fx;
	fx.hp.nd.notify = hp_notify;
	fx.hp.nd.notify_ctx = &fx;
	assert_int_equal(uplink_open(&fx.u), 0);
	assert_int_equal(fx.hp.nd.ops->open(&fx.hp.nd), 0);
	return 0;
}

/* A frame from the guest's port, as its virtio-net would hand it to the switch. */
static int guest_sends(const struct net_frame *f)
{
	return vswitch_forward(&fx.sw, &fx.guest, f, clock_ns());
}

static void nic_will_receive(const uint8_t *dst, const uint8_t *src, uint32_t len, uint8_t seed)
{
	tf_plain(nic.rx[nic.rx_count], dst, src, len, seed);
	nic.rx_len[nic.rx_count++] = len;
}

static void test_open_asks_promiscuous(void **state)
{
	(void)state;
	assert_int_equal(nic.opens, 1);
	assert_int_equal(nic.promisc_calls, 1);
	assert_true(fx.u.promisc);
	assert_true(fx.hp.nd.link_up);
	/* The host port's MAC is taken: a guest with it would be refused. */
	assert_ptr_equal(vswitch_port_with_mac(&fx.sw, nic_mac), &fx.hp.port);
	assert_ptr_equal(vswitch_port_with_mac(&fx.sw, guest_mac), &fx.guest);
	assert_null(vswitch_port_with_mac(&fx.sw, far_mac));
}

static void test_guest_to_wire(void **state)
{
	uint8_t buf[200];
	struct net_frame f = { .data = buf, .len = sizeof(buf) };

	(void)state;
	tf_plain(buf, far_mac, guest_mac, sizeof(buf), 3);
	/* Unknown unicast floods: the uplink and Plinth's port both get it. */
	assert_int_equal(guest_sends(&f), 2);
	assert_true(fx.wakes >= 1);
	assert_int_equal(nic.tx_count, 0);	/* only the thread transmits */
	assert_false(uplink_service(&fx.u, 16));
	assert_int_equal(nic.tx_count, 1);
	assert_int_equal(nic.tx_len[0], sizeof(buf));
	assert_memory_equal(nic.tx[0], buf, sizeof(buf));
	assert_int_equal(fx.u.stats.tx_packets, 1);
	assert_false(uplink_tx_pending(&fx.u));
	/* The host port took the flood and hands it to the stack on poll. */
	assert_true(fx.notifies >= 1);
	assert_int_equal(fx.hp.nd.ops->poll(&fx.hp.nd, 16), 1);
	assert_int_equal(fx.stack_len, sizeof(buf));
}

static void test_wire_to_guest_and_stack(void **state)
{
	(void)state;
	/* The guest and Plinth each make themselves known first. */
	uint8_t b[64];
	struct net_frame f = { .data = b, .len = sizeof(b) };

	tf_plain(b, bcast, guest_mac, sizeof(b), 1);
	assert_int_equal(guest_sends(&f), 2);
	tf_plain(b, bcast, nic_mac, sizeof(b), 2);
	assert_int_equal(fx.hp.nd.ops->xmit(&fx.hp.nd, b, sizeof(b), NULL), 0);
	assert_int_equal(fx.guest_got, 1);
	assert_false(uplink_service(&fx.u, 16));
	assert_int_equal(nic.tx_count, 2);
	while (fx.hp.nd.ops->poll(&fx.hp.nd, 16))
		;
	fx.stack_got = 0;
	fx.guest_got = 0;

	nic_will_receive(guest_mac, far_mac, 300, 5);
	nic_will_receive(nic_mac, far_mac, 400, 6);
	assert_int_equal(vswitch_lookup(&fx.sw, nic_mac, clock_ns()), (int)fx.hp.port.index);
	nic_will_receive(bcast, far_mac, 100, 7);
	assert_false(uplink_service(&fx.u, 16));
	assert_int_equal(fx.u.stats.rx_packets, 3);
	/* Unicast went to its owner only; the broadcast to both. */
	assert_int_equal(fx.guest_got, 2);
	assert_int_equal(fx.hp.nd.ops->poll(&fx.hp.nd, 16), 2);
	assert_int_equal(fx.stack_got, 2);
	assert_int_equal(fx.stack_len, 100);
	assert_int_equal(fx.hp.nd.stats.rx_packets, 3);	/* with the guest's first broadcast */
	/* The NIC's own frames never go back out on it. */
	assert_int_equal(nic.tx_count, 2);
}

static void test_tso_cut_for_the_nic(void **state)
{
	struct tcp_frame_spec s = { .dst = far_mac, .src = guest_mac, .payload_len = 5000,
				    .seq = 1000, .tcp_flags = 0x18, .payload_seed = 9 };
	struct net_frame f;
	uint32_t hlen, got = 0;

	(void)state;
	hlen = tf_build(fx.big, &s, &f);
	f.gso_type = NET_GSO_TCPV4;
	f.gso_size = 1448;
	f.hdr_len = (uint16_t)hlen;
	nic.ring_room = MAX_TX;
	assert_int_equal(frame_ring_put(&fx.u.txq, &f), 0);
	assert_int_equal(fx.u.txq.stats.segmented, 1);
	assert_false(uplink_service(&fx.u, 16));
	assert_int_equal(nic.tx_count, 4);	/* 1448 * 3 + 656 */
	for (unsigned int i = 0; i < nic.tx_count; i++) {
		assert_true(nic.tx_len[i] <= NETDEV_FRAME_MAX);
		assert_true(tf_ipv4_csum_ok(nic.tx[i] + ETH_HLEN));
		assert_true(tf_tcp_csum_ok(nic.tx[i], (uint32_t)nic.tx_len[i], false,
					   f.csum_start));
		assert_int_equal(tf_be32(nic.tx[i] + f.csum_start + 4), 1000 + got);
		for (uint32_t k = 0; k < nic.tx_len[i] - hlen; k += 97)
			assert_int_equal(nic.tx[i][hlen + k], tf_payload_byte(9, got + k));
		got += (uint32_t)nic.tx_len[i] - hlen;
	}
	assert_int_equal(got, 5000);
}

static void test_segments_too_big_for_a_slot(void **state)
{
	struct tcp_frame_spec s = { .dst = far_mac, .src = guest_mac, .payload_len = 9000 };
	struct net_frame f;

	(void)state;
	f.hdr_len = (uint16_t)tf_build(fx.big, &s, &f);
	f.gso_type = NET_GSO_TCPV4;
	f.gso_size = 8000;	/* a jumbo MSS the wire cannot carry */
	assert_int_equal(frame_ring_put(&fx.u.txq, &f), -EMSGSIZE);
	f.gso_type = NET_GSO_NONE;
	f.needs_csum = false;
	assert_int_equal(frame_ring_put(&fx.u.txq, &f), -EMSGSIZE);
	assert_int_equal(fx.u.txq.stats.drop_too_big, 2);
	assert_false(uplink_tx_pending(&fx.u));
}

static void test_partial_checksum(void **state)
{
	struct tcp_frame_spec s = { .dst = far_mac, .src = guest_mac, .payload_len = 700 };
	struct net_frame f;

	(void)state;
	tf_build(fx.big, &s, &f);
	/* Without TX_CSUM on the NIC, the uplink's thread finishes it. */
	assert_int_equal(frame_ring_put(&fx.u.txq, &f), 0);
	uplink_service(&fx.u, 16);
	assert_int_equal(nic.tx_count, 1);
	assert_false(nic.tx_offloaded[0]);
	assert_true(tf_tcp_csum_ok(nic.tx[0], f.len, false, f.csum_start));
	/* With it, the NIC gets the offsets and the field as the guest left it. */
	nic.nd.features = NETDEV_F_TX_CSUM;
	assert_int_equal(frame_ring_put(&fx.u.txq, &f), 0);
	uplink_service(&fx.u, 16);
	assert_int_equal(nic.tx_count, 2);
	assert_true(nic.tx_offloaded[1]);
	assert_memory_equal(nic.tx[1], fx.big, f.len);
	/* Plinth's stack checks checksums: its port finishes them too. */
	assert_int_equal(frame_ring_put(&fx.hp.rxq, &f), 0);
	assert_int_equal(fx.hp.nd.ops->poll(&fx.hp.nd, 16), 1);
	assert_true(fx.stack_csum_valid);
	assert_true(tf_tcp_csum_ok(fx.stack_last, f.len, false, f.csum_start));
}

static void test_bad_offload_state_refused(void **state)
{
	uint8_t b[100];
	struct net_frame f = { .data = b, .len = sizeof(b), .needs_csum = true,
			       .csum_start = 90, .csum_offset = 16 };

	(void)state;
	tf_plain(b, far_mac, guest_mac, sizeof(b), 1);
	assert_int_equal(frame_ring_put(&fx.u.txq, &f), -EINVAL);
	f.needs_csum = false;
	f.gso_type = NET_GSO_TCPV4;
	f.gso_size = 100;
	assert_int_equal(frame_ring_put(&fx.u.txq, &f), -EINVAL);
	assert_int_equal(fx.u.txq.stats.drop_malformed, 2);
	/* From the stack: a partial checksum outside the frame. */
	struct netdev_tx_meta m = { .csum_partial = true, .csum_start = 99, .csum_offset = 6 };

	assert_int_equal(fx.hp.nd.ops->xmit(&fx.hp.nd, b, sizeof(b), &m), -EINVAL);
	assert_int_equal(fx.hp.nd.ops->xmit(&fx.hp.nd, b, 10, NULL), -EINVAL);
	assert_false(uplink_tx_pending(&fx.u));
}

static void test_full_queue_drops_and_recovers(void **state)
{
	uint8_t b[80];
	struct net_frame f = { .data = b, .len = sizeof(b) };

	(void)state;
	tf_plain(b, far_mac, guest_mac, sizeof(b), 4);
	for (unsigned int i = 0; i < SLOTS; i++)
		assert_int_equal(frame_ring_put(&fx.u.txq, &f), 0);
	assert_int_equal(frame_ring_put(&fx.u.txq, &f), -ENOBUFS);
	assert_int_equal(fx.u.txq.stats.drop_full, 1);
	/* Through the switch the guest sees a drop counted on the port. */
	assert_int_equal(vswitch_forward(&fx.sw, &fx.guest, &f, clock_ns()), 1);
	assert_int_equal(fx.u.port.stats.drop_no_buffer, 1);
	assert_false(uplink_service(&fx.u, 64));
	assert_int_equal(nic.tx_count, SLOTS);
	assert_int_equal(frame_ring_put(&fx.u.txq, &f), 0);
}

static void test_full_nic_ring_keeps_frames(void **state)
{
	uint8_t b[80];
	struct net_frame f = { .data = b, .len = sizeof(b) };

	(void)state;
	nic.ring_room = 2;
	for (unsigned int i = 0; i < 5; i++) {
		b[20] = (uint8_t)i;
		tf_plain(b, far_mac, guest_mac, sizeof(b), (uint8_t)i);
		assert_int_equal(frame_ring_put(&fx.u.txq, &f), 0);
	}
	assert_false(uplink_service(&fx.u, 16));
	assert_int_equal(nic.tx_count, 2);
	assert_true(uplink_tx_pending(&fx.u));
	assert_true(fx.u.stats.tx_busy >= 1);
	nic.ring_room = MAX_TX;
	assert_false(uplink_service(&fx.u, 16));
	assert_int_equal(nic.tx_count, 5);
	/* In order, none lost or repeated. */
	for (unsigned int i = 0; i < 5; i++) {
		tf_plain(b, far_mac, guest_mac, sizeof(b), (uint8_t)i);
		assert_memory_equal(nic.tx[i], b, sizeof(b));
	}
	assert_false(uplink_tx_pending(&fx.u));
}

static void test_budgets(void **state)
{
	uint8_t b[64];
	struct net_frame f = { .data = b, .len = sizeof(b) };

	(void)state;
	tf_plain(b, far_mac, guest_mac, sizeof(b), 1);
	for (unsigned int i = 0; i < SLOTS; i++)
		assert_int_equal(frame_ring_put(&fx.u.txq, &f), 0);
	for (unsigned int i = 0; i < 10; i++)
		nic_will_receive(guest_mac, far_mac, 64, (uint8_t)i);
	/* Each direction stops at its budget and says there is more. */
	assert_true(uplink_service(&fx.u, 4));
	assert_int_equal(nic.tx_count, 4);
	assert_int_equal(nic.last_budget, 4);
	assert_int_equal(fx.guest_got, 4);
	assert_true(uplink_service(&fx.u, 4));
	assert_false(uplink_service(&fx.u, 4));
	assert_int_equal(nic.tx_count, SLOTS);
	assert_int_equal(fx.guest_got, 10);
}

static void test_malformed_from_the_wire(void **state)
{
	(void)state;
	nic_will_receive(guest_mac, far_mac, 64, 1);
	/* A multicast source: refused by the switch, counted, nothing learned. */
	nic.rx[0][ETH_ALEN] |= 1;
	nic.rx_len[1] = 6;
	memset(nic.rx[1], 0xab, 6);
	nic.rx_count = 2;
	assert_false(uplink_service(&fx.u, 16));
	assert_int_equal(fx.u.stats.rx_malformed, 2);
	assert_int_equal(fx.guest_got, 0);
	assert_int_equal(fx.u.port.stats.drop_malformed, 2);
}

static void test_closed_host_port_refuses(void **state)
{
	uint8_t b[64];
	struct net_frame f = { .data = b, .len = sizeof(b) };

	(void)state;
	fx.hp.nd.ops->close(&fx.hp.nd);
	assert_false(fx.hp.nd.link_up);
	tf_plain(b, nic_mac, guest_mac, sizeof(b), 1);
	assert_int_equal(fx.hp.nd.ops->xmit(&fx.hp.nd, b, sizeof(b), NULL), -EIO);
	/* Unknown yet, so flooded: the uplink takes it, the closed port does not. */
	assert_int_equal(guest_sends(&f), 1);
	assert_int_equal(fx.hp.port.stats.drop_filtered, 1);
	assert_int_equal(fx.hp.nd.ops->poll(&fx.hp.nd, 16), 0);
}

static void test_ring_init_rejects(void **state)
{
	struct frame_ring r;
	struct uplink u;

	(void)state;
	assert_int_equal(frame_ring_init(&r, fx.up_slots, 6), -EINVAL);
	assert_int_equal(frame_ring_init(&r, NULL, 8), -EINVAL);
	assert_int_equal(frame_ring_init(&r, fx.up_slots, 0), -EINVAL);
	assert_int_equal(uplink_init(&u, &fx.sw, NULL, fx.up_slots, SLOTS, clock_ns, wake, &fx),
			 -EINVAL);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_asks_promiscuous),
		T(test_guest_to_wire),
		T(test_wire_to_guest_and_stack),
		T(test_tso_cut_for_the_nic),
		T(test_segments_too_big_for_a_slot),
		T(test_partial_checksum),
		T(test_bad_offload_state_refused),
		T(test_full_queue_drops_and_recovers),
		T(test_full_nic_ring_keeps_frames),
		T(test_budgets),
		T(test_malformed_from_the_wire),
		T(test_closed_host_port_refuses),
		T(test_ring_init_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
