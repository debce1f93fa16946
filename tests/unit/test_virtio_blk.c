// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-blk backend through a fake transport and fake guest RAM: its
 * configuration space and features, reads and writes in any framing,
 * batches and interrupt suppression, GET_ID, FLUSH, DISCARD and
 * WRITE_ZEROES, and independent queues. Refused and malformed requests are
 * in test_virtio_blk_errors.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <vmm/virtio/blk.h>
#include "vblk_fixture.h"
#include <cmocka.h>

#define STORE_SIZE	KIB(64)
#define CAPACITY	(STORE_SIZE / 512)

static struct vblk_fx fx;

static int setup(void **state)
{
	(void)state;
	vblk_fx_init(&fx, STORE_SIZE, false, 1, "plinth-disk-0");
	vblk_fx_start_queue(&fx, 0, 16, false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vblk_fx_free(&fx);
	return 0;
}

static uint8_t *g(uint64_t gpa)
{
	return fx.ram.mem + (gpa - VBLK_RAM_BASE);
}

static struct vblk_buf rd(uint64_t gpa, uint32_t len)
{
	return (struct vblk_buf){ gpa, len, false };
}

static struct vblk_buf wr(uint64_t gpa, uint32_t len)
{
	return (struct vblk_buf){ gpa, len, true };
}

static uint32_t cfg32(struct virtio_blk *b, uint32_t off)
{
	uint8_t v[4];

	b->dev.ops->config_read(&b->dev, off, v, 4);
	return get_le32(v);
}

static void test_init_checks(void **state)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));
	uint8_t store[1024];
	struct virtio_blk_params p = { .data = store, .size = sizeof(store), .num_queues = 1 };
	const char *why = NULL;

	(void)state;
	assert_non_null(b);
	p.size = 1000;
	assert_int_equal(virtio_blk_init(b, &p, &why), -EINVAL);
	assert_non_null(why);
	p.size = 0;
	assert_int_equal(virtio_blk_init(b, &p, NULL), -EINVAL);
	p.size = sizeof(store);
	p.data = NULL;
	assert_int_equal(virtio_blk_init(b, &p, &why), -EINVAL);
	p.data = store;
	p.num_queues = 0;
	assert_int_equal(virtio_blk_init(b, &p, &why), -EINVAL);
	p.num_queues = VIRTIO_BLK_MAX_QUEUES + 1;
	assert_int_equal(virtio_blk_init(b, &p, &why), -EINVAL);
	p.num_queues = VIRTIO_BLK_MAX_QUEUES;
	p.serial = "123456789012345678901";
	assert_int_equal(virtio_blk_init(b, &p, &why), -EINVAL);
	p.serial = "12345678901234567890";
	assert_int_equal(virtio_blk_init(b, &p, &why), 0);
	assert_null(why);
	assert_memory_equal(b->serial, "12345678901234567890", 20);
	assert_int_equal(b->dev.num_queues, VIRTIO_BLK_MAX_QUEUES);
	assert_ptr_equal(b->dev.queues, b->queues);
	assert_int_equal(b->queues[63].max_size, VIRTIO_BLK_QUEUE_SIZE);
	assert_int_equal(b->dev.ops->device_id, VIRTIO_ID_BLOCK);
	assert_int_equal(b->dev.config_size, VIRTIO_BLK_CONFIG_SIZE);
	free(b);
}

