// SPDX-License-Identifier: GPL-2.0
/*
 * The common configuration structure of the virtio PCI transport (virtio
 * spec 4.1.4.3): feature negotiation, device status and reset, and queue
 * programming. Everything here is written by the guest, so each field is
 * checked for width and alignment and each value for range before it is
 * stored; nothing the driver writes can reach the ring walker except
 * through vq_init(), which validates the areas against guest RAM.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/spinlock.h>
#include <vmm/virtio/virtio_pci.h>
#include "virtio_pci_common.h"

/* Width of each common-config field by offset: 0 where none starts. */
static unsigned int field_width(unsigned int off)
{
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
	case VIRTIO_PCI_COMMON_DF:
	case VIRTIO_PCI_COMMON_GFSELECT:
	case VIRTIO_PCI_COMMON_GF:
		return 4;
	case VIRTIO_PCI_COMMON_MSIX:
	case VIRTIO_PCI_COMMON_NUMQ:
	case VIRTIO_PCI_COMMON_Q_SELECT:
	case VIRTIO_PCI_COMMON_Q_SIZE:
	case VIRTIO_PCI_COMMON_Q_MSIX:
	case VIRTIO_PCI_COMMON_Q_ENABLE:
	case VIRTIO_PCI_COMMON_Q_NOFF:
	case VIRTIO_PCI_COMMON_Q_NDATA:
	case VIRTIO_PCI_COMMON_Q_RESET:
		return 2;
	case VIRTIO_PCI_COMMON_STATUS:
	case VIRTIO_PCI_COMMON_CFGGEN:
		return 1;
	case VIRTIO_PCI_COMMON_Q_DESC:
	case VIRTIO_PCI_COMMON_Q_AVAIL:
	case VIRTIO_PCI_COMMON_Q_USED:
		return 8;
	default:
		return 0;
	}
}

/*
 * The 64-bit queue address fields are accessed whole or as two naturally
 * aligned 32-bit halves (4.1.3.1); returns the field's offset, with *shift
 * and *mask saying which part, or 0 if off/size names no part of one.
 */
static unsigned int addr_part(unsigned int off, unsigned int size, unsigned int *shift,
			      uint64_t *mask)
{
	unsigned int base = off & ~7u;

	if (base < VIRTIO_PCI_COMMON_Q_DESC || base > VIRTIO_PCI_COMMON_Q_USED)
		return 0;
	if (size == 8 && off == base) {
		*shift = 0;
		*mask = ~0ull;
		return base;
	}
	if (size == 4 && (off & 3) == 0) {
		*shift = (off - base) * 8;
		*mask = 0xffffffffull << *shift;
		return base;
	}
	return 0;
}

static gpa_t *addr_field(struct virtq_config *cfg, unsigned int field)
{
	if (field == VIRTIO_PCI_COMMON_Q_DESC)
		return &cfg->desc;
	if (field == VIRTIO_PCI_COMMON_Q_AVAIL)
		return &cfg->avail;
	return &cfg->used;
}

static uint8_t status_get(struct virtio_pci *vp)
{
	return __atomic_load_n(&vp->status, __ATOMIC_ACQUIRE);
}

void virtio_pci_queue_reset(struct virtio_queue *q)
{
	uint64_t max_chain = q->vq.cfg.max_chain_bytes;

	/*
	 * vq_reset() alone keeps the old areas and leaves the ring ready, so a
	 * device popping a queue after a reset would reach memory the driver
	 * may have reused: start from a queue vq_init() never accepted.
	 */
	vq_reset(&q->vq);
	q->vq = (struct virtq){
		.cfg = { .size = q->max_size, .max_chain_bytes = max_chain },
	};
	q->msix_vector = VIRTIO_MSI_NO_VECTOR;
	q->enabled = false;
}

/* Status 0 (4.1.4.3.1): every register back to its initial value. */
static void device_reset(struct virtio_pci *vp)
{
	struct virtio_dev *d = vp->d;
	unsigned int i;

	for (i = 0; i < d->num_queues; i++)
		virtio_queue_lock(d, i);
	d->ops->reset(d);
	for (i = 0; i < d->num_queues; i++)
		virtio_pci_queue_reset(&d->queues[i]);
	d->features = 0;
	vp->driver_features = 0;
	vp->dfselect = 0;
	vp->gfselect = 0;
	vp->queue_select = 0;
	__atomic_store_n(&vp->msix_config, VIRTIO_MSI_NO_VECTOR, __ATOMIC_RELAXED);
	__atomic_store_n(&vp->isr, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vp->fail_logged, false, __ATOMIC_RELAXED);
	d->failed = false;
	__atomic_store_n(&vp->status, 0, __ATOMIC_RELEASE);
	for (i = d->num_queues; i-- > 0;)
		virtio_queue_unlock(d, i);
	vp->irq.intx(vp->irq.ctx, false);
}

