// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's operations and streams (kernel/agent/agent_ops.c,
 * agent_streams.c) against a fake backend (one partition "web" with a
 * console ring) and a fake send queue that records every frame: an op id
 * runs once and its result repeats; console history, new output and a
 * lost-bytes marker within the controller's credit; keystrokes within this
 * end's credit, topped up as the partition takes them; refusals (unknown
 * partition, an absent stream kind, too many streams) and protocol errors
 * (DATA past the credit, frames on unopened channels).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/byte_ring.h>
#include <plinth/errno.h>
#include <plinth/sha256.h>
#include "../../kernel/agent/agent_core.h"
#include "log_capture.h"

/* The send queue: frames as they were queued. */
struct sent {
	uint8_t type;
	uint16_t channel;
	uint32_t len;
	uint8_t payload[MGMT_PAYLOAD_MAX];
};

static struct sent sent[64];
static unsigned int nsent;
static size_t room = 1 << 20;

static int fake_send(uint16_t channel, enum mgmt_type type, const void *msg)
{
	struct sent *s = &sent[nsent];
	long len;

	if (nsent == 64 || room < 512)
		return -ENOBUFS;
	len = mgmt_encode(type, msg, s->payload, sizeof(s->payload));
	assert_true(len >= 0);
	s->type = type;
	s->channel = channel;
	s->len = (uint32_t)len;
	nsent++;
	return 0;
}

static int fake_send_data(uint16_t channel, const void *buf, size_t len)
{
	struct sent *s = &sent[nsent];

	if (nsent == 64 || room < MGMT_HDR_SIZE + len)
		return -ENOBUFS;
	memcpy(s->payload, buf, len);
	s->type = MGMT_DATA;
	s->channel = channel;
	s->len = (uint32_t)len;
	nsent++;
	room -= MGMT_HDR_SIZE + len;
	return 0;
}

static size_t fake_room(void)
{
	return room;
}

static const struct agent_io io = {
	.send = fake_send,
	.send_data = fake_send_data,
	.room = fake_room,
};

/* The backend: partition "web", its console ring, what it was typed, what ops ran. */
static uint8_t ring_buf[256];
static struct byte_ring ring;
static char typed[8192];
static size_t typed_len, take_max;
static unsigned int ops_run;

static void fake_op(const struct mgmt_op *op, struct mgmt_result *res,
		    agent_progress_fn *progress, void *ctx)
{
	ops_run++;
	if (op->kind == MGMT_OP_START) {
		res->status = -ENODEV;
		res->error = MGMT_ERR_NO_VIRT;
		strcpy(res->text, "no hardware virtualization on this host");
		return;
	}
	progress(ctx, 1, 2, "half way");
	strcpy(res->text, "stopping");
}

static long fake_read(const char *name, uint64_t *off, void *buf, size_t len, uint64_t *lost)
{
	if (strcmp(name, "web"))
		return -ENOENT;
	if (!len)
		return 0;
	return (long)byte_ring_read(&ring, off, buf, len, lost);
}

static long fake_input(const char *name, const void *buf, size_t len)
{
	if (strcmp(name, "web"))
		return -ENOENT;
	if (len > take_max)
		len = take_max;
	memcpy(typed + typed_len, buf, len);
	typed_len += len;
	return (long)len;
}

static const struct agent_backend backend = {
	.op = fake_op,
	.console_read = fake_read,
	.console_input = fake_input,
};

static struct agent_streams streams;
static struct mgmt_opcache cache;

static int setup(void **state)
{
	(void)state;
	nsent = 0;
	room = 1 << 20;
	typed_len = 0;
	take_max = sizeof(typed);
	ops_run = 0;
	byte_ring_init(&ring, ring_buf, sizeof(ring_buf));
	mgmt_opcache_init(&cache);
	agent_streams_reset(&streams, &backend, &io, NULL);
	log_capture_clear();
	return 0;
}

static void decode(const struct sent *s, void *msg)
{
	char err[128];

	assert_int_equal(mgmt_decode(s->type, s->payload, s->len, msg, err, sizeof(err)), 0);
}

