/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_VBLK_FIXTURE_H
#define TESTS_VBLK_FIXTURE_H

/*
 * A virtio-blk device in a test bench: fake guest RAM (vq_ram), a fake
 * transport that counts interrupts and failures, and a driver side that
 * builds descriptor chains, offers them and reads the used ring back.
 */
#include <vmm/virtio/blk.h>
#include "vq_ram.h"

#define VBLK_RAM_BASE	0x100000ULL
#define VBLK_RAM_SIZE	MIB(8)
#define VBLK_RAM_END	(VBLK_RAM_BASE + VBLK_RAM_SIZE)
#define VBLK_QUEUES	8		/* queues the fixture lays out rings for */
#define VBLK_RING_SPAN	0x10000ULL	/* per queue: desc, avail, used of up to 256 */
#define VBLK_BUF_AT	(VBLK_RAM_BASE + VBLK_QUEUES * VBLK_RING_SPAN)

/* One buffer of a chain the fake driver builds. */
struct vblk_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

struct vblk_fx {
	struct vq_ram ram;
	struct virtio_blk *blk;
	uint8_t *store;
	uint64_t store_size;
	struct virtio_transport_ops tops;
	unsigned int irqs[VIRTIO_BLK_MAX_QUEUES];
	unsigned int fails;
	const char *fail_reason;
	/* The driver's view of each queue. */
	unsigned int qsize[VBLK_QUEUES];
	bool event_idx[VBLK_QUEUES];
	uint16_t avail_idx[VBLK_QUEUES], next_desc[VBLK_QUEUES], used_seen[VBLK_QUEUES];
	uint64_t buf_next;
};

/* A device of store_size bytes (store filled with a pattern) and nq queues. */
void vblk_fx_init(struct vblk_fx *f, uint64_t store_size, bool readonly, unsigned int nq,
		  const char *serial);
void vblk_fx_free(struct vblk_fx *f);

/* What the transport does when the driver enables queue q. */
void vblk_fx_start_queue(struct vblk_fx *f, unsigned int q, unsigned int size, bool event_idx);

/* Guest addresses of queue q's rings. */
uint64_t vblk_fx_desc(unsigned int q);
uint64_t vblk_fx_avail(unsigned int q);
uint64_t vblk_fx_used(unsigned int q);

/* A fresh zeroed guest buffer (16-byte aligned). */
uint64_t vblk_fx_alloc(struct vblk_fx *f, uint64_t len);
/* A request header {type, 0, sector} in a fresh buffer. */
uint64_t vblk_fx_hdr(struct vblk_fx *f, uint32_t type, uint64_t sector);

/* Builds the chain b[0..n) in free descriptors (no offer): its head. */
uint16_t vblk_fx_chain(struct vblk_fx *f, unsigned int q, const struct vblk_buf *b, unsigned int n);
/* Puts head in the available ring and publishes it. */
void vblk_fx_offer(struct vblk_fx *f, unsigned int q, uint16_t head);
/* The driver kicks queue q: queue_notify with its lock held, as the transport calls it. */
void vblk_fx_notify(struct vblk_fx *f, unsigned int q);
/* The next used element: true and *id, *len, or false if none. */
bool vblk_fx_next_used(struct vblk_fx *f, unsigned int q, uint32_t *id, uint32_t *len);

/*
 * One whole request on queue q: header, the data buffers d[0..n) and a
 * 1-byte status, offered and notified. Returns the status byte, or -1 if
 * nothing was used; *used_len (if not NULL) gets the used length.
 */
int vblk_fx_req(struct vblk_fx *f, unsigned int q, uint32_t type, uint64_t sector,
		const struct vblk_buf *d, unsigned int n, uint32_t *used_len);

#endif
