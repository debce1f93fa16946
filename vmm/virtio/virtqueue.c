// SPDX-License-Identifier: GPL-2.0
/*
 * Device side of the virtio 1.x split virtqueue (see virtqueue.h).
 *
 * The guest owns the descriptor table and the available ring and may
 * rewrite them at any moment from another vCPU. So every field is copied
 * out of guest memory once, checked on the copy, and only the copy is used;
 * every walk is bounded by the size of the table it walks; and nothing
 * reaches guest memory except through the partition's accessor, which
 * refuses anything outside its RAM.
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <vmm/virtio/virtqueue.h>

/* Byte offsets inside the ring areas (virtio 1.x 2.7.6, 2.7.8). */
#define RING_FLAGS	0u
#define RING_IDX	2u
#define RING_ELEMS	VIRTQ_RING_HDR_SIZE

/* A descriptor as copied out of guest memory. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* State of one vq_pop() walk. */
struct walk {
	struct virtq_seg *seg;
	unsigned int max_seg;
	struct virtq_chain *chain;
	bool seen_write;
};

static int fail(struct virtq *vq, int err, const char *reason)
{
	vq->broken = err;
	vq->reason = reason;
	return err;
}

/* [addr, addr + len) does not wrap and is wholly guest RAM. */
static bool range_ok(const struct virtq *vq, uint64_t addr, uint64_t len)
{
	if (len == 0 || addr + len < addr)
		return false;
	return vq->mem->in_ram(vq->mem->ctx, gpa(addr), len);
}

/*
 * The host address of a 16-bit ring field at guest address addr when that
 * ring is mapped (the fields are 2-byte aligned, so one load or store moves
 * the whole field, as the driver's own accesses do), else NULL.
 */
static volatile uint16_t *ring_field(const struct virtq *vq, uint64_t addr)
{
	uint64_t off;

	off = addr - vq->cfg.avail.v;
	if (vq->avail_map && off < virtq_avail_area_size(vq->cfg.size) - 1)
		return (volatile uint16_t *)(vq->avail_map + off);
	off = addr - vq->cfg.used.v;
	if (vq->used_map && off < virtq_used_area_size(vq->cfg.size) - 1)
		return (volatile uint16_t *)(vq->used_map + off);
	return NULL;
}

/* Ring fields are little-endian, as x86 (the only host) is. */
static int read16(struct virtq *vq, uint64_t addr, uint16_t *v)
{
	volatile uint16_t *f = ring_field(vq, addr);
	uint8_t b[2];

	if (f) {
		*v = *f;
		return 0;
	}
	if (vq->mem->read(vq->mem->ctx, gpa(addr), b, sizeof(b)))
		return fail(vq, -EFAULT, "virtqueue ring no longer readable");
	*v = get_le16(b);
	return 0;
}

static int write16(struct virtq *vq, uint64_t addr, uint16_t v)
{
	volatile uint16_t *f = ring_field(vq, addr);
	uint8_t b[2];

	if (f) {
		*f = v;
		return 0;
	}
	put_le16(b, v);
	if (vq->mem->write(vq->mem->ctx, gpa(addr), b, sizeof(b)))
		return fail(vq, -EFAULT, "virtqueue used ring no longer writable");
	return 0;
}

static int read_desc(struct virtq *vq, uint64_t addr, struct desc *d)
{
	uint8_t b[VIRTQ_DESC_SIZE];

	if (vq->mem->read(vq->mem->ctx, gpa(addr), b, sizeof(b)))
		return fail(vq, -EFAULT, "virtqueue descriptor no longer readable");
	d->addr = get_le64(b);
	d->len = get_le32(b + 8);
	d->flags = get_le16(b + 12);
	d->next = get_le16(b + 14);
	return 0;
}

static uint64_t used_event_addr(const struct virtq *vq)
{
	return vq->cfg.avail.v + RING_ELEMS + (uint64_t)vq->cfg.size * VIRTQ_AVAIL_ELEM_SIZE;
}

static uint64_t avail_event_addr(const struct virtq *vq)
{
	return vq->cfg.used.v + RING_ELEMS + (uint64_t)vq->cfg.size * VIRTQ_USED_ELEM_SIZE;
}

