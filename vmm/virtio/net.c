// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net backend (see net.h). Both directions copy: TX gathers the
 * guest's chain into tx_buf so every header field is read once from our own
 * memory, and RX writes into the receiving guest's buffers. A malformed
 * packet costs the sender that packet; only a corrupt ring (or a buffer the
 * spec forbids) stops the device until the driver resets it.
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/net/offload.h>
#include <vmm/virtio/net.h>

#define OFFERED ((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |	\
		 (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_GUEST_TSO4) |	\
		 (1ULL << VIRTIO_NET_F_GUEST_TSO6) | (1ULL << VIRTIO_NET_F_HOST_TSO4) |	\
		 (1ULL << VIRTIO_NET_F_HOST_TSO6) | (1ULL << VIRTIO_NET_F_MRG_RXBUF) |	\
		 (1ULL << VIRTIO_NET_F_STATUS))

/* Interrupt at least this often in a long batch: vq_need_notify()'s window is 16 bits. */
#define NOTIFY_BATCH	64

static struct virtio_net *to_net(struct virtio_dev *d)
{
	return (struct virtio_net *)((char *)d - offsetof(struct virtio_net, dev));
}

static struct virtio_net *port_to_net(struct vswitch_port *p)
{
	return (struct virtio_net *)((char *)p - offsetof(struct virtio_net, port));
}

uint64_t virtio_net_features(void)
{
	return OFFERED;
}

static uint64_t net_features(struct virtio_dev *d)
{
	(void)d;
	return OFFERED;
}

/* The dependencies of 5.1.3.1 among the bits we offer. */
static int net_features_ok(struct virtio_dev *d)
{
	bool guest_tso = virtio_has_feature(d, VIRTIO_NET_F_GUEST_TSO4) ||
			 virtio_has_feature(d, VIRTIO_NET_F_GUEST_TSO6);
	bool host_tso = virtio_has_feature(d, VIRTIO_NET_F_HOST_TSO4) ||
			virtio_has_feature(d, VIRTIO_NET_F_HOST_TSO6);

	if (guest_tso && !virtio_has_feature(d, VIRTIO_NET_F_GUEST_CSUM))
		return -EINVAL;
	if (host_tso && !virtio_has_feature(d, VIRTIO_NET_F_CSUM))
		return -EINVAL;
	return 0;
}

static void net_config_read(struct virtio_dev *d, uint32_t off, void *buf, unsigned int size)
{
	struct virtio_net *n = to_net(d);
	uint8_t cfg[VIRTIO_NET_CONFIG_SIZE];

	memcpy(cfg + VIRTIO_NET_CFG_MAC, n->mac, ETH_ALEN);
	/* The switch is always there: the link never goes down. */
	put_le16(cfg + VIRTIO_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	put_le16(cfg + VIRTIO_NET_CFG_MAX_PAIRS, 1);
	put_le16(cfg + VIRTIO_NET_CFG_MTU, VIRTIO_NET_MTU);
	if (off < sizeof(cfg) && size <= sizeof(cfg) - off)
		memcpy(buf, cfg + off, size);
	else
		memset(buf, 0, size);
}

static void net_reset(struct virtio_dev *d)
{
	WRITE_ONCE(to_net(d)->running, false);
}

static void net_driver_ok(struct virtio_dev *d)
{
	WRITE_ONCE(to_net(d)->running, true);
}

/*
 * Converts the header in tx_buf of a len-byte chain into f. false for a
 * header the negotiated features do not allow or that does not match the
 * frame: the packet is dropped, the ring is fine.
 */
static bool tx_parse(struct virtio_net *n, uint32_t len, struct net_frame *f)
{
	struct virtio_dev *d = &n->dev;
	const uint8_t *h = n->tx_buf;
	uint8_t gso = h[VIRTIO_NET_HDR_GSO_TYPE];
	struct net_tcp_layout lay;

	*f = (struct net_frame){ .data = h + VIRTIO_NET_HDR_SIZE,
				 .len = len - VIRTIO_NET_HDR_SIZE };
	/* Other flag bits (DATA_VALID, RSC_INFO) mean nothing on TX: ignored. */
	if (h[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!virtio_has_feature(d, VIRTIO_NET_F_CSUM))
			return false;
		f->needs_csum = true;
		f->csum_start = get_le16(h + VIRTIO_NET_HDR_CSUM_START);
		f->csum_offset = get_le16(h + VIRTIO_NET_HDR_CSUM_OFFSET);
	}
	/* No HOST_ECN and no UFO offered: those types are not the guest's to use. */
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!virtio_has_feature(d, VIRTIO_NET_F_HOST_TSO4))
			return false;
		f->gso_type = NET_GSO_TCPV4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!virtio_has_feature(d, VIRTIO_NET_F_HOST_TSO6))
			return false;
		f->gso_type = NET_GSO_TCPV6;
		break;
	default:
		return false;
	}
	if (f->gso_type == NET_GSO_NONE)
		return net_offload_check(f) == 0;
	f->gso_size = get_le16(h + VIRTIO_NET_HDR_GSO_SIZE);
	if (net_gso_parse(f, &lay))
		return false;
	/*
	 * The guest's hdr_len is only a hint (the spec lets drivers get it
	 * wrong unless GUEST_HDRLEN is negotiated): a receiver gets the
	 * header length we found instead of whatever the sender claimed.
	 */
	f->hdr_len = lay.hlen;
	return true;
}

