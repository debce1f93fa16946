// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk requests (virtio 1.x 5.2.6): parses one chain the walker took
 * and executes it against the RAM store (see blk.h for what happens to a
 * bad request).
 *
 * The walker has already checked every segment against guest RAM; here a
 * chain is two byte streams, the device-readable one (header, then OUT or
 * DISCARD / WRITE_ZEROES data) and the device-writable one (IN or GET_ID
 * data, then the status byte as its very last byte). Any framing of those
 * bytes into descriptors is accepted (VIRTIO_F_VERSION_1 implies
 * ANY_LAYOUT). Every guest value (header, ranges) is copied once, checked
 * on the copy and used from it.
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/virtio/blk.h>

/* One direction of a chain: its segments and total length. */
struct stream {
	const struct virtq_seg *seg;
	unsigned int nseg;
	uint64_t len;
};

/* What executing a request yields besides its status. */
struct result {
	uint8_t status;
	uint64_t data_written;	/* bytes of writable data (not the status) */
};

/*
 * Copies len bytes between host memory h and stream s from byte off on:
 * into guest RAM if to_guest, else out of it. The caller has checked that
 * [off, off + len) lies inside the stream. -EFAULT if guest RAM refuses.
 */
static int xfer(struct virtio_dev *d, const struct stream *s, uint64_t off, uint8_t *h,
		uint64_t len, bool to_guest)
{
	const struct virtq_mem_ops *m = d->mem;

	for (unsigned int i = 0; i < s->nseg && len; i++) {
		uint64_t chunk;
		gpa_t at;
		int err;

		if (off >= s->seg[i].len) {
			off -= s->seg[i].len;
			continue;
		}
		chunk = MIN(s->seg[i].len - off, len);
		at = gpa(s->seg[i].gpa.v + off);
		err = to_guest ? m->write(m->ctx, at, h, chunk) : m->read(m->ctx, at, h, chunk);
		if (err)
			return -EFAULT;
		h += chunk;
		len -= chunk;
		off = 0;
	}
	return len ? -EFAULT : 0;
}

/* [sector, sector + count) lies on the disk; no sum can wrap. */
static bool sectors_ok(const struct virtio_blk *b, uint64_t sector, uint64_t count)
{
	return sector <= b->capacity && count <= b->capacity - sector;
}

static uint8_t *store_at(struct virtio_blk *b, uint64_t sector)
{
	return b->data + (sector << VIRTIO_BLK_SECTOR_SHIFT);
}

static int do_in(struct virtio_blk *b, struct virtio_blk_stats *st, const struct stream *rd,
		 const struct stream *wr, uint64_t sector, struct result *r)
{
	uint64_t len = wr->len - 1;
	int err;

	if (rd->len != VIRTIO_BLK_REQ_HDR_SIZE || len % VIRTIO_BLK_SECTOR_SIZE ||
	    !sectors_ok(b, sector, len >> VIRTIO_BLK_SECTOR_SHIFT))
		return 0;
	err = xfer(&b->dev, wr, 0, store_at(b, sector), len, true);
	if (err)
		return err;
	st->reads++;
	st->bytes_read += len;
	r->data_written = len;
	r->status = VIRTIO_BLK_S_OK;
	return 0;
}

static int do_out(struct virtio_blk *b, struct virtio_blk_stats *st, const struct stream *rd,
		  const struct stream *wr, uint64_t sector, struct result *r)
{
	uint64_t len = rd->len - VIRTIO_BLK_REQ_HDR_SIZE;
	int err;

	if (wr->len != 1 || len % VIRTIO_BLK_SECTOR_SIZE || b->readonly ||
	    !sectors_ok(b, sector, len >> VIRTIO_BLK_SECTOR_SHIFT))
		return 0;
	err = xfer(&b->dev, rd, VIRTIO_BLK_REQ_HDR_SIZE, store_at(b, sector), len, false);
	if (err)
		return err;
	st->writes++;
	st->bytes_written += len;
	r->status = VIRTIO_BLK_S_OK;
	return 0;
}

static int do_get_id(struct virtio_blk *b, struct virtio_blk_stats *st, const struct stream *rd,
		     const struct stream *wr, struct result *r)
{
	/* A shorter buffer gets the start of the NUL-padded string (as QEMU does). */
	uint64_t len = MIN(wr->len - 1, (uint64_t)VIRTIO_BLK_ID_BYTES);
	int err;

	if (rd->len != VIRTIO_BLK_REQ_HDR_SIZE)
		return 0;
	err = xfer(&b->dev, wr, 0, (uint8_t *)b->serial, len, true);
	if (err)
		return err;
	st->get_ids++;
	r->data_written = len;
	r->status = VIRTIO_BLK_S_OK;
	return 0;
}

/*
 * DISCARD and WRITE_ZEROES (5.2.6.2): every range is copied and checked
 * before any is applied, so a refused request changes nothing. Both zero
 * the range: discarded sectors then read back deterministic zeros, never
 * stale data, which is what a RAM disk can offer for free.
 */
