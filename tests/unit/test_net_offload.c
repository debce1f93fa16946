// SPDX-License-Identifier: GPL-2.0
/*
 * Software checksum completion and TCP segmentation against hand-built
 * IPv4 and IPv6 frames, every checksum verified by net_frames.c's own
 * summing code; and every malformed header refused without a segment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <vmm/net/ether.h>
#include <vmm/net/offload.h>
#include "net_frames.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };
static uint8_t frame[NET_FRAME_MAX];
static uint8_t segbuf[NET_FRAME_MAX];

/* What emit saw. */
#define MAX_SEGS 80
static struct {
	unsigned int n;
	uint32_t len[MAX_SEGS];
	uint8_t *data[MAX_SEGS];
	bool data_valid[MAX_SEGS], offload_left[MAX_SEGS];
	int fail_at;	/* return -ENOBUFS from this call on; -1 never */
} seen;

static int record(void *ctx, const struct net_frame *seg)
{
	(void)ctx;
	if (seen.fail_at >= 0 && seen.n >= (unsigned int)seen.fail_at)
		return -ENOBUFS;
	assert_true(seen.n < MAX_SEGS);
	seen.data[seen.n] = malloc(seg->len);
	memcpy(seen.data[seen.n], seg->data, seg->len);
	seen.len[seen.n] = seg->len;
	seen.data_valid[seen.n] = seg->data_valid;
	seen.offload_left[seen.n] = seg->needs_csum || seg->gso_type != NET_GSO_NONE;
	seen.n++;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	seen.fail_at = -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < seen.n; i++)
		free(seen.data[i]);
	return 0;
}

static struct net_frame gso_frame(const struct tcp_frame_spec *s, uint16_t mss)
{
	struct net_frame f;
	uint32_t hlen = tf_build(frame, s, &f);

	f.gso_type = s->v6 ? NET_GSO_TCPV6 : NET_GSO_TCPV4;
	f.gso_size = mss;
	f.hdr_len = (uint16_t)hlen;
	return f;
}

static void csum_completes(bool v6)
{
	struct tcp_frame_spec s = { .v6 = v6, .dst = mac_b, .src = mac_a, .payload_len = 333,
				    .seq = 1, .tcp_flags = 0x18, .payload_seed = 3 };
	struct net_frame f;

	tf_build(frame, &s, &f);
	assert_false(tf_tcp_csum_ok(frame, f.len, v6, f.csum_start));
	assert_int_equal(net_csum_complete(frame, f.len, f.csum_start, f.csum_offset), 0);
	assert_true(tf_tcp_csum_ok(frame, f.len, v6, f.csum_start));
}

static void test_csum_complete_v4(void **state)
{
	(void)state;
	csum_completes(false);
}

static void test_csum_complete_v6(void **state)
{
	(void)state;
	csum_completes(true);
}

static void test_csum_bounds(void **state)
{
	uint8_t b[64] = { 0 };

	(void)state;
	/* The field must lie wholly in [start, len). */
	assert_int_equal(net_csum_complete(b, 64, 60, 2), 0);
	assert_int_equal(net_csum_complete(b, 64, 60, 3), -EINVAL);
	assert_int_equal(net_csum_complete(b, 64, 64, 0), -EINVAL);
	assert_int_equal(net_csum_complete(b, 64, 0xffff, 0xffff), -EINVAL);
	/* All zero: sum 0, complement 0xffff, stored as such. */
	memset(b, 0, sizeof(b));
	assert_int_equal(net_csum_complete(b, 64, 0, 10), 0);
	assert_int_equal(tf_be16(b + 10), 0xffff);
	/* Odd length: the last byte counts as the high half of a word. */
	memset(b, 0, sizeof(b));
	b[4] = 0x12;
	assert_int_equal(net_csum_complete(b, 5, 0, 0), 0);
	assert_int_equal(tf_be16(b), (uint16_t)~0x1200);
}

