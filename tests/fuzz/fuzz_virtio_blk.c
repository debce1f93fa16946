// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the virtio-blk backend. The input is a device and
 * queue configuration, the contents of a small fake guest RAM holding the
 * rings and whatever chains, headers and data the guest made up, and a
 * stream of byte writes that land in RAM one per guest-memory read, as a
 * racing vCPU would make them. The driver kicks every queue a few times.
 *
 * Checked: nothing crashes or leaves its buffer (ASan, plus guard bytes
 * around the store); a read-only store stays byte-identical; a store that
 * changed was changed by a counted OUT, DISCARD or WRITE_ZEROES; the
 * transport hears of at most one failure, and only about existing queues;
 * a device that did not fail has no broken queue.
 *
 * Input: size_log2 (mod 7), flags (bit 0 EVENT_IDX, bit 1 read-only,
 * bit 2 two queues, bits 3-4 extra kicks), nmut; then the RAM image; the
 * last 3 * nmut bytes are mutations (le16 offset, value).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <vmm/virtio/blk.h>
#include "vq_ram.h"

#define RAM_BASE	0x1000ULL
#define RAM_SIZE	0x4000ULL
#define QUEUE_SPAN	0x1000ULL	/* desc 1 KiB, avail at +0x400, used at +0x600 */
#define STORE_SIZE	KIB(8)
#define GUARD		64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vq_ram ram;
static const uint8_t *mut;
static size_t nmut;
static struct virtio_blk *blk;
static uint8_t store_buf[GUARD + STORE_SIZE + GUARD], before[STORE_SIZE];
static unsigned int fails, bad_irqs;

static void die(const char *what)
{
	fprintf(stderr, "virtio-blk: %s\n", what);
	abort();
}

/* A racing vCPU: one byte of RAM changes before every read we make. */
static void racing_write(struct vq_ram *r, uint64_t gpa, size_t len)
{
	(void)gpa;
	(void)len;
	if (!nmut)
		return;
	r->mem[(mut[0] | mut[1] << 8) % r->size] = mut[2];
	mut += 3;
	nmut--;
}

static void queue_irq(struct virtio_dev *d, unsigned int q)
{
	if (q >= d->num_queues)
		bad_irqs++;
}

static void config_irq(struct virtio_dev *d)
{
	(void)d;
	die("config interrupt from a device whose config never changes");
}

static void transport_fail(struct virtio_dev *d, const char *reason)
{
	(void)d;
	if (!reason)
		die("failure without a reason");
	fails++;
}

static const struct virtio_transport_ops tops = { queue_irq, config_irq, transport_fail };

static void check(bool readonly)
{
	struct virtio_blk_stats st;
	static const uint8_t guard[GUARD] = { [0 ... GUARD - 1] = 0xa5 };

	virtio_blk_stats(blk, &st);
	if (memcmp(store_buf, guard, GUARD) || memcmp(store_buf + GUARD + STORE_SIZE, guard, GUARD))
		die("store guard bytes changed");
	if (readonly && memcmp(store_buf + GUARD, before, STORE_SIZE))
		die("read-only store changed");
	if (readonly && (st.writes || st.discards || st.write_zeroes || st.bytes_written))
		die("read-only store counted a write");
	if (!st.writes && !st.discards && !st.write_zeroes &&
	    memcmp(store_buf + GUARD, before, STORE_SIZE))
		die("store changed without a write");
	if (st.bytes_read > st.reads * STORE_SIZE || st.bytes_written > st.writes * STORE_SIZE)
		die("more bytes moved than the store holds");
	if (fails > 1 || bad_irqs)
		die("transport called wrongly");
	if (fails != blk->dev.failed)
		die("failure not recorded");
	for (unsigned int q = 0; q < blk->dev.num_queues && !fails; q++)
		if (blk->queues[q].vq.broken)
			die("broken queue without a device failure");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_blk_params p = { .name = "fuzz", .data = store_buf + GUARD,
				       .size = STORE_SIZE, .serial = "fuzz-serial" };
	unsigned int qsize, kicks;
	const char *why;
	size_t image;

	if (size < 3)
		return 0;
	if (!ram.mem) {
		vq_ram_init(&ram, RAM_BASE, RAM_SIZE);
		ram.on_read = racing_write;
		blk = calloc(1, sizeof(*blk));
		if (!blk)
			abort();
	}
	nmut = data[2];
	if (3 * nmut > size - 3)
		nmut = (size - 3) / 3;
	image = size - 3 - 3 * nmut;
	mut = data + 3 + image;
	memset(ram.mem, 0, RAM_SIZE);
	memcpy(ram.mem, data + 3, image < RAM_SIZE ? image : RAM_SIZE);

	memset(store_buf, 0xa5, sizeof(store_buf));
	for (uint64_t i = 0; i < STORE_SIZE; i++)
		store_buf[GUARD + i] = (uint8_t)(i * 13 + 1);
	memcpy(before, store_buf + GUARD, STORE_SIZE);
	p.readonly = data[1] & 2;
	p.num_queues = (data[1] & 4) ? 2 : 1;
	if (virtio_blk_init(blk, &p, &why))
		die("valid parameters refused");
	blk->dev.mem = &ram.ops;
	blk->dev.transport = &tops;
	fails = bad_irqs = 0;
	qsize = 1u << (data[0] % 7);
	kicks = 1 + ((data[1] >> 3) & 3);
	for (unsigned int q = 0; q < p.num_queues; q++) {
		uint64_t base = RAM_BASE + q * QUEUE_SPAN;
		struct virtq_config cfg = { .size = qsize, .desc = gpa(base),
					    .avail = gpa(base + 0x400), .used = gpa(base + 0x600),
					    .event_idx = data[1] & 1 };

		if (vq_init(&blk->queues[q].vq, &cfg, &ram.ops))
			die("valid queue refused");
		blk->queues[q].enabled = true;
	}
	for (unsigned int k = 0; k < kicks; k++) {
		for (unsigned int q = 0; q < p.num_queues; q++) {
			virtio_queue_lock(&blk->dev, q);
			blk->dev.ops->queue_notify(&blk->dev, q);
			virtio_queue_unlock(&blk->dev, q);
		}
	}
	check(p.readonly);
	return 0;
}
