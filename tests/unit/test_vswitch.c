// SPDX-License-Identifier: GPL-2.0
/*
 * The learning bridge with recording ports: flooding of unknown, broadcast
 * and multicast destinations, learning and moves, ageing, eviction from a
 * full bucket, malformed frames, per-port counters, and that a frame never
 * goes back to the port it came from.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <vmm/net/vswitch.h>
#include "net_frames.h"

#define NPORTS	4
#define SEC	1000000000ULL

static struct vswitch sw;
static struct vswitch_port ports[NPORTS];
static unsigned int got[NPORTS];	/* frames delivered to each port */
static int answer[NPORTS];		/* what each port's deliver returns */
static uint8_t last[NPORTS][64];
static uint8_t buf[NET_FRAME_MAX + 1];

static int rec_deliver(struct vswitch_port *p, const struct net_frame *f)
{
	unsigned int i = p->index;

	assert_true(i < NPORTS);
	assert_ptr_equal(p, &ports[i]);
	if (answer[i])
		return answer[i];
	got[i]++;
	memcpy(last[i], f->data, f->len < 64 ? f->len : 64);
	return 0;
}

static const struct vswitch_port_ops rec_ops = { .deliver = rec_deliver };

static int setup(void **state)
{
	char name[8];

	(void)state;
	vswitch_init(&sw, "sw0");
	memset(got, 0, sizeof(got));
	memset(answer, 0, sizeof(answer));
	for (int i = 0; i < NPORTS; i++) {
		name[0] = 'p';
		name[1] = (char)('0' + i);
		name[2] = 0;
		assert_int_equal(vswitch_add_port(&sw, &ports[i], name, &rec_ops), 0);
	}
	return 0;
}

static void mac(uint8_t m[6], unsigned int n)
{
	m[0] = 0x02;
	m[1] = 0;
	m[2] = (uint8_t)(n >> 24);
	m[3] = (uint8_t)(n >> 16);
	m[4] = (uint8_t)(n >> 8);
	m[5] = (uint8_t)n;
}

/* Sends a 60-byte frame src -> dst in on port in; returns the forward result. */
static int send_len(unsigned int in, const uint8_t *dst, const uint8_t *src, uint32_t len,
		    uint64_t now)
{
	struct net_frame f = { .data = buf, .len = len };

	tf_plain(buf, dst, src, len, (uint8_t)in);
	return vswitch_forward(&sw, &ports[in], &f, now);
}

static int sendf(unsigned int in, unsigned int dst, unsigned int src, uint64_t now)
{
	uint8_t d[6], s[6];

	mac(d, dst);
	mac(s, src);
	return send_len(in, d, s, 60, now);
}

static void expect_got(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	assert_int_equal(got[0], a);
	assert_int_equal(got[1], b);
	assert_int_equal(got[2], c);
	assert_int_equal(got[3], d);
}

static void test_learn_and_unicast(void **state)
{
	uint8_t m[6];

	(void)state;
	/* 10 on port 0 -> unknown 11: flooded to the others, never to 0. */
	assert_int_equal(sendf(0, 11, 10, 0), 3);
	expect_got(0, 1, 1, 1);
	/* 11 answers from port 2: 10 is known, so only port 0. */
	assert_int_equal(sendf(2, 10, 11, 1), 1);
	expect_got(1, 1, 1, 1);
	/* And 10 -> 11 now goes only to port 2. */
	assert_int_equal(sendf(0, 11, 10, 2), 1);
	expect_got(1, 1, 2, 1);
	mac(m, 11);
	assert_int_equal(vswitch_lookup(&sw, m, 3), 2);
	mac(m, 12);
	assert_int_equal(vswitch_lookup(&sw, m, 3), -ENOENT);
}

static void test_broadcast_multicast_flood(void **state)
{
	uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	uint8_t s[6];

	(void)state;
	mac(s, 10);
	assert_int_equal(sendf(1, 21, 20, 0), 3); /* teach the switch something */
	memset(got, 0, sizeof(got));
	assert_int_equal(send_len(1, bc, s, 60, 0), 3);
	expect_got(1, 0, 1, 1);
	assert_int_equal(send_len(3, mc, s, 60, 0), 3);
	expect_got(2, 1, 2, 1);
	/* A multicast destination is never learned or looked up. */
	assert_int_equal(vswitch_lookup(&sw, mc, 0), -ENOENT);
}