int vq_init(struct virtq *vq, const struct virtq_config *cfg, const struct virtq_mem_ops *mem)
{
	unsigned int n = cfg->size;

	*vq = (struct virtq){ .cfg = *cfg, .mem = mem };
	if (!mem || !mem->read || !mem->write || !mem->in_ram) {
		vq->reason = "virtqueue has no guest memory accessor";
		return -EINVAL;
	}
	if (n == 0 || n > VIRTQ_MAX_SIZE || (n & (n - 1))) {
		vq->reason = "virtqueue size is not a power of two up to 32768";
		return -EINVAL;
	}
	if (!IS_ALIGNED(cfg->desc.v, VIRTQ_DESC_ALIGN) ||
	    !IS_ALIGNED(cfg->avail.v, VIRTQ_AVAIL_ALIGN) ||
	    !IS_ALIGNED(cfg->used.v, VIRTQ_USED_ALIGN)) {
		vq->reason = "virtqueue area misaligned (desc 16, avail 2, used 4)";
		return -EINVAL;
	}
	if (!range_ok(vq, cfg->desc.v, virtq_desc_area_size(n)) ||
	    !range_ok(vq, cfg->avail.v, virtq_avail_area_size(n)) ||
	    !range_ok(vq, cfg->used.v, virtq_used_area_size(n))) {
		vq->reason = "virtqueue area outside guest RAM";
		return -EFAULT;
	}
	if (mem->map) {
		vq->avail_map = mem->map(mem->ctx, cfg->avail, virtq_avail_area_size(n));
		vq->used_map = mem->map(mem->ctx, cfg->used, virtq_used_area_size(n));
	}
	vq->ready = true;
	vq->notify_enabled = true;
	return 0;
}

void vq_reset(struct virtq *vq)
{
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->notify_enabled = true;
	vq->broken = 0;
	/* A queue vq_init() refused keeps telling why. */
	if (vq->ready)
		vq->reason = NULL;
}

/* Adds one descriptor's buffer (checked on our copy) to the chain. */
static int take(struct virtq *vq, struct walk *w, const struct desc *d)
{
	struct virtq_chain *c = w->chain;
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	uint64_t total;

	/* 2.7.4.2: all device-readable buffers precede the writable ones. */
	if (writable)
		w->seen_write = true;
	else if (w->seen_write)
		return fail(vq, -EBADMSG,
			    "virtqueue chain has a readable buffer after a writable one");
	/* Nothing to move; leaves no address the backend could misuse. */
	if (d->len == 0)
		return 0;
	if (!range_ok(vq, d->addr, d->len))
		return fail(vq, -EFAULT, "virtqueue buffer outside guest RAM");
	/* Each len < 2^32 and nseg <= max_seg < 2^32: the sum cannot wrap. */
	total = c->readable_len + c->writable_len + d->len;
	if (vq->cfg.max_chain_bytes && total > vq->cfg.max_chain_bytes)
		return fail(vq, -E2BIG, "virtqueue chain longer than the device accepts");
	if (c->nseg >= w->max_seg)
		return fail(vq, -ENOBUFS,
			    "virtqueue chain has more buffers than the device accepts");
	w->seg[c->nseg++] = (struct virtq_seg){ gpa(d->addr), d->len, writable };
	if (writable) {
		c->writable_len += d->len;
	} else {
		c->nreadable++;
		c->readable_len += d->len;
	}
	return 0;
}

/*
 * Walks the indirect table of descriptor d (2.7.5.3): its own chain from
 * entry 0, bounded by the table's length, never another level deep.
 */