/* One TX chain: 0 (sent or dropped), or -EFAULT when its memory vanished. */
static int tx_one(struct virtio_net *n, const struct virtq_chain *ch)
{
	const struct virtq_mem_ops *mem = n->dev.mem;
	struct net_frame f;
	uint64_t off = 0;

	if (ch->writable_len || ch->readable_len < VIRTIO_NET_HDR_SIZE ||
	    ch->readable_len > sizeof(n->tx_buf)) {
		n->stats.tx_errors++;
		return 0;
	}
	for (unsigned int i = 0; i < ch->nreadable; i++) {
		const struct virtq_seg *s = &n->tx_seg[i];

		if (s->len > sizeof(n->tx_buf) - off)
			return -EFAULT;
		if (mem->read(mem->ctx, s->gpa, n->tx_buf + off, s->len))
			return -EFAULT;
		off += s->len;
	}
	if (off != ch->readable_len || !tx_parse(n, (uint32_t)off, &f)) {
		n->stats.tx_errors++;
		return 0;
	}
	if (vswitch_forward(n->sw, &n->port, &f, n->clock_ns()) < 0) {
		n->stats.tx_errors++;
		return 0;
	}
	n->stats.tx_packets++;
	n->stats.tx_bytes += f.len;
	return 0;
}

/* The transmit queue was notified; its lock is held. */
static void tx_process(struct virtio_net *n)
{
	struct virtq *vq = &n->queues[VIRTIO_NET_TXQ].vq;
	const char *why = "virtio-net transmit queue error";
	struct virtq_chain ch;
	unsigned int pushed = 0;
	int r;

	for (;;) {
		r = vq_set_notify(vq, false);
		while (r >= 0 && (r = vq_pop(vq, n->tx_seg, VIRTIO_NET_MAX_SEG, &ch)) == 1) {
			if (tx_one(n, &ch)) {
				why = "virtio-net transmit buffer no longer readable";
				goto fail;
			}
			if (vq_push(vq, ch.head, 0)) {
				why = "virtio-net transmit used ring push failed";
				goto fail;
			}
			if (++pushed == NOTIFY_BATCH) {
				virtio_queue_used(&n->dev, VIRTIO_NET_TXQ);
				pushed = 0;
			}
		}
		if (r < 0)
			goto fail;
		if (pushed)
			virtio_queue_used(&n->dev, VIRTIO_NET_TXQ);
		pushed = 0;
		/* A chain added after our last pop but before this is ours to take. */
		r = vq_set_notify(vq, true);
		if (r < 0)
			goto fail;
		if (r == 0)
			return;
	}
fail:
	/* The walker's reason is the precise one when it broke the queue. */
	virtio_dev_fail(&n->dev, vq_reason(vq) ? vq_reason(vq) : why);
}