void virtio_pci_reset(struct virtio_pci *vp)
{
	spin_lock(&vp->lock);
	device_reset(vp);
	spin_unlock(&vp->lock);
}

/* FEATURES_OK (3.1.1 step 5): whether the device takes the driver's set. */
static bool accept_features(struct virtio_pci *vp)
{
	struct virtio_dev *d = vp->d;
	uint64_t f = vp->driver_features;

	if (f & ~vp->offered)
		return false;
	if (!((f >> VIRTIO_F_VERSION_1) & 1))
		return false;	/* a legacy driver: we have no legacy interface */
	d->features = f;
	if (d->ops->features_ok && d->ops->features_ok(d) != 0) {
		d->features = 0;
		return false;
	}
	return true;
}

/*
 * The driver only adds status bits (2.1.2); clearing one without a reset
 * is ignored, NEEDS_RESET is the device's, and FEATURES_OK and DRIVER_OK
 * take effect only in order and only once the device agrees.
 */
static void status_write(struct virtio_pci *vp, uint8_t v)
{
	struct virtio_dev *d = vp->d;
	uint8_t old = status_get(vp);
	uint8_t add = v & ~old & ~VIRTIO_STATUS_NEEDS_RESET;

	if (v == 0) {
		device_reset(vp);
		return;
	}
	if ((add & VIRTIO_STATUS_FEATURES_OK) &&
	    ((old & VIRTIO_STATUS_DRIVER_OK) || !accept_features(vp)))
		add &= ~VIRTIO_STATUS_FEATURES_OK;
	if ((add & VIRTIO_STATUS_DRIVER_OK) &&
	    !((old | add) & VIRTIO_STATUS_FEATURES_OK))
		add &= ~VIRTIO_STATUS_DRIVER_OK;
	/* An atomic or: fail() may set NEEDS_RESET meanwhile. */
	__atomic_fetch_or(&vp->status, add, __ATOMIC_RELEASE);
	if ((add & VIRTIO_STATUS_DRIVER_OK) && d->ops->driver_ok)
		d->ops->driver_ok(d);
}

static uint64_t feature_window(uint64_t features, uint32_t select)
{
	if (select > 1)
		return 0;
	return (uint32_t)(features >> (32 * select));
}

static bool valid_vector(const struct virtio_pci *vp, uint16_t v)
{
	return v == VIRTIO_MSI_NO_VECTOR || v < vp->irq.nvec;
}

/* The selected queue, or NULL past num_queues. */
static struct virtio_queue *selected(struct virtio_pci *vp)
{
	if (vp->queue_select >= vp->d->num_queues)
		return NULL;
	return &vp->d->queues[vp->queue_select];
}

static uint64_t queue_read(struct virtio_pci *vp, unsigned int off, unsigned int size)
{
	struct virtio_queue *q = selected(vp);
	unsigned int shift;
	uint64_t mask, v = 0;
	unsigned int field;

	if (!q)
		return 0;
	spin_lock(&q->lock);
	field = addr_part(off, size, &shift, &mask);
	if (field) {
		v = (addr_field(&q->vq.cfg, field)->v & mask) >> shift;
	} else if (off == VIRTIO_PCI_COMMON_Q_SIZE) {
		v = q->vq.cfg.size;
	} else if (off == VIRTIO_PCI_COMMON_Q_MSIX) {
		v = q->msix_vector;
	} else if (off == VIRTIO_PCI_COMMON_Q_ENABLE) {
		v = q->enabled;
	} else if (off == VIRTIO_PCI_COMMON_Q_NOFF) {
		v = vp->queue_select;	/* queue q notifies at multiplier * q */
	}
	spin_unlock(&q->lock);
	return v;
}

