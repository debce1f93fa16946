// SPDX-License-Identifier: GPL-2.0
/* See virtio_net_model.h. */
#include <stdlib.h>
#include <string.h>
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/virtio_net_regs.h>
#include <plinth/virtio_pci_regs.h>
#include "virtio_net_model.h"

#define BAR 4
#define COMMON 0x0000
#define ISR 0x1000
#define DEVCFG 0x2000
#define NOTIFY 0x3000
#define MULT 4

static int mread(void *ctx, gpa_t src, void *dst, size_t len)
{
	(void)ctx;
	memcpy(dst, (const void *)(uintptr_t)src.v, len);
	return 0;
}

static int mwrite(void *ctx, gpa_t dst, const void *src, size_t len)
{
	(void)ctx;
	memcpy((void *)(uintptr_t)dst.v, src, len);
	return 0;
}

/* Host memory: ASan is the judge of whether the driver gave us its own. */
static bool min_ram(void *ctx, gpa_t gpa, uint64_t len)
{
	(void)ctx;
	return gpa.v && gpa.v + len > gpa.v;
}

static void *mmap_(void *ctx, gpa_t gpa, uint64_t len)
{
	(void)ctx;
	(void)len;
	return (void *)(uintptr_t)gpa.v;
}

static void reset(struct vnm *m)
{
	m->status = 0;
	m->isr = 0;
	m->driver = 0;
	m->msix_config = VIRTIO_MSI_NO_VECTOR;
	for (unsigned int i = 0; i < VNM_QUEUES; i++) {
		struct vnm_queue *q = &m->q[i];

		q->size = q->max;
		q->msix = VIRTIO_MSI_NO_VECTOR;
		q->enable = 0;
		q->desc = q->avail = q->used = 0;
		memset(&q->vq, 0, sizeof(q->vq));
	}
	m->resets++;
}

void vnm_queue_irq(struct vnm *m, unsigned int q)
{
	m->irqs++;
	if (m->f.irq_mode == PCI_IRQ_MSIX) {
		if (m->q[q].msix != VIRTIO_MSI_NO_VECTOR)
			pci_fake_fire(&m->f, m->q[q].msix);
		return;
	}
	m->isr |= VIRTIO_PCI_ISR_QUEUE;
	pci_fake_fire(&m->f, 0);
}

void vnm_config_change(struct vnm *m)
{
	m->gen++;
	if (m->f.irq_mode == PCI_IRQ_MSIX) {
		if (m->msix_config != VIRTIO_MSI_NO_VECTOR)
			pci_fake_fire(&m->f, m->msix_config);
		return;
	}
	m->isr |= VIRTIO_PCI_ISR_CONFIG;
	pci_fake_fire(&m->f, 0);
}

static bool running(const struct vnm *m, unsigned int q)
{
	return (m->status & VIRTIO_STATUS_DRIVER_OK) && !(m->status & VIRTIO_STATUS_NEEDS_RESET) &&
	       m->q[q].vq.ready;
}

void vnm_tx_drain(struct vnm *m)
{
	struct virtq_seg seg[8];
	struct virtq_chain c;
	bool pushed = false;
	int r;

	if (!running(m, 1))
		return;
	while ((r = vq_pop(&m->q[1].vq, seg, 8, &c)) == 1) {
		struct vnm_frame *fr = &m->tx[m->ntx % VNM_MAX_TX];
		uint8_t all[12 + 1600];
		size_t n = 0;

		for (unsigned int i = 0; i < c.nreadable; i++) {
			if (n + seg[i].len > sizeof(all))
				abort();
			memcpy(all + n, (void *)(uintptr_t)seg[i].gpa.v, seg[i].len);
			n += seg[i].len;
		}
		if (n < 12)
			abort();
		memcpy(fr->hdr, all, 12);
		memcpy(fr->data, all + 12, n - 12);
		fr->len = n - 12;
		m->ntx++;
		if (vq_push(&m->q[1].vq, c.head, 0))
			abort();
		pushed = true;
	}
	if (r < 0 && !m->ring_error)
		m->ring_error = r;
	/* As a back-end does before it sleeps: ask for kicks, and look once more. */
	if (r == 0 && vq_set_notify(&m->q[1].vq, true) == 1) {
		vnm_tx_drain(m);
		return;
	}
	if (pushed && vq_need_notify(&m->q[1].vq))
		vnm_queue_irq(m, 1);
}

