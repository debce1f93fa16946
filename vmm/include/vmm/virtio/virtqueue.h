/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_VIRTQUEUE_H
#define VMM_VIRTIO_VIRTQUEUE_H

/*
 * The device side of a virtio 1.x split virtqueue (virtio spec 2.7): takes
 * descriptor chains the driver made available and publishes used elements,
 * for every virtio backend whatever its transport.
 *
 * Everything in the three ring areas and every descriptor is written by the
 * guest, may change while we look, and is untrusted. Guest memory is reached
 * only through virtq_mem_ops, so the walker runs unchanged against fake RAM
 * in host tests, and a value is read once and then used from our own copy.
 * A queue the guest corrupted is marked broken: every later pop or push
 * returns the same negative errno, with a one-line reason for the log, until
 * vq_reset() (the backend sets DEVICE_NEEDS_RESET on the first error).
 */
#include <plinth/types.h>
#include <plinth/virtio_ring.h>


/*
 * Memory-ordering points of the ring protocol. The guest's vCPUs run
 * concurrently with the backend, so:
 *  RMB after reading avail->idx and before reading the ring slot and
 *      descriptors it publishes;
 *  WMB after writing a used element and before publishing it in used->idx;
 *  MB  between a store the other side must see (used->idx, avail_event)
 *      and the load that decides whether to notify or to sleep (used_event,
 *      avail->flags, avail->idx): the one store-load pair x86 reorders.
 * On x86 (TSO) RMB and WMB need only stop the compiler; on the host, where
 * fake RAM has no other writer, every kind is a compiler barrier.
 */
enum virtq_barrier {
	VIRTQ_RMB,
	VIRTQ_WMB,
	VIRTQ_MB,
};

static inline void virtq_barrier(enum virtq_barrier kind)
{
#ifdef PLINTH_HOST_TEST
	(void)kind;
	__asm__ volatile("" : : : "memory");
#else
	if (kind == VIRTQ_MB)
		__asm__ volatile("mfence" : : : "memory");
	else
		__asm__ volatile("" : : : "memory");
#endif
}

/* Guest-physical memory of the partition owning the queue. */
struct virtq_mem_ops {
	/* Copy len bytes from / to guest RAM: 0, or -EFAULT if outside RAM. */
	int (*read)(void *ctx, gpa_t src, void *dst, size_t len);
	int (*write)(void *ctx, gpa_t dst, const void *src, size_t len);
	/* Whether [gpa, gpa + len) is wholly guest RAM (len > 0, no wrap). */
	bool (*in_ram)(void *ctx, gpa_t gpa, uint64_t len);
	/*
	 * Optional (NULL: every access copies): a host pointer through which
	 * [gpa, gpa + len) is guest RAM, contiguous, valid until the queue is
	 * initialised again or the partition's memory is released (its devices
	 * are reset first), or NULL. The walker maps the avail and used rings
	 * once at vq_init(), so the ring indices a notification reads and
	 * writes are plain loads and stores: the notify fast path.
	 */
	void *(*map)(void *ctx, gpa_t gpa, uint64_t len);
	void *ctx;
};

/* What the driver programmed for the queue, and the backend's limits. */
struct virtq_config {
	unsigned int size;	/* power of two, 1..VIRTQ_MAX_SIZE */
	gpa_t desc, avail, used;
	bool event_idx;		/* VIRTIO_F_EVENT_IDX was negotiated */
	/* Largest sum of a chain's segment lengths; 0 for no limit. */
	uint64_t max_chain_bytes;
};

/* One guest buffer of a chain: device-readable ones come first. */
struct virtq_seg {
	gpa_t gpa;
	uint32_t len;		/* never 0: empty descriptors yield no segment */
	bool writable;
};

/* A chain taken by vq_pop(). */
struct virtq_chain {
	uint16_t head;		/* give it back to vq_push() */
	unsigned int nseg;
	unsigned int nreadable;	/* seg[0..nreadable) readable, the rest writable */
	uint64_t readable_len, writable_len;
};

struct virtq {
	struct virtq_config cfg;
	const struct virtq_mem_ops *mem;
	uint8_t *avail_map, *used_map;	/* mem->map() of the two rings, or NULL */
	bool ready;		/* vq_init() accepted cfg */
	bool notify_enabled;	/* we want available-buffer notifications */
	uint16_t last_avail;	/* free-running index of the next avail slot */
	uint16_t used_idx;	/* our copy of used->idx: only we write it */
	uint16_t signalled_used; /* used_idx at the last vq_need_notify() */
	int broken;		/* 0, or the error every call now returns */
	const char *reason;	/* why init failed or the queue broke */
};