static void test_no_loopback(void **state)
{
	(void)state;
	/* 10 and 11 both behind port 1. */
	sendf(1, 99, 10, 0);
	sendf(1, 99, 11, 0);
	memset(got, 0, sizeof(got));
	assert_int_equal(sendf(1, 11, 10, 1), 0);
	expect_got(0, 0, 0, 0);
	assert_int_equal(ports[1].stats.drop_filtered, 1);
}

static void test_move(void **state)
{
	uint8_t m[6];

	(void)state;
	mac(m, 10);
	sendf(0, 99, 10, 0);
	assert_int_equal(vswitch_lookup(&sw, m, 0), 0);
	/* The guest's MAC shows up on another port (migration, misconfig). */
	sendf(3, 99, 10, 5);
	assert_int_equal(vswitch_lookup(&sw, m, 5), 3);
	memset(got, 0, sizeof(got));
	assert_int_equal(sendf(1, 10, 20, 6), 1);
	expect_got(0, 0, 0, 1);
}

static void test_ageing(void **state)
{
	uint8_t m[6];

	(void)state;
	mac(m, 10);
	sendf(0, 99, 10, 100 * SEC);
	assert_int_equal(vswitch_lookup(&sw, m, 100 * SEC + VSWITCH_AGEING_NS), 0);
	assert_int_equal(vswitch_lookup(&sw, m, 100 * SEC + VSWITCH_AGEING_NS + 1), -ENOENT);
	/* A clock a little behind the stamp (another CPU) still finds it. */
	assert_int_equal(vswitch_lookup(&sw, m, 99 * SEC), 0);
	/* Aged out: unicast to it floods again. */
	memset(got, 0, sizeof(got));
	assert_int_equal(sendf(2, 10, 20, 401 * SEC), 3);
	expect_got(1, 1, 0, 1);
	/* Traffic from it refreshes it. */
	sendf(0, 99, 10, 500 * SEC);
	assert_int_equal(vswitch_lookup(&sw, m, 799 * SEC), 0);
	vswitch_set_ageing(&sw, 10 * SEC);
	assert_int_equal(vswitch_lookup(&sw, m, 511 * SEC), -ENOENT);
}

/* MACs that all hash to one bucket. */
static unsigned int same_bucket(unsigned int *out, unsigned int n)
{
	uint8_t m[6];
	unsigned int b, found = 0;

	mac(m, 1000);
	b = vswitch_mac_bucket(m);
	for (unsigned int i = 1000; found < n && i < 1000000; i++) {
		mac(m, i);
		if (vswitch_mac_bucket(m) == b)
			out[found++] = i;
	}
	return found;
}

static void test_full_bucket_evicts_oldest(void **state)
{
	unsigned int ids[VSWITCH_MAC_WAYS + 2];
	uint8_t m[6];

	(void)state;
	assert_int_equal(same_bucket(ids, VSWITCH_MAC_WAYS + 2), VSWITCH_MAC_WAYS + 2);
	for (unsigned int i = 0; i < VSWITCH_MAC_WAYS; i++)
		sendf(i % NPORTS, 5, ids[i], (10 + i) * SEC);
	/* Refresh the oldest: the second one becomes the victim. */
	sendf(0, 5, ids[0], 20 * SEC);
	sendf(1, 5, ids[VSWITCH_MAC_WAYS], 21 * SEC);
	for (unsigned int i = 0; i <= VSWITCH_MAC_WAYS; i++) {
		mac(m, ids[i]);
		if (i == 1)
			assert_int_equal(vswitch_lookup(&sw, m, 22 * SEC), -ENOENT);
		else
			assert_int_not_equal(vswitch_lookup(&sw, m, 22 * SEC), -ENOENT);
	}
	/* An aged entry is reused before any live one is evicted. */
	vswitch_set_ageing(&sw, 5 * SEC);
	sendf(2, 5, ids[0], 26 * SEC);		/* 0 stays fresh, the rest age out */
	sendf(3, 5, ids[VSWITCH_MAC_WAYS + 1], 26 * SEC);
	mac(m, ids[0]);
	assert_int_equal(vswitch_lookup(&sw, m, 26 * SEC), 2);
	mac(m, ids[VSWITCH_MAC_WAYS + 1]);
	assert_int_equal(vswitch_lookup(&sw, m, 26 * SEC), 3);
}

