// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded frame queue (see frame_ring.h). Producers hold the lock while they
 * fill a slot and advance tail; the one consumer reads tail and advances
 * head without it. Each index is only ever written by one side, and the
 * acquire/release pairs order the slot's bytes against the index.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/net/frame_ring.h>
#include <vmm/net/offload.h>

int frame_ring_init(struct frame_ring *r, struct frame_slot *slots, unsigned int n)
{
	if (!slots || !n || (n & (n - 1)))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->slots = slots;
	r->size = n;
	spin_lock_init(&r->lock);
	return 0;
}

/* Under r->lock: one frame of at most NETDEV_FRAME_MAX bytes into the next slot. */
static int put_one(struct frame_ring *r, const struct net_frame *f)
{
	unsigned int head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	struct frame_slot *s;

	if (r->tail - head >= r->size) {
		r->stats.drop_full++;
		return -ENOBUFS;
	}
	s = &r->slots[r->tail & (r->size - 1)];
	memcpy(s->data, f->data, f->len);
	s->len = (uint16_t)f->len;
	s->needs_csum = f->needs_csum;
	s->csum_start = f->csum_start;
	s->csum_offset = f->csum_offset;
	s->data_valid = f->data_valid;
	__atomic_store_n(&r->tail, r->tail + 1, __ATOMIC_RELEASE);
	r->stats.queued++;
	return 0;
}

static int emit_segment(void *ctx, const struct net_frame *seg)
{
	struct frame_ring *r = ctx;
	int ret;

	spin_lock(&r->lock);
	ret = put_one(r, seg);
	spin_unlock(&r->lock);
	return ret;
}

static void count(struct frame_ring *r, uint64_t *c)
{
	spin_lock(&r->lock);
	(*c)++;
	spin_unlock(&r->lock);
}

int frame_ring_put(struct frame_ring *r, const struct net_frame *f)
{
	/* One segment at a time: NETDEV_FRAME_MAX bytes of the sender's stack. */
	uint8_t seg[NETDEV_FRAME_MAX];
	int ret;

	if (f->gso_type == NET_GSO_NONE) {
		if (f->len > NETDEV_FRAME_MAX) {
			count(r, &r->stats.drop_too_big);
			return -EMSGSIZE;
		}
		if (net_offload_check(f)) {
			count(r, &r->stats.drop_malformed);
			return -EINVAL;
		}
		return emit_segment(r, f);
	}
	ret = net_tso_segment(f, seg, sizeof(seg), emit_segment, r);
	if (ret == -ENOSPC) {
		count(r, &r->stats.drop_too_big);
		return -EMSGSIZE;
	}
	if (ret == -EINVAL) {
		count(r, &r->stats.drop_malformed);
		return -EINVAL;
	}
	if (ret < 0)
		return ret;
	count(r, &r->stats.segmented);
	return 0;
}

struct frame_slot *frame_ring_peek(struct frame_ring *r)
{
	unsigned int tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	return r->head == tail ? NULL : &r->slots[r->head & (r->size - 1)];
}

void frame_ring_pop(struct frame_ring *r)
{
	__atomic_store_n(&r->head, r->head + 1, __ATOMIC_RELEASE);
}

int frame_slot_finish_csum(struct frame_slot *s)
{
	int ret;

	if (!s->needs_csum)
		return 0;
	ret = net_csum_complete(s->data, s->len, s->csum_start, s->csum_offset);
	if (!ret) {
		s->needs_csum = false;
		s->data_valid = true;
	}
	return ret;
}