int vnm_rx(struct vnm *m, const void *frame, size_t len, uint8_t hdr_flags)
{
	struct virtq_seg seg[8];
	struct virtq_chain c;
	uint8_t all[12 + 1600] = { 0 };
	size_t n = 12 + len, done = 0;
	int r;

	if (!running(m, 0))
		return -EIO;
	r = vq_pop(&m->q[0].vq, seg, 8, &c);
	if (r < 0 && !m->ring_error)
		m->ring_error = r;
	if (r <= 0)
		return r ? r : -ENOSPC;
	if (c.nreadable || c.writable_len < n)
		abort();	/* the driver gave a buffer too small or readable */
	all[0] = hdr_flags;
	put_le16(all + 10, 1);
	memcpy(all + 12, frame, len);
	for (unsigned int i = 0; i < c.nseg && done < n; i++) {
		size_t k = seg[i].len < n - done ? seg[i].len : n - done;

		memcpy((void *)(uintptr_t)seg[i].gpa.v, all + done, k);
		done += k;
	}
	if (vq_push(&m->q[0].vq, c.head, (uint32_t)n))
		abort();
	if (vq_need_notify(&m->q[0].vq))
		vnm_queue_irq(m, 0);
	return 0;
}

static void enable_queue(struct vnm *m, struct vnm_queue *q)
{
	struct virtq_config cfg = {
		.size = q->size, .desc = { q->desc }, .avail = { q->avail }, .used = { q->used },
		.event_idx = (m->driver >> VIRTIO_F_EVENT_IDX) & 1,
	};

	if (vq_init(&q->vq, &cfg, &m->mem))
		abort();	/* the driver programmed a queue the walker refuses */
	q->enable = 1;
}

static uint64_t common_read(struct vnm *m, uint64_t off)
{
	struct vnm_queue *q = m->qsel < VNM_QUEUES ? &m->q[m->qsel] : NULL;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: return m->dfsel;
	case VIRTIO_PCI_COMMON_DF:
		return m->dfsel < 2 ? (uint32_t)(m->offered >> (32 * m->dfsel)) : 0;
	case VIRTIO_PCI_COMMON_GFSELECT: return m->gfsel;
	case VIRTIO_PCI_COMMON_GF:
		return m->gfsel < 2 ? (uint32_t)(m->driver >> (32 * m->gfsel)) : 0;
	case VIRTIO_PCI_COMMON_MSIX: return m->msix_config;
	case VIRTIO_PCI_COMMON_NUMQ: return VNM_QUEUES;
	case VIRTIO_PCI_COMMON_STATUS: return m->status;
	case VIRTIO_PCI_COMMON_CFGGEN: return m->gen;
	case VIRTIO_PCI_COMMON_Q_SELECT: return m->qsel;
	case VIRTIO_PCI_COMMON_Q_SIZE: return q ? q->size : 0;
	case VIRTIO_PCI_COMMON_Q_MSIX: return q ? q->msix : VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_PCI_COMMON_Q_ENABLE: return q ? q->enable : 0;
	case VIRTIO_PCI_COMMON_Q_NOFF: return q ? q->noff : 0;
	default: return 0;
	}
}

static void set64(uint64_t *f, uint64_t off, uint64_t v)
{
	if (off & 4)
		*f = (*f & 0xffffffffull) | v << 32;
	else
		*f = (*f & ~0xffffffffull) | (uint32_t)v;
}

static void common_write(struct vnm *m, uint64_t off, uint64_t v)
{
	struct vnm_queue *q = m->qsel < VNM_QUEUES ? &m->q[m->qsel] : NULL;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: m->dfsel = v; break;
	case VIRTIO_PCI_COMMON_GFSELECT: m->gfsel = v; break;
	case VIRTIO_PCI_COMMON_GF:
		if (m->gfsel < 2)
			m->driver = (m->driver & ~(0xffffffffull << (32 * m->gfsel))) |
				    (uint64_t)(uint32_t)v << (32 * m->gfsel);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		m->msix_config = v < m->f.msix_table_size ? v : VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		if (!v) {
			reset(m);
			break;
		}
		if ((v & VIRTIO_STATUS_FEATURES_OK) && !(m->status & VIRTIO_STATUS_FEATURES_OK)) {
			/* Accepting a feature we never offered is the driver's bug. */
			if ((m->driver & ~m->offered) || m->refuse_features_ok)
				v &= ~VIRTIO_STATUS_FEATURES_OK;
		}
		m->status = (uint8_t)v | (m->status & VIRTIO_STATUS_NEEDS_RESET);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT: m->qsel = v; break;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		if (q && v && v <= q->max && !(v & (v - 1)))
			q->size = v;
		break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if (q)
			q->msix = !m->refuse_vectors && v < m->f.msix_table_size ? v :
				  VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		if (q && v == 1)
			enable_queue(m, q);
		break;
	case VIRTIO_PCI_COMMON_Q_DESC: case VIRTIO_PCI_COMMON_Q_DESC + 4:
		if (q)
			set64(&q->desc, off - VIRTIO_PCI_COMMON_Q_DESC, v);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAIL: case VIRTIO_PCI_COMMON_Q_AVAIL + 4:
		if (q)
			set64(&q->avail, off - VIRTIO_PCI_COMMON_Q_AVAIL, v);
		break;
	case VIRTIO_PCI_COMMON_Q_USED: case VIRTIO_PCI_COMMON_Q_USED + 4:
		if (q)
			set64(&q->used, off - VIRTIO_PCI_COMMON_Q_USED, v);
		break;
	default: break;
	}
}