static void test_table_capacity(void **state)
{
	uint8_t m[6];
	unsigned int found = 0;

	(void)state;
	/* Far more MACs than entries: the newest is always there, the table bounded. */
	for (unsigned int i = 0; i < 4 * VSWITCH_MAC_ENTRIES; i++) {
		sendf(i % NPORTS, 1, 100 + i, i);
		mac(m, 100 + i);
		assert_int_equal(vswitch_lookup(&sw, m, i), (int)(i % NPORTS));
	}
	for (unsigned int i = 0; i < 4 * VSWITCH_MAC_ENTRIES; i++) {
		mac(m, 100 + i);
		found += vswitch_lookup(&sw, m, 4 * VSWITCH_MAC_ENTRIES) >= 0;
	}
	assert_true(found <= VSWITCH_MAC_ENTRIES);
	assert_true(found > VSWITCH_MAC_ENTRIES / 2);
}

static void test_malformed(void **state)
{
	uint8_t d[6], s[6], mc[6] = { 0x03, 0, 0, 0, 0, 1 };

	(void)state;
	mac(d, 1);
	mac(s, 2);
	assert_int_equal(send_len(0, d, s, 13, 0), -EINVAL);
	assert_int_equal(send_len(0, d, s, NET_FRAME_MAX + 1, 0), -EINVAL);
	assert_int_equal(send_len(0, d, mc, 60, 0), -EINVAL);
	assert_int_equal(ports[0].stats.drop_malformed, 3);
	assert_int_equal(ports[0].stats.rx_packets, 0);
	expect_got(0, 0, 0, 0);
	/* Nothing learned from them. */
	assert_int_equal(vswitch_lookup(&sw, s, 0), -ENOENT);
	assert_int_equal(vswitch_lookup(&sw, mc, 0), -ENOENT);
	/* The limits themselves are fine. */
	assert_int_equal(send_len(0, d, s, 14, 0), 3);
	assert_int_equal(send_len(0, d, s, NET_FRAME_MAX, 0), 3);
}

static void test_counters(void **state)
{
	(void)state;
	answer[2] = -ENOBUFS;
	answer[3] = -ENODEV;
	assert_int_equal(sendf(0, 50, 10, 0), 1);	/* flood: only port 1 takes it */
	assert_int_equal(ports[0].stats.rx_packets, 1);
	assert_int_equal(ports[0].stats.rx_bytes, 60);
	assert_int_equal(ports[1].stats.tx_packets, 1);
	assert_int_equal(ports[1].stats.tx_bytes, 60);
	assert_int_equal(ports[2].stats.drop_no_buffer, 1);
	assert_int_equal(ports[3].stats.drop_filtered, 1);
	assert_int_equal(ports[2].stats.tx_packets + ports[3].stats.tx_packets, 0);
	answer[2] = 0;
	sendf(2, 10, 11, 1);
	assert_int_equal(ports[0].stats.tx_packets, 1);
	assert_int_equal(ports[2].stats.rx_packets, 1);
	assert_int_equal(ports[0].stats.rx_packets, 1);
}

static void test_port_limit(void **state)
{
	static struct vswitch big;
	static struct vswitch_port p[VSWITCH_MAX_PORTS + 1];

	(void)state;
	vswitch_init(&big, "a-very-long-switch-name-that-is-cut-short");
	assert_int_equal(strlen(big.name), VSWITCH_NAME_MAX - 1);
	for (int i = 0; i < VSWITCH_MAX_PORTS; i++)
		assert_int_equal(vswitch_add_port(&big, &p[i], "x", &rec_ops), 0);
	assert_int_equal(vswitch_add_port(&big, &p[VSWITCH_MAX_PORTS], "x", &rec_ops), -ENOSPC);
	assert_int_equal(p[VSWITCH_MAX_PORTS - 1].index, VSWITCH_MAX_PORTS - 1);
}