static void test_config_space(void **state)
{
	struct virtio_blk *b = fx.blk;
	uint8_t whole[VIRTIO_BLK_CONFIG_SIZE], byte;
	uint64_t f;

	(void)state;
	b->dev.ops->config_read(&b->dev, 0, whole, 8);
	assert_int_equal(get_le64(whole), CAPACITY);
	assert_int_equal(cfg32(b, VIRTIO_BLK_CFG_SEG_MAX), VIRTIO_BLK_SEG_MAX);
	assert_int_equal(cfg32(b, VIRTIO_BLK_CFG_BLK_SIZE), 512);
	assert_int_equal(cfg32(b, VIRTIO_BLK_CFG_SIZE_MAX), 0);
	assert_int_equal(cfg32(b, VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS), VIRTIO_BLK_MAX_DWZ_SECTORS);
	assert_int_equal(cfg32(b, VIRTIO_BLK_CFG_MAX_DISCARD_SEG), VIRTIO_BLK_MAX_DWZ_SEG);
	assert_int_equal(cfg32(b, VIRTIO_BLK_CFG_DISCARD_ALIGN), 1);
	assert_int_equal(cfg32(b, VIRTIO_BLK_CFG_MAX_WZ_SECTORS), VIRTIO_BLK_MAX_DWZ_SECTORS);
	assert_int_equal(cfg32(b, VIRTIO_BLK_CFG_MAX_WZ_SEG), VIRTIO_BLK_MAX_DWZ_SEG);
	b->dev.ops->config_read(&b->dev, VIRTIO_BLK_CFG_NUM_QUEUES, whole, 2);
	assert_int_equal(get_le16(whole), 1);
	b->dev.ops->config_read(&b->dev, VIRTIO_BLK_CFG_WZ_MAY_UNMAP, &byte, 1);
	assert_int_equal(byte, 1);
	/* Byte-wise reads see the same image as wide ones. */
	for (uint32_t off = 0; off < VIRTIO_BLK_CONFIG_SIZE; off++)
		b->dev.ops->config_read(&b->dev, off, whole + off, 1);
	assert_int_equal(get_le64(whole + VIRTIO_BLK_CFG_CAPACITY), CAPACITY);
	assert_int_equal(get_le32(whole + VIRTIO_BLK_CFG_SEG_MAX), VIRTIO_BLK_SEG_MAX);
	assert_int_equal(get_le16(whole + VIRTIO_BLK_CFG_NUM_QUEUES), 1);
	assert_int_equal(whole[VIRTIO_BLK_CFG_WRITEBACK], 0);
	assert_null(b->dev.ops->config_write);

	f = b->dev.ops->features(&b->dev);
	assert_true(f & 1ULL << VIRTIO_BLK_F_SEG_MAX);
	assert_true(f & 1ULL << VIRTIO_BLK_F_BLK_SIZE);
	assert_true(f & 1ULL << VIRTIO_BLK_F_FLUSH);
	assert_true(f & 1ULL << VIRTIO_BLK_F_DISCARD);
	assert_true(f & 1ULL << VIRTIO_BLK_F_WRITE_ZEROES);
	assert_false(f & 1ULL << VIRTIO_BLK_F_RO);
	assert_false(f & 1ULL << VIRTIO_BLK_F_MQ);
	assert_false(f & 1ULL << VIRTIO_BLK_F_SIZE_MAX);
	assert_false(f & 1ULL << VIRTIO_BLK_F_TOPOLOGY);
	assert_false(f & 1ULL << VIRTIO_BLK_F_CONFIG_WCE);
	assert_int_equal(f >> 24, 0);

	/* A read-only, 4-queue disk says so. */
	vblk_fx_free(&fx);
	vblk_fx_init(&fx, KIB(4), true, 4, NULL);
	b = fx.blk;
	f = b->dev.ops->features(&b->dev);
	assert_true(f & 1ULL << VIRTIO_BLK_F_RO);
	assert_true(f & 1ULL << VIRTIO_BLK_F_MQ);
	b->dev.ops->config_read(&b->dev, VIRTIO_BLK_CFG_NUM_QUEUES, whole, 2);
	assert_int_equal(get_le16(whole), 4);
	assert_int_equal(cfg32(b, VIRTIO_BLK_CFG_CAPACITY), 8);
	assert_int_equal(cfg32(b, VIRTIO_BLK_CFG_CAPACITY + 4), 0);
}