static uint64_t bar_read(void *ctx, uint64_t off, unsigned int size)
{
	struct vnm *m = ctx;
	uint8_t cfg[12] = { 0 };
	uint64_t v = 0;

	if (off < ISR)
		return common_read(m, off);
	if (off == ISR) {
		v = m->isr;
		m->isr = 0;
		return v;
	}
	if (off >= DEVCFG && off + size <= DEVCFG + 12) {
		memcpy(cfg, m->mac, 6);
		put_le16(cfg + 6, m->net_status);
		put_le16(cfg + 8, 1);
		put_le16(cfg + 10, 1500);
		memcpy(&v, cfg + (off - DEVCFG), size);
	}
	return v;
}

static void bar_write(void *ctx, uint64_t off, unsigned int size, uint64_t v)
{
	struct vnm *m = ctx;

	(void)size;
	if (off < ISR) {
		common_write(m, off, v);
	} else if (off >= NOTIFY) {
		m->notifies++;
		if ((off - NOTIFY) / MULT == 1 && v == 1 && !m->hold_tx)
			vnm_tx_drain(m);
	}
}

static const struct pci_fake_bar_ops ops = { bar_read, bar_write };

static void cap(struct vnm *m, unsigned int at, unsigned int next, uint8_t type, uint8_t len,
		uint32_t off, uint32_t rlen)
{
	uint8_t *c = m->f.cfg + at;

	c[0] = PCI_CAP_ID_VNDR;
	c[1] = next;
	c[2] = len;
	c[3] = type;
	c[4] = BAR;
	put_le32(c + 8, off);
	put_le32(c + 12, rlen);
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		put_le32(c + 16, MULT);
}

void vnm_init(struct vnm *m, uint64_t offered)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(m, 0, sizeof(*m));
	pci_fake_init(&m->f, VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE_ID_BASE + VIRTIO_ID_NET);
	m->f.cfg[6] = 0x10;	/* status: capability list */
	m->f.cfg[0x34] = 0x40;
	cap(m, 0x40, 0x54, VIRTIO_PCI_CAP_COMMON_CFG, 16, COMMON, 0x38);
	cap(m, 0x54, 0x68, VIRTIO_PCI_CAP_NOTIFY_CFG, 20, NOTIFY, 0x1000);
	cap(m, 0x68, 0x78, VIRTIO_PCI_CAP_ISR_CFG, 16, ISR, 4);
	cap(m, 0x78, 0, VIRTIO_PCI_CAP_DEVICE_CFG, 16, DEVCFG, 12);
	m->f.bar_size[BAR] = 0x4000;
	m->f.bar_ops[BAR] = &ops;
	m->f.bar_ctx[BAR] = m;
	m->f.msix_table_size = 3;
	m->f.has_intx = true;
	m->offered = offered;
	memcpy(m->mac, mac, 6);
	m->net_status = VIRTIO_NET_S_LINK_UP;
	for (unsigned int i = 0; i < VNM_QUEUES; i++) {
		m->q[i].max = 256;
		m->q[i].noff = i;
	}
	m->mem = (struct virtq_mem_ops){ mread, mwrite, min_ram, mmap_, m };
	m->tx = calloc(VNM_MAX_TX, sizeof(*m->tx));
	reset(m);
	m->resets = 0;
}

void vnm_free(struct vnm *m)
{
	free(m->tx);
}
