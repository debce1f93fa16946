// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio 1.x modern PCI transport (virtio spec 4.1): BAR decoding,
 * capabilities, notifications, interrupts (MSI-X or INTx with the ISR) and
 * the PCI_CFG access window. The common configuration registers live in
 * virtio_pci_common.c. The layout and the lock order are in virtio_pci.h.
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include <vmm/virtio/virtio_pci.h>
#include "virtio_pci_common.h"

static struct virtio_pci *to_vp(struct virtio_dev *d)
{
	return d->transport_ctx;
}

static bool msix_on(struct virtio_pci *vp)
{
	return vp->irq.msix_enabled && vp->irq.msix_enabled(vp->irq.ctx);
}

/* INTx: the ISR bit first, so the driver's ISR read finds a reason. */
static void isr_raise(struct virtio_pci *vp, uint8_t bit)
{
	__atomic_fetch_or(&vp->isr, bit, __ATOMIC_ACQ_REL);
	vp->irq.intx(vp->irq.ctx, true);
}

/* Called with vq[q].lock held, which guards msix_vector. */
static void pci_queue_irq(struct virtio_dev *d, unsigned int q)
{
	struct virtio_pci *vp = to_vp(d);
	uint16_t vec;

	if (q >= d->num_queues)
		return;
	if (msix_on(vp)) {
		vec = d->queues[q].msix_vector;
		if (vec != VIRTIO_MSI_NO_VECTOR)
			vp->irq.msix(vp->irq.ctx, vec);
		return;
	}
	isr_raise(vp, VIRTIO_PCI_ISR_QUEUE);
}

static void config_interrupt(struct virtio_pci *vp)
{
	uint16_t vec;

	if (msix_on(vp)) {
		vec = __atomic_load_n(&vp->msix_config, __ATOMIC_RELAXED);
		if (vec != VIRTIO_MSI_NO_VECTOR)
			vp->irq.msix(vp->irq.ctx, vec);
		return;
	}
	isr_raise(vp, VIRTIO_PCI_ISR_CONFIG);
}

/*
 * A device calls config_irq after changing its configuration space, so this
 * is where config_generation moves (4.1.4.3.1): a driver reading a
 * multi-field value across the change sees two generations and retries.
 */
static void pci_config_irq(struct virtio_dev *d)
{
	struct virtio_pci *vp = to_vp(d);

	__atomic_fetch_add(&vp->config_generation, 1, __ATOMIC_ACQ_REL);
	config_interrupt(vp);
}

static void pci_fail(struct virtio_dev *d, const char *reason)
{
	struct virtio_pci *vp = to_vp(d);

	__atomic_fetch_or(&vp->status, VIRTIO_STATUS_NEEDS_RESET, __ATOMIC_ACQ_REL);
	if (__atomic_exchange_n(&vp->fail_logged, true, __ATOMIC_ACQ_REL))
		return;
	pr_warn("virtio: %s: device needs reset: %s\n", d->name ? d->name : "?",
		reason ? reason : "unknown");
	config_interrupt(vp);
}

static const struct virtio_transport_ops pci_transport_ops = {
	.queue_irq = pci_queue_irq,
	.config_irq = pci_config_irq,
	.needs_reset = pci_fail,
};

int virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *d, const struct virtio_pci_irq *irq)
{
	unsigned int i, n;

	if (!d || !d->ops || !irq || !irq->intx || (irq->nvec && !irq->msix) ||
	    !d->ops->features || !d->ops->config_read || !d->ops->queue_notify ||
	    !d->ops->reset || !d->queues || d->num_queues == 0 ||
	    d->num_queues > VIRTIO_PCI_MAX_QUEUES || d->config_size > VIRTIO_PCI_DEVICE_MAX)
		return -EINVAL;
	for (i = 0; i < d->num_queues; i++) {
		n = d->queues[i].max_size;
		if (n == 0 || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
			return -EINVAL;
	}
	memset(vp, 0, sizeof(*vp));
	vp->d = d;
	vp->irq = *irq;
	spin_lock_init(&vp->lock);
	spin_lock_init(&vp->cfg_lock);
	vp->offered = d->ops->features(d) | 1ull << VIRTIO_F_VERSION_1 |
		      1ull << VIRTIO_F_EVENT_IDX | 1ull << VIRTIO_F_INDIRECT_DESC;
	vp->msix_config = VIRTIO_MSI_NO_VECTOR;
	for (i = 0; i < d->num_queues; i++)
		virtio_pci_queue_reset(&d->queues[i]);
	d->features = 0;
	d->failed = false;
	d->transport = &pci_transport_ops;
	d->transport_ctx = vp;
	return 0;
}

uint32_t virtio_pci_io_bar_size(const struct virtio_pci *vp)
{
	uint32_t need = 2 * vp->d->num_queues, size = 4;

	while (size < need)
		size <<= 1;
	return size;
}

void virtio_pci_get_ids(const struct virtio_pci *vp, struct virtio_pci_ids *ids)
{
	uint16_t id = vp->d->ops->device_id;

	ids->vendor = VIRTIO_PCI_VENDOR_ID;
	ids->device = VIRTIO_PCI_DEVICE_ID_BASE + id;
	ids->subsys_vendor = VIRTIO_PCI_SUBSYS_VENDOR_ID;
	ids->subsys = VIRTIO_PCI_SUBSYS_ID_BASE + id;
	ids->revision = VIRTIO_PCI_REVISION;
	if (id == VIRTIO_ID_NET)
		ids->class_code = VIRTIO_PCI_CLASS_NET;
	else if (id == VIRTIO_ID_BLOCK)
		ids->class_code = VIRTIO_PCI_CLASS_BLOCK;
	else
		ids->class_code = VIRTIO_PCI_CLASS_OTHER;
}

/* struct virtio_pci_cap from cap_len on: data[k] is capability byte k + 2. */
static void cap_fill(struct virtio_pci_cap_body *c, uint8_t cap_len, uint8_t type, uint8_t bar,
		     uint32_t offset, uint32_t length)
{
	memset(c, 0, sizeof(*c));
	c->len = cap_len - 2;
	c->data[0] = cap_len;
	c->data[1] = type;
	c->data[VIRTIO_PCI_CAP_OFF_BAR - 2] = bar;
	put_le32(&c->data[VIRTIO_PCI_CAP_OFF_OFFSET - 2], offset);
	put_le32(&c->data[VIRTIO_PCI_CAP_OFF_LENGTH - 2], length);
}

static uint32_t mmio_notify_len(const struct virtio_pci *vp)
{
	return VIRTIO_PCI_NOTIFY_MULT * vp->d->num_queues;
}

unsigned int virtio_pci_caps(const struct virtio_pci *vp,
			     struct virtio_pci_cap_body caps[VIRTIO_PCI_NUM_CAPS])
{
	cap_fill(&caps[0], VIRTIO_PCI_CAP_LEN, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_BAR_REGS,
		 VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_SIZE);
	cap_fill(&caps[1], VIRTIO_PCI_NOTIFY_CAP_LEN, VIRTIO_PCI_CAP_NOTIFY_CFG,
		 VIRTIO_PCI_BAR_NOTIFY_IO, 0, VIRTIO_PCI_IO_NOTIFY_MULT * vp->d->num_queues);
	put_le32(&caps[1].data[VIRTIO_PCI_CAP_LEN - 2], VIRTIO_PCI_IO_NOTIFY_MULT);
	cap_fill(&caps[2], VIRTIO_PCI_NOTIFY_CAP_LEN, VIRTIO_PCI_CAP_NOTIFY_CFG,
		 VIRTIO_PCI_BAR_REGS, VIRTIO_PCI_NOTIFY_OFF, mmio_notify_len(vp));
	put_le32(&caps[2].data[VIRTIO_PCI_CAP_LEN - 2], VIRTIO_PCI_NOTIFY_MULT);
	cap_fill(&caps[3], VIRTIO_PCI_CAP_LEN, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_BAR_REGS,
		 VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_ISR_SIZE);
	cap_fill(&caps[4], VIRTIO_PCI_CAP_LEN, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_BAR_REGS,
		 VIRTIO_PCI_DEVICE_OFF, vp->d->config_size);
	/* The window's own fields start at 0; the guest programs them. */
	cap_fill(&caps[5], VIRTIO_PCI_CFG_CAP_LEN, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0);
	return VIRTIO_PCI_NUM_CAPS;
}

void virtio_pci_notify(struct virtio_pci *vp, unsigned int q)
{
	struct virtio_dev *d = vp->d;

	if (q >= d->num_queues || d->failed ||
	    !(__atomic_load_n(&vp->status, __ATOMIC_ACQUIRE) & VIRTIO_STATUS_DRIVER_OK))
		return;
	virtio_queue_lock(d, q);
	/* Checked again under the lock: a reset or a failure may have come first. */
	if (d->queues[q].enabled && !d->failed &&
	    (__atomic_load_n(&vp->status, __ATOMIC_ACQUIRE) & VIRTIO_STATUS_DRIVER_OK))
		d->ops->queue_notify(d, q);
	virtio_queue_unlock(d, q);
}

/* ISR (4.1.4.5): reading returns and clears it, and drops INTx. */
static uint8_t isr_read(struct virtio_pci *vp)
{
	uint8_t v = __atomic_exchange_n(&vp->isr, 0, __ATOMIC_ACQ_REL);

	vp->irq.intx(vp->irq.ctx, false);
	/* An interrupt raised between the exchange and the drop keeps the line. */
	if (__atomic_load_n(&vp->isr, __ATOMIC_ACQUIRE))
		vp->irq.intx(vp->irq.ctx, true);
	return v;
}

static void device_cfg(struct virtio_pci *vp, uint32_t off, unsigned int size, bool write,
		       uint64_t *value)
{
	struct virtio_dev *d = vp->d;
	uint8_t buf[8] = { 0 };

	if (off >= d->config_size || size > d->config_size - off) {
		if (!write)
			*value = 0;
		return;
	}
	/* Under lock: two vCPUs' accesses reach the device one at a time. */
	spin_lock(&vp->lock);
	if (!write) {
		d->ops->config_read(d, off, buf, size);
		*value = get_le64(buf);
	} else if (d->ops->config_write) {
		put_le64(buf, *value);
		d->ops->config_write(d, off, buf, size);
	}
	spin_unlock(&vp->lock);
}

static void regs_access(struct virtio_pci *vp, uint32_t off, unsigned int size, bool write,
			uint64_t *value)
{
	if (off < VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_COMMON_SIZE) {
		if (off + size > VIRTIO_PCI_COMMON_SIZE) {
			if (!write)
				*value = 0;
		} else if (write) {
			virtio_pci_common_write(vp, off, size, *value);
		} else {
			virtio_pci_common_read(vp, off, size, value);
		}
	} else if (off == VIRTIO_PCI_ISR_OFF) {
		if (!write)
			*value = isr_read(vp);
	} else if (off >= VIRTIO_PCI_DEVICE_OFF && off < VIRTIO_PCI_NOTIFY_OFF) {
		device_cfg(vp, off - VIRTIO_PCI_DEVICE_OFF, size, write, value);
	} else if (off >= VIRTIO_PCI_NOTIFY_OFF) {
		off -= VIRTIO_PCI_NOTIFY_OFF;
		if (write && size <= 4 && off % VIRTIO_PCI_NOTIFY_MULT == 0)
			virtio_pci_notify(vp, off / VIRTIO_PCI_NOTIFY_MULT);
		else if (!write)
			*value = 0;
	} else if (!write) {
		*value = 0;	/* the gaps between the regions, the ISR's unused bytes */
	}
}

int virtio_pci_bar_access(struct virtio_pci *vp, unsigned int bar, uint64_t off,
			  unsigned int size, bool write, uint64_t *value)
{
	uint64_t bar_size, v;

	if (bar == VIRTIO_PCI_BAR_NOTIFY_IO)
		bar_size = virtio_pci_io_bar_size(vp);
	else if (bar == VIRTIO_PCI_BAR_REGS)
		bar_size = VIRTIO_PCI_REGS_BAR_SIZE;
	else
		bar_size = 0;
	if ((size != 1 && size != 2 && size != 4 && size != 8) || off >= bar_size ||
	    size > bar_size - off) {
		if (!write)
			*value = 0;
		return -EINVAL;
	}
	if (bar == VIRTIO_PCI_BAR_REGS) {
		/* Only the bytes the guest wrote: the rest of *value is not its. */
		v = write && size < 8 ? *value & ((1ull << (8 * size)) - 1) : *value;
		regs_access(vp, (uint32_t)off, size, write, &v);
		if (!write)
			*value = v;
		return 0;
	}
	/* The I/O notify region: the address names the queue, the value is ignored. */
	if (!write)
		*value = 0;
	else if (size <= 4 && off % VIRTIO_PCI_IO_NOTIFY_MULT == 0)
		virtio_pci_notify(vp, (unsigned int)(off / VIRTIO_PCI_IO_NOTIFY_MULT));
	return 0;
}

/* One BAR access of the window's programmed length; cfg_lock held. */
static void window_access(struct virtio_pci *vp, bool write)
{
	uint32_t len = vp->cfg_length, off = vp->cfg_offset;
	uint64_t v = 0;
	unsigned int i;

	if ((len != 1 && len != 2 && len != 4) || off % len ||
	    (vp->cfg_bar != VIRTIO_PCI_BAR_NOTIFY_IO && vp->cfg_bar != VIRTIO_PCI_BAR_REGS)) {
		if (!write)
			memset(vp->cfg_data, 0, sizeof(vp->cfg_data));
		return;
	}
	if (write) {
		for (i = 0; i < len; i++)
			v |= (uint64_t)vp->cfg_data[i] << (8 * i);
		virtio_pci_bar_access(vp, vp->cfg_bar, off, len, true, &v);
		return;
	}
	/* Outside the BAR this reads 0, as the window must (4.1.4.9). */
	virtio_pci_bar_access(vp, vp->cfg_bar, off, len, false, &v);
	put_le32(vp->cfg_data, (uint32_t)v);
}

/* The capability's bytes from cap_len on, as the guest sees them now. */
static void cfg_cap_bytes(const struct virtio_pci *vp, uint8_t b[VIRTIO_PCI_CFG_CAP_LEN])
{
	memset(b, 0, VIRTIO_PCI_CFG_CAP_LEN);
	b[2] = VIRTIO_PCI_CFG_CAP_LEN;
	b[3] = VIRTIO_PCI_CAP_PCI_CFG;
	b[VIRTIO_PCI_CAP_OFF_BAR] = vp->cfg_bar;
	put_le32(&b[VIRTIO_PCI_CAP_OFF_OFFSET], vp->cfg_offset);
	put_le32(&b[VIRTIO_PCI_CAP_OFF_LENGTH], vp->cfg_length);
	memcpy(&b[VIRTIO_PCI_CAP_OFF_DATA], vp->cfg_data, sizeof(vp->cfg_data));
}

static bool cfg_cap_range(unsigned int off, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && off < VIRTIO_PCI_CFG_CAP_LEN &&
	       size <= VIRTIO_PCI_CFG_CAP_LEN - off;
}

static bool touches_data(unsigned int off, unsigned int size)
{
	return off + size > VIRTIO_PCI_CAP_OFF_DATA;
}

int virtio_pci_cfg_cap_read(struct virtio_pci *vp, unsigned int off_in_cap, unsigned int size,
			    uint32_t *value)
{
	uint8_t b[VIRTIO_PCI_CFG_CAP_LEN];
	unsigned int i;

	*value = 0;
	if (!cfg_cap_range(off_in_cap, size))
		return -EINVAL;
	spin_lock(&vp->cfg_lock);
	if (touches_data(off_in_cap, size))
		window_access(vp, false);
	cfg_cap_bytes(vp, b);
	spin_unlock(&vp->cfg_lock);
	for (i = 0; i < size; i++)
		*value |= (uint32_t)b[off_in_cap + i] << (8 * i);
	return 0;
}

int virtio_pci_cfg_cap_write(struct virtio_pci *vp, unsigned int off_in_cap, unsigned int size,
			     uint32_t value)
{
	uint8_t b[VIRTIO_PCI_CFG_CAP_LEN];
	unsigned int i;

	if (!cfg_cap_range(off_in_cap, size))
		return -EINVAL;
	spin_lock(&vp->cfg_lock);
	cfg_cap_bytes(vp, b);
	for (i = 0; i < size; i++)
		b[off_in_cap + i] = (uint8_t)(value >> (8 * i));
	/* Only bar, offset, length and the data are the driver's to write. */
	vp->cfg_bar = b[VIRTIO_PCI_CAP_OFF_BAR];
	vp->cfg_offset = get_le32(&b[VIRTIO_PCI_CAP_OFF_OFFSET]);
	vp->cfg_length = get_le32(&b[VIRTIO_PCI_CAP_OFF_LENGTH]);
	memcpy(vp->cfg_data, &b[VIRTIO_PCI_CAP_OFF_DATA], sizeof(vp->cfg_data));
	if (touches_data(off_in_cap, size))
		window_access(vp, true);
	spin_unlock(&vp->cfg_lock);
	return 0;
}
