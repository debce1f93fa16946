/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DRIVERS_VIRTIO_VRING_DRV_H
#define DRIVERS_VIRTIO_VRING_DRV_H

/*
 * The driver side of a virtio 1.x split virtqueue (2.7) in DMA memory. The
 * free list and the record of what is in flight live in our own memory, not
 * in the rings, so nothing the device writes can steer where we write: every
 * used element is checked against that record before it is believed.
 */
#include <plinth/types.h>
#include <plinth/virtio_ring.h>

struct vring_buf {
	uint64_t bus;
	uint32_t len;
};

struct vring_drv {
	uint16_t size;
	bool event_idx;
	bool cb_enabled;
	uint8_t *mem;		/* desc | avail | used, one dma_alloc */
	size_t mem_size;
	uint64_t bus;
	uint8_t *desc, *avail, *used;
	uint64_t desc_bus, avail_bus, used_bus;
	uint16_t avail_idx;	/* our free-running avail->idx */
	uint16_t kicked_idx;	/* avail_idx at the last notify decision */
	uint16_t last_used;
	uint16_t free_head, num_free;
	uint16_t in_flight;	/* chains the device holds */
	uint16_t *next;		/* free list, ours */
	uint16_t *chain_len;	/* per head: descriptors, 0 when free */
	uint32_t *writable;	/* per head: device-writable bytes of the chain */
	uint32_t *token;	/* per head: the caller's cookie */
};

/* Rings of @size (power of two) descriptors; 0, -EINVAL or -ENOMEM. */
int vring_alloc(struct vring_drv *vr, uint16_t size);
void vring_free(struct vring_drv *vr);
/* Empty rings and free list, for a new start of the device. */
void vring_reset(struct vring_drv *vr, bool event_idx);

/*
 * Adds a chain: @nout device-readable buffers then @nin writable ones, with
 * @token handed back by vring_get_used(). 0, or -ENOSPC if too few
 * descriptors are free, -EINVAL for an empty chain.
 */
int vring_add(struct vring_drv *vr, const struct vring_buf *out, unsigned int nout,
	      const struct vring_buf *in, unsigned int nin, uint32_t token);
/* After adds: whether the device wants to be notified (EVENT_IDX or flags). */
bool vring_kick_prepare(struct vring_drv *vr);

/*
 * Takes the next used element: 1 with *token and *len, 0 if none, or for a
 * device reporting nonsense (*why says what for one log line):
 *  -EOVERFLOW	used->idx ran ahead by more than the chains it holds
 *  -ERANGE	an id that is no descriptor
 *  -ENOENT	an id not at the head of a chain in flight
 *  -EMSGSIZE	a length beyond the chain's writable bytes
 */
int vring_get_used(struct vring_drv *vr, uint32_t *token, uint32_t *len, const char **why);

/*
 * Asks for a used-buffer interrupt at the next used element; returns true
 * if elements arrived meanwhile (no interrupt will announce them).
 */
bool vring_enable_cb(struct vring_drv *vr);
void vring_disable_cb(struct vring_drv *vr);

#endif