static uint8_t frame_buf[MGMT_PAYLOAD_MAX];

/* Hands the agent one frame from the controller: what agent_streams_frame() returns. */
static int feed_msg(uint16_t channel, enum mgmt_type type, const void *msg, char *err)
{
	struct mgmt_frame f = { .type = type, .channel = channel, .payload = frame_buf };
	long len = mgmt_encode(type, msg, frame_buf, sizeof(frame_buf));

	assert_true(len >= 0);
	f.len = (uint32_t)len;
	return agent_streams_frame(&streams, &f, err, 128);
}

static int feed_data(uint16_t channel, const char *bytes, size_t len, char *err)
{
	struct mgmt_frame f = { .type = MGMT_DATA, .channel = channel, .len = (uint32_t)len,
				.payload = (const uint8_t *)bytes };

	return agent_streams_frame(&streams, &f, err, 128);
}

static int open_console(uint16_t channel, const char *partition, uint32_t credit, char *err)
{
	struct mgmt_chan_open o = { .kind = MGMT_STREAM_CONSOLE, .credit = credit };

	strcpy(o.partition, partition);
	return feed_msg(channel, MGMT_CHAN_OPEN, &o, err);
}

/* The last frame sent must be a CHAN_CLOSE on channel with status. */
static void expect_close(uint16_t channel, int32_t status, const char *text)
{
	struct mgmt_chan_close c;

	assert_true(nsent > 0);
	assert_int_equal(sent[nsent - 1].type, MGMT_CHAN_CLOSE);
	assert_int_equal(sent[nsent - 1].channel, channel);
	decode(&sent[nsent - 1], &c);
	assert_int_equal(c.status, status);
	assert_string_equal(c.text, text);
}

static void test_op_runs_once(void **state)
{
	struct mgmt_op op = { .kind = MGMT_OP_START };
	struct mgmt_result r1, r2;

	(void)state;
	strcpy(op.op_id, "t-17");
	strcpy(op.partition, "web");
	assert_int_equal(agent_ops_handle(&cache, &backend, &io, &op), 0);
	assert_int_equal(agent_ops_handle(&cache, &backend, &io, &op), 0);
	assert_int_equal(ops_run, 1);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[0].type, MGMT_RESULT);
	decode(&sent[0], &r1);
	decode(&sent[1], &r2);
	assert_string_equal(r1.op_id, "t-17");
	assert_int_equal(r1.status, -ENODEV);
	assert_int_equal(r1.error, MGMT_ERR_NO_VIRT);
	assert_string_equal(r1.text, "no hardware virtualization on this host");
	assert_memory_equal(&r1, &r2, sizeof(r1));
	assert_non_null(strstr(log_captured, "agent: op t-17 seen before"));

	/* Another id runs; its progress comes before its result. */
	strcpy(op.op_id, "t-18");
	op.kind = MGMT_OP_STOP;
	assert_int_equal(agent_ops_handle(&cache, &backend, &io, &op), 0);
	assert_int_equal(ops_run, 2);
	assert_int_equal(sent[2].type, MGMT_PROGRESS);
	assert_int_equal(sent[3].type, MGMT_RESULT);
	decode(&sent[3], &r1);
	assert_int_equal(r1.status, 0);
	assert_string_equal(r1.text, "stopping");
}

static void test_op_without_backend(void **state)
{
	struct mgmt_op op = { .kind = MGMT_OP_CREATE };
	struct mgmt_result r;

	(void)state;
	strcpy(op.op_id, "t-1");
	assert_int_equal(agent_ops_handle(&cache, NULL, &io, &op), 0);
	decode(&sent[0], &r);
	assert_int_equal(r.status, -ENOTSUP);
	assert_int_equal(r.error, MGMT_ERR_INVALID);
	assert_string_equal(r.text, "operation create not supported by this host");
	/* A result that finds the queue full is kept: the repeat after a reconnect gets it. */
	room = 0;
	strcpy(op.op_id, "t-2");
	assert_int_equal(agent_ops_handle(&cache, NULL, &io, &op), -ENOBUFS);
	room = 1 << 20;
	assert_int_equal(agent_ops_handle(&cache, NULL, &io, &op), 0);
	assert_int_equal(sent[1].type, MGMT_RESULT);
}

