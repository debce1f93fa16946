// SPDX-License-Identifier: GPL-2.0
/*
 * The split-virtqueue walker against fake guest RAM: good chains, 16-bit
 * index wrap, every way a guest can corrupt a queue, the used ring, and
 * the notification-suppression rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <plinth/types.h>
#include <vmm/virtio/virtqueue.h>
#include "vq_ram.h"

/* Guest RAM does not start at 0, so gpa 0 is a handy "outside RAM". */
#define RAM_BASE	0x100000ULL
#define RAM_SIZE	MIB(4)
#define DESC_AT		RAM_BASE			/* up to 512 KiB */
#define AVAIL_AT	(RAM_BASE + 0x80000)		/* up to 64 KiB + 6 */
#define USED_AT		(RAM_BASE + 0xa0000)		/* up to 256 KiB + 6 */
#define BUF_AT		(RAM_BASE + 0x100000)
#define IND_AT		(RAM_BASE + 0x200000)		/* up to 512 KiB */
#define RAM_END		(RAM_BASE + RAM_SIZE)

#define F_NEXT	VIRTQ_DESC_F_NEXT
#define F_WRITE	VIRTQ_DESC_F_WRITE
#define F_IND	VIRTQ_DESC_F_INDIRECT

static struct vq_ram ram;
static struct virtq vq;
static struct virtq_config cfg;
static uint16_t avail_idx;	/* the driver's side of the available ring */
static struct virtq_seg seg[VIRTQ_MAX_SIZE];
static struct virtq_chain ch;

static int setup(void **state)
{
	(void)state;
	vq_ram_init(&ram, RAM_BASE, RAM_SIZE);
	avail_idx = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vq_ram_free(&ram);
	return 0;
}

/* A fresh queue with zeroed rings, as a driver sets one up. */
static void start(unsigned int size, bool event_idx)
{
	memset(ram.mem + (AVAIL_AT - RAM_BASE), 0, virtq_avail_area_size(size));
	memset(ram.mem + (USED_AT - RAM_BASE), 0, virtq_used_area_size(size));
	avail_idx = 0;
	cfg = (struct virtq_config){ .size = size, .desc = gpa(DESC_AT), .avail = gpa(AVAIL_AT),
				     .used = gpa(USED_AT), .event_idx = event_idx };
	assert_int_equal(vq_init(&vq, &cfg, &ram.ops), 0);
	assert_null(vq_reason(&vq));
}

static void set_desc(uint64_t table, unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint64_t d = table + (uint64_t)i * VIRTQ_DESC_SIZE;

	vq_ram_put64(&ram, d, addr);
	vq_ram_put32(&ram, d + 8, len);
	vq_ram_put16(&ram, d + 12, flags);
	vq_ram_put16(&ram, d + 14, next);
}

static void offer(uint16_t head)
{
	vq_ram_put16(&ram, AVAIL_AT + 4 + 2 * (avail_idx & (cfg.size - 1)), head);
	vq_ram_put16(&ram, AVAIL_AT + 2, ++avail_idx);
}

static int pop(void)
{
	return vq_pop(&vq, seg, ARRAY_SIZE(seg), &ch);
}

/* A chain whose pop must fail with err, after which the queue is broken. */
static void expect_broken(int err)
{
	assert_int_equal(pop(), err);
	assert_int_equal(vq.broken, err);
	assert_non_null(vq_reason(&vq));
	assert_int_equal(pop(), err);
}

static struct virtq_config qc(unsigned int size, uint64_t desc, uint64_t avail, uint64_t used)
{
	return (struct virtq_config){ .size = size, .desc = gpa(desc), .avail = gpa(avail),
				      .used = gpa(used) };
}

