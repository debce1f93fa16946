// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk device backend over a RAM store (see blk.h): what it offers,
 * its configuration space, and the queue loop that feeds requests to
 * blk_req.c.
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/virtio/blk.h>

static uint64_t blk_features(struct virtio_dev *d)
{
	struct virtio_blk *b = to_virtio_blk(d);
	uint64_t f = 1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_BLK_SIZE |
		     1ULL << VIRTIO_BLK_F_FLUSH | 1ULL << VIRTIO_BLK_F_DISCARD |
		     1ULL << VIRTIO_BLK_F_WRITE_ZEROES;

	if (d->num_queues > 1)
		f |= 1ULL << VIRTIO_BLK_F_MQ;
	if (b->readonly)
		f |= 1ULL << VIRTIO_BLK_F_RO;
	return f;
}

/*
 * The whole space is derived from immutable fields, so a read of any width
 * at any offset is one copy out of a freshly built image: never torn.
 * Geometry, topology and size_max are not offered and read as zero.
 */
static void blk_config_read(struct virtio_dev *d, uint32_t off, void *buf, unsigned int size)
{
	struct virtio_blk *b = to_virtio_blk(d);
	uint8_t c[VIRTIO_BLK_CONFIG_SIZE] = { 0 };

	put_le64(c + VIRTIO_BLK_CFG_CAPACITY, b->capacity);
	put_le32(c + VIRTIO_BLK_CFG_SEG_MAX, VIRTIO_BLK_SEG_MAX);
	put_le32(c + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR_SIZE);
	put_le16(c + VIRTIO_BLK_CFG_NUM_QUEUES, (uint16_t)d->num_queues);
	put_le32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, VIRTIO_BLK_MAX_DWZ_SECTORS);
	put_le32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, VIRTIO_BLK_MAX_DWZ_SEG);
	put_le32(c + VIRTIO_BLK_CFG_DISCARD_ALIGN, 1);
	put_le32(c + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, VIRTIO_BLK_MAX_DWZ_SECTORS);
	put_le32(c + VIRTIO_BLK_CFG_MAX_WZ_SEG, VIRTIO_BLK_MAX_DWZ_SEG);
	/* Zeroing is all a RAM store does, so UNMAP on WRITE_ZEROES is fine. */
	c[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = 1;
	/* The transport checked off + size <= config_size; stay safe anyway. */
	if (off > sizeof(c) || size > sizeof(c) - off) {
		memset(buf, 0, size);
		return;
	}
	memcpy(buf, c + off, size);
}

/* One failure per reset: the ring layer names what the guest broke. */
static void ring_fail(struct virtio_dev *d, struct virtq *vq)
{
	const char *why = vq_reason(vq);

	virtio_dev_fail(d, why ? why : "virtio-blk queue unusable");
}

/*
 * Drains queue q: batches of at most a queue size of requests (so
 * vq_need_notify() never loses count), one interrupt decision per batch.
 * Notifications stay off while we work; re-enabling them tells us whether
 * a chain slipped in meanwhile, which no kick would announce.
 */
static void blk_queue_notify(struct virtio_dev *d, unsigned int q)
{
	struct virtio_blk *b = to_virtio_blk(d);
	struct virtq *vq = &d->queues[q].vq;
	struct virtq_seg seg[VIRTIO_BLK_CHAIN_SEGS];
	struct virtq_chain c;
	uint32_t written;
	int r = 0;

	if (d->failed || q >= d->num_queues)
		return;
	/*
	 * Notifications are on whenever the queue is idle, so a kick that finds
	 * nothing new (a driver notifying twice) ends after one index read.
	 */
	r = vq_pending(vq);
	if (r == 0 && vq->notify_enabled)
		return;
	if (r < 0 || vq_set_notify(vq, false) < 0) {
		ring_fail(d, vq);
		return;
	}
	for (;;) {
		unsigned int n = 0;

		while (n < vq->cfg.size && (r = vq_pop(vq, seg, ARRAY_SIZE(seg), &c)) == 1) {
			if (virtio_blk_request(b, q, seg, &c, &written))
				return;
			r = vq_push(vq, c.head, written);
			if (r < 0) {
				ring_fail(d, vq);
				return;
			}
			n++;
		}
		if (n)
			virtio_queue_used(d, q);
		if (r < 0) {
			ring_fail(d, vq);
			return;
		}
		if (n == vq->cfg.size)
			continue;
		r = vq_set_notify(vq, true);
		if (r < 0) {
			ring_fail(d, vq);
			return;
		}
		if (r == 0)
			return;
		vq_set_notify(vq, false);
	}
}

/* Requests complete inside queue_notify: nothing is in flight to forget. */
static void blk_reset(struct virtio_dev *d)
{
	(void)d;
}

static const struct virtio_dev_ops blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.features = blk_features,
	.config_read = blk_config_read,
	.queue_notify = blk_queue_notify,
	.reset = blk_reset,
};

int virtio_blk_init(struct virtio_blk *b, const struct virtio_blk_params *p, const char **why)
{
	size_t slen = p->serial ? strnlen(p->serial, VIRTIO_BLK_SERIAL_MAX + 1) : 0;
	const char *reason = NULL;

	if (!p->data || !p->size || p->size % VIRTIO_BLK_SECTOR_SIZE)
		reason = "virtio-blk store missing or not a multiple of 512 bytes";
	else if (p->num_queues < 1 || p->num_queues > VIRTIO_BLK_MAX_QUEUES)
		reason = "virtio-blk needs 1 to 64 queues";
	else if (slen > VIRTIO_BLK_SERIAL_MAX)
		reason = "virtio-blk serial longer than 20 bytes";
	if (reason) {
		if (why)
			*why = reason;
		return -EINVAL;
	}
	memset(b, 0, sizeof(*b));
	b->data = p->data;
	b->size = p->size;
	b->capacity = p->size >> VIRTIO_BLK_SECTOR_SHIFT;
	b->readonly = p->readonly;
	if (slen)
		memcpy(b->serial, p->serial, slen);
	for (unsigned int i = 0; i < p->num_queues; i++) {
		spin_lock_init(&b->queues[i].lock);
		b->queues[i].max_size = VIRTIO_BLK_QUEUE_SIZE;
		b->queues[i].msix_vector = VIRTIO_MSI_NO_VECTOR;
	}
	b->dev = (struct virtio_dev){
		.ops = &blk_ops,
		.name = p->name ? p->name : "virtio-blk",
		.config_size = VIRTIO_BLK_CONFIG_SIZE,
		.num_queues = p->num_queues,
		.queues = b->queues,
	};
	if (why)
		*why = NULL;
	return 0;
}

void virtio_blk_stats(const struct virtio_blk *b, struct virtio_blk_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < b->dev.num_queues; i++) {
		const struct virtio_blk_stats *s = &b->stats[i];

		out->reads += s->reads;
		out->writes += s->writes;
		out->flushes += s->flushes;
		out->discards += s->discards;
		out->write_zeroes += s->write_zeroes;
		out->get_ids += s->get_ids;
		out->bytes_read += s->bytes_read;
		out->bytes_written += s->bytes_written;
		out->ioerr += s->ioerr;
		out->unsupp += s->unsupp;
	}
}