static void test_console_history_and_output(void **state)
{
	struct mgmt_chan_credit c;
	char err[128];

	(void)state;
	byte_ring_write(&ring, "boot line\n", 10);
	assert_int_equal(open_console(3, "web", 6, err), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].type, MGMT_CHAN_CREDIT);
	assert_int_equal(sent[0].channel, 3);
	decode(&sent[0], &c);
	assert_int_equal(c.bytes, AGENT_KEYS_WINDOW);
	/* History within the credit of 6, the rest once more is granted. */
	assert_int_equal(agent_streams_tick(&streams), 0);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].type, MGMT_DATA);
	assert_int_equal(sent[1].len, 6);
	assert_memory_equal(sent[1].payload, "boot l", 6);
	assert_int_equal(agent_streams_tick(&streams), 0);
	assert_int_equal(nsent, 2);
	c.bytes = 100;
	assert_int_equal(feed_msg(3, MGMT_CHAN_CREDIT, &c, err), 0);
	byte_ring_write(&ring, "$ ", 2);
	assert_int_equal(agent_streams_tick(&streams), 0);
	assert_int_equal(nsent, 3);
	assert_int_equal(sent[2].len, 6);
	assert_memory_equal(sent[2].payload, "ine\n$ ", 6);
	/* The controller closes: answered once, the slot is free, nothing more is sent. */
	struct mgmt_chan_close cl = { .status = 0 };
	assert_int_equal(feed_msg(3, MGMT_CHAN_CLOSE, &cl, err), 0);
	assert_int_equal(nsent, 4);
	expect_close(3, 0, "closed");
	assert_int_equal(agent_streams_open(&streams), 0);
	byte_ring_write(&ring, "more", 4);
	assert_int_equal(agent_streams_tick(&streams), 0);
	assert_int_equal(nsent, 4);
	/* And now its credit is a frame on a channel that is not open. */
	assert_int_equal(feed_msg(3, MGMT_CHAN_CREDIT, &c, err), -EPROTO);
	assert_string_equal(err, "CHAN_CREDIT on channel 3, which is not open");
}

static void test_console_lost_marker(void **state)
{
	char big[600], err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	/* The ring holds 256 of them: 344 were overwritten before anyone read. */
	byte_ring_write(&ring, big, sizeof(big));
	assert_int_equal(open_console(1, "web", 10000, err), 0);
	assert_int_equal(agent_streams_tick(&streams), 0);
	assert_int_equal(sent[1].type, MGMT_DATA);
	assert_true(sent[1].len == strlen("[... 344 bytes lost]") + 256);
	assert_memory_equal(sent[1].payload, "[... 344 bytes lost]", 20);
	assert_memory_equal(sent[1].payload + 20, big + 344, 256);

	/* Too little credit for the marker: nothing yet, and the gap is not forgotten. */
	assert_int_equal(open_console(2, "web", 5, err), 0);
	byte_ring_write(&ring, big, sizeof(big));
	assert_int_equal(agent_streams_tick(&streams), 0);
	unsigned int before = nsent;
	struct mgmt_chan_credit c = { .bytes = 30 };
	assert_int_equal(feed_msg(2, MGMT_CHAN_CREDIT, &c, err), 0);
	assert_int_equal(agent_streams_tick(&streams), 0);
	assert_int_equal(nsent, before + 1);
	assert_int_equal(sent[nsent - 1].channel, 2);
	assert_int_equal(sent[nsent - 1].len, 35);
	assert_memory_equal(sent[nsent - 1].payload, "[... 944 bytes lost]", 20);
}