static void test_init_checks(void **state)
{
	static const unsigned int bad_sizes[] = { 0, 3, 6, 65536, VIRTQ_MAX_SIZE * 2, 100 };
	struct virtq_config c;

	(void)state;
	for (unsigned int s = 1; s <= VIRTQ_MAX_SIZE; s <<= 1)
		start(s, false);
	for (size_t i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		c = qc(bad_sizes[i], DESC_AT, AVAIL_AT, USED_AT);
		assert_int_equal(vq_init(&vq, &c, &ram.ops), -EINVAL);
		assert_non_null(vq_reason(&vq));
		assert_int_equal(pop(), -ENODEV);
		assert_int_equal(vq_push(&vq, 0, 0), -ENODEV);
	}
	c = qc(16, DESC_AT + 8, AVAIL_AT, USED_AT);
	assert_int_equal(vq_init(&vq, &c, &ram.ops), -EINVAL);
	c = qc(16, DESC_AT, AVAIL_AT + 1, USED_AT);
	assert_int_equal(vq_init(&vq, &c, &ram.ops), -EINVAL);
	c = qc(16, DESC_AT, AVAIL_AT, USED_AT + 2);
	assert_int_equal(vq_init(&vq, &c, &ram.ops), -EINVAL);
	/* Areas outside RAM, straddling its end, or wrapping the address space. */
	c = qc(16, 0, AVAIL_AT, USED_AT);
	assert_int_equal(vq_init(&vq, &c, &ram.ops), -EFAULT);
	c = qc(16, DESC_AT, RAM_END - 36, USED_AT);
	assert_int_equal(vq_init(&vq, &c, &ram.ops), -EFAULT);
	c = qc(16, DESC_AT, AVAIL_AT, RAM_END - 8 * 16);
	assert_int_equal(vq_init(&vq, &c, &ram.ops), -EFAULT);
	c = qc(16, ~0ULL - 15, AVAIL_AT, USED_AT);
	assert_int_equal(vq_init(&vq, &c, &ram.ops), -EFAULT);
	/* The exact fit at the end of RAM is fine. */
	c = qc(16, DESC_AT, RAM_END - 38, USED_AT);
	assert_int_equal(vq_init(&vq, &c, &ram.ops), 0);
	assert_int_equal(pop(), 0);
}

static void test_direct_chain(void **state)
{
	(void)state;
	start(16, false);
	assert_int_equal(pop(), 0);
	set_desc(DESC_AT, 5, BUF_AT, 100, F_NEXT, 2);
	set_desc(DESC_AT, 2, BUF_AT + 0x1000, 28, F_NEXT, 9);
	set_desc(DESC_AT, 9, BUF_AT + 0x2000, 512, F_WRITE, 0);
	offer(5);
	assert_int_equal(pop(), 1);
	assert_int_equal(ch.head, 5);
	assert_int_equal(ch.nseg, 3);
	assert_int_equal(ch.nreadable, 2);
	assert_int_equal(ch.readable_len, 128);
	assert_int_equal(ch.writable_len, 512);
	assert_int_equal(seg[0].gpa.v, BUF_AT);
	assert_int_equal(seg[1].gpa.v, BUF_AT + 0x1000);
	assert_int_equal(seg[2].gpa.v, BUF_AT + 0x2000);
	assert_false(seg[1].writable);
	assert_true(seg[2].writable);
	assert_int_equal(pop(), 0);

	assert_int_equal(vq_push(&vq, 5, 77), 0);
	assert_int_equal(vq_ram_get16(&ram, USED_AT + 2), 1);
	assert_int_equal(vq_ram_get32(&ram, USED_AT + 4), 5);
	assert_int_equal(vq_ram_get32(&ram, USED_AT + 8), 77);
}