static void test_read_write_round_trip(void **state)
{
	uint64_t src = vblk_fx_alloc(&fx, 1024), dst = vblk_fx_alloc(&fx, 1024);
	struct vblk_buf out = rd(src, 1024), in = wr(dst, 1024);
	struct virtio_blk_stats st;
	uint32_t len;

	(void)state;
	for (int i = 0; i < 1024; i++)
		g(src)[i] = (uint8_t)(i ^ 0x5a);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_OUT, 3, &out, 1, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1);
	assert_memory_equal(fx.store + 3 * 512, g(src), 1024);
	/* The sectors around it are untouched. */
	assert_int_equal(fx.store[3 * 512 - 1], (uint8_t)((3 * 512 - 1) * 7 + 2));
	assert_int_equal(fx.store[5 * 512], (uint8_t)(5 * 512 * 7 + 5));
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 3, &in, 1, &len), VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1025);
	assert_memory_equal(g(dst), g(src), 1024);
	/* The last sector of the disk is reachable. */
	in.len = 512;
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, CAPACITY - 1, &in, 1, &len),
			 VIRTIO_BLK_S_OK);
	assert_memory_equal(g(dst), fx.store + STORE_SIZE - 512, 512);
	/* A zero-length read is a valid no-op. */
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 0, NULL, 0, &len), VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1);
	virtio_blk_stats(fx.blk, &st);
	assert_int_equal(st.reads, 3);
	assert_int_equal(st.writes, 1);
	assert_int_equal(st.bytes_read, 1536);
	assert_int_equal(st.bytes_written, 1024);
	assert_int_equal(st.ioerr + st.unsupp, 0);
	assert_int_equal(fx.fails, 0);
}

static void test_multi_segment(void **state)
{
	uint64_t a = vblk_fx_alloc(&fx, 100), b = vblk_fx_alloc(&fx, 700), c = vblk_fx_alloc(&fx, 224);
	struct vblk_buf out[3] = { rd(a, 100), rd(b, 700), rd(c, 224) };
	struct vblk_buf in[3] = { wr(c, 224), wr(a, 100), wr(b, 700) };
	uint8_t expect[1024];
	uint32_t len;

	(void)state;
	for (int i = 0; i < 100; i++)
		g(a)[i] = (uint8_t)i;
	for (int i = 0; i < 700; i++)
		g(b)[i] = (uint8_t)(100 + i);
	for (int i = 0; i < 224; i++)
		g(c)[i] = (uint8_t)(800 + i);
	for (int i = 0; i < 1024; i++)
		expect[i] = (uint8_t)i;
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_OUT, 10, out, 3, &len), VIRTIO_BLK_S_OK);
	assert_memory_equal(fx.store + 10 * 512, expect, 1024);
	memset(g(a), 0, 100);
	memset(g(b), 0, 700);
	memset(g(c), 0, 224);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 10, in, 3, &len), VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1025);
	assert_memory_equal(g(c), expect, 224);
	assert_memory_equal(g(a), expect + 224, 100);
	assert_memory_equal(g(b), expect + 324, 700);
}

/* Any framing: a header in two pieces, the status sharing the data's buffer. */
static void test_any_layout(void **state)
{
	uint64_t h = vblk_fx_hdr(&fx, VIRTIO_BLK_T_IN, 7), d = vblk_fx_alloc(&fx, 513);
	uint64_t h2 = vblk_fx_hdr(&fx, VIRTIO_BLK_T_OUT, 8), s = vblk_fx_alloc(&fx, 1);
	struct vblk_buf in[3] = { rd(h, 5), rd(h + 5, 11), wr(d, 513) };
	struct vblk_buf out[3] = { rd(h2, 16), rd(d, 512), wr(s, 1) };
	uint32_t id, len;
	uint16_t head;

	(void)state;
	g(d)[512] = 0xee;
	head = vblk_fx_chain(&fx, 0, in, 3);
	vblk_fx_offer(&fx, 0, head);
	vblk_fx_notify(&fx, 0);
	assert_true(vblk_fx_next_used(&fx, 0, &id, &len));
	assert_int_equal(id, head);
	assert_int_equal(len, 513);
	assert_int_equal(g(d)[512], VIRTIO_BLK_S_OK);
	assert_memory_equal(g(d), fx.store + 7 * 512, 512);
	/* Header and data in one readable buffer work as well as two. */
	head = vblk_fx_chain(&fx, 0, out, 3);
	vblk_fx_offer(&fx, 0, head);
	vblk_fx_notify(&fx, 0);
	assert_true(vblk_fx_next_used(&fx, 0, &id, &len));
	assert_int_equal(g(s)[0], VIRTIO_BLK_S_OK);
	assert_memory_equal(fx.store + 8 * 512, fx.store + 7 * 512, 512);
}