static void test_console_keystrokes(void **state)
{
	static char keys[AGENT_KEYS_WINDOW + 1];
	struct mgmt_chan_credit c;
	char err[128];

	(void)state;
	memset(keys, 'k', sizeof(keys));
	assert_int_equal(open_console(5, "web", 0, err), 0);
	assert_int_equal(feed_data(5, "ls\r", 3, err), 0);
	assert_int_equal(typed_len, 3);
	assert_memory_equal(typed, "ls\r", 3);
	/* Half the window used is not yet worth a CHAN_CREDIT. */
	assert_int_equal(nsent, 1);
	/* A guest that takes only 100 bytes: the credit comes back only as it takes them. */
	take_max = 100;
	assert_int_equal(feed_data(5, keys, AGENT_KEYS_WINDOW - 3, err), 0);
	assert_int_equal(typed_len, 103);
	assert_int_equal(nsent, 2);
	decode(&sent[1], &c);
	assert_int_equal(c.bytes, 103);
	take_max = sizeof(typed);
	assert_int_equal(agent_streams_tick(&streams), 0);
	assert_int_equal(typed_len, AGENT_KEYS_WINDOW);
	assert_int_equal(nsent, 3);
	decode(&sent[2], &c);
	assert_int_equal(c.bytes, AGENT_KEYS_WINDOW - 103);
	/* Past the credit: a protocol error. */
	assert_int_equal(feed_data(5, keys, sizeof(keys), err), -EPROTO);
	assert_string_equal(err, "DATA of 4097 bytes on channel 5 past its credit (4096 left)");
}

static void test_refusals(void **state)
{
	struct mgmt_chan_open up = { .kind = MGMT_STREAM_UPLOAD, .size = 10, .credit = 0 };
	char err[128];

	(void)state;
	assert_int_equal(open_console(1, "db", 100, err), 0);
	expect_close(1, -ENOENT, "no partition db");
	assert_int_equal(agent_streams_open(&streams), 0);
	/* The controller's frames in flight on a channel this end closed are dropped. */
	assert_int_equal(feed_data(1, "x", 1, err), 0);
	struct mgmt_chan_close cl = { .status = 0 };
	assert_int_equal(feed_msg(1, MGMT_CHAN_CLOSE, &cl, err), 0);
	/* Its own close ends the lingering: one more is a frame on an unopened channel. */
	assert_int_equal(feed_data(1, "x", 1, err), -EPROTO);

	/* Without an image store, uploads are refused by name. */
	strcpy(up.sha256, "00");
	assert_int_equal(feed_msg(2, MGMT_CHAN_OPEN, &up, err), 0);
	expect_close(2, -ENOTSUP, "this host keeps no images");

	for (uint16_t ch = 10; ch < 10 + AGENT_STREAMS_MAX; ch++)
		assert_int_equal(open_console(ch, "web", 100, err), 0);
	assert_int_equal(agent_streams_open(&streams), AGENT_STREAMS_MAX);
	assert_int_equal(open_console(30, "web", 100, err), 0);
	expect_close(30, -EMFILE, "too many streams (8 open)");
	assert_int_equal(agent_streams_open(&streams), AGENT_STREAMS_MAX);
	/* An open channel opened again, a DATA nobody opened: protocol errors. */
	assert_int_equal(open_console(10, "web", 100, err), -EPROTO);
	assert_string_equal(err, "CHAN_OPEN on channel 10, which is open");
	assert_int_equal(feed_data(99, "x", 1, err), -EPROTO);
	assert_string_equal(err, "DATA on channel 99, which is not open");
	/* Credit past the outstanding bound. */
	struct mgmt_chan_credit c = { .bytes = MGMT_CREDIT_MAX };
	assert_int_equal(feed_msg(11, MGMT_CHAN_CREDIT, &c, err), -EPROTO);
	/* A new connection: nothing open. */
	agent_streams_reset(&streams, &backend, &io, NULL);
	assert_int_equal(agent_streams_open(&streams), 0);
}