static int walk_indirect(struct virtq *vq, struct walk *w, const struct desc *ind)
{
	unsigned int n, idx = 0, hops = 0;
	struct desc d;
	int err;

	if (ind->len == 0 || ind->len % VIRTQ_DESC_SIZE ||
	    ind->len / VIRTQ_DESC_SIZE > VIRTQ_INDIRECT_MAX)
		return fail(vq, -EMSGSIZE, "virtqueue indirect table length invalid");
	if (!range_ok(vq, ind->addr, ind->len))
		return fail(vq, -EFAULT, "virtqueue indirect table outside guest RAM");
	n = ind->len / VIRTQ_DESC_SIZE;
	for (;;) {
		if (++hops > n)
			return fail(vq, -ELOOP, "virtqueue indirect chain loops");
		err = read_desc(vq, ind->addr + (uint64_t)idx * VIRTQ_DESC_SIZE, &d);
		if (err)
			return err;
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return fail(vq, -ENOTSUP, "virtqueue indirect table nests another");
		err = take(vq, w, &d);
		if (err)
			return err;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return fail(vq, -ERANGE,
				    "virtqueue indirect descriptor index out of range");
		idx = d.next;
	}
}

/*
 * Walks the chain from head through the descriptor table. A chain of more
 * descriptors than the table holds must visit one twice, so the hop count
 * is the loop check, whatever the guest rewrites while we walk.
 */
static int walk_chain(struct virtq *vq, struct walk *w, uint16_t head)
{
	unsigned int idx = head, hops = 0;
	struct desc d;
	int err;

	for (;;) {
		if (++hops > vq->cfg.size)
			return fail(vq, -ELOOP, "virtqueue descriptor chain loops");
		err = read_desc(vq, vq->cfg.desc.v + (uint64_t)idx * VIRTQ_DESC_SIZE, &d);
		if (err)
			return err;
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* 2.7.5.3.1: the driver must not set both; the table ends the chain. */
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return fail(vq, -EPROTO,
					    "virtqueue descriptor is both INDIRECT and NEXT");
			return walk_indirect(vq, w, &d);
		}
		err = take(vq, w, &d);
		if (err)
			return err;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= vq->cfg.size)
			return fail(vq, -ERANGE, "virtqueue descriptor index out of range");
		idx = d.next;
	}
}

int vq_pop(struct virtq *vq, struct virtq_seg *seg, unsigned int max_seg,
	   struct virtq_chain *chain)
{
	unsigned int size = vq->cfg.size;
	uint16_t avail_idx, head, ahead, taken;
	struct walk w = { seg, max_seg, chain, false };
	int err;

	if (!vq->ready)
		return -ENODEV;
	if (vq->broken)
		return vq->broken;
	/* Read once: all checks below are on this copy. */
	err = read16(vq, vq->cfg.avail.v + RING_IDX, &avail_idx);
	if (err)
		return err;
	/*
	 * Every chain the driver made available and we have not returned
	 * holds its own head descriptor, so avail->idx is at most size ahead
	 * of used->idx, and never behind what we already took.
	 */
	ahead = (uint16_t)(avail_idx - vq->used_idx);
	taken = (uint16_t)(vq->last_avail - vq->used_idx);
	if (ahead > size)
		return fail(vq, -EOVERFLOW,
			    "virtqueue available index more than the queue size ahead");
	if (ahead < taken)
		return fail(vq, -EOVERFLOW, "virtqueue available index moved backwards");
	if (ahead == taken)
		return 0;
	/* The slot and descriptors avail->idx published may be read only now. */
	virtq_barrier(VIRTQ_RMB);
	err = read16(vq, vq->cfg.avail.v + RING_ELEMS +
		     (uint64_t)(vq->last_avail & (size - 1)) * VIRTQ_AVAIL_ELEM_SIZE, &head);
	if (err)
		return err;
	if (head >= size)
		return fail(vq, -ERANGE,
			    "virtqueue available ring names a descriptor out of range");
	*chain = (struct virtq_chain){ .head = head };
	err = walk_chain(vq, &w, head);
	if (err)
		return err;
	vq->last_avail++;
	/* Ask to be notified of the next chain after this one (2.7.10). */
	if (vq->cfg.event_idx && vq->notify_enabled) {
		err = write16(vq, avail_event_addr(vq), vq->last_avail);
		if (err)
			return err;
	}
	return 1;
}