static void net_queue_notify(struct virtio_dev *d, unsigned int q)
{
	struct virtio_net *n = to_net(d);

	if (q == VIRTIO_NET_TXQ)
		tx_process(n);
	else if (q == VIRTIO_NET_RXQ)
		/*
		 * New receive buffers: nothing waits for them (frames that found
		 * none were dropped), so stop the guest from telling us.
		 */
		(void)vq_set_notify(&n->queues[VIRTIO_NET_RXQ].vq, false);
}

/* Where a receive packet's bytes go, while it is spread over chains. */
struct rx_pos {
	const uint8_t *hdr;
	const struct net_frame *f;
	uint32_t off, total;
	gpa_t num_buffers[2];	/* where the header's num_buffers bytes landed */
};

/* Writes the next bytes of the packet into the chain in rx_seg: bytes written, or -EFAULT. */
static int64_t rx_fill_chain(struct virtio_net *n, const struct virtq_chain *ch, struct rx_pos *p)
{
	const struct virtq_mem_ops *mem = n->dev.mem;
	uint32_t written = 0;

	for (unsigned int i = 0; i < ch->nseg && p->off < p->total; i++) {
		const struct virtq_seg *s = &n->rx_seg[i];

		for (uint32_t pos = 0; pos < s->len && p->off < p->total;) {
			const uint8_t *src;
			uint32_t k;

			if (p->off < VIRTIO_NET_HDR_SIZE) {
				k = MIN(s->len - pos, VIRTIO_NET_HDR_SIZE - p->off);
				src = p->hdr + p->off;
				for (uint32_t b = 0; b < 2; b++)
					if (p->off <= VIRTIO_NET_HDR_NUM_BUFFERS + b &&
					    VIRTIO_NET_HDR_NUM_BUFFERS + b < p->off + k)
						p->num_buffers[b] = gpa(s->gpa.v + pos +
							VIRTIO_NET_HDR_NUM_BUFFERS + b - p->off);
			} else {
				k = MIN(s->len - pos, p->total - p->off);
				src = p->f->data + (p->off - VIRTIO_NET_HDR_SIZE);
			}
			if (mem->write(mem->ctx, gpa(s->gpa.v + pos), src, k))
				return -EFAULT;
			pos += k;
			p->off += k;
			written += k;
		}
	}
	return written;
}

static int rx_fault(struct virtio_net *n, const char *why)
{
	struct virtq *vq = &n->queues[VIRTIO_NET_RXQ].vq;

	virtio_dev_fail(&n->dev, vq_reason(vq) ? vq_reason(vq) : why);
	n->stats.rx_dropped++;
	return -ENODEV;
}

/* Gives back the chains of a packet we could not place. */
static int rx_give_back(struct virtio_net *n, unsigned int nchains)
{
	if (vq_unpop(&n->queues[VIRTIO_NET_RXQ].vq, nchains))
		return rx_fault(n, "virtio-net receive queue error");
	return 0;
}