/*
 * Checks cfg (size, area alignment, areas inside RAM) and starts the queue
 * at index 0 with notifications enabled. On error the queue is not ready
 * (pop and push return -ENODEV) and vq_reason() says why.
 */
int vq_init(struct virtq *vq, const struct virtq_config *cfg, const struct virtq_mem_ops *mem);

/* Forgets ring state and any breakage; cfg stays (device reset + re-enable). */
void vq_reset(struct virtq *vq);

/*
 * Takes the next available chain into seg[0..max_seg): 1 and *chain filled,
 * 0 if the ring is empty, or a negative errno that breaks the queue:
 *  -EOVERFLOW	avail->idx moved more than the queue size ahead
 *  -ERANGE	a descriptor index outside its table
 *  -ELOOP	a chain longer than its table (so it revisits a descriptor)
 *  -EMSGSIZE	an indirect table length 0, not a multiple of 16, or too long
 *  -ENOTSUP	an indirect descriptor inside an indirect table
 *  -EPROTO	INDIRECT together with NEXT
 *  -EBADMSG	a device-readable descriptor after a writable one
 *  -EFAULT	a buffer or indirect table that wraps or leaves guest RAM
 *  -E2BIG	the chain's bytes exceed cfg.max_chain_bytes
 *  -ENOBUFS	more non-empty segments than max_seg
 * A loop shows as -ELOOP only if max_seg does not run out first. Indirect
 * tables are walked whether or not VIRTIO_F_INDIRECT_DESC was negotiated:
 * they are checked like direct chains, so accepting them costs nothing.
 * Before sleeping on an empty ring call vq_set_notify(vq, true), which
 * closes the race with a driver that just added a chain.
 */
int vq_pop(struct virtq *vq, struct virtq_seg *seg, unsigned int max_seg,
	   struct virtq_chain *chain);

/*
 * Returns chain head to the driver with len bytes written, and publishes it
 * in used->idx. -EINVAL for a head that is no descriptor, -ENOSPC when no
 * chain is outstanding (both backend bugs; the queue stays usable).
 */
int vq_push(struct virtq *vq, uint16_t head, uint32_t len);

/* One used element for vq_push_n(). */
struct virtq_used_elem {
	uint16_t head;
	uint32_t len;
};

/*
 * Like n vq_push() calls, except that used->idx moves once, after all n
 * elements are written: the driver never sees part of a packet that spans
 * several chains (virtio-net's MRG_RXBUF). The same errors as vq_push();
 * -ENOSPC if fewer than n chains are outstanding (nothing is written).
 */
int vq_push_n(struct virtq *vq, const struct virtq_used_elem *e, unsigned int n);

/*
 * Gives back the last n chains vq_pop() took and nobody pushed: the next
 * pops return them again (a receive path that found too few buffers for a
 * packet leaves them for a smaller one). -ENOSPC if fewer are outstanding.
 */
int vq_unpop(struct virtq *vq, unsigned int n);

/*
 * After a batch of pushes: whether the driver wants a used-buffer
 * notification for the elements published since the last call (used_event
 * with EVENT_IDX, else avail->flags). Call at least once per queue size of
 * pushes, or the 16-bit window loses count. False on a broken queue.
 */
bool vq_need_notify(struct virtq *vq);

/*
 * Asks for (or stops asking for) available-buffer notifications: avail_event
 * with EVENT_IDX, else used->flags. When enabling it returns 1 if buffers
 * arrived meanwhile, which no notification will announce, so the backend
 * must pop again; else 0, or the queue's error.
 */
int vq_set_notify(struct virtq *vq, bool enable);

/*
 * Whether the driver made chains available that vq_pop() has not taken: 1
 * or 0 (one read of avail->idx, checked by vq_pop() itself later), or the
 * queue's error. Lets a notification on an idle queue whose notifications
 * are on end at once.
 */
int vq_pending(struct virtq *vq);

/* Why the queue is not usable, for one log line; NULL if it is. */
static inline const char *vq_reason(const struct virtq *vq)
{
	return vq->reason;
}

#endif
