/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_NET_FRAME_RING_H
#define VMM_NET_FRAME_RING_H

/*
 * A bounded queue of Ethernet frames between a virtual switch and one of
 * Plinth's own threads (a switch's uplink, its host port). The switch
 * delivers on whichever vCPU sent the frame, holding that guest's queue
 * lock, so a delivery only copies the frame into a free slot and returns:
 * any number of producers, serialised by a lock held for one copy; one
 * consumer, the thread, which reads slots without the lock.
 *
 * Frames are at most NETDEV_FRAME_MAX bytes, what a physical NIC and
 * Plinth's stack take. A TCP super-frame (GSO) is cut into segments on the
 * way in; a partial checksum stays partial in the slot (frame_slot.needs_csum),
 * for the consumer's NIC or frame_slot_finish_csum().
 */
#include <plinth/netdev.h>
#include <plinth/spinlock.h>
#include <plinth/types.h>
#include <vmm/net/frame.h>

struct frame_slot {
	uint16_t len;
	bool needs_csum;		/* as struct net_frame */
	bool data_valid;
	uint16_t csum_start, csum_offset;
	uint8_t data[NETDEV_FRAME_MAX];
};

struct frame_ring_stats {
	uint64_t queued;		/* frames (segments) put in a slot */
	uint64_t segmented;		/* GSO frames cut into segments */
	uint64_t drop_full;		/* no free slot */
	uint64_t drop_too_big;		/* longer than NETDEV_FRAME_MAX after segmentation */
	uint64_t drop_malformed;	/* GSO or checksum state not matching the bytes */
};

struct frame_ring {
	struct frame_slot *slots;
	unsigned int size;		/* a power of two */
	unsigned int head;		/* next slot to read: the consumer's */
	unsigned int tail;		/* next slot to write: under lock */
	spinlock_t lock;
	struct frame_ring_stats stats;	/* under lock */
};

/* r takes slots[0..n); n a power of two. -EINVAL otherwise. */
int frame_ring_init(struct frame_ring *r, struct frame_slot *slots, unsigned int n);

/*
 * Queues f (segmented if it is a GSO frame). Returns 0 when all of it is
 * queued; -ENOBUFS when the ring filled (some segments may be queued: TCP
 * resends the rest), -EMSGSIZE when a frame or segment is too long for a
 * slot, -EINVAL for offload state its bytes do not bear out.
 */
int frame_ring_put(struct frame_ring *r, const struct net_frame *f);

/* The consumer's oldest slot, or NULL when the ring is empty. */
struct frame_slot *frame_ring_peek(struct frame_ring *r);
/* Frees the slot frame_ring_peek() returned. */
void frame_ring_pop(struct frame_ring *r);

/* Computes a partial checksum left in s; -EINVAL if its offsets are outside the frame. */
int frame_slot_finish_csum(struct frame_slot *s);

#endif