static void test_send_queue_full(void **state)
{
	char err[128];

	(void)state;
	byte_ring_write(&ring, "hello", 5);
	assert_int_equal(open_console(4, "web", 1000, err), 0);
	/* Console bytes leave the reserve for control frames: none go now. */
	room = MGMT_HDR_SIZE + AGENT_CONTROL_RESERVE;
	assert_int_equal(agent_streams_tick(&streams), 0);
	assert_int_equal(nsent, 1);
	room = MGMT_HDR_SIZE + AGENT_CONTROL_RESERVE + 3;
	assert_int_equal(agent_streams_tick(&streams), 0);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].len, 3);
	room = 1 << 20;
	assert_int_equal(agent_streams_tick(&streams), 0);
	assert_int_equal(sent[2].len, 2);
	assert_memory_equal(sent[2].payload, "lo", 2);
}

/* UPLOAD: an image store over malloc'd runs, the "physical" address being the pointer. */
static int heap_alloc(void *ctx, size_t pages, paddr_t *pa)
{
	void *p = aligned_alloc(4096, pages * 4096);

	(void)ctx;
	if (!p)
		return -ENOMEM;
	*pa = (paddr_t)(uintptr_t)p;
	return 0;
}

static void heap_free(void *ctx, paddr_t pa, size_t pages)
{
	(void)ctx;
	(void)pages;
	free((void *)(uintptr_t)pa);
}

static void *heap_map(void *ctx, paddr_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static const struct image_store_ops heap_ops = {
	.alloc_pages = heap_alloc, .free_pages = heap_free, .map = heap_map,
};
static struct image_store store;
static uint8_t image[300000];
static char image_sha[MGMT_SHA_MAX];

static int setup_upload(void **state)
{
	uint8_t d[SHA256_DIGEST_SIZE];

	setup(state);
	assert_int_equal(image_store_init(&store, &heap_ops, 4u << 20), 0);
	agent_streams_reset(&streams, &backend, &io, &store);
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 131 + (i >> 9));
	sha256(image, sizeof(image), d);
	sha256_to_hex(d, image_sha);
	return 0;
}

static int teardown_upload(void **state)
{
	struct image_store_stats st;

	(void)state;
	agent_streams_reset(&streams, &backend, &io, NULL);
	image_delete(&store, image_sha);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.bytes_held + st.bytes_reserved, 0);
	assert_int_equal(st.uploads, 0);
	return 0;
}

static int open_upload(uint16_t channel, const char *sha, uint64_t size, char *err)
{
	struct mgmt_chan_open o = { .kind = MGMT_STREAM_UPLOAD, .size = size };

	strcpy(o.sha256, sha);
	return feed_msg(channel, MGMT_CHAN_OPEN, &o, err);
}

/* What the agent granted on channel in sent[from..]. */
static uint64_t granted_since(unsigned int from, uint16_t channel)
{
	uint64_t n = 0;

	for (unsigned int i = from; i < nsent; i++) {
		struct mgmt_chan_credit c;

		if (sent[i].type != MGMT_CHAN_CREDIT || sent[i].channel != channel)
			continue;
		decode(&sent[i], &c);
		n += c.bytes;
	}
	return n;
}

/* Sends len bytes as a controller would: 16 KiB frames, never past the credit. */
static void send_image(uint16_t channel, const uint8_t *p, size_t len)
{
	uint64_t credit = granted_since(0, channel), spent = 0;
	char err[128];

	while (spent < len) {
		size_t n = len - spent < 16384 ? len - spent : 16384;
		unsigned int mark;

		assert_true(spent + n <= credit);	/* the agent keeps the window open */
		if (nsent > 48)
			nsent = 0;
		mark = nsent;
		assert_int_equal(feed_data(channel, (const char *)p + spent, n, err), 0);
		spent += n;
		credit += granted_since(mark, channel);
	}
}

