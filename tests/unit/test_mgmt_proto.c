// SPDX-License-Identifier: GPL-2.0
/*
 * The management protocol's codec (kernel/mgmt/): frames reassembled from
 * any split of the byte stream, the limits and rules that close a
 * connection, TLV numbers and strings, and every control message through
 * encode and decode, including what a broken or hostile peer may send.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <plinth/mgmt/msg.h>
#include <plinth/mgmt/tlv.h>
#include <plinth/mgmt/wire.h>
#include "log_capture.h"

static uint8_t rxbuf[MGMT_PAYLOAD_MAX];
static uint8_t wire[3 * (MGMT_HDR_SIZE + MGMT_PAYLOAD_MAX)];
static uint8_t pay[MGMT_PAYLOAD_MAX + 16];
static char err[160];

/* Appends a frame to wire at *at. */
static void put_frame(size_t *at, enum mgmt_type type, uint16_t ch, const void *p, uint32_t len)
{
	assert_int_equal(mgmt_put_header(wire + *at, type, ch, len), 0);
	if (len)
		memcpy(wire + *at + MGMT_HDR_SIZE, p, len);
	*at += MGMT_HDR_SIZE + len;
}

static void test_frames_from_any_split(void **state)
{
	static const uint8_t a[] = "first", b[] = "second payload";
	size_t at = 0;

	(void)state;
	put_frame(&at, MGMT_HEARTBEAT, 0, a, sizeof(a));
	put_frame(&at, MGMT_DATA, 7, b, sizeof(b));
	put_frame(&at, MGMT_GOODBYE, 0, NULL, 0);
	/* Chunks of every size from 1 to the whole: the same three frames each time. */
	for (size_t chunk = 1; chunk <= at; chunk++) {
		struct mgmt_rx rx;
		unsigned int got = 0;

		mgmt_rx_init(&rx, rxbuf);
		for (size_t off = 0; off < at;) {
			size_t n = chunk < at - off ? chunk : at - off;
			struct mgmt_frame f;
			bool done;
			long used = mgmt_rx_feed(&rx, wire + off, n, &f, &done);

			assert_true(used >= 0 && (size_t)used <= n);
			off += (size_t)used;
			if (!done)
				continue;
			assert_int_equal(mgmt_frame_check(&f, err, sizeof(err)), 0);
			if (got == 0) {
				assert_int_equal(f.type, MGMT_HEARTBEAT);
				assert_int_equal(f.len, sizeof(a));
				assert_memory_equal(f.payload, a, sizeof(a));
			} else if (got == 1) {
				assert_int_equal(f.type, MGMT_DATA);
				assert_int_equal(f.channel, 7);
				assert_memory_equal(f.payload, b, sizeof(b));
			} else {
				assert_int_equal(f.type, MGMT_GOODBYE);
				assert_int_equal(f.len, 0);
			}
			got++;
		}
		assert_int_equal(got, 3);
	}
}

static void test_oversized_frame_refused_before_payload(void **state)
{
	struct mgmt_rx rx;
	struct mgmt_frame f;
	uint8_t hdr[MGMT_HDR_SIZE] = { 0x00, 0x01, 0x00, 0x01, MGMT_DATA, 0, 0, 1 };
	bool done;

	(void)state;
	assert_int_equal(mgmt_put_header(hdr, MGMT_DATA, 1, MGMT_PAYLOAD_MAX + 1), -EMSGSIZE);
	hdr[0] = 0x00;
	hdr[1] = 0x01;
	hdr[2] = 0x00;
	hdr[3] = 0x01;		/* 65537 */
	mgmt_rx_init(&rx, rxbuf);
	assert_int_equal(mgmt_rx_feed(&rx, hdr, sizeof(hdr), &f, &done), -EBADMSG);
	assert_false(done);
	assert_string_equal(rx.error, "frame of 65537 bytes exceeds the 65536-byte limit");
	/* The stream is lost: nothing more is taken. */
	assert_int_equal(mgmt_rx_feed(&rx, hdr, 1, &f, &done), -EBADMSG);
	/* 0xffffffff: no arithmetic on the claim wraps. */
	memset(hdr, 0xff, 4);
	mgmt_rx_init(&rx, rxbuf);
	assert_int_equal(mgmt_rx_feed(&rx, hdr, sizeof(hdr), &f, &done), -EBADMSG);
	/* Exactly the limit is fine. */
	assert_int_equal(mgmt_put_header(hdr, MGMT_DATA, 1, MGMT_PAYLOAD_MAX), 0);
	mgmt_rx_init(&rx, rxbuf);
	assert_int_equal(mgmt_rx_feed(&rx, hdr, sizeof(hdr), &f, &done), MGMT_HDR_SIZE);
	assert_int_equal(mgmt_rx_feed(&rx, wire, MGMT_PAYLOAD_MAX, &f, &done), MGMT_PAYLOAD_MAX);
	assert_true(done);
}

