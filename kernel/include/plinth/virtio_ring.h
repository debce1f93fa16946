/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_VIRTIO_RING_H
#define PLINTH_VIRTIO_RING_H

/*
 * The split virtqueue as the virtio 1.x spec lays it out (2.7): flags, sizes
 * and the event-index rule. Shared by Plinth's device back-ends
 * (vmm/virtio/virtqueue.c) and its own drivers (drivers/virtio/vring_drv.c);
 * only the layout is shared, each side has its own logic.
 */
#include <plinth/types.h>

/* Descriptor flags (virtio 1.x 2.7.5). */
#define VIRTQ_DESC_F_NEXT	1	/* the chain continues at .next */
#define VIRTQ_DESC_F_WRITE	2	/* device-writable (else device-readable) */
#define VIRTQ_DESC_F_INDIRECT	4	/* the buffer is a table of descriptors */

/* avail->flags: the driver asks for no used-buffer notifications. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
/* used->flags: the device asks for no available-buffer notifications. */
#define VIRTQ_USED_F_NO_NOTIFY		1

/* Feature bits this layer implements (the transport negotiates them). */
#define VIRTIO_F_INDIRECT_DESC	28
#define VIRTIO_F_EVENT_IDX	29

/* Queue sizes are powers of two, at most this (2.7). */
#define VIRTQ_MAX_SIZE		32768u

/* Sizes and alignments of the ring areas (2.7 table, 2.7.5-2.7.8). */
#define VIRTQ_DESC_SIZE		16u	/* addr le64, len le32, flags le16, next le16 */
#define VIRTQ_DESC_ALIGN	16u
#define VIRTQ_AVAIL_ALIGN	2u
#define VIRTQ_USED_ALIGN	4u
#define VIRTQ_RING_HDR_SIZE	4u	/* flags le16, idx le16 of both rings */
#define VIRTQ_AVAIL_ELEM_SIZE	2u	/* le16 descriptor index */
#define VIRTQ_USED_ELEM_SIZE	8u	/* id le32, len le32 */
#define VIRTQ_EVENT_SIZE	2u	/* used_event / avail_event, le16, after the ring */

/*
 * The longest indirect table we walk, in descriptors. The spec only bounds
 * a direct chain by the queue size (Linux drivers build longer indirect
 * ones), so take the largest queue: next fields stay 16-bit.
 */
#define VIRTQ_INDIRECT_MAX	VIRTQ_MAX_SIZE

static inline uint64_t virtq_desc_area_size(unsigned int size)
{
	return (uint64_t)size * VIRTQ_DESC_SIZE;
}

static inline uint64_t virtq_avail_area_size(unsigned int size)
{
	return VIRTQ_RING_HDR_SIZE + (uint64_t)size * VIRTQ_AVAIL_ELEM_SIZE + VIRTQ_EVENT_SIZE;
}

static inline uint64_t virtq_used_area_size(unsigned int size)
{
	return VIRTQ_RING_HDR_SIZE + (uint64_t)size * VIRTQ_USED_ELEM_SIZE + VIRTQ_EVENT_SIZE;
}

/*
 * The event-index test of 2.7.10 (vring_need_event): the index moved from
 * old to new, and the other side asked to hear once the entry at event_idx
 * was written, i.e. true if event_idx lies in [old, new), modulo 2^16.
 */
static inline bool virtq_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

#endif