static int do_dwz(struct virtio_blk *b, struct virtio_blk_stats *st, const struct stream *rd,
		  const struct stream *wr, bool discard, struct result *r)
{
	uint8_t buf[VIRTIO_BLK_MAX_DWZ_SEG * VIRTIO_BLK_DWZ_SEG_SIZE];
	uint64_t len = rd->len - VIRTIO_BLK_REQ_HDR_SIZE, n, sector[VIRTIO_BLK_MAX_DWZ_SEG];
	uint32_t count[VIRTIO_BLK_MAX_DWZ_SEG];
	int err;

	if (wr->len != 1 || len % VIRTIO_BLK_DWZ_SEG_SIZE || b->readonly)
		return 0;
	n = len / VIRTIO_BLK_DWZ_SEG_SIZE;
	if (n > VIRTIO_BLK_MAX_DWZ_SEG)
		return 0;
	err = xfer(&b->dev, rd, VIRTIO_BLK_REQ_HDR_SIZE, buf, len, false);
	if (err)
		return err;
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *e = buf + i * VIRTIO_BLK_DWZ_SEG_SIZE;
		uint32_t flags = get_le32(e + 12);

		sector[i] = get_le64(e);
		count[i] = get_le32(e + 8);
		/* Unknown flags, or UNMAP on a DISCARD, are UNSUPP (5.2.6.2). */
		if ((flags & ~VIRTIO_BLK_WZ_F_UNMAP) || (discard && (flags & VIRTIO_BLK_WZ_F_UNMAP))) {
			r->status = VIRTIO_BLK_S_UNSUPP;
			return 0;
		}
		if (count[i] > VIRTIO_BLK_MAX_DWZ_SECTORS || !sectors_ok(b, sector[i], count[i]))
			return 0;
	}
	for (unsigned int i = 0; i < n; i++)
		memset(store_at(b, sector[i]), 0, (uint64_t)count[i] << VIRTIO_BLK_SECTOR_SHIFT);
	if (discard)
		st->discards++;
	else
		st->write_zeroes++;
	r->status = VIRTIO_BLK_S_OK;
	return 0;
}

/* Executes a request with a writable status byte: fills r, or -EFAULT. */
static int execute(struct virtio_blk *b, struct virtio_blk_stats *st, const struct stream *rd,
		   const struct stream *wr, struct result *r)
{
	uint8_t hdr[VIRTIO_BLK_REQ_HDR_SIZE];
	uint64_t sector;
	uint32_t type;
	int err;

	/* Every refusal below is IOERR unless it says otherwise. */
	r->status = VIRTIO_BLK_S_IOERR;
	r->data_written = 0;
	if (rd->len < VIRTIO_BLK_REQ_HDR_SIZE)
		return 0;
	err = xfer(&b->dev, rd, 0, hdr, sizeof(hdr), false);
	if (err)
		return err;
	type = get_le32(hdr);
	sector = get_le64(hdr + 8);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		return do_in(b, st, rd, wr, sector, r);
	case VIRTIO_BLK_T_OUT:
		return do_out(b, st, rd, wr, sector, r);
	case VIRTIO_BLK_T_FLUSH:
		/* The store is RAM: every completed write is already durable. */
		if (rd->len == VIRTIO_BLK_REQ_HDR_SIZE && wr->len == 1) {
			st->flushes++;
			r->status = VIRTIO_BLK_S_OK;
		}
		return 0;
	case VIRTIO_BLK_T_GET_ID:
		return do_get_id(b, st, rd, wr, r);
	case VIRTIO_BLK_T_DISCARD:
		return do_dwz(b, st, rd, wr, true, r);
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return do_dwz(b, st, rd, wr, false, r);
	default:
		r->status = VIRTIO_BLK_S_UNSUPP;
		return 0;
	}
}

int virtio_blk_request(struct virtio_blk *b, unsigned int q, const struct virtq_seg *seg,
		       const struct virtq_chain *c, uint32_t *written)
{
	struct virtio_blk_stats *st = &b->stats[q];
	struct stream rd = { seg, c->nreadable, c->readable_len };
	struct stream wr = { seg + c->nreadable, c->nseg - c->nreadable, c->writable_len };
	struct result r;
	uint64_t total;
	int err;

	if (!wr.len) {
		virtio_dev_fail(&b->dev, "virtio-blk request has no writable status byte");
		return -EBADMSG;
	}
	err = execute(b, st, &rd, &wr, &r);
	if (!err)
		err = xfer(&b->dev, &wr, wr.len - 1, &r.status, 1, true);
	if (err) {
		virtio_dev_fail(&b->dev, "virtio-blk request buffer outside guest RAM");
		return err;
	}
	if (r.status == VIRTIO_BLK_S_IOERR)
		st->ioerr++;
	else if (r.status == VIRTIO_BLK_S_UNSUPP)
		st->unsupp++;
	/* The used length is 32-bit; a longer transfer reports all it can. */
	total = r.data_written + 1;
	*written = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	return 0;
}