/* Checks the segments of a frame built from s, cut at mss. */
static void check_segments(const struct tcp_frame_spec *s, uint32_t hlen, uint16_t mss)
{
	uint32_t l4 = 14 + (s->v6 ? 40 : 20 + s->ip_opt_len), off = 0;
	unsigned int expect = (s->payload_len + mss - 1) / mss;

	assert_int_equal(seen.n, expect);
	for (unsigned int i = 0; i < seen.n; i++) {
		const uint8_t *d = seen.data[i], *ip = d + 14, *th = d + l4;
		uint32_t chunk = s->payload_len - off < mss ? s->payload_len - off : mss;
		bool last = i == seen.n - 1;

		assert_int_equal(seen.len[i], hlen + chunk);
		assert_true(seen.data_valid[i]);
		assert_false(seen.offload_left[i]);
		assert_memory_equal(d, frame, 14);
		if (s->v6) {
			assert_int_equal(tf_be16(ip + 4), hlen - 14 - 40 + chunk);
			assert_memory_equal(ip + 8, frame + 14 + 8, 32);
		} else {
			assert_int_equal(tf_be16(ip + 2), hlen - 14 + chunk);
			assert_int_equal(tf_be16(ip + 4), (uint16_t)(s->ip_id + i));
			assert_true(tf_ipv4_csum_ok(ip));
		}
		assert_int_equal(tf_be32(th + 4), (uint32_t)(s->seq + off));
		assert_int_equal(th[13] & TCP_FLAG_FIN, last ? s->tcp_flags & TCP_FLAG_FIN : 0);
		assert_int_equal(th[13] & TCP_FLAG_PSH, last ? s->tcp_flags & TCP_FLAG_PSH : 0);
		assert_int_equal(th[13] & TCP_FLAG_CWR, i == 0 ? s->tcp_flags & TCP_FLAG_CWR : 0);
		/* ACK and the rest of the header unchanged. */
		assert_int_equal(th[13] & 0x10, s->tcp_flags & 0x10);
		assert_memory_equal(th + 8, frame + l4 + 8, 4);
		assert_true(tf_tcp_csum_ok(d, seen.len[i], s->v6, l4));
		for (uint32_t j = 0; j < chunk; j++)
			assert_int_equal(d[hlen + j], tf_payload_byte(s->payload_seed, off + j));
		off += chunk;
	}
	assert_int_equal(off, s->payload_len);
}

static void tso_case(bool v6, uint32_t payload, uint16_t mss, unsigned int ip_opt,
		     unsigned int tcp_opt, uint8_t flags, uint32_t seq)
{
	struct tcp_frame_spec s = { .v6 = v6, .dst = mac_b, .src = mac_a, .ip_opt_len = ip_opt,
				    .tcp_opt_len = tcp_opt, .payload_len = payload, .seq = seq,
				    .ip_id = 0xfffe, .tcp_flags = flags, .payload_seed = 9 };
	struct net_frame f = gso_frame(&s, mss);
	int n = net_tso_segment(&f, segbuf, sizeof(segbuf), record, NULL);

	assert_int_equal(n, (int)((payload + mss - 1) / mss));
	check_segments(&s, f.hdr_len, mss);
	for (unsigned int i = 0; i < seen.n; i++)
		free(seen.data[i]);
	seen.n = 0;
}

static void test_tso_v4(void **state)
{
	(void)state;
	/* PSH|FIN|ACK|CWR, uneven last segment, IP ID and sequence wrapping. */
	tso_case(false, 4000, 1448, 0, 12, 0x80 | 0x18 | 0x01, 0xfffff000u);
	tso_case(false, 2896, 1448, 8, 0, 0x10, 7);
	tso_case(false, 100, 1448, 0, 0, 0x19, 1);	/* one segment */
	tso_case(false, 65000, 1460, 0, 0, 0x18, 100);	/* a full-size super-frame */
}

static void test_tso_v6(void **state)
{
	(void)state;
	tso_case(true, 5000, 1220, 0, 12, 0x80 | 0x18 | 0x01, 0x7ffffff0u);
	tso_case(true, 1440, 1440, 0, 0, 0x10, 0);
	tso_case(true, 65000, 1440, 0, 20, 0x18, 5);
}

static void test_tso_emit_error_stops(void **state)
{
	struct tcp_frame_spec s = { .dst = mac_b, .src = mac_a, .payload_len = 5000, .seq = 1,
				    .tcp_flags = 0x10 };
	struct net_frame f = gso_frame(&s, 1000);

	(void)state;
	seen.fail_at = 2;
	assert_int_equal(net_tso_segment(&f, segbuf, sizeof(segbuf), record, NULL), -ENOBUFS);
	assert_int_equal(seen.n, 2);
}

static void test_tso_small_buffer(void **state)
{
	struct tcp_frame_spec s = { .dst = mac_b, .src = mac_a, .payload_len = 3000, .seq = 1 };
	struct net_frame f = gso_frame(&s, 1000);

	(void)state;
	assert_int_equal(net_tso_segment(&f, segbuf, f.hdr_len + 999, record, NULL), -ENOSPC);
	assert_int_equal(net_tso_segment(&f, segbuf, f.hdr_len + 1000, record, NULL), 3);
	assert_int_equal(seen.n, 3);
}

/* Builds a good v4 or v6 GSO frame, lets mutate() break it, expects refusal. */
static void refuse(bool v6, void (*mutate)(struct net_frame *f))
{
	struct tcp_frame_spec s = { .v6 = v6, .dst = mac_b, .src = mac_a, .payload_len = 3000,
				    .seq = 1 };
	struct net_frame f = gso_frame(&s, 1000);
	struct net_tcp_layout lay;

	assert_int_equal(net_gso_parse(&f, &lay), 0);
	mutate(&f);
	assert_int_equal(net_gso_parse(&f, &lay), -EINVAL);
	assert_int_equal(net_offload_check(&f), -EINVAL);
	assert_int_equal(net_tso_segment(&f, segbuf, sizeof(segbuf), record, NULL), -EINVAL);
	assert_int_equal(seen.n, 0);
}

