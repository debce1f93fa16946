// SPDX-License-Identifier: GPL-2.0
/* See vring_drv.h. */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/mm.h>
#include <plinth/string.h>
#include <pci/pci.h>
#include <virtio/vring_drv.h>

/* The store-load pair x86 reorders: an index we publish, then one we read. */
static inline void vring_mb(void)
{
#ifdef PLINTH_HOST_TEST
	__asm__ volatile("" : : : "memory");
#else
	__asm__ volatile("mfence" : : : "memory");
#endif
}

/* x86 keeps stores in order and loads in order: the compiler must too. */
static inline void vring_cb(void)
{
	__asm__ volatile("" : : : "memory");
}

static inline uint16_t ld16(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static inline void st16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
}


int vring_alloc(struct vring_drv *vr, uint16_t size)
{
	uint64_t avail_off, used_off;

	memset(vr, 0, sizeof(*vr));
	if (!size || (size & (size - 1)))
		return -EINVAL;
	avail_off = virtq_desc_area_size(size);
	used_off = ALIGN_UP(avail_off + virtq_avail_area_size(size), 4096);
	vr->mem_size = used_off + virtq_used_area_size(size);
	vr->mem = dma_alloc(vr->mem_size, &vr->bus);
	vr->next = kzalloc(size * sizeof(*vr->next));
	vr->chain_len = kzalloc(size * sizeof(*vr->chain_len));
	vr->writable = kzalloc(size * sizeof(*vr->writable));
	vr->token = kzalloc(size * sizeof(*vr->token));
	if (!vr->mem || !vr->next || !vr->chain_len || !vr->writable || !vr->token) {
		vring_free(vr);
		return -ENOMEM;
	}
	vr->size = size;
	vr->desc = vr->mem;
	vr->avail = vr->mem + avail_off;
	vr->used = vr->mem + used_off;
	vr->desc_bus = vr->bus;
	vr->avail_bus = vr->bus + avail_off;
	vr->used_bus = vr->bus + used_off;
	vring_reset(vr, false);
	return 0;
}

void vring_free(struct vring_drv *vr)
{
	if (vr->mem)
		dma_free(vr->mem, vr->mem_size);
	kfree(vr->next);
	kfree(vr->chain_len);
	kfree(vr->writable);
	kfree(vr->token);
	memset(vr, 0, sizeof(*vr));
}

void vring_reset(struct vring_drv *vr, bool event_idx)
{
	memset(vr->mem, 0, vr->mem_size);
	for (unsigned int i = 0; i < vr->size; i++) {
		vr->next[i] = (uint16_t)(i + 1);
		vr->chain_len[i] = 0;
		vr->writable[i] = 0;
		vr->token[i] = 0;
	}
	vr->event_idx = event_idx;
	vr->cb_enabled = true;
	vr->avail_idx = vr->kicked_idx = vr->last_used = 0;
	vr->free_head = 0;
	vr->num_free = vr->size;
	vr->in_flight = 0;
}

static void put_desc(struct vring_drv *vr, uint16_t i, const struct vring_buf *b, uint16_t flags,
		     uint16_t next)
{
	uint8_t *d = vr->desc + (size_t)i * VIRTQ_DESC_SIZE;

	put_le64(d, b->bus);
	put_le32(d + 8, b->len);
	put_le16(d + 12, flags);
	put_le16(d + 14, next);
}

