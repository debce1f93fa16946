// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net driver (virtio 1.x 5.1) over the modern PCI transport: one
 * receive and one transmit queue, 12-byte headers, checksum offload both
 * ways, no segmentation offload, no mergeable receive buffers. Both
 * directions copy through buffers of our own, one per descriptor, so a used
 * element names a buffer by its descriptor and nothing else.
 *
 * The device is trusted with nothing: a used element that is not one of
 * ours, a length beyond its buffer or DEVICE_NEEDS_RESET make us log one
 * line, reset the device and set it up again (stats.resets).
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/netdev.h>
#include <plinth/string.h>
#include <plinth/virtio_net_regs.h>
#include <pci/pci.h>
#include <virtio/virtio_pci_drv.h>
#include <virtio/vring_drv.h>

#define VNET_RXQ 0
#define VNET_TXQ 1
#define VNET_QSIZE_MAX 256
/* 5.1.6.3.1: without MRG_RXBUF or GUEST_TSO, buffers of at least 1526 bytes. */
#define VNET_BUF_LEN (VIRTIO_NET_HDR_SIZE + NETDEV_FRAME_MAX)
#define VNET_BUF_STRIDE 1536u
#define VNET_VEC_CONFIG 0
#define VNET_VEC_RX 1
#define VNET_VEC_TX 2

#define VNET_WANTED ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_EVENT_IDX) |          \
		     (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) |            \
		     (1ull << VIRTIO_NET_F_CSUM) | (1ull << VIRTIO_NET_F_GUEST_CSUM))

struct vnet_queue {
	struct vring_drv vr;
	uint8_t *buf;		/* size * VNET_BUF_STRIDE bytes of DMA memory */
	uint64_t buf_bus;
	uint32_t noff;		/* notify offset */
	uint16_t *free_slot;	/* TX: stack of free buffers */
	uint16_t nfree;
};

struct vnet {
	struct netdev nd;
	struct pci_dev *pd;
	struct vpci vp;
	uint64_t features;
	uint16_t qsize;
	bool msix;		/* vectors per queue; else one interrupt and the ISR */
	bool running;
	volatile bool config_event;
	struct vnet_queue rx, tx;
};

static bool has(const struct vnet *v, unsigned int bit)
{
	return (v->features >> bit) & 1;
}

static void vnet_irq(void *ctx)
{
	struct vnet *v = ctx;

	netdev_notify(&v->nd);
}

static void vnet_config_irq(void *ctx)
{
	struct vnet *v = ctx;

	v->config_event = true;
	netdev_notify(&v->nd);
}

/* INTx or MSI: reading the ISR says why and lowers the line. */
static void vnet_single_irq(void *ctx)
{
	struct vnet *v = ctx;
	uint8_t isr = vpci_isr(&v->vp);

	if (!isr)
		return;	/* a shared line raised by someone else */
	if (isr & VIRTIO_PCI_ISR_CONFIG)
		v->config_event = true;
	netdev_notify(&v->nd);
}

static void read_link(struct vnet *v)
{
	uint8_t s[2];

	if (!has(v, VIRTIO_NET_F_STATUS)) {
		netdev_set_link(&v->nd, true);
		return;
	}
	if (!vpci_config_read(&v->vp, VIRTIO_NET_CFG_STATUS, s, 2))
		netdev_set_link(&v->nd, get_le16(s) & VIRTIO_NET_S_LINK_UP);
}

static int rx_add(struct vnet *v, uint16_t slot)
{
	struct vring_buf b = { v->rx.buf_bus + (uint64_t)slot * VNET_BUF_STRIDE, VNET_BUF_LEN };

	return vring_add(&v->rx.vr, NULL, 0, &b, 1, slot);
}

static int irq_setup(struct vnet *v, bool try_msix)
{
	pci_irq_release(v->pd);
	v->msix = false;
	if (try_msix && pci_msix_enable(v->pd, 3) == 0) {
		if (!pci_msix_set(v->pd, VNET_VEC_CONFIG, vnet_config_irq, v) &&
		    !pci_msix_set(v->pd, VNET_VEC_RX, vnet_irq, v) &&
		    !pci_msix_set(v->pd, VNET_VEC_TX, vnet_irq, v)) {
			v->msix = true;
			return 0;
		}
		pci_irq_release(v->pd);
	}
	return pci_irq_single(v->pd, vnet_single_irq, v);
}