static void test_indirect_and_mixed(void **state)
{
	(void)state;
	start(8, false);
	/* Head is an indirect table: readable, then two writable, from entry 0. */
	set_desc(IND_AT, 0, BUF_AT, 16, F_NEXT, 2);
	set_desc(IND_AT, 2, BUF_AT + 16, 4096, F_WRITE | F_NEXT, 1);
	set_desc(IND_AT, 1, BUF_AT + 8192, 1, F_WRITE, 0);
	/* The WRITE bit of the indirect descriptor itself means nothing. */
	set_desc(DESC_AT, 3, IND_AT, 3 * VIRTQ_DESC_SIZE, F_IND | F_WRITE, 0);
	offer(3);
	assert_int_equal(pop(), 1);
	assert_int_equal(ch.head, 3);
	assert_int_equal(ch.nseg, 3);
	assert_int_equal(ch.nreadable, 1);
	assert_int_equal(ch.writable_len, 4097);
	assert_int_equal(seg[2].gpa.v, BUF_AT + 8192);

	/* Direct readable descriptors, then an indirect table ends the chain. */
	set_desc(DESC_AT, 0, BUF_AT, 10, F_NEXT, 1);
	set_desc(DESC_AT, 1, IND_AT + 0x1000, 2 * VIRTQ_DESC_SIZE, F_IND, 0);
	set_desc(IND_AT + 0x1000, 0, BUF_AT + 10, 20, F_NEXT, 1);
	set_desc(IND_AT + 0x1000, 1, BUF_AT + 30, 40, F_WRITE, 0);
	offer(0);
	assert_int_equal(pop(), 1);
	assert_int_equal(ch.nseg, 3);
	assert_int_equal(ch.nreadable, 2);
	assert_int_equal(ch.readable_len, 30);
	assert_int_equal(ch.writable_len, 40);

	/* Empty buffers give no segment but keep their place in the order. */
	set_desc(DESC_AT, 4, 0, 0, F_NEXT, 5);
	set_desc(DESC_AT, 5, BUF_AT, 8, F_WRITE | F_NEXT, 6);
	set_desc(DESC_AT, 6, ~0ULL, 0, F_WRITE, 0);
	offer(4);
	assert_int_equal(pop(), 1);
	assert_int_equal(ch.nseg, 1);
	assert_int_equal(ch.nreadable, 0);
	assert_int_equal(vq.broken, 0);
}

static void test_max_length(void **state)
{
	unsigned int n = VIRTQ_MAX_SIZE;

	(void)state;
	start(n, false);
	/* Every descriptor of the largest queue in one chain, in reverse order. */
	for (unsigned int i = 0; i < n; i++)
		set_desc(DESC_AT, i, BUF_AT + i, 1, i ? F_NEXT : F_WRITE, (uint16_t)(i - 1));
	offer((uint16_t)(n - 1));
	assert_int_equal(pop(), 1);
	assert_int_equal(ch.nseg, n);
	assert_int_equal(ch.nreadable, n - 1);
	assert_int_equal(seg[n - 1].gpa.v, BUF_AT);
	assert_int_equal(vq_push(&vq, ch.head, 1), 0);

	/* And the longest indirect table. */
	for (unsigned int i = 0; i < VIRTQ_INDIRECT_MAX; i++)
		set_desc(IND_AT, i, BUF_AT, 2, i + 1 < VIRTQ_INDIRECT_MAX ? F_NEXT : 0,
			 (uint16_t)(i + 1));
	set_desc(DESC_AT, 7, IND_AT, VIRTQ_INDIRECT_MAX * VIRTQ_DESC_SIZE, F_IND, 0);
	offer(7);
	assert_int_equal(pop(), 1);
	assert_int_equal(ch.nseg, VIRTQ_INDIRECT_MAX);
	assert_int_equal(ch.readable_len, 2ULL * VIRTQ_INDIRECT_MAX);

	/* Limits: exactly max_seg and max_chain_bytes are fine. */
	start(4, false);
	cfg.max_chain_bytes = 300;
	assert_int_equal(vq_init(&vq, &cfg, &ram.ops), 0);
	avail_idx = 0;
	set_desc(DESC_AT, 0, BUF_AT, 100, F_NEXT, 1);
	set_desc(DESC_AT, 1, BUF_AT, 200, 0, 0);
	offer(0);
	assert_int_equal(vq_pop(&vq, seg, 2, &ch), 1);
}