void virtio_pci_common_read(struct virtio_pci *vp, unsigned int off, unsigned int size,
			    uint64_t *value)
{
	unsigned int shift;
	uint64_t mask;

	*value = 0;
	if (field_width(off) != size && !addr_part(off, size, &shift, &mask))
		return;
	spin_lock(&vp->lock);
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		*value = vp->dfselect;
		break;
	case VIRTIO_PCI_COMMON_DF:
		*value = feature_window(vp->offered, vp->dfselect);
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		*value = vp->gfselect;
		break;
	case VIRTIO_PCI_COMMON_GF:
		*value = feature_window(vp->driver_features, vp->gfselect);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		*value = __atomic_load_n(&vp->msix_config, __ATOMIC_RELAXED);
		break;
	case VIRTIO_PCI_COMMON_NUMQ:
		*value = vp->d->num_queues;
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		*value = status_get(vp);
		break;
	case VIRTIO_PCI_COMMON_CFGGEN:
		*value = __atomic_load_n(&vp->config_generation, __ATOMIC_ACQUIRE);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		*value = vp->queue_select;
		break;
	case VIRTIO_PCI_COMMON_Q_NDATA:	/* NOTIF_CONFIG_DATA not offered */
	case VIRTIO_PCI_COMMON_Q_RESET:	/* RING_RESET not offered */
		break;
	default:
		*value = queue_read(vp, off, size);
		break;
	}
	spin_unlock(&vp->lock);
}

/* queue_enable 1: the driver's programming goes to the ring walker. */
static void queue_enable(struct virtio_pci *vp, struct virtio_queue *q, unsigned int index)
{
	struct virtio_dev *d = vp->d;
	struct virtq_config cfg = q->vq.cfg;
	char reason[96];

	if (q->enabled || !(status_get(vp) & VIRTIO_STATUS_FEATURES_OK))
		return;
	cfg.event_idx = virtio_has_feature(d, VIRTIO_F_EVENT_IDX);
	if (vq_init(&q->vq, &cfg, d->mem) == 0) {
		q->enabled = true;
		return;
	}
	snprintf(reason, sizeof(reason), "queue %u: %s", index, vq_reason(&q->vq));
	virtio_dev_fail(d, reason);
}

static void queue_write(struct virtio_pci *vp, unsigned int off, unsigned int size, uint64_t v)
{
	struct virtio_queue *q = selected(vp);
	unsigned int shift, field;
	uint64_t mask;
	gpa_t *a;

	if (!q)
		return;
	spin_lock(&q->lock);
	field = addr_part(off, size, &shift, &mask);
	if (off == VIRTIO_PCI_COMMON_Q_MSIX) {
		/* A vector may move while the queue runs (Linux does at teardown). */
		q->msix_vector = valid_vector(vp, (uint16_t)v) ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
	} else if (q->enabled) {
		/* 4.1.4.3.2: the rest is fixed until reset. */
	} else if (field) {
		a = addr_field(&q->vq.cfg, field);
		a->v = (a->v & ~mask) | ((v << shift) & mask);
	} else if (off == VIRTIO_PCI_COMMON_Q_SIZE) {
		if (v && v <= q->max_size && !(v & (v - 1)))
			q->vq.cfg.size = (unsigned int)v;
	} else if (off == VIRTIO_PCI_COMMON_Q_ENABLE) {
		/* 0 is not a way to stop a queue: only reset is (4.1.4.3.2). */
		if (v == 1)
			queue_enable(vp, q, vp->queue_select);
	}
	spin_unlock(&q->lock);
}

void virtio_pci_common_write(struct virtio_pci *vp, unsigned int off, unsigned int size,
			     uint64_t value)
{
	unsigned int shift;
	uint64_t mask;
	uint16_t vec;

	if (field_width(off) != size && !addr_part(off, size, &shift, &mask))
		return;
	spin_lock(&vp->lock);
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		vp->dfselect = (uint32_t)value;
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		vp->gfselect = (uint32_t)value;
		break;
	case VIRTIO_PCI_COMMON_GF:
		/* Fixed once FEATURES_OK is set; selects past 1 name no bits. */
		if (vp->gfselect > 1 || (status_get(vp) & VIRTIO_STATUS_FEATURES_OK))
			break;
		shift = 32 * vp->gfselect;
		vp->driver_features = (vp->driver_features & ~(0xffffffffull << shift)) |
				      ((value & 0xffffffffull) << shift);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		vec = (uint16_t)value;
		if (!valid_vector(vp, vec))
			vec = VIRTIO_MSI_NO_VECTOR;	/* 4.1.5.1.2: reads back refused */
		__atomic_store_n(&vp->msix_config, vec, __ATOMIC_RELAXED);
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		status_write(vp, (uint8_t)value);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		vp->queue_select = (uint16_t)value;
		break;
	case VIRTIO_PCI_COMMON_DF:
	case VIRTIO_PCI_COMMON_NUMQ:
	case VIRTIO_PCI_COMMON_CFGGEN:
	case VIRTIO_PCI_COMMON_Q_NOFF:
	case VIRTIO_PCI_COMMON_Q_NDATA:
	case VIRTIO_PCI_COMMON_Q_RESET:
		break;	/* read-only or not offered */
	default:
		queue_write(vp, off, size, value);
		break;
	}
	spin_unlock(&vp->lock);
}