/* One finished frame (offloads the guest accepts left in) into the guest's buffers. */
static int rx_frame(struct virtio_net *n, const struct net_frame *f, unsigned int *pending)
{
	struct virtio_dev *d = &n->dev;
	struct virtq *vq = &n->queues[VIRTIO_NET_RXQ].vq;
	bool mrg = virtio_has_feature(d, VIRTIO_NET_F_MRG_RXBUF);
	uint8_t hdr[VIRTIO_NET_HDR_SIZE] = { 0 }, nb[2];
	struct rx_pos p = { .hdr = hdr, .f = f, .total = VIRTIO_NET_HDR_SIZE + f->len };
	struct virtq_chain ch;
	unsigned int nchains = 0;
	int64_t w;
	int r;

	if (f->needs_csum) {
		hdr[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		put_le16(hdr + VIRTIO_NET_HDR_CSUM_START, f->csum_start);
		put_le16(hdr + VIRTIO_NET_HDR_CSUM_OFFSET, f->csum_offset);
	} else if (f->data_valid && virtio_has_feature(d, VIRTIO_NET_F_GUEST_CSUM)) {
		hdr[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_DATA_VALID;
	}
	if (f->gso_type != NET_GSO_NONE) {
		hdr[VIRTIO_NET_HDR_GSO_TYPE] = (f->gso_type == NET_GSO_TCPV4 ?
			VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6) |
			(f->gso_ecn ? VIRTIO_NET_HDR_GSO_ECN : 0);
		put_le16(hdr + VIRTIO_NET_HDR_HDR_LEN, f->hdr_len);
		put_le16(hdr + VIRTIO_NET_HDR_GSO_SIZE, f->gso_size);
	}
	put_le16(hdr + VIRTIO_NET_HDR_NUM_BUFFERS, 1);

	while (p.off < p.total) {
		if (nchains == ARRAY_SIZE(n->rx_used)) {
			n->stats.rx_dropped++;
			return rx_give_back(n, nchains) ? -ENODEV : -EMSGSIZE;
		}
		r = vq_pop(vq, n->rx_seg, VIRTIO_NET_MAX_SEG, &ch);
		if (r < 0)
			return rx_fault(n, "virtio-net receive queue error");
		if (r == 0) {
			n->stats.rx_no_buffer++;
			return rx_give_back(n, nchains) ? -ENODEV : -ENOBUFS;
		}
		if (ch.nreadable)
			return rx_fault(n, "virtio-net receive buffer is device-readable");
		/* 5.1.6.3.1: with MRG_RXBUF every buffer holds at least a header. */
		if (mrg && ch.writable_len < VIRTIO_NET_HDR_SIZE)
			return rx_fault(n, "virtio-net receive buffer smaller than the header");
		if (!mrg && ch.writable_len < p.total) {
			/* Too small for this frame, maybe not for the next one. */
			n->stats.rx_dropped++;
			return rx_give_back(n, nchains + 1) ? -ENODEV : -EMSGSIZE;
		}
		w = rx_fill_chain(n, &ch, &p);
		if (w < 0)
			return rx_fault(n, "virtio-net receive buffer no longer writable");
		n->rx_used[nchains++] = (struct virtq_used_elem){ ch.head, (uint32_t)w };
	}
	if (mrg && nchains > 1) {
		put_le16(nb, (uint16_t)nchains);
		for (int b = 0; b < 2; b++)
			if (d->mem->write(d->mem->ctx, p.num_buffers[b], &nb[b], 1))
				return rx_fault(n, "virtio-net receive buffer no longer writable");
	}
	/* Keep the pushes between two vq_need_notify() calls within a queue size. */
	if (*pending && *pending + nchains > NOTIFY_BATCH) {
		virtio_queue_used(d, VIRTIO_NET_RXQ);
		*pending = 0;
	}
	if (vq_push_n(vq, n->rx_used, nchains))
		return rx_fault(n, "virtio-net receive used ring push failed");
	n->stats.rx_packets++;
	n->stats.rx_bytes += f->len;
	*pending += nchains;
	if (*pending >= NOTIFY_BATCH) {
		virtio_queue_used(d, VIRTIO_NET_RXQ);
		*pending = 0;
	}
	return 0;
}

struct rx_emit_ctx {
	struct virtio_net *n;
	unsigned int *pending;
};

static int rx_emit(void *ctx, const struct net_frame *seg)
{
	struct rx_emit_ctx *c = ctx;

	return rx_frame(c->n, seg, c->pending);
}

/* Whether the guest takes f's segmentation as it is. */
static bool guest_takes_gso(struct virtio_dev *d, const struct net_frame *f)
{
	if (f->gso_ecn && !virtio_has_feature(d, VIRTIO_NET_F_GUEST_ECN))
		return false;
	if (f->gso_type == NET_GSO_TCPV4)
		return virtio_has_feature(d, VIRTIO_NET_F_GUEST_TSO4);
	return f->gso_type == NET_GSO_TCPV6 && virtio_has_feature(d, VIRTIO_NET_F_GUEST_TSO6);
}

/* The offloads of f the guest did not accept, done here; then into its buffers. */
static int rx_deliver_locked(struct virtio_net *n, const struct net_frame *f, unsigned int *pending)
{
	struct virtio_dev *d = &n->dev;
	struct rx_emit_ctx c = { n, pending };
	struct net_frame g;
	int r;

	/*
	 * Whatever port sent it, the offload state this guest may be handed
	 * must match the bytes: one guest's header never confuses another.
	 */
	if (f->len > sizeof(n->rx_buf) || net_offload_check(f)) {
		n->stats.rx_errors++;
		return -EINVAL;
	}
	if (f->gso_type != NET_GSO_NONE && !guest_takes_gso(d, f)) {
		r = net_tso_segment(f, n->rx_buf, sizeof(n->rx_buf), rx_emit, &c);
		if (r == -EINVAL || r == -ENOSPC)
			n->stats.rx_errors++;
		return r < 0 ? r : 0;
	}
	if (f->needs_csum && !virtio_has_feature(d, VIRTIO_NET_F_GUEST_CSUM)) {
		memcpy(n->rx_buf, f->data, f->len);
		if (net_csum_complete(n->rx_buf, f->len, f->csum_start, f->csum_offset)) {
			n->stats.rx_errors++;
			return -EINVAL;
		}
		g = *f;
		g.data = n->rx_buf;
		g.needs_csum = false;
		g.data_valid = true;
		return rx_frame(n, &g, pending);
	}
	return rx_frame(n, f, pending);
}

/* The switch's delivery, on the sender's vCPU (its TX lock held). */
static int net_deliver(struct vswitch_port *port, const struct net_frame *f)
{
	struct virtio_net *n = port_to_net(port);
	struct virtio_dev *d = &n->dev;
	struct virtio_queue *q = &n->queues[VIRTIO_NET_RXQ];
	unsigned int pending = 0;
	int r;

	virtio_queue_lock(d, VIRTIO_NET_RXQ);
	if (!READ_ONCE(n->running) || d->failed || !q->enabled || !q->vq.ready) {
		n->stats.rx_dropped++;
		r = -ENODEV;
	} else {
		r = rx_deliver_locked(n, f, &pending);
		if (pending)
			virtio_queue_used(d, VIRTIO_NET_RXQ);
	}
	virtio_queue_unlock(d, VIRTIO_NET_RXQ);
	return r;
}

static const struct virtio_dev_ops net_ops = {
	.device_id = VIRTIO_ID_NET,
	.features = net_features,
	.features_ok = net_features_ok,
	.config_read = net_config_read,
	.config_write = NULL,
	.queue_notify = net_queue_notify,
	.reset = net_reset,
	.driver_ok = net_driver_ok,
};

static const struct vswitch_port_ops net_port_ops = {
	.deliver = net_deliver,
};

int virtio_net_init(struct virtio_net *n, const char *name, const uint8_t mac[ETH_ALEN],
		    struct vswitch *sw, const struct virtq_mem_ops *mem, uint64_t (*clock_ns)(void))
{
	int err;

	memset(n, 0, sizeof(*n));
	err = vswitch_add_port(sw, &n->port, name, &net_port_ops);
	if (err)
		return err;
	vswitch_port_set_mac(&n->port, mac);
	n->sw = sw;
	memcpy(n->mac, mac, ETH_ALEN);
	n->clock_ns = clock_ns;
	n->dev.ops = &net_ops;
	n->dev.name = n->port.name;
	n->dev.config_size = VIRTIO_NET_CONFIG_SIZE;
	n->dev.num_queues = VIRTIO_NET_QUEUES;
	n->dev.queues = n->queues;
	n->dev.mem = mem;
	for (unsigned int i = 0; i < VIRTIO_NET_QUEUES; i++) {
		spin_lock_init(&n->queues[i].lock);
		n->queues[i].max_size = VIRTIO_NET_QUEUE_SIZE;
		n->queues[i].msix_vector = VIRTIO_MSI_NO_VECTOR;
	}
	return 0;
}