static void test_index_wrap(void **state)
{
	(void)state;
	start(8, true);
	set_desc(DESC_AT, 0, BUF_AT, 4, F_WRITE, 0);
	set_desc(DESC_AT, 1, BUF_AT, 4, F_WRITE, 0);
	/* Well past 2^16 chains, two in flight at a time. */
	for (unsigned int round = 0; round < 70000; round++) {
		offer(0);
		offer(1);
		assert_int_equal(pop(), 1);
		assert_int_equal(ch.head, 0);
		assert_int_equal(pop(), 1);
		assert_int_equal(ch.head, 1);
		assert_int_equal(pop(), 0);
		/* Completed in the other order: the used ring keeps push order. */
		assert_int_equal(vq_push(&vq, 1, round), 0);
		assert_int_equal(vq_push(&vq, 0, round + 1), 0);
		assert_int_equal(vq_ram_get16(&ram, USED_AT + 2), avail_idx);
		assert_int_equal(vq_ram_get16(&ram, USED_AT + 4 + 8 * ((avail_idx - 2) & 7)), 1);
		assert_int_equal(vq_ram_get32(&ram, USED_AT + 8 + 8 * ((avail_idx - 1) & 7)),
				 round + 1);
		/* avail_event follows our position. */
		assert_int_equal(vq_ram_get16(&ram, USED_AT + 4 + 8 * 8), avail_idx);
	}
	assert_int_equal(vq.broken, 0);
}

static void test_bad_indices(void **state)
{
	(void)state;
	start(16, false);
	offer(16);
	expect_broken(-ERANGE);

	start(16, false);
	avail_idx = 0;
	set_desc(DESC_AT, 0, BUF_AT, 1, F_NEXT, 16);
	offer(0);
	expect_broken(-ERANGE);

	start(16, false);
	avail_idx = 0;
	set_desc(IND_AT, 0, BUF_AT, 1, F_NEXT, 2);
	set_desc(DESC_AT, 0, IND_AT, 2 * VIRTQ_DESC_SIZE, F_IND, 0);
	offer(0);
	expect_broken(-ERANGE);
}

static void test_loops(void **state)
{
	(void)state;
	start(16, false);
	set_desc(DESC_AT, 0, BUF_AT, 1, F_NEXT, 1);
	set_desc(DESC_AT, 1, BUF_AT, 1, F_NEXT, 0);
	offer(0);
	expect_broken(-ELOOP);

	start(16, false);
	avail_idx = 0;
	set_desc(DESC_AT, 3, BUF_AT, 1, F_NEXT, 3);
	offer(3);
	expect_broken(-ELOOP);

	start(16, false);
	avail_idx = 0;
	for (unsigned int i = 0; i < 4; i++)
		set_desc(IND_AT, i, BUF_AT, 1, F_NEXT, (i + 1) & 3);
	set_desc(DESC_AT, 0, IND_AT, 4 * VIRTQ_DESC_SIZE, F_IND, 0);
	offer(0);
	expect_broken(-ELOOP);
}

static void test_bad_indirect(void **state)
{
	static const uint32_t bad_len[] = { 0, 8, 17, 33,
					    (VIRTQ_INDIRECT_MAX + 1) * VIRTQ_DESC_SIZE };
	/* The table itself outside RAM, straddling its end, wrapping. */
	static const uint64_t bad_at[] = { 0, RAM_END - 16, ~0ULL - 15 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_len); i++) {
		start(16, false);
		avail_idx = 0;
		set_desc(IND_AT, 0, BUF_AT, 1, 0, 0);
		set_desc(DESC_AT, 0, IND_AT, bad_len[i], F_IND, 0);
		offer(0);
		expect_broken(-EMSGSIZE);
	}

	start(16, false);
	avail_idx = 0;
	set_desc(IND_AT, 0, IND_AT + 0x100, 16, F_IND, 0);
	set_desc(DESC_AT, 0, IND_AT, 16, F_IND, 0);
	offer(0);
	expect_broken(-ENOTSUP);

	start(16, false);
	avail_idx = 0;
	set_desc(IND_AT, 0, BUF_AT, 1, 0, 0);
	set_desc(DESC_AT, 0, IND_AT, 16, F_IND | F_NEXT, 1);
	offer(0);
	expect_broken(-EPROTO);

	for (size_t i = 0; i < ARRAY_SIZE(bad_at); i++) {
		start(16, false);
		avail_idx = 0;
		set_desc(DESC_AT, 0, bad_at[i], 32, F_IND, 0);
		offer(0);
		expect_broken(-EFAULT);
	}
}