/* Several requests in one kick: all used, one interrupt. */
static void test_batch_one_irq(void **state)
{
	uint64_t st[4], d = vblk_fx_alloc(&fx, 512);
	uint16_t head[4];
	uint32_t id, len;

	(void)state;
	for (int i = 0; i < 4; i++) {
		struct vblk_buf b[3];

		st[i] = vblk_fx_alloc(&fx, 1);
		b[0] = rd(vblk_fx_hdr(&fx, i == 3 ? VIRTIO_BLK_T_FLUSH : VIRTIO_BLK_T_IN,
				      (uint64_t)i), 16);
		b[1] = wr(d, 512);
		b[2] = wr(st[i], 1);
		head[i] = vblk_fx_chain(&fx, 0, i == 3 ? (struct vblk_buf[]){ b[0], b[2] } : b,
					i == 3 ? 2 : 3);
		vblk_fx_offer(&fx, 0, head[i]);
	}
	vblk_fx_notify(&fx, 0);
	for (int i = 0; i < 4; i++) {
		assert_true(vblk_fx_next_used(&fx, 0, &id, &len));
		assert_int_equal(id, head[i]);
		assert_int_equal(len, i == 3 ? 1 : 513);
		assert_int_equal(g(st[i])[0], VIRTIO_BLK_S_OK);
	}
	assert_false(vblk_fx_next_used(&fx, 0, &id, &len));
	assert_int_equal(fx.irqs[0], 1);
	/* A kick with nothing new interrupts nobody. */
	vblk_fx_notify(&fx, 0);
	assert_int_equal(fx.irqs[0], 1);
	/* Notifications are re-enabled when the device goes idle. */
	assert_int_equal(vq_ram_get16(&fx.ram, vblk_fx_used(0)), 0);
}

/* The driver's suppression wishes: used_event with EVENT_IDX, NO_INTERRUPT without. */
static void test_irq_suppression(void **state)
{
	uint64_t used_event = vblk_fx_avail(0) + 4 + 2 * 16, avail_event = vblk_fx_used(0) + 4 + 8 * 16;

	(void)state;
	vblk_fx_start_queue(&fx, 0, 16, true);
	vq_ram_put16(&fx.ram, used_event, 2);	/* interrupt once the third is used */
	for (int i = 0; i < 2; i++)
		assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), 0);
	assert_int_equal(fx.irqs[0], 0);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), 0);
	assert_int_equal(fx.irqs[0], 1);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), 0);
	assert_int_equal(fx.irqs[0], 1);
	/* Idle again: the device asks to hear of the next chain. */
	assert_int_equal(vq_ram_get16(&fx.ram, avail_event), 4);

	vblk_fx_start_queue(&fx, 0, 16, false);
	vq_ram_put16(&fx.ram, vblk_fx_avail(0), VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), 0);
	assert_int_equal(fx.irqs[0], 1);
	vq_ram_put16(&fx.ram, vblk_fx_avail(0), 0);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), 0);
	assert_int_equal(fx.irqs[0], 2);
}

/*
 * A chain made available while the device turns notifications back on is
 * caught by vq_set_notify() and served in the same kick: the driver saw
 * notifications off and did not kick for it.
 */
static uint16_t late_head;
static int avail_idx_reads;

static void add_late(struct vq_ram *r, uint64_t at, size_t len)
{
	(void)r;
	(void)len;
	/* Reads of avail->idx: pending, pop (one chain), pop (empty), set_notify(true). */
	if (at == vblk_fx_avail(0) + 2 && ++avail_idx_reads == 4)
		vblk_fx_offer(&fx, 0, late_head);
}

static void test_notify_race(void **state)
{
	struct vblk_buf b[2] = { rd(vblk_fx_hdr(&fx, VIRTIO_BLK_T_FLUSH, 0), 16),
				 wr(vblk_fx_alloc(&fx, 1), 1) };
	uint32_t id, len;

	(void)state;
	late_head = vblk_fx_chain(&fx, 0, b, 2);
	avail_idx_reads = 0;
	fx.ram.on_read = add_late;
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), 0);
	fx.ram.on_read = NULL;
	assert_true(avail_idx_reads > 4);
	assert_true(vblk_fx_next_used(&fx, 0, &id, &len));
	assert_int_equal(id, late_head);
	assert_int_equal(fx.irqs[0], 2);
}

static int idx_reads;

static void count_idx(struct vq_ram *r, uint64_t at, size_t len)
{
	(void)r;
	(void)len;
	if (at == vblk_fx_avail(0) + 2)
		idx_reads++;
}