int vring_add(struct vring_drv *vr, const struct vring_buf *out, unsigned int nout,
	      const struct vring_buf *in, unsigned int nin, uint32_t token)
{
	unsigned int n = nout + nin;
	uint16_t head = vr->free_head, i = head, last = head;
	uint32_t writable = 0;

	if (!n)
		return -EINVAL;
	if (n > vr->num_free)
		return -ENOSPC;
	for (unsigned int k = 0; k < n; k++) {
		bool w = k >= nout;
		const struct vring_buf *b = w ? &in[k - nout] : &out[k];
		uint16_t nx = vr->next[i];

		put_desc(vr, i, b, (w ? VIRTQ_DESC_F_WRITE : 0) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0),
			 k + 1 < n ? nx : 0);
		if (w)
			writable += b->len;
		last = i;
		i = nx;
	}
	vr->free_head = i;
	vr->next[last] = i;	/* where the chain rejoins the free list */
	vr->num_free -= n;
	vr->chain_len[head] = n;
	vr->writable[head] = writable;
	vr->token[head] = token;
	vr->in_flight++;
	put_le16(vr->avail + VIRTQ_RING_HDR_SIZE + (vr->avail_idx % vr->size) * VIRTQ_AVAIL_ELEM_SIZE,
		 head);
	vring_cb();	/* descriptors and slot before the index that publishes them */
	vr->avail_idx++;
	st16(vr->avail + 2, vr->avail_idx);
	return 0;
}

bool vring_kick_prepare(struct vring_drv *vr)
{
	uint16_t old = vr->kicked_idx, now = vr->avail_idx;
	bool kick;

	vring_mb();
	if (vr->event_idx) {
		uint16_t ev = ld16(vr->used + VIRTQ_RING_HDR_SIZE + vr->size * VIRTQ_USED_ELEM_SIZE);

		kick = virtq_need_event(ev, now, old);
	} else {
		kick = !(ld16(vr->used) & VIRTQ_USED_F_NO_NOTIFY);
	}
	vr->kicked_idx = now;
	return kick && old != now;
}

static void free_chain(struct vring_drv *vr, uint16_t head)
{
	uint16_t last = head;

	for (unsigned int k = 1; k < vr->chain_len[head]; k++)
		last = vr->next[last];
	vr->next[last] = vr->free_head;
	vr->free_head = head;
	vr->num_free += vr->chain_len[head];
	vr->chain_len[head] = 0;
	vr->in_flight--;
}

static void set_used_event(struct vring_drv *vr, uint16_t v)
{
	st16(vr->avail + VIRTQ_RING_HDR_SIZE + vr->size * VIRTQ_AVAIL_ELEM_SIZE, v);
}

int vring_get_used(struct vring_drv *vr, uint32_t *token, uint32_t *len, const char **why)
{
	uint16_t idx = ld16(vr->used + 2);
	const uint8_t *e;
	uint32_t id, l;

	if (idx == vr->last_used)
		return 0;
	if ((uint16_t)(idx - vr->last_used) > vr->in_flight) {
		*why = "used index ran ahead of the buffers it holds";
		return -EOVERFLOW;
	}
	vring_cb();	/* the index before the element it publishes */
	e = vr->used + VIRTQ_RING_HDR_SIZE + (vr->last_used % vr->size) * VIRTQ_USED_ELEM_SIZE;
	id = get_le32(e);
	l = get_le32(e + 4);
	if (id >= vr->size) {
		*why = "used id out of range";
		return -ERANGE;
	}
	if (!vr->chain_len[id]) {
		*why = "used id not in flight";
		return -ENOENT;
	}
	if (l > vr->writable[id]) {
		*why = "used length beyond the buffer";
		return -EMSGSIZE;
	}
	*token = vr->token[id];
	*len = l;
	free_chain(vr, (uint16_t)id);
	vr->last_used++;
	if (vr->event_idx && !vr->cb_enabled)
		set_used_event(vr, vr->last_used + 0x8000);
	return 1;
}

bool vring_enable_cb(struct vring_drv *vr)
{
	vr->cb_enabled = true;
	if (vr->event_idx)
		set_used_event(vr, vr->last_used);
	else
		st16(vr->avail, 0);
	vring_mb();	/* the request before the look at used->idx */
	return ld16(vr->used + 2) != vr->last_used;
}

void vring_disable_cb(struct vring_drv *vr)
{
	vr->cb_enabled = false;
	/* With EVENT_IDX avail->flags must stay 0: move used_event out of reach instead. */
	if (vr->event_idx)
		set_used_event(vr, vr->last_used + 0x8000);
	else
		st16(vr->avail, VIRTQ_AVAIL_F_NO_INTERRUPT);
}