static void test_order(void **state)
{
	(void)state;
	start(16, false);
	set_desc(DESC_AT, 0, BUF_AT, 1, F_WRITE | F_NEXT, 1);
	set_desc(DESC_AT, 1, BUF_AT, 1, 0, 0);
	offer(0);
	expect_broken(-EBADMSG);

	/* Across the step into an indirect table, and for empty buffers too. */
	start(16, false);
	avail_idx = 0;
	set_desc(DESC_AT, 0, BUF_AT, 1, F_WRITE | F_NEXT, 1);
	set_desc(DESC_AT, 1, IND_AT, 16, F_IND, 0);
	set_desc(IND_AT, 0, 0, 0, 0, 0);
	offer(0);
	expect_broken(-EBADMSG);
}

static void test_bad_buffers(void **state)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = {
		{ 0, 1 },
		{ RAM_BASE - 1, 2 },
		{ RAM_END - 1, 2 },
		{ RAM_END, 1 },
		{ ~0ULL, 2 },		/* wraps */
		{ ~0ULL - 0xfff, 0xffffffff },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		start(16, false);
		avail_idx = 0;
		set_desc(DESC_AT, 0, BUF_AT, 1, F_NEXT, 1);
		set_desc(DESC_AT, 1, bad[i].addr, bad[i].len, F_WRITE, 0);
		offer(0);
		expect_broken(-EFAULT);
	}
	/* Inside an indirect table as well. */
	start(16, false);
	avail_idx = 0;
	set_desc(IND_AT, 0, RAM_END - 4, 8, 0, 0);
	set_desc(DESC_AT, 0, IND_AT, 16, F_IND, 0);
	offer(0);
	expect_broken(-EFAULT);
	/* The last byte of RAM is fine. */
	start(16, false);
	avail_idx = 0;
	set_desc(DESC_AT, 0, RAM_END - 1, 1, 0, 0);
	offer(0);
	assert_int_equal(pop(), 1);
}

static void test_limits(void **state)
{
	(void)state;
	start(16, false);
	cfg.max_chain_bytes = 299;
	assert_int_equal(vq_init(&vq, &cfg, &ram.ops), 0);
	set_desc(DESC_AT, 0, BUF_AT, 100, F_NEXT, 1);
	set_desc(DESC_AT, 1, BUF_AT, 200, F_WRITE, 0);
	offer(0);
	expect_broken(-E2BIG);

	start(16, false);
	avail_idx = 0;
	set_desc(DESC_AT, 0, BUF_AT, 100, F_NEXT, 1);
	set_desc(DESC_AT, 1, BUF_AT, 200, F_NEXT, 2);
	set_desc(DESC_AT, 2, BUF_AT, 200, 0, 0);
	offer(0);
	assert_int_equal(vq_pop(&vq, seg, 2, &ch), -ENOBUFS);
	assert_int_equal(vq.broken, -ENOBUFS);
}

static void test_avail_lies(void **state)
{
	(void)state;
	start(16, false);
	set_desc(DESC_AT, 0, BUF_AT, 1, 0, 0);
	/* 16 outstanding is the most a driver can have. */
	for (unsigned int i = 0; i < 16; i++)
		offer(0);
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(pop(), 1);
	assert_int_equal(pop(), 0);
	offer(0);
	expect_broken(-EOVERFLOW);

	start(16, false);
	avail_idx = 0;
	vq_ram_put16(&ram, AVAIL_AT + 2, 17);
	expect_broken(-EOVERFLOW);

	/* Backwards: behind chains we already took. */
	start(16, false);
	avail_idx = 0;
	offer(0);
	offer(0);
	assert_int_equal(pop(), 1);
	assert_int_equal(pop(), 1);
	vq_ram_put16(&ram, AVAIL_AT + 2, 1);
	expect_broken(-EOVERFLOW);

	/* Completing chains makes room again: a 16-bit distance, not a count. */
	start(16, false);
	avail_idx = 0;
	for (unsigned int i = 0; i < 16; i++)
		offer(0);
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(pop(), 1);
	assert_int_equal(vq_push(&vq, 0, 0), 0);
	offer(0);
	assert_int_equal(pop(), 1);
}