int vq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	uint8_t elem[VIRTQ_USED_ELEM_SIZE];
	uint64_t slot;

	if (!vq->ready)
		return -ENODEV;
	if (vq->broken)
		return vq->broken;
	if (head >= vq->cfg.size)
		return -EINVAL;
	if (vq->last_avail == vq->used_idx)
		return -ENOSPC;
	slot = vq->cfg.used.v + RING_ELEMS +
	       (uint64_t)(vq->used_idx & (vq->cfg.size - 1)) * VIRTQ_USED_ELEM_SIZE;
	put_le32(elem, head);
	put_le32(elem + 4, len);
	if (vq->mem->write(vq->mem->ctx, gpa(slot), elem, sizeof(elem)))
		return fail(vq, -EFAULT, "virtqueue used ring no longer writable");
	/* The element must be visible before the index that publishes it. */
	virtq_barrier(VIRTQ_WMB);
	return write16(vq, vq->cfg.used.v + RING_IDX, ++vq->used_idx);
}

int vq_push_n(struct virtq *vq, const struct virtq_used_elem *e, unsigned int n)
{
	uint8_t elem[VIRTQ_USED_ELEM_SIZE];
	uint16_t idx = vq->used_idx;
	uint64_t slot;

	if (!vq->ready)
		return -ENODEV;
	if (vq->broken)
		return vq->broken;
	if (n > (uint16_t)(vq->last_avail - vq->used_idx))
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++)
		if (e[i].head >= vq->cfg.size)
			return -EINVAL;
	for (unsigned int i = 0; i < n; i++, idx++) {
		slot = vq->cfg.used.v + RING_ELEMS +
		       (uint64_t)(idx & (vq->cfg.size - 1)) * VIRTQ_USED_ELEM_SIZE;
		put_le32(elem, e[i].head);
		put_le32(elem + 4, e[i].len);
		if (vq->mem->write(vq->mem->ctx, gpa(slot), elem, sizeof(elem)))
			return fail(vq, -EFAULT, "virtqueue used ring no longer writable");
	}
	if (!n)
		return 0;
	/* Every element must be visible before the index that publishes them. */
	virtq_barrier(VIRTQ_WMB);
	vq->used_idx = idx;
	return write16(vq, vq->cfg.used.v + RING_IDX, idx);
}

int vq_unpop(struct virtq *vq, unsigned int n)
{
	if (!vq->ready)
		return -ENODEV;
	if (vq->broken)
		return vq->broken;
	if (n > (uint16_t)(vq->last_avail - vq->used_idx))
		return -ENOSPC;
	vq->last_avail = (uint16_t)(vq->last_avail - n);
	return 0;
}

bool vq_need_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled_used, now = vq->used_idx, v;

	if (!vq->ready || vq->broken)
		return false;
	vq->signalled_used = now;
	/* used->idx must be visible before we read what the driver asked for. */
	virtq_barrier(VIRTQ_MB);
	if (vq->cfg.event_idx) {
		if (read16(vq, used_event_addr(vq), &v))
			return false;
		return virtq_need_event(v, now, old);
	}
	if (now == old || read16(vq, vq->cfg.avail.v + RING_FLAGS, &v))
		return false;
	return !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

int vq_pending(struct virtq *vq)
{
	uint16_t avail_idx;
	int err;

	if (!vq->ready)
		return -ENODEV;
	if (vq->broken)
		return vq->broken;
	err = read16(vq, vq->cfg.avail.v + RING_IDX, &avail_idx);
	if (err)
		return err;
	return avail_idx != vq->last_avail;
}

int vq_set_notify(struct virtq *vq, bool enable)
{
	int err;

	if (!vq->ready)
		return -ENODEV;
	if (vq->broken)
		return vq->broken;
	vq->notify_enabled = enable;
	if (vq->cfg.event_idx) {
		/* Disabling needs no write: the driver only kicks on crossing avail_event. */
		if (!enable)
			return 0;
		err = write16(vq, avail_event_addr(vq), vq->last_avail);
	} else {
		err = write16(vq, vq->cfg.used.v + RING_FLAGS, enable ? 0 : VIRTQ_USED_F_NO_NOTIFY);
	}
	if (err || !enable)
		return err;
	/*
	 * A chain made available before the driver saw our request gets no
	 * notification: look once more after the store is visible. Only a
	 * hint; vq_pop() reads and checks avail->idx itself.
	 */
	virtq_barrier(VIRTQ_MB);
	return vq_pending(vq);
}