static void test_frame_rules(void **state)
{
	struct mgmt_frame f = { .type = MGMT_OP };

	(void)state;
	assert_int_equal(mgmt_frame_check(&f, err, sizeof(err)), 0);
	f.channel = 3;
	assert_int_equal(mgmt_frame_check(&f, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "OP frame on stream channel 3");
	f = (struct mgmt_frame){ .type = MGMT_DATA };
	assert_int_equal(mgmt_frame_check(&f, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "DATA frame on the control channel");
	f = (struct mgmt_frame){ .type = MGMT_CHAN_CREDIT, .channel = 2, .flags = 0x10 };
	assert_int_equal(mgmt_frame_check(&f, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "CHAN_CREDIT frame with flags 0x10");
	f = (struct mgmt_frame){ .type = 0 };
	assert_int_equal(mgmt_frame_check(&f, err, sizeof(err)), -EPROTO);
	f.type = MGMT_TYPE_COUNT;
	assert_int_equal(mgmt_frame_check(&f, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "unknown frame type 17");
	assert_string_equal(mgmt_type_name(200), "unknown");
}

static void test_tlv_numbers_and_strings(void **state)
{
	static const uint64_t vals[] = { 0, 1, 0xff, 0x100, 0xffff, 0x10000, 0xffffffffu,
					 0x100000000ull, ~0ull };
	static const unsigned int widths[] = { 1, 1, 1, 2, 2, 4, 4, 8, 8 };
	struct tlv_writer w;
	struct tlv_reader r;
	struct tlv_field f;
	uint64_t x;
	uint32_t y;
	char s[8];

	(void)state;
	tlv_writer_init(&w, pay, sizeof(pay));
	for (unsigned int i = 0; i < ARRAY_SIZE(vals); i++)
		tlv_put_u64(&w, (uint8_t)i, vals[i]);
	tlv_reader_init(&r, pay, w.len);
	for (unsigned int i = 0; i < ARRAY_SIZE(vals); i++) {
		assert_int_equal(tlv_next(&r, &f), 1);
		assert_int_equal(f.tag, i);
		assert_int_equal(f.len, widths[i]);
		assert_int_equal(tlv_get_u64(&f, &x), 0);
		assert_true(x == vals[i]);
		assert_int_equal(tlv_get_u32(&f, &y), vals[i] > 0xffffffffu ? -EBADMSG : 0);
	}
	assert_int_equal(tlv_next(&r, &f), 0);
	/* A 3-byte number is no number. */
	f = (struct tlv_field){ .len = 3, .val = pay };
	assert_int_equal(tlv_get_u64(&f, &x), -EBADMSG);
	/* Strings: bounded, no control bytes. */
	f = (struct tlv_field){ .len = 7, .val = (const uint8_t *)"abcdefg" };
	assert_int_equal(tlv_get_str(&f, s, sizeof(s)), 0);
	assert_string_equal(s, "abcdefg");
	f.len = 8;
	f.val = (const uint8_t *)"abcdefgh";
	assert_int_equal(tlv_get_str(&f, s, sizeof(s)), -EBADMSG);
	f = (struct tlv_field){ .len = 3, .val = (const uint8_t *)"a\nb" };
	assert_int_equal(tlv_get_str(&f, s, sizeof(s)), -EBADMSG);
	f = (struct tlv_field){ .len = 3, .val = (const uint8_t *)"a\0b" };
	assert_int_equal(tlv_get_str(&f, s, sizeof(s)), -EBADMSG);
	/* A field running past its container. */
	pay[0] = 1;
	pay[1] = 0;
	pay[2] = 9;
	tlv_reader_init(&r, pay, 8);
	assert_int_equal(tlv_next(&r, &f), -EBADMSG);
	tlv_reader_init(&r, pay, 2);
	assert_int_equal(tlv_next(&r, &f), -EBADMSG);
	/* A writer that runs out of room says so once and writes nothing past it. */
	tlv_writer_init(&w, pay, 5);
	tlv_put_u64(&w, 1, 7);
	tlv_put_u64(&w, 2, 0x1234);
	assert_true(w.overflow);
	assert_int_equal(w.len, 4);
}

static void fill_op(struct mgmt_op *op)
{
	memset(op, 0, sizeof(*op));
	strcpy(op->op_id, "op-0001-create-web");
	op->kind = MGMT_OP_CREATE;
	strcpy(op->partition, "web");
	op->memory = 256ull << 20;
	op->vcpus = 2;
	memset(op->kernel_sha, 'a', 64);
	memset(op->initrd_sha, 'b', 64);
	memset(op->cmdline, 'c', MGMT_CMDLINE_MAX - 1);
	strcpy(op->net_switch, "lan0");
}

static void test_roundtrip_every_message(void **state)
{
	/* Static, so their padding is zero like the decoder's output. */
	static struct mgmt_hello hello = { .host_id = "host-7f3a", .boot_id = "b-1", .proto = 1,
				    .version = "plinth 0.9", .cpus = 3, .cpus_free = 1,
				    .memory = 24ull << 30, .memory_free = 20ull << 30, .nics = 2 };
	static struct mgmt_result res = { .op_id = "x", .status = -ENOSPC, .error = MGMT_ERR_CAPACITY,
				   .text = "not enough memory for 2048 MiB" };
	static struct mgmt_state st = { .events_next = 42, .count = MGMT_STATE_MAX };
	static struct mgmt_chan_open co = { .kind = MGMT_STREAM_UPLOAD, .size = 1ull << 33,
				     .credit = 262144 };
	static struct mgmt_op op;
	static union {
		struct mgmt_hello hello;
		struct mgmt_op op;
		struct mgmt_result res;
		struct mgmt_state st;
		struct mgmt_chan_open co;
	} out;
	const struct { enum mgmt_type t; const void *m; size_t size; } cases[] = {
		{ MGMT_HELLO, &hello, sizeof(hello) },
		{ MGMT_OP, &op, sizeof(op) },
		{ MGMT_RESULT, &res, sizeof(res) },
		{ MGMT_STATE, &st, sizeof(st) },
		{ MGMT_CHAN_OPEN, &co, sizeof(co) },
	};

	(void)state;
	fill_op(&op);
	memset(co.sha256, 'f', 64);
	for (unsigned int i = 0; i < MGMT_STATE_MAX; i++) {
		struct mgmt_part *p = &st.parts[i];

		p->name[0] = (char)('a' + i % 26);
		p->name[1] = (char)('0' + i / 26);
		p->state = 1 + i % (MGMT_PART_STATE_COUNT - 1);
		p->vcpus = i + 1;
		p->memory = (uint64_t)i << 24;
		p->from_config = i & 1;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		long n = mgmt_encode(cases[i].t, cases[i].m, pay, sizeof(pay));

		assert_true(n > 0);
		memset(&out, 0xa5, sizeof(out));
		assert_int_equal(mgmt_decode(cases[i].t, pay, (size_t)n, &out, err, sizeof(err)),
				 0);
		assert_memory_equal(&out, cases[i].m, cases[i].size);
	}
}

/* Encodes an OP and lets the test break it before decoding. */
static size_t op_bytes(void)
{
	struct mgmt_op op;
	long n;

	fill_op(&op);
	n = mgmt_encode(MGMT_OP, &op, pay, sizeof(pay));
	assert_true(n > 0);
	return (size_t)n;
}

static int decode_op(size_t len)
{
	static struct mgmt_op op;

	err[0] = 0;
	return mgmt_decode(MGMT_OP, pay, len, &op, err, sizeof(err));
}

static void test_decode_names_what_is_wrong(void **state)
{
	struct mgmt_op op;
	struct tlv_writer w;
	size_t n;

	(void)state;
	/* A required field missing. */
	tlv_writer_init(&w, pay, sizeof(pay));
	tlv_put_str(&w, 1, "id");
	tlv_put_u64(&w, 2, MGMT_OP_START);
	assert_int_equal(decode_op(w.len), -EBADMSG);
	assert_string_equal(err, "OP: field partition missing");
	/* An enum out of its range. */
	tlv_put_str(&w, 3, "web");
	tlv_put_u64(&w, 2, MGMT_OP_KIND_COUNT);
	assert_int_equal(decode_op(w.len), -EBADMSG);
	assert_string_equal(err, "OP: field kind given twice");
	tlv_writer_init(&w, pay, sizeof(pay));
	tlv_put_str(&w, 1, "id");
	tlv_put_u64(&w, 2, MGMT_OP_KIND_COUNT);
	tlv_put_str(&w, 3, "web");
	assert_int_equal(decode_op(w.len), -EBADMSG);
	assert_string_equal(err, "OP: field kind out of range");
	/* A string longer than its field. */
	tlv_writer_init(&w, pay, sizeof(pay));
	memset(op.op_id, 'x', sizeof(op.op_id));
	tlv_put_bytes(&w, 1, op.op_id, sizeof(op.op_id));
	tlv_put_u64(&w, 2, MGMT_OP_STOP);
	tlv_put_str(&w, 3, "web");
	assert_int_equal(decode_op(w.len), -EBADMSG);
	assert_string_equal(err, "OP: field op_id too long or holds a control byte");
	/* Unknown tags are a newer peer's: skipped. */
	tlv_writer_init(&w, pay, sizeof(pay));
	tlv_put_str(&w, 200, "future");
	tlv_put_str(&w, 1, "id");
	tlv_put_u64(&w, 2, MGMT_OP_STOP);
	tlv_put_str(&w, 3, "web");
	tlv_put_u64(&w, 99, 5);
	assert_int_equal(decode_op(w.len), 0);
	/*
	 * Cut anywhere: inside a field, or before the three required ones are
	 * complete, an OP is refused; at a later field boundary it is a valid
	 * OP without the optional rest. Nothing overruns either way.
	 */
	n = op_bytes();
	for (size_t cut = 0; cut <= n; cut++) {
		struct tlv_reader r;
		struct tlv_field f;
		bool boundary = false;
		unsigned int fields = 0;

		tlv_reader_init(&r, pay, n);
		while (r.off < cut && tlv_next(&r, &f) == 1)
			fields++;
		boundary = r.off == cut;
		assert_int_equal(decode_op(cut), boundary && fields >= 3 ? 0 : -EBADMSG);
	}
	/* DATA has no message. */
	assert_int_equal(mgmt_decode(MGMT_DATA, pay, 0, &op, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "DATA frames carry no message");
	assert_int_equal(mgmt_encode(MGMT_DATA, &op, pay, sizeof(pay)), -EINVAL);
}

static void test_state_list_bounded(void **state)
{
	static struct mgmt_state st;
	struct tlv_writer w;

	(void)state;
	tlv_writer_init(&w, pay, sizeof(pay));
	tlv_put_u64(&w, 1, 1);
	for (unsigned int i = 0; i <= MGMT_STATE_MAX; i++) {
		size_t mark = tlv_begin(&w, 2);

		tlv_put_str(&w, 1, "p");
		tlv_put_u64(&w, 2, MGMT_PART_RUNNING);
		tlv_put_u64(&w, 3, 1);
		tlv_put_u64(&w, 4, 1 << 20);
		tlv_end(&w, mark);
	}
	assert_int_equal(mgmt_decode(MGMT_STATE, pay, w.len, &st, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "STATE: field parts has too many entries");
	/* An entry missing a field is named by its own record. */
	tlv_writer_init(&w, pay, sizeof(pay));
	tlv_put_u64(&w, 1, 1);
	size_t mark = tlv_begin(&w, 2);

	tlv_put_str(&w, 1, "p");
	tlv_end(&w, mark);
	assert_int_equal(mgmt_decode(MGMT_STATE, pay, w.len, &st, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "partition: field state missing");
}

/* Certificates and CSRs travel as bytes, bounded by their arrays; a count past one is refused. */
static void test_enrol_blobs(void **state)
{
	static struct mgmt_enrol en, back;
	static struct mgmt_enrolled ed, ed_back;
	struct tlv_writer w;
	long n;

	(void)state;
	strcpy(en.token, "tok-0123");
	en.csr_len = MGMT_DER_MAX;
	for (unsigned int i = 0; i < MGMT_DER_MAX; i++)
		en.csr[i] = (uint8_t)(i * 7);	/* NULs and control bytes included */
	n = mgmt_encode(MGMT_ENROL, &en, pay, sizeof(pay));
	assert_true(n > MGMT_DER_MAX);
	assert_int_equal(mgmt_decode(MGMT_ENROL, pay, (size_t)n, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &en, sizeof(en));

	strcpy(ed.host_id, "h-00112233");
	ed.cert_len = 3;
	memcpy(ed.cert, "\x30\x01\x00", 3);
	n = mgmt_encode(MGMT_ENROLLED, &ed, pay, sizeof(pay));
	assert_true(n > 0);
	assert_int_equal(mgmt_decode(MGMT_ENROLLED, pay, (size_t)n, &ed_back, err, sizeof(err)),
			 0);
	assert_memory_equal(&ed_back, &ed, sizeof(ed));

	ed.cert_len = MGMT_DER_MAX + 1;
	assert_int_equal(mgmt_encode(MGMT_ENROLLED, &ed, pay, sizeof(pay)), -EMSGSIZE);

	/* One byte past the array, and an empty one, are named. */
	tlv_writer_init(&w, pay, sizeof(pay));
	tlv_put_bytes(&w, 2, en.csr, MGMT_DER_MAX);
	tlv_put_bytes(&w, 1, "t", 1);
	pay[1] = (MGMT_DER_MAX + 1) >> 8;
	pay[2] = (MGMT_DER_MAX + 1) & 0xff;
	assert_int_equal(mgmt_decode(MGMT_ENROL, pay, w.len, &back, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "ENROL: field csr empty or too long");
	tlv_writer_init(&w, pay, sizeof(pay));
	tlv_put_bytes(&w, 2, "", 0);
	assert_int_equal(mgmt_decode(MGMT_ENROL, pay, w.len, &back, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "ENROL: field csr empty or too long");
	tlv_writer_init(&w, pay, sizeof(pay));
	tlv_put_str(&w, 1, "t");
	assert_int_equal(mgmt_decode(MGMT_ENROL, pay, w.len, &back, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "ENROL: field csr missing");
}

static void test_encode_overflow(void **state)
{
	struct mgmt_op op;

	(void)state;
	fill_op(&op);
	assert_int_equal(mgmt_encode(MGMT_OP, &op, pay, 100), -EMSGSIZE);
	assert_true(mgmt_encode(MGMT_OP, &op, pay, sizeof(pay)) > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_from_any_split),
		cmocka_unit_test(test_oversized_frame_refused_before_payload),
		cmocka_unit_test(test_frame_rules),
		cmocka_unit_test(test_tlv_numbers_and_strings),
		cmocka_unit_test(test_roundtrip_every_message),
		cmocka_unit_test(test_decode_names_what_is_wrong),
		cmocka_unit_test(test_state_list_bounded),
		cmocka_unit_test(test_enrol_blobs),
		cmocka_unit_test(test_encode_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