static void test_broken_until_reset(void **state)
{
	(void)state;
	start(16, false);
	set_desc(DESC_AT, 0, BUF_AT, 1, F_NEXT, 0);
	offer(0);
	assert_int_equal(pop(), -ELOOP);
	/* Repairing the ring does not help, and nothing is pushed or notified. */
	set_desc(DESC_AT, 0, BUF_AT, 1, 0, 0);
	assert_int_equal(pop(), -ELOOP);
	assert_int_equal(vq_push(&vq, 0, 0), -ELOOP);
	assert_int_equal(vq_set_notify(&vq, true), -ELOOP);
	assert_false(vq_need_notify(&vq));
	assert_int_equal(vq_ram_get16(&ram, USED_AT + 2), 0);

	vq_reset(&vq);
	assert_null(vq_reason(&vq));
	assert_int_equal(pop(), 1);
	assert_int_equal(vq_push(&vq, 0, 0), 0);
}

static void test_push_misuse(void **state)
{
	(void)state;
	start(16, false);
	assert_int_equal(vq_push(&vq, 0, 0), -ENOSPC);
	set_desc(DESC_AT, 0, BUF_AT, 1, 0, 0);
	offer(0);
	assert_int_equal(pop(), 1);
	assert_int_equal(vq_push(&vq, 16, 0), -EINVAL);
	assert_int_equal(vq_push(&vq, 0, 0), 0);
	assert_int_equal(vq_push(&vq, 0, 0), -ENOSPC);
	assert_int_equal(vq.broken, 0);
}

static void test_need_event_formula(void **state)
{
	(void)state;
	/* Notify if the entry at used_event was among those written, [old, new). */
	assert_true(virtq_need_event(0, 1, 0));
	assert_true(virtq_need_event(2, 5, 2));
	assert_true(virtq_need_event(4, 5, 2));
	assert_false(virtq_need_event(1, 5, 2));
	assert_false(virtq_need_event(5, 5, 2));
	assert_false(virtq_need_event(6, 5, 2));
	assert_false(virtq_need_event(7, 7, 7));
	/* Across the 16-bit wrap. */
	assert_true(virtq_need_event(0xfffe, 2, 0xfffe));
	assert_true(virtq_need_event(0xffff, 2, 0xfffe));
	assert_true(virtq_need_event(1, 2, 0xfffe));
	assert_false(virtq_need_event(0xfffd, 2, 0xfffe));
	assert_false(virtq_need_event(2, 2, 0xfffe));
}

static void push_one(void)
{
	set_desc(DESC_AT, 0, BUF_AT, 1, F_WRITE, 0);
	offer(0);
	assert_int_equal(pop(), 1);
	assert_int_equal(vq_push(&vq, 0, 1), 0);
}

static void test_notify_event_idx(void **state)
{
	uint64_t used_event = AVAIL_AT + 4 + 2 * 16;

	(void)state;
	start(16, true);
	assert_false(vq_need_notify(&vq));
	/* The driver wants a notification once used->idx passes 1. */
	vq_ram_put16(&ram, used_event, 1);
	push_one();
	assert_false(vq_need_notify(&vq));
	push_one();
	push_one();
	assert_true(vq_need_notify(&vq));
	push_one();
	assert_false(vq_need_notify(&vq));
	/* avail->flags is ignored under EVENT_IDX. */
	vq_ram_put16(&ram, AVAIL_AT, VIRTQ_AVAIL_F_NO_INTERRUPT);
	vq_ram_put16(&ram, used_event, 4);
	push_one();
	assert_true(vq_need_notify(&vq));

	/* Across the wrap of used->idx. */
	while (vq.used_idx != 0xfffe)
		push_one();
	(void)vq_need_notify(&vq);
	vq_ram_put16(&ram, used_event, 0xffff);
	push_one();
	assert_false(vq_need_notify(&vq));
	push_one();
	assert_true(vq_need_notify(&vq));
	assert_int_equal(vq.used_idx, 0);
	vq_ram_put16(&ram, used_event, 1);
	push_one();
	push_one();
	assert_true(vq_need_notify(&vq));
}