static unsigned int by_ptr[NPORTS];

static int ptr_deliver(struct vswitch_port *p, const struct net_frame *f)
{
	(void)f;
	by_ptr[p - ports]++;
	return 0;
}

static const struct vswitch_port_ops ptr_ops = { .deliver = ptr_deliver };

/* A refused partition's port leaves: floods skip it, the others keep working. */
static void test_remove_port(void **state)
{
	uint8_t m[6];

	(void)state;
	vswitch_init(&sw, "sw1");
	memset(by_ptr, 0, sizeof(by_ptr));
	for (int i = 0; i < 3; i++)
		assert_int_equal(vswitch_add_port(&sw, &ports[i], "p", &ptr_ops), 0);
	assert_int_equal(sendf(2, 50, 12, 0), 2); /* learns 12 on port 2 */
	vswitch_remove_port(&sw, &ports[1]);
	assert_int_equal(sw.nports, 2);
	assert_null(ports[1].sw);
	assert_int_equal(ports[2].index, 1);
	/* The table was flushed: 12 is unknown again, and is learned at its new index. */
	mac(m, 12);
	assert_int_equal(vswitch_lookup(&sw, m, 1), -ENOENT);
	memset(by_ptr, 0, sizeof(by_ptr));
	assert_int_equal(sendf(0, 99, 10, 1), 1);
	assert_int_equal(by_ptr[1], 0);
	assert_int_equal(by_ptr[2], 1);
	assert_int_equal(sendf(2, 10, 12, 2), 1);
	assert_int_equal(by_ptr[0], 1);
	assert_int_equal(vswitch_lookup(&sw, m, 3), 1);
	/* Removing a port that is not there changes nothing. */
	vswitch_remove_port(&sw, &ports[1]);
	assert_int_equal(sw.nports, 2);
}

/* Senders in flight while a delivery runs, as vswitch_remove_port() would wait for them. */
static unsigned int seen_inflight;

static int inflight_deliver(struct vswitch_port *p, const struct net_frame *f)
{
	(void)p;
	(void)f;
	seen_inflight = sw.inflight[0] + sw.inflight[1];
	return 0;
}

static const struct vswitch_port_ops inflight_ops = { .deliver = inflight_deliver };

/*
 * A sender counts itself for the whole forward, in the epoch it entered in;
 * a removal moves new senders to the other epoch and finds the old one
 * drained, so it returns.
 */
static void test_remove_waits_for_senders(void **state)
{
	(void)state;
	vswitch_init(&sw, "sw1");
	for (int i = 0; i < 3; i++)
		assert_int_equal(vswitch_add_port(&sw, &ports[i], "p", &inflight_ops), 0);
	seen_inflight = 0;
	assert_int_equal(sendf(0, 50, 12, 0), 2);
	assert_int_equal(seen_inflight, 1);
	assert_int_equal(sw.inflight[0] + sw.inflight[1], 0);
	assert_int_equal(sw.epoch & 1, 0);
	vswitch_remove_port(&sw, &ports[2]);
	assert_int_equal(sw.epoch & 1, 1);
	assert_null(sw.ports[2]);
	seen_inflight = 0;
	assert_int_equal(sendf(0, 50, 12, 1), 1);
	assert_int_equal(seen_inflight, 1);
	assert_int_equal(sw.inflight[1], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_learn_and_unicast, setup),
		cmocka_unit_test_setup(test_broadcast_multicast_flood, setup),
		cmocka_unit_test_setup(test_no_loopback, setup),
		cmocka_unit_test_setup(test_move, setup),
		cmocka_unit_test_setup(test_ageing, setup),
		cmocka_unit_test_setup(test_full_bucket_evicts_oldest, setup),
		cmocka_unit_test_setup(test_table_capacity, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_counters, setup),
		cmocka_unit_test_setup(test_port_limit, setup),
		cmocka_unit_test(test_remove_port),
		cmocka_unit_test(test_remove_waits_for_senders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
