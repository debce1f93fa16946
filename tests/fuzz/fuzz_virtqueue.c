// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the split-virtqueue walker. The input is a queue
 * configuration, the contents of a small fake guest RAM (descriptor table,
 * rings, indirect tables, all hostile), and a stream of byte writes that
 * land in RAM one per guest-memory read, as a racing vCPU would make them.
 * The backend pops and pushes until the ring is empty or broken; every
 * segment it gets must lie in RAM, every write it makes must be to the used
 * ring, and a broken queue must stay broken.
 *
 * Input: size_log2 (mod 8), flags (bit 0 EVENT_IDX, bits 1-2 max_seg,
 * bit 3 limit chain bytes to 4 KiB), nmut; then the RAM image; the last
 * 3 * nmut bytes are mutations (le16 offset, value).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <vmm/virtio/virtqueue.h>
#include "vq_ram.h"

#define RAM_BASE	0x1000ULL
#define RAM_SIZE	0x4000ULL
#define DESC_AT		RAM_BASE		/* 128 * 16 = 2 KiB at most */
#define AVAIL_AT	(RAM_BASE + 0x800)	/* 4 + 256 + 2 */
#define USED_AT		(RAM_BASE + 0xa00)	/* 4 + 1024 + 2 */
#define MAX_SEG		256
#define MAX_STEPS	4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vq_ram ram;
static struct virtq_mem_ops ops;
static const uint8_t *mut;
static size_t nmut;
static struct virtq vq;

static void die(const char *what)
{
	fprintf(stderr, "virtqueue: %s\n", what);
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

static int checked_write(void *ctx, gpa_t dst, const void *src, size_t len)
{
	uint64_t end = USED_AT + virtq_used_area_size(vq.cfg.size);

	if (dst.v < USED_AT || dst.v > end || len > end - dst.v)
		die("write outside the used ring");
	return ram.ops.write(ctx, dst, src, len);
}

static void check_chain(const struct virtq_seg *seg, unsigned int max_seg,
			const struct virtq_chain *c)
{
	uint64_t rd = 0, wr = 0;

	if (c->head >= vq.cfg.size)
		die("head outside the table");
	if (c->nseg > max_seg || c->nreadable > c->nseg)
		die("segment count");
	for (unsigned int i = 0; i < c->nseg; i++) {
		if (!vq_ram_contains(&ram, seg[i].gpa.v, seg[i].len))
			die("segment outside RAM");
		if (seg[i].writable != (i >= c->nreadable))
			die("readable segment after a writable one");
		if (seg[i].writable)
			wr += seg[i].len;
		else
			rd += seg[i].len;
	}
	if (rd != c->readable_len || wr != c->writable_len)
		die("chain lengths");
	if (vq.cfg.max_chain_bytes && rd + wr > vq.cfg.max_chain_bytes)
		die("chain longer than the limit");
}

static void check_broken(int err)
{
	struct virtq_seg seg[1];
	struct virtq_chain c;

	if (err != vq.broken || !vq_reason(&vq))
		die("error without a broken queue and a reason");
	if (vq_pop(&vq, seg, 1, &c) != err || vq_push(&vq, 0, 0) != err ||
	    vq_set_notify(&vq, true) != err || vq_need_notify(&vq))
		die("broken queue came back");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int max_segs[] = { 1, 3, 16, MAX_SEG };
	static struct virtq_seg seg[MAX_SEG];
	struct virtq_config cfg;
	struct virtq_chain c;
	unsigned int max_seg, steps = 0;
	size_t image;
	int ret;

	if (size < 3)
		return 0;
	if (!ram.mem) {
		vq_ram_init(&ram, RAM_BASE, RAM_SIZE);
		ram.on_read = racing_write;
		vq_ram_enable_map(&ram);
		ops = ram.ops;
		ops.write = checked_write;
	}
	/* Bit 4: the rings reached through host pointers, as in a partition. */
	ops.map = (data[1] & 16) ? ram.ops.map : NULL;
	nmut = data[2];
	if (3 * nmut > size - 3)
		nmut = (size - 3) / 3;
	image = size - 3 - 3 * nmut;
	mut = data + 3 + image;
	memset(ram.mem, 0, RAM_SIZE);
	memcpy(ram.mem, data + 3, image < RAM_SIZE ? image : RAM_SIZE);

	cfg = (struct virtq_config){
		.size = 1u << (data[0] & 7),
		.desc = gpa(DESC_AT), .avail = gpa(AVAIL_AT), .used = gpa(USED_AT),
		.event_idx = data[1] & 1,
		.max_chain_bytes = (data[1] & 8) ? 4096 : 0,
	};
	max_seg = max_segs[(data[1] >> 1) & 3];
	if (vq_init(&vq, &cfg, &ops))
		die("valid configuration refused");

	while (steps++ < MAX_STEPS) {
		ret = vq_pop(&vq, seg, max_seg, &c);
		if (ret < 0) {
			check_broken(ret);
			return 0;
		}
		if (ret == 0) {
			/* Empty: re-arm, and go on if the guest slipped one in. */
			ret = vq_set_notify(&vq, true);
			if (ret < 0) {
				check_broken(ret);
				return 0;
			}
			if (!ret)
				break;
			continue;
		}
		check_chain(seg, max_seg, &c);
		if (steps % 3 == 0 && vq_set_notify(&vq, false))
			die("disabling notifications failed");
		ret = vq_push(&vq, c.head, (uint32_t)c.writable_len);
		if (ret) {
			check_broken(ret);
			return 0;
		}
		(void)vq_need_notify(&vq);
	}
	if (vq.broken)
		die("broken queue not reported");
	return 0;
}
