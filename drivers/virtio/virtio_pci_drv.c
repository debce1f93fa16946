// SPDX-License-Identifier: GPL-2.0
/* See virtio_pci_drv.h. */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <virtio/virtio_pci_drv.h>

/* Bytes of the common configuration we touch (through queue_device). */
#define COMMON_MIN (VIRTIO_PCI_COMMON_Q_USED + 8)

static bool region_ok(const struct pci_dev *pd, const struct vpci_region *r, uint32_t min)
{
	const struct pci_bar *b;

	if (r->bar >= PCI_MAX_BARS)
		return false;
	b = &pd->bar[r->bar];
	return b->size && !b->io && r->len >= min && r->off <= b->size &&
	       r->len <= b->size - r->off;
}

int vpci_find_caps(struct vpci *vp, struct pci_dev *pd)
{
	bool have[5] = { false };

	memset(vp, 0, sizeof(*vp));
	vp->pd = pd;
	for (unsigned int c = pci_find_cap(pd, PCI_CAP_ID_VNDR, 0); c;
	     c = pci_find_cap(pd, PCI_CAP_ID_VNDR, c)) {
		uint8_t len = pci_cfg_read8(pd, c + 2), type = pci_cfg_read8(pd, c + 3);
		struct vpci_region r;
		struct vpci_region *dst;

		if (len < VIRTIO_PCI_CAP_LEN || type < VIRTIO_PCI_CAP_COMMON_CFG ||
		    type > VIRTIO_PCI_CAP_DEVICE_CFG || have[type])
			continue;	/* the spec lets later ones be alternatives: take the first */
		r.bar = pci_cfg_read8(pd, c + VIRTIO_PCI_CAP_OFF_BAR);
		r.off = pci_cfg_read32(pd, c + VIRTIO_PCI_CAP_OFF_OFFSET);
		r.len = pci_cfg_read32(pd, c + VIRTIO_PCI_CAP_OFF_LENGTH);
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && len < VIRTIO_PCI_NOTIFY_CAP_LEN)
			continue;
		/* A region in an I/O BAR or outside its BAR is skipped: the next may do. */
		if (!region_ok(pd, &r, type == VIRTIO_PCI_CAP_COMMON_CFG ? COMMON_MIN :
				       type == VIRTIO_PCI_CAP_NOTIFY_CFG ? 2 : 1))
			continue;
		dst = type == VIRTIO_PCI_CAP_COMMON_CFG ? &vp->common :
		      type == VIRTIO_PCI_CAP_NOTIFY_CFG ? &vp->notify :
		      type == VIRTIO_PCI_CAP_ISR_CFG ? &vp->isr : &vp->device;
		*dst = r;
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
			vp->notify_mult = pci_cfg_read32(pd, c + VIRTIO_PCI_CAP_LEN);
		have[type] = true;
	}
	return have[1] && have[2] && have[3] && have[4] ? 0 : -ENODEV;
}

static uint8_t rd8(const struct vpci *vp, uint32_t off)
{
	return pci_bar_read8(vp->pd, vp->common.bar, vp->common.off + off);
}

static uint16_t rd16(const struct vpci *vp, uint32_t off)
{
	return pci_bar_read16(vp->pd, vp->common.bar, vp->common.off + off);
}

static uint32_t rd32(const struct vpci *vp, uint32_t off)
{
	return pci_bar_read32(vp->pd, vp->common.bar, vp->common.off + off);
}

static void wr8(const struct vpci *vp, uint32_t off, uint8_t v)
{
	pci_bar_write8(vp->pd, vp->common.bar, vp->common.off + off, v);
}

static void wr16(const struct vpci *vp, uint32_t off, uint16_t v)
{
	pci_bar_write16(vp->pd, vp->common.bar, vp->common.off + off, v);
}

static void wr32(const struct vpci *vp, uint32_t off, uint32_t v)
{
	pci_bar_write32(vp->pd, vp->common.bar, vp->common.off + off, v);
}

/* 64-bit fields as two 32-bit halves: not every device takes 8-byte accesses. */
static void wr64(const struct vpci *vp, uint32_t off, uint64_t v)
{
	wr32(vp, off, (uint32_t)v);
	wr32(vp, off + 4, (uint32_t)(v >> 32));
}

uint8_t vpci_status(const struct vpci *vp)
{
	return rd8(vp, VIRTIO_PCI_COMMON_STATUS);
}

void vpci_add_status(const struct vpci *vp, uint8_t bits)
{
	wr8(vp, VIRTIO_PCI_COMMON_STATUS, vpci_status(vp) | bits);
}