static void test_upload_stored_and_deduplicated(void **state)
{
	struct mgmt_chan_close fin = { .status = 0 };
	struct image *img;
	char err[128];

	(void)state;
	assert_int_equal(open_upload(4, image_sha, sizeof(image), err), 0);
	assert_int_equal(sent[nsent - 1].type, MGMT_CHAN_CREDIT);
	assert_int_equal(granted_since(0, 4), AGENT_UPLOAD_WINDOW);
	send_image(4, image, sizeof(image));
	assert_int_equal(feed_msg(4, MGMT_CHAN_CLOSE, &fin, err), 0);
	expect_close(4, 0, "image stored and verified");
	assert_int_equal(agent_streams_open(&streams), 0);
	img = image_get(&store, image_sha);
	assert_non_null(img);
	assert_int_equal(img->module.size, sizeof(image));
	assert_memory_equal((void *)(uintptr_t)img->module.phys, image, sizeof(image));
	image_put(img);
	/* Held already: nothing to send. */
	assert_int_equal(open_upload(5, image_sha, sizeof(image), err), 0);
	expect_close(5, -EEXIST, "image already held");
}

static void test_upload_refusals(void **state)
{
	struct mgmt_chan_close fin = { .status = 0 }, cancel = { .status = -ETIMEDOUT };
	char err[128], wrong[MGMT_SHA_MAX];
	struct image_store_stats st;

	(void)state;
	/* Bytes that do not hash to the name: refused at the end, memory returned. */
	strcpy(wrong, image_sha);
	wrong[0] = wrong[0] == '0' ? '1' : '0';
	assert_int_equal(open_upload(4, wrong, sizeof(image), err), 0);
	send_image(4, image, sizeof(image));
	assert_int_equal(feed_msg(4, MGMT_CHAN_CLOSE, &fin, err), 0);
	decode(&sent[nsent - 1], &fin);
	assert_int_equal(fin.status, -EBADMSG);
	assert_non_null(strstr(fin.text, "mismatch"));
	assert_null(image_get(&store, wrong));
	/* Short: the controller closes early. */
	assert_int_equal(open_upload(5, image_sha, sizeof(image), err), 0);
	send_image(5, image, 1000);
	fin.status = 0;
	assert_int_equal(feed_msg(5, MGMT_CHAN_CLOSE, &fin, err), 0);
	expect_close(5, -EIO, "got 1000 of 300000 bytes");
	/* More bytes than declared: the stream ends with the reason. */
	assert_int_equal(open_upload(6, image_sha, 100, err), 0);
	assert_int_equal(feed_data(6, (const char *)image, 101, err), 0);
	expect_close(6, -EFBIG, "image upload: file too large past the declared size");
	/* The controller gives up: the upload is dropped and the answer says so. */
	assert_int_equal(open_upload(8, wrong, 10, err), 0);
	assert_int_equal(feed_msg(8, MGMT_CHAN_CLOSE, &cancel, err), 0);
	expect_close(8, -ETIMEDOUT, "upload dropped");
	/* A malformed name, named by the store. */
	assert_int_equal(open_upload(9, "xyz", 10, err), 0);
	decode(&sent[nsent - 1], &fin);
	assert_int_equal(fin.status, -EINVAL);
	/* The link drops mid-upload: the next connection frees what it held. */
	assert_int_equal(open_upload(7, image_sha, sizeof(image), err), 0);
	send_image(7, image, 100000);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads, 1);
	agent_streams_reset(&streams, &backend, &io, &store);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads, 0);
	assert_int_equal(st.bytes_reserved, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_op_runs_once, setup),
		cmocka_unit_test_setup(test_op_without_backend, setup),
		cmocka_unit_test_setup(test_console_history_and_output, setup),
		cmocka_unit_test_setup(test_console_lost_marker, setup),
		cmocka_unit_test_setup(test_console_keystrokes, setup),
		cmocka_unit_test_setup(test_refusals, setup),
		cmocka_unit_test_setup(test_send_queue_full, setup),
		cmocka_unit_test_setup_teardown(test_upload_stored_and_deduplicated, setup_upload,
						teardown_upload),
		cmocka_unit_test_setup_teardown(test_upload_refusals, setup_upload, teardown_upload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