/* A kick on an idle queue costs one read of avail->idx and nothing else. */
static void test_idle_kick(void **state)
{
	uint32_t id, len;

	(void)state;
	idx_reads = 0;
	fx.ram.on_read = count_idx;
	vblk_fx_notify(&fx, 0);
	vblk_fx_notify(&fx, 0);
	fx.ram.on_read = NULL;
	assert_int_equal(idx_reads, 2);
	assert_false(vblk_fx_next_used(&fx, 0, &id, &len));
	assert_int_equal(fx.irqs[0], 0);
	/* And the queue still serves the next request. */
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), 0);
}

static void test_get_id(void **state)
{
	uint64_t d = vblk_fx_alloc(&fx, 32);
	struct vblk_buf id = wr(d, 20), shortb = wr(d, 4), longb = wr(d, 32);
	char expect[20] = "plinth-disk-0";
	uint32_t len;

	(void)state;
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_GET_ID, 0, &id, 1, &len), 0);
	assert_int_equal(len, 21);
	assert_memory_equal(g(d), expect, 20);
	memset(g(d), 0xaa, 32);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_GET_ID, 0, &shortb, 1, &len), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(g(d), "plin", 4);
	assert_int_equal(g(d)[4], 0xaa);
	memset(g(d), 0xaa, 32);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_GET_ID, 0, &longb, 1, &len), 0);
	assert_int_equal(len, 21);
	assert_memory_equal(g(d), expect, 20);
	assert_int_equal(g(d)[20], 0xaa);

	/* A 20-byte serial has no terminator. */
	vblk_fx_free(&fx);
	vblk_fx_init(&fx, KIB(4), false, 1, "ABCDEFGHIJKLMNOPQRST");
	vblk_fx_start_queue(&fx, 0, 8, false);
	d = vblk_fx_alloc(&fx, 20);
	id = wr(d, 20);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_GET_ID, 0, &id, 1, &len), 0);
	assert_memory_equal(g(d), "ABCDEFGHIJKLMNOPQRST", 20);
}

static void test_flush(void **state)
{
	struct vblk_buf extra = wr(vblk_fx_alloc(&fx, 512), 512);
	struct virtio_blk_stats st;

	(void)state;
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), 0);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 12345, NULL, 0, NULL), 0);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 0, &extra, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	virtio_blk_stats(fx.blk, &st);
	assert_int_equal(st.flushes, 2);
	assert_int_equal(st.ioerr, 1);
}

/* Two queues of one device: separate rings, separate interrupts. */
static void test_queues_independent(void **state)
{
	uint64_t d0, d1;
	struct vblk_buf b0, b1;
	struct virtio_blk_stats st;
	uint32_t id, len;

	(void)state;
	vblk_fx_free(&fx);
	vblk_fx_init(&fx, STORE_SIZE, false, 3, NULL);
	vblk_fx_start_queue(&fx, 0, 8, false);
	vblk_fx_start_queue(&fx, 2, 16, true);
	d0 = vblk_fx_alloc(&fx, 512);
	d1 = vblk_fx_alloc(&fx, 512);
	b0 = wr(d0, 512);
	b1 = wr(d1, 512);
	assert_int_equal(vblk_fx_req(&fx, 2, VIRTIO_BLK_T_IN, 1, &b1, 1, NULL), 0);
	assert_int_equal(fx.irqs[2], 1);
	assert_int_equal(fx.irqs[0], 0);
	assert_false(vblk_fx_next_used(&fx, 0, &id, &len));
	assert_memory_equal(g(d1), fx.store + 512, 512);
	/* A kick on queue 0 does not touch queue 2's ring. */
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 2, &b0, 1, NULL), 0);
	assert_int_equal(fx.irqs[0], 1);
	assert_int_equal(fx.irqs[2], 1);
	assert_false(vblk_fx_next_used(&fx, 2, &id, &len));
	assert_int_equal(fx.blk->stats[0].reads, 1);
	assert_int_equal(fx.blk->stats[2].reads, 1);
	virtio_blk_stats(fx.blk, &st);
	assert_int_equal(st.reads, 2);
	assert_int_equal(st.bytes_read, 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_write_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_one_irq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_suppression, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queues_independent, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