int vpci_reset(const struct vpci *vp)
{
	wr8(vp, VIRTIO_PCI_COMMON_STATUS, 0);
	/* 4.1.4.3.2: the reset is done when status reads 0; allow it 100 ms. */
	for (unsigned int i = 0; i < 1000; i++) {
		if (!vpci_status(vp))
			return 0;
		udelay(100);
	}
	return -ETIMEDOUT;
}

int vpci_negotiate(const struct vpci *vp, uint64_t wanted, uint64_t required, uint64_t *out)
{
	uint64_t offered, acc;

	wr32(vp, VIRTIO_PCI_COMMON_DFSELECT, 0);
	offered = rd32(vp, VIRTIO_PCI_COMMON_DF);
	wr32(vp, VIRTIO_PCI_COMMON_DFSELECT, 1);
	offered |= (uint64_t)rd32(vp, VIRTIO_PCI_COMMON_DF) << 32;
	if ((offered & required) != required)
		return -ENODEV;
	acc = offered & wanted;
	wr32(vp, VIRTIO_PCI_COMMON_GFSELECT, 0);
	wr32(vp, VIRTIO_PCI_COMMON_GF, (uint32_t)acc);
	wr32(vp, VIRTIO_PCI_COMMON_GFSELECT, 1);
	wr32(vp, VIRTIO_PCI_COMMON_GF, (uint32_t)(acc >> 32));
	vpci_add_status(vp, VIRTIO_STATUS_FEATURES_OK);
	if (!(vpci_status(vp) & VIRTIO_STATUS_FEATURES_OK))
		return -ENODEV;
	*out = acc;
	return 0;
}

uint16_t vpci_queue_max(const struct vpci *vp, uint16_t q)
{
	wr16(vp, VIRTIO_PCI_COMMON_Q_SELECT, q);
	return rd16(vp, VIRTIO_PCI_COMMON_Q_SIZE);
}

int vpci_queue_setup(const struct vpci *vp, uint16_t q, uint16_t size, uint64_t desc,
		     uint64_t avail, uint64_t used, uint32_t *noff)
{
	uint64_t off;

	wr16(vp, VIRTIO_PCI_COMMON_Q_SELECT, q);
	off = (uint64_t)rd16(vp, VIRTIO_PCI_COMMON_Q_NOFF) * vp->notify_mult;
	if (off + 2 > vp->notify.len)
		return -ENODEV;
	*noff = (uint32_t)off;
	wr16(vp, VIRTIO_PCI_COMMON_Q_SIZE, size);
	wr64(vp, VIRTIO_PCI_COMMON_Q_DESC, desc);
	wr64(vp, VIRTIO_PCI_COMMON_Q_AVAIL, avail);
	wr64(vp, VIRTIO_PCI_COMMON_Q_USED, used);
	return 0;
}

uint16_t vpci_queue_vector(const struct vpci *vp, uint16_t q, uint16_t vec)
{
	wr16(vp, VIRTIO_PCI_COMMON_Q_SELECT, q);
	wr16(vp, VIRTIO_PCI_COMMON_Q_MSIX, vec);
	return rd16(vp, VIRTIO_PCI_COMMON_Q_MSIX);
}

uint16_t vpci_config_vector(const struct vpci *vp, uint16_t vec)
{
	wr16(vp, VIRTIO_PCI_COMMON_MSIX, vec);
	return rd16(vp, VIRTIO_PCI_COMMON_MSIX);
}

void vpci_queue_enable(const struct vpci *vp, uint16_t q)
{
	wr16(vp, VIRTIO_PCI_COMMON_Q_SELECT, q);
	wr16(vp, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
}

void vpci_notify(const struct vpci *vp, uint16_t q, uint32_t noff)
{
	pci_bar_write16(vp->pd, vp->notify.bar, vp->notify.off + noff, q);
}

uint8_t vpci_isr(const struct vpci *vp)
{
	return pci_bar_read8(vp->pd, vp->isr.bar, vp->isr.off);
}

int vpci_config_read(const struct vpci *vp, uint32_t off, void *buf, uint32_t len)
{
	uint8_t *p = buf;

	if (off > vp->device.len || len > vp->device.len - off)
		return -EINVAL;
	for (unsigned int tries = 0; tries < 16; tries++) {
		uint8_t gen = rd8(vp, VIRTIO_PCI_COMMON_CFGGEN);

		for (uint32_t i = 0; i < len; i++)
			p[i] = pci_bar_read8(vp->pd, vp->device.bar, vp->device.off + off + i);
		if (rd8(vp, VIRTIO_PCI_COMMON_CFGGEN) == gen)
			return 0;
	}
	return -EAGAIN;
}