static int queue_setup(struct vnet *v, struct vnet_queue *q, uint16_t idx, uint16_t vec)
{
	uint16_t want = v->msix ? vec : VIRTIO_MSI_NO_VECTOR;
	int ret;

	vring_reset(&q->vr, has(v, VIRTIO_F_EVENT_IDX));
	if (vpci_queue_max(&v->vp, idx) < v->qsize)
		return -ENODEV;	/* it shrank since probe */
	ret = vpci_queue_setup(&v->vp, idx, v->qsize, q->vr.desc_bus, q->vr.avail_bus,
			       q->vr.used_bus, &q->noff);
	if (ret)
		return ret;
	if (vpci_queue_vector(&v->vp, idx, want) != want)
		return -ENOSPC;
	vpci_queue_enable(&v->vp, idx);
	return 0;
}

/* Reset and the whole 3.1.1 sequence, on the queues' existing memory. */
static int hw_start(struct vnet *v)
{
	uint16_t cvec;
	int ret;

	v->running = false;
	if (vpci_reset(&v->vp))
		return -ETIMEDOUT;
	vpci_add_status(&v->vp, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	ret = vpci_negotiate(&v->vp, VNET_WANTED, 1ull << VIRTIO_F_VERSION_1, &v->features);
	if (ret)
		goto fail;
	cvec = v->msix ? VNET_VEC_CONFIG : VIRTIO_MSI_NO_VECTOR;
	ret = vpci_config_vector(&v->vp, cvec) == cvec ? 0 : -ENOSPC;
	if (!ret)
		ret = queue_setup(v, &v->rx, VNET_RXQ, VNET_VEC_RX);
	if (!ret)
		ret = queue_setup(v, &v->tx, VNET_TXQ, VNET_VEC_TX);
	if (ret)
		goto fail;
	v->tx.nfree = v->qsize;
	for (uint16_t i = 0; i < v->qsize; i++) {
		v->tx.free_slot[i] = i;
		rx_add(v, i);
	}
	/* TX completions are reclaimed when we look; interrupts only when the ring fills. */
	vring_disable_cb(&v->tx.vr);
	v->config_event = false;
	vpci_add_status(&v->vp, VIRTIO_STATUS_DRIVER_OK);
	v->running = true;
	if (vring_kick_prepare(&v->rx.vr))
		vpci_notify(&v->vp, VNET_RXQ, v->rx.noff);
	v->nd.features = (has(v, VIRTIO_NET_F_CSUM) ? NETDEV_F_TX_CSUM : 0) |
			 (has(v, VIRTIO_NET_F_GUEST_CSUM) ? NETDEV_F_RX_CSUM : 0);
	read_link(v);
	return 0;
fail:
	vpci_add_status(&v->vp, VIRTIO_STATUS_FAILED);
	return ret;
}

static int start(struct vnet *v)
{
	int ret = hw_start(v);

	if (ret == -ENOSPC && v->msix) {
		/* The device read back NO_VECTOR: one interrupt, causes from the ISR. */
		pr_warn("virtio-net: %s: MSI-X vector refused, using a single interrupt\n",
			v->pd->name);
		ret = irq_setup(v, false);
		if (!ret)
			ret = hw_start(v);
	}
	return ret;
}

static void fail_reset(struct vnet *v, const char *why)
{
	int ret;

	pr_warn("virtio-net: %s: %s, resetting the device\n", v->pd->name, why);
	v->nd.stats.resets++;
	ret = start(v);
	if (ret)
		pr_err("virtio-net: %s: restart failed (%d), device down\n", v->pd->name, ret);
}

static void tx_reclaim(struct vnet *v)
{
	uint32_t tok, len;
	const char *why;
	int ret;

	while ((ret = vring_get_used(&v->tx.vr, &tok, &len, &why)) == 1)
		v->tx.free_slot[v->tx.nfree++] = (uint16_t)tok;
	if (ret < 0)
		fail_reset(v, why);
}

/* 1 when an element was taken (*got: a frame went up), 0 when none, <0 after a reset. */
static int rx_one(struct vnet *v, bool *got)
{
	struct netdev_rx_meta meta = { false };
	uint32_t slot, len;
	const char *why;
	const uint8_t *b;
	int ret;

	*got = false;
	ret = vring_get_used(&v->rx.vr, &slot, &len, &why);
	if (ret <= 0) {
		if (ret < 0)
			fail_reset(v, why);
		return ret;
	}
	if (len < VIRTIO_NET_HDR_SIZE) {
		fail_reset(v, "receive length shorter than the header");
		return -EPROTO;
	}
	b = v->rx.buf + (size_t)slot * VNET_BUF_STRIDE;
	len -= VIRTIO_NET_HDR_SIZE;
	if (len < 14) {
		v->nd.stats.rx_errors++;
	} else {
		/* NEEDS_CSUM on receive: the checksum is unfinished, so not known good. */
		meta.csum_valid = has(v, VIRTIO_NET_F_GUEST_CSUM) &&
				  (b[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_DATA_VALID) &&
				  !(b[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM);
		v->nd.stats.rx_packets++;
		v->nd.stats.rx_bytes += len;
		if (v->nd.rx)
			v->nd.rx(v->nd.rx_ctx, b + VIRTIO_NET_HDR_SIZE, len, &meta);
		else
			v->nd.stats.rx_dropped++;
		*got = true;
	}
	rx_add(v, (uint16_t)slot);
	return 1;
}

static unsigned int vnet_poll(struct netdev *nd, unsigned int budget)
{
	struct vnet *v = nd->priv;
	unsigned int done = 0;
	bool got;

	if (!v->running)
		return 0;
	if (v->config_event) {
		v->config_event = false;
		if (vpci_status(&v->vp) & VIRTIO_STATUS_NEEDS_RESET) {
			fail_reset(v, "device needs reset");
			if (!v->running)
				return 0;
		}
		read_link(v);
	}
	tx_reclaim(v);
	for (;;) {
		while (done < budget && v->running) {
			if (rx_one(v, &got) <= 0)
				break;
			done += got;
		}
		if (!v->running)
			return done;
		if (vring_kick_prepare(&v->rx.vr))
			vpci_notify(&v->vp, VNET_RXQ, v->rx.noff);
		if (done >= budget) {
			/* More may wait: have the thread call again, no interrupt will. */
			if (nd->notify)
				nd->notify(nd->notify_ctx);
			return done;
		}
		/* Re-arm, then look once more: what arrived meanwhile raises nothing. */
		if (!vring_enable_cb(&v->rx.vr))
			return done;
	}
}

/* RFC 1071 sum over [start, len), stored at start + off (the stack seeded it). */
static void sw_csum(uint8_t *f, size_t len, uint16_t start, uint16_t off)
{
	uint32_t sum = 0;

	for (size_t i = start; i + 1 < len; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	if ((len - start) & 1)
		sum += (uint32_t)f[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	f[start + off] = sum >> 8;
	f[start + off + 1] = sum & 0xff;
}

static int vnet_xmit(struct netdev *nd, const void *frame, size_t len,
		     const struct netdev_tx_meta *meta)
{
	struct vnet *v = nd->priv;
	bool partial = meta && meta->csum_partial;
	struct vring_buf b;
	uint8_t *buf;
	uint16_t slot;

	if (len < 14 || len > NETDEV_FRAME_MAX)
		return -EINVAL;
	if (partial && (size_t)meta->csum_start + meta->csum_offset + 2 > len)
		return -EINVAL;
	if (!v->running)
		return -EIO;
	if (!v->tx.nfree)
		tx_reclaim(v);
	if (!v->running)
		return -EIO;
	if (!v->tx.nfree) {
		/* Hear about the first completion, then look once more (the race). */
		if (!vring_enable_cb(&v->tx.vr))
			return -EAGAIN;
		tx_reclaim(v);
		if (!v->running)
			return -EIO;
		if (!v->tx.nfree)
			return -EAGAIN;
	}
	vring_disable_cb(&v->tx.vr);
	slot = v->tx.free_slot[--v->tx.nfree];
	buf = v->tx.buf + (size_t)slot * VNET_BUF_STRIDE;
	memset(buf, 0, VIRTIO_NET_HDR_SIZE);
	memcpy(buf + VIRTIO_NET_HDR_SIZE, frame, len);
	if (partial && has(v, VIRTIO_NET_F_CSUM)) {
		buf[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		put_le16(buf + VIRTIO_NET_HDR_CSUM_START, meta->csum_start);
		put_le16(buf + VIRTIO_NET_HDR_CSUM_OFFSET, meta->csum_offset);
	} else if (partial) {
		sw_csum(buf + VIRTIO_NET_HDR_SIZE, len, meta->csum_start, meta->csum_offset);
	}
	b.bus = v->tx.buf_bus + (uint64_t)slot * VNET_BUF_STRIDE;
	b.len = (uint32_t)(VIRTIO_NET_HDR_SIZE + len);
	/* One descriptor per free slot, so this cannot fail; keep the slot if it does. */
	if (vring_add(&v->tx.vr, &b, 1, NULL, 0, slot)) {
		v->tx.free_slot[v->tx.nfree++] = slot;
		return -EAGAIN;
	}
	nd->stats.tx_packets++;
	nd->stats.tx_bytes += len;
	if (vring_kick_prepare(&v->tx.vr))
		vpci_notify(&v->vp, VNET_TXQ, v->tx.noff);
	return 0;
}

static void queue_free(struct vnet_queue *q, uint16_t size)
{
	vring_free(&q->vr);
	if (q->buf)
		dma_free(q->buf, (size_t)size * VNET_BUF_STRIDE);
	kfree(q->free_slot);
	memset(q, 0, sizeof(*q));
}

static int queue_alloc(struct vnet_queue *q, uint16_t size)
{
	int ret = vring_alloc(&q->vr, size);

	if (ret)
		return ret;
	q->buf = dma_alloc((size_t)size * VNET_BUF_STRIDE, &q->buf_bus);
	q->free_slot = kzalloc(size * sizeof(*q->free_slot));
	if (!q->buf || !q->free_slot) {
		queue_free(q, size);
		return -ENOMEM;
	}
	return 0;
}

static void vnet_close(struct netdev *nd)
{
	struct vnet *v = nd->priv;

	if (!v->rx.buf)
		return;
	vpci_reset(&v->vp);	/* the device lets go of our memory first */
	v->running = false;
	nd->stats.tx_dropped += v->tx.vr.in_flight;
	pci_irq_release(v->pd);
	queue_free(&v->rx, v->qsize);
	queue_free(&v->tx, v->qsize);
	netdev_set_link(nd, false);
}

static int vnet_open(struct netdev *nd)
{
	struct vnet *v = nd->priv;
	int ret;

	if (v->rx.buf)
		return 0;
	ret = queue_alloc(&v->rx, v->qsize);
	if (!ret)
		ret = queue_alloc(&v->tx, v->qsize);
	if (!ret)
		ret = irq_setup(v, true);
	if (!ret)
		ret = start(v);
	if (ret) {
		pr_err("virtio-net: %s: open failed (%d)\n", v->pd->name, ret);
		vpci_reset(&v->vp);
		v->running = false;
		pci_irq_release(v->pd);
		queue_free(&v->rx, v->qsize);
		queue_free(&v->tx, v->qsize);
	}
	return ret;
}

static int vnet_set_promisc(struct netdev *nd, bool on)
{
	(void)nd;
	/* Without CTRL_RX the device filters nothing: every unicast frame comes in. */
	return on ? 0 : -ENOTSUP;
}

static const struct netdev_ops vnet_ops = {
	.open = vnet_open,
	.xmit = vnet_xmit,
	.poll = vnet_poll,
	.close = vnet_close,
	.set_promisc = vnet_set_promisc,
};

/* Probe-time look at the device: features, queue size, MAC, link; left reset. */
static int vnet_identify(struct vnet *v)
{
	struct pci_dev *pd = v->pd;
	uint16_t rxmax, txmax;
	uint8_t s[2];

	if (vpci_reset(&v->vp))
		return -ETIMEDOUT;
	vpci_add_status(&v->vp, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	if (vpci_negotiate(&v->vp, VNET_WANTED, 1ull << VIRTIO_F_VERSION_1, &v->features)) {
		pr_warn("virtio-net: %s: features refused (VERSION_1 required)\n", pd->name);
		return -ENODEV;
	}
	rxmax = vpci_queue_max(&v->vp, VNET_RXQ);
	txmax = vpci_queue_max(&v->vp, VNET_TXQ);
	v->qsize = rxmax < txmax ? rxmax : txmax;
	if (v->qsize > VNET_QSIZE_MAX)
		v->qsize = VNET_QSIZE_MAX;
	while (v->qsize & (v->qsize - 1))
		v->qsize &= v->qsize - 1;	/* a split ring's size is a power of two */
	if (v->qsize < 2) {
		pr_warn("virtio-net: %s: queues too small (%u, %u)\n", pd->name, rxmax, txmax);
		return -ENODEV;
	}
	if (!has(v, VIRTIO_NET_F_MAC) || vpci_config_read(&v->vp, VIRTIO_NET_CFG_MAC, v->nd.mac, 6)) {
		/* Locally administered, unique per slot. */
		const uint8_t m[6] = { 0x02, 0x50, 0x4c, pd->bus, pd->slot, pd->func };

		memcpy(v->nd.mac, m, 6);
	}
	v->nd.link_up = true;
	if (has(v, VIRTIO_NET_F_STATUS) && !vpci_config_read(&v->vp, VIRTIO_NET_CFG_STATUS, s, 2))
		v->nd.link_up = get_le16(s) & VIRTIO_NET_S_LINK_UP;
	v->nd.features = (has(v, VIRTIO_NET_F_CSUM) ? NETDEV_F_TX_CSUM : 0) |
			 (has(v, VIRTIO_NET_F_GUEST_CSUM) ? NETDEV_F_RX_CSUM : 0);
	vpci_reset(&v->vp);	/* quiet until open() */
	return 0;
}

static int vnet_probe(struct pci_dev *pd)
{
	struct vnet *v;
	int ret;

	ret = pci_enable_device(pd);
	if (ret)
		return ret;
	v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->pd = pd;
	ret = vpci_find_caps(&v->vp, pd);
	if (ret)
		pr_warn("virtio-net: %s: no modern virtio capabilities\n", pd->name);
	else
		ret = vnet_identify(v);
	if (ret) {
		if (v->vp.pd && ret != -ETIMEDOUT)
			vpci_add_status(&v->vp, VIRTIO_STATUS_FAILED);
		goto out;
	}
	v->nd.driver = "virtio-net";
	strlcpy(v->nd.bus_id, pd->name, sizeof(v->nd.bus_id));
	v->nd.mtu = NETDEV_MTU;
	v->nd.ops = &vnet_ops;
	v->nd.priv = v;
	ret = netdev_register(&v->nd);
	if (ret)
		goto out;
	pd->drvdata = v;
	return 0;
out:
	kfree(v);
	pci_disable_device(pd);
	return ret;
}

static const struct pci_device_id vnet_ids[] = {
	{ VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE_ID_BASE + VIRTIO_ID_NET, 0, 0 },
	/* Transitional: taken only through its modern capabilities (vpci_find_caps). */
	{ VIRTIO_PCI_VENDOR_ID, 0x1000, 0, 0 },
	{ 0, 0, 0, 0 },
};

PCI_DRIVER(virtio_net) = {
	.name = "virtio-net",
	.ids = vnet_ids,
	.probe = vnet_probe,
};

#ifdef PLINTH_HOST_TEST
/* The registry entry is static: the host test probes through this. */
int virtio_net_probe_for_test(struct pci_dev *pd);
int virtio_net_probe_for_test(struct pci_dev *pd)
{
	return vnet_probe(pd);
}
#endif