static void m_mss0(struct net_frame *f) { f->gso_size = 0; }
static void m_type(struct net_frame *f) { f->gso_type = (enum net_gso_type)7; }
static void m_v4_as_v6(struct net_frame *f) { f->gso_type = NET_GSO_TCPV6; }
static void m_ethertype(struct net_frame *f) { (void)f; frame[12] = 0x81; frame[13] = 0x00; }
static void m_ip_version(struct net_frame *f) { (void)f; frame[14] = (frame[14] & 0xf) | 0x50; }
static void m_ihl_small(struct net_frame *f) { (void)f; frame[14] = 0x44; }
static void m_ihl_past_end(struct net_frame *f) { f->len = 14 + 40; frame[14] = 0x4f; }
static void m_udp(struct net_frame *f) { (void)f; frame[14 + 9] = 17; }
static void m_fragment(struct net_frame *f) { (void)f; frame[14 + 6] = 0x20; } /* MF */
static void m_frag_off(struct net_frame *f) { (void)f; frame[14 + 7] = 1; }
static void m_v6_ext(struct net_frame *f) { (void)f; frame[14 + 6] = 0; } /* hop-by-hop */
static void m_doff_small(struct net_frame *f) { frame[f->csum_start + 12] = 0x40; }
static void m_doff_past_end(struct net_frame *f) { frame[f->csum_start + 12] = 0xf0;
	f->len = f->csum_start + 40; }
static void m_no_payload(struct net_frame *f) { f->len = f->csum_start + 20; }
static void m_truncated(struct net_frame *f) { f->len = 14 + 10; }
static void m_short(struct net_frame *f) { f->len = 10; }
static void m_no_csum(struct net_frame *f) { f->needs_csum = false; }
static void m_csum_start(struct net_frame *f) { f->csum_start = 14; }
static void m_csum_offset(struct net_frame *f) { f->csum_offset = 6; }
static void m_huge_mss(struct net_frame *f) { f->len = NET_FRAME_MAX; f->gso_size = 65535; }
static void m_too_long(struct net_frame *f) { f->len = NET_FRAME_MAX + 1; }

/* IPv6's payload length leaves out the fixed header: the largest frame fits. */
static void test_gso_v6_largest(void **state)
{
	struct tcp_frame_spec s = { .v6 = true, .dst = mac_b, .src = mac_a,
				    .payload_len = NET_FRAME_MAX - 74, .seq = 1 };
	struct net_frame f = gso_frame(&s, 65535);

	(void)state;
	assert_int_equal(f.len, NET_FRAME_MAX);
	assert_int_equal(net_tso_segment(&f, segbuf, sizeof(segbuf), record, NULL), 1);
	assert_int_equal(tf_be16(seen.data[0] + 14 + 4), 65536 - 40);
	assert_true(tf_tcp_csum_ok(seen.data[0], seen.len[0], true, 54));
}

static void test_gso_malformed(void **state)
{
	void (*v4[])(struct net_frame *) = { m_mss0, m_type, m_v4_as_v6, m_ethertype,
		m_ip_version, m_ihl_small, m_ihl_past_end, m_udp, m_fragment, m_frag_off,
		m_doff_small, m_doff_past_end, m_no_payload, m_truncated, m_short, m_no_csum,
		m_csum_start, m_csum_offset, m_huge_mss, m_too_long };
	void (*v6[])(struct net_frame *) = { m_mss0, m_ethertype, m_ip_version, m_v6_ext,
		m_doff_small, m_doff_past_end, m_no_payload, m_truncated, m_short, m_no_csum,
		m_csum_start };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v4); i++)
		refuse(false, v4[i]);
	for (size_t i = 0; i < ARRAY_SIZE(v6); i++)
		refuse(true, v6[i]);
}

static void test_offload_check(void **state)
{
	struct net_frame f = { .data = frame, .len = 100 };

	(void)state;
	assert_int_equal(net_offload_check(&f), 0);
	f.needs_csum = true;
	f.csum_start = 90;
	f.csum_offset = 8;
	assert_int_equal(net_offload_check(&f), 0);
	f.csum_offset = 9;
	assert_int_equal(net_offload_check(&f), -EINVAL);
	f.csum_start = 0xffff;
	f.csum_offset = 0xffff;
	assert_int_equal(net_offload_check(&f), -EINVAL);
}

static void test_mac_from_name(void **state)
{
	uint8_t a[6], b[6];
	static const uint8_t linux_mac[6] = { 0x02, 0xa9, 0xf1, 0xa5, 0xd0, 0x5d };

	(void)state;
	net_mac_from_name("linux", a);
	/* The documented FNV-1a derivation, computed independently. */
	assert_memory_equal(a, linux_mac, 6);
	net_mac_from_name("linux", b);
	assert_memory_equal(a, b, 6);
	net_mac_from_name("linux2", b);
	assert_memory_not_equal(a, b, 6);
	net_mac_from_name("", b);
	assert_int_equal(b[0], 0x02);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_csum_complete_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csum_complete_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csum_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tso_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tso_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tso_emit_error_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tso_small_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gso_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gso_v6_largest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offload_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_from_name, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
