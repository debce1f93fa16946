/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_VIRTIO_H
#define VMM_VIRTIO_VIRTIO_H

/*
 * The boundary between a virtio device backend (virtio-blk, virtio-net) and
 * the transport that exposes it to a guest (vmm/virtio/virtio_pci.c).
 *
 * The transport owns the guest-visible registers: feature negotiation,
 * device status, queue configuration, interrupts. The device owns what the
 * queues carry. Neither knows about partitions or vCPUs: guest memory is
 * reached through virtq_mem_ops, interrupts and failures leave through
 * virtio_transport_ops, so both halves run in host unit tests.
 *
 * Locking: each queue has its own lock. The transport calls
 * ops->queue_notify(d, q) with vq[q].lock held, and takes every queue lock
 * (in index order) around a device reset and around configuring a queue,
 * so a device never sees a queue change under it. A device that touches a
 * queue from elsewhere (virtio-net's receive path, fed by the switch from
 * another partition's vCPU) takes that queue's lock itself with
 * virtio_queue_lock(). Nothing takes a queue lock while holding another
 * device's queue lock except in that receive path, where the sender's TX
 * lock is held while the receiver's RX lock is taken: the switch never
 * delivers a frame back to its sender, so the order TX -> RX is acyclic.
 */
#include <plinth/spinlock.h>
#include <plinth/types.h>
#include <plinth/virtio_pci_regs.h>
#include <vmm/virtio/virtqueue.h>


struct virtio_dev;

/* What a device backend provides. */
struct virtio_dev_ops {
	uint16_t device_id; /* VIRTIO_ID_* */
	/*
	 * Device-specific feature bits it offers (bits 0-23 and whatever else
	 * it implements); the transport adds VERSION_1, EVENT_IDX and
	 * INDIRECT_DESC, which the ring layer implements for every device.
	 */
	uint64_t (*features)(struct virtio_dev *d);
	/*
	 * The driver set FEATURES_OK with d->features accepted (always a subset
	 * of what was offered, VERSION_1 included). 0, or -EINVAL to refuse the
	 * combination (FEATURES_OK then reads back clear). May be NULL.
	 */
	int (*features_ok)(struct virtio_dev *d);
	/*
	 * Device-specific configuration space (4.1.4.6): size (1, 2, 4 or 8)
	 * bytes at off; the transport has checked off + size <= config_size.
	 * Little-endian. config_write may be NULL (a read-only space).
	 */
	void (*config_read)(struct virtio_dev *d, uint32_t off, void *buf, unsigned int size);
	void (*config_write)(struct virtio_dev *d, uint32_t off, const void *buf,
			     unsigned int size);
	/*
	 * The driver notified queue q, which is enabled, with DRIVER_OK set and
	 * NEEDS_RESET clear. Called with vq[q].lock held, on the notifying vCPU.
	 */
	void (*queue_notify)(struct virtio_dev *d, unsigned int q);
	/*
	 * Device reset (status written 0, or the partition reboots): forget any
	 * in-flight request. The queues themselves are reset by the transport.
	 * Called with every queue lock held.
	 */
	void (*reset)(struct virtio_dev *d);
	/* DRIVER_OK was set (e.g. the NIC may now receive). May be NULL. */
	void (*driver_ok)(struct virtio_dev *d);
};

/* What the transport provides to the device. */
struct virtio_transport_ops {
	/* Queue q has used buffers the driver asked to hear about: interrupt it. */
	void (*queue_irq)(struct virtio_dev *d, unsigned int q);
	/* The configuration space changed (e.g. link status): interrupt the driver. */
	void (*config_irq)(struct virtio_dev *d);
	/*
	 * The driver broke the device's rules (a corrupt ring, a malformed
	 * request): set DEVICE_NEEDS_RESET, interrupt the driver, and log
	 * reason once per device reset. Every queue stops until the reset.
	 */
	void (*needs_reset)(struct virtio_dev *d, const char *reason);
};

struct virtio_queue {
	struct virtq vq;
	spinlock_t lock;
	uint16_t max_size;	/* what the device allows; the driver may choose less */
	/* Transport state, under lock. */
	uint16_t msix_vector;
	bool enabled;
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	const char *name;	/* for log lines: "virtio-blk vda" */
	uint32_t config_size;
	unsigned int num_queues;
	struct virtio_queue *queues; /* num_queues of them, allocated by the device */
	const struct virtq_mem_ops *mem; /* the partition's RAM */
	/* Negotiated features, valid once FEATURES_OK is set. */
	uint64_t features;
	/* Set by the transport: */
	const struct virtio_transport_ops *transport;
	void *transport_ctx;
	volatile bool failed; /* NEEDS_RESET is set: queues are not processed */
};

static inline bool virtio_has_feature(const struct virtio_dev *d, unsigned int bit)
{
	return (d->features >> bit) & 1;
}

static inline void virtio_queue_lock(struct virtio_dev *d, unsigned int q)
{
	spin_lock(&d->queues[q].lock);
}

static inline void virtio_queue_unlock(struct virtio_dev *d, unsigned int q)
{
	spin_unlock(&d->queues[q].lock);
}

/*
 * After a batch of vq_push() on queue q (its lock held): interrupts the
 * driver if it asked to hear of these used buffers.
 */
static inline void virtio_queue_used(struct virtio_dev *d, unsigned int q)
{
	if (vq_need_notify(&d->queues[q].vq))
		d->transport->queue_irq(d, q);
}

/*
 * Queue q returned err (a vq_pop()/vq_push() error or the device's own
 * parse error) with reason: the device needs a reset.
 */
static inline void virtio_dev_fail(struct virtio_dev *d, const char *reason)
{
	if (!d->failed) {
		d->failed = true;
		d->transport->needs_reset(d, reason);
	}
}

#endif