static void test_notify_flags(void **state)
{
	(void)state;
	start(16, false);
	assert_false(vq_need_notify(&vq));
	push_one();
	assert_true(vq_need_notify(&vq));
	assert_false(vq_need_notify(&vq));
	vq_ram_put16(&ram, AVAIL_AT, VIRTQ_AVAIL_F_NO_INTERRUPT);
	push_one();
	assert_false(vq_need_notify(&vq));
}

static void test_set_notify(void **state)
{
	uint64_t avail_event = USED_AT + 4 + 8 * 16;

	(void)state;
	start(16, false);
	assert_int_equal(vq_set_notify(&vq, false), 0);
	assert_int_equal(vq_ram_get16(&ram, USED_AT), VIRTQ_USED_F_NO_NOTIFY);
	assert_int_equal(vq_set_notify(&vq, true), 0);
	assert_int_equal(vq_ram_get16(&ram, USED_AT), 0);
	set_desc(DESC_AT, 0, BUF_AT, 1, 0, 0);
	offer(0);
	/* A chain that came while notifications were off must be noticed. */
	assert_int_equal(vq_set_notify(&vq, true), 1);

	start(16, true);
	avail_idx = 0;
	offer(0);
	offer(0);
	assert_int_equal(vq_set_notify(&vq, false), 0);
	assert_int_equal(pop(), 1);
	/* Off: avail_event stays where it was. */
	assert_int_equal(vq_ram_get16(&ram, avail_event), 0);
	assert_int_equal(vq_set_notify(&vq, true), 1);
	assert_int_equal(vq_ram_get16(&ram, avail_event), 1);
	assert_int_equal(pop(), 1);
	assert_int_equal(vq_ram_get16(&ram, avail_event), 2);
	assert_int_equal(vq_set_notify(&vq, true), 0);
}

static void test_pending(void **state)
{
	(void)state;
	start(16, true);
	assert_int_equal(vq_pending(&vq), 0);
	set_desc(DESC_AT, 0, BUF_AT, 1, 0, 0);
	offer(0);
	assert_int_equal(vq_pending(&vq), 1);
	assert_int_equal(pop(), 1);
	assert_int_equal(vq_pending(&vq), 0);
	/* A broken queue answers with its error. */
	vq_ram_put16(&ram, AVAIL_AT + 2, avail_idx + 17);
	expect_broken(-EOVERFLOW);
	assert_int_equal(vq_pending(&vq), -EOVERFLOW);
}

/*
 * With the rings mapped (the partition's fast path) the indices go through
 * plain loads and stores: every notification rule must hold the same.
 */
static void test_mapped_rings(void **state)
{
	vq_ram_enable_map(&ram);
	start(16, true);
	assert_non_null(vq.avail_map);
	assert_non_null(vq.used_map);
	test_notify_event_idx(state);
	test_notify_flags(state);
	test_set_notify(state);
	test_index_wrap(state);
	test_avail_lies(state);
	test_pending(state);
	/* Areas are checked against RAM before anything is mapped. */
	cfg = qc(16, DESC_AT, RAM_END - 6 - 2 * 16 + 2, USED_AT);
	assert_int_equal(vq_init(&vq, &cfg, &ram.ops), -EFAULT);
}

/* The guest rewrites a descriptor between our reads: we use what we checked. */
static void flip_on_read(struct vq_ram *r, uint64_t gpa, size_t len)
{
	(void)len;
	if (gpa == DESC_AT + VIRTQ_DESC_SIZE)	/* reading descriptor 1 */
		vq_ram_put64(r, DESC_AT, 0);	/* descriptor 0 now points outside RAM */
}

static void test_single_read(void **state)
{
	(void)state;
	start(16, false);
	set_desc(DESC_AT, 0, BUF_AT, 8, F_NEXT, 1);
	set_desc(DESC_AT, 1, BUF_AT + 8, 8, 0, 0);
	offer(0);
	ram.on_read = flip_on_read;
	assert_int_equal(pop(), 1);
	ram.on_read = NULL;
	assert_int_equal(seg[0].gpa.v, BUF_AT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direct_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_and_mixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_indices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_avail_lies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_until_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_misuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_need_event_formula, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_event_idx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapped_rings, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
