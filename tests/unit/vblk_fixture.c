// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <plinth/bytes.h>
#include "vblk_fixture.h"

static void fx_queue_irq(struct virtio_dev *d, unsigned int q)
{
	struct vblk_fx *f = d->transport_ctx;

	f->irqs[q]++;
}

static void fx_config_irq(struct virtio_dev *d)
{
	(void)d;
	abort();	/* virtio-blk's configuration never changes */
}

static void fx_fail(struct virtio_dev *d, const char *reason)
{
	struct vblk_fx *f = d->transport_ctx;

	f->fails++;
	f->fail_reason = reason;
}

void vblk_fx_init(struct vblk_fx *f, uint64_t store_size, bool readonly, unsigned int nq,
		  const char *serial)
{
	struct virtio_blk_params p = { .name = "virtio-blk test", .size = store_size,
				       .readonly = readonly, .serial = serial, .num_queues = nq };
	const char *why = "unset";

	memset(f, 0, sizeof(*f));
	vq_ram_init(&f->ram, VBLK_RAM_BASE, VBLK_RAM_SIZE);
	f->store = malloc(store_size ? store_size : 1);
	f->blk = calloc(1, sizeof(*f->blk));
	if (!f->store || !f->blk)
		abort();
	for (uint64_t i = 0; i < store_size; i++)
		f->store[i] = (uint8_t)(i * 7 + (i >> 9));
	f->store_size = store_size;
	p.data = f->store;
	if (virtio_blk_init(f->blk, &p, &why) || why)
		abort();
	f->tops = (struct virtio_transport_ops){ fx_queue_irq, fx_config_irq, fx_fail };
	f->blk->dev.mem = &f->ram.ops;
	f->blk->dev.transport = &f->tops;
	f->blk->dev.transport_ctx = f;
	f->blk->dev.features = 1ULL << VIRTIO_F_VERSION_1;
	f->buf_next = VBLK_BUF_AT;
}

void vblk_fx_free(struct vblk_fx *f)
{
	vq_ram_free(&f->ram);
	free(f->store);
	free(f->blk);
}

uint64_t vblk_fx_desc(unsigned int q)
{
	return VBLK_RAM_BASE + q * VBLK_RING_SPAN;
}

uint64_t vblk_fx_avail(unsigned int q)
{
	return vblk_fx_desc(q) + 0x4000;
}

uint64_t vblk_fx_used(unsigned int q)
{
	return vblk_fx_desc(q) + 0x8000;
}

void vblk_fx_start_queue(struct vblk_fx *f, unsigned int q, unsigned int size, bool event_idx)
{
	struct virtio_queue *vq = &f->blk->queues[q];
	struct virtq_config cfg = { .size = size, .desc = gpa(vblk_fx_desc(q)),
				    .avail = gpa(vblk_fx_avail(q)), .used = gpa(vblk_fx_used(q)),
				    .event_idx = event_idx };

	if (q >= VBLK_QUEUES || size > vq->max_size)
		abort();
	memset(f->ram.mem + (vblk_fx_desc(q) - VBLK_RAM_BASE), 0, VBLK_RING_SPAN);
	if (vq_init(&vq->vq, &cfg, &f->ram.ops))
		abort();
	vq->enabled = true;
	if (event_idx)
		f->blk->dev.features |= 1ULL << VIRTIO_F_EVENT_IDX;
	f->qsize[q] = size;
	f->event_idx[q] = event_idx;
	f->avail_idx[q] = f->next_desc[q] = f->used_seen[q] = 0;
}

uint64_t vblk_fx_alloc(struct vblk_fx *f, uint64_t len)
{
	uint64_t at = f->buf_next;

	f->buf_next = (at + len + 15) & ~15ULL;
	if (f->buf_next > VBLK_RAM_END)
		abort();
	memset(f->ram.mem + (at - VBLK_RAM_BASE), 0, len);
	return at;
}

uint64_t vblk_fx_hdr(struct vblk_fx *f, uint32_t type, uint64_t sector)
{
	uint64_t h = vblk_fx_alloc(f, VIRTIO_BLK_REQ_HDR_SIZE);

	vq_ram_put32(&f->ram, h, type);
	vq_ram_put64(&f->ram, h + 8, sector);
	return h;
}

uint16_t vblk_fx_chain(struct vblk_fx *f, unsigned int q, const struct vblk_buf *b, unsigned int n)
{
	unsigned int size = f->qsize[q];
	uint16_t head = f->next_desc[q] & (size - 1);

	for (unsigned int i = 0; i < n; i++) {
		uint16_t idx = (f->next_desc[q]++) & (size - 1);
		uint64_t d = vblk_fx_desc(q) + (uint64_t)idx * VIRTQ_DESC_SIZE;
		uint16_t flags = b[i].writable ? VIRTQ_DESC_F_WRITE : 0;

		if (i + 1 < n)
			flags |= VIRTQ_DESC_F_NEXT;
		vq_ram_put64(&f->ram, d, b[i].gpa);
		vq_ram_put32(&f->ram, d + 8, b[i].len);
		vq_ram_put16(&f->ram, d + 12, flags);
		vq_ram_put16(&f->ram, d + 14, (f->next_desc[q]) & (size - 1));
	}
	return head;
}

void vblk_fx_offer(struct vblk_fx *f, unsigned int q, uint16_t head)
{
	uint64_t avail = vblk_fx_avail(q);

	vq_ram_put16(&f->ram, avail + 4 + 2 * (f->avail_idx[q] & (f->qsize[q] - 1)), head);
	vq_ram_put16(&f->ram, avail + 2, ++f->avail_idx[q]);
}

void vblk_fx_notify(struct vblk_fx *f, unsigned int q)
{
	struct virtio_dev *d = &f->blk->dev;

	virtio_queue_lock(d, q);
	d->ops->queue_notify(d, q);
	virtio_queue_unlock(d, q);
}

bool vblk_fx_next_used(struct vblk_fx *f, unsigned int q, uint32_t *id, uint32_t *len)
{
	uint64_t used = vblk_fx_used(q);
	uint64_t e;

	if (vq_ram_get16(&f->ram, used + 2) == f->used_seen[q])
		return false;
	e = used + 4 + 8 * (f->used_seen[q]++ & (f->qsize[q] - 1));
	*id = vq_ram_get32(&f->ram, e);
	*len = vq_ram_get32(&f->ram, e + 4);
	return true;
}

int vblk_fx_req(struct vblk_fx *f, unsigned int q, uint32_t type, uint64_t sector,
		const struct vblk_buf *d, unsigned int n, uint32_t *used_len)
{
	struct vblk_buf b[VIRTIO_BLK_CHAIN_SEGS + 8];
	uint64_t status = vblk_fx_alloc(f, 1);
	uint32_t id, len;
	uint16_t head;

	if (n + 2 > ARRAY_SIZE(b))
		abort();
	b[0] = (struct vblk_buf){ vblk_fx_hdr(f, type, sector), VIRTIO_BLK_REQ_HDR_SIZE, false };
	if (n)
		memcpy(b + 1, d, n * sizeof(*d));
	b[n + 1] = (struct vblk_buf){ status, 1, true };
	f->ram.mem[status - VBLK_RAM_BASE] = 0xee;
	head = vblk_fx_chain(f, q, b, n + 2);
	vblk_fx_offer(f, q, head);
	vblk_fx_notify(f, q);
	if (!vblk_fx_next_used(f, q, &id, &len) || id != head)
		return -1;
	if (used_len)
		*used_len = len;
	return f->ram.mem[status - VBLK_RAM_BASE];
}
