// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <plinth/bytes.h>
#include "vnet_fixture.h"

uint64_t vg_now;

#define Q_AT(q)		(VG_RAM_BASE + (uint64_t)(q) * 0x10000)
#define DESC_AT(q)	Q_AT(q)
#define AVAIL_AT(q)	(Q_AT(q) + 0x4000)
#define USED_AT(q)	(Q_AT(q) + 0x8000)

static uint64_t clock_ns(void)
{
	return vg_now;
}

static struct vnet_guest *of(struct virtio_dev *d)
{
	return d->transport_ctx;
}

static void t_queue_irq(struct virtio_dev *d, unsigned int q)
{
	of(d)->irqs[q]++;
}

static void t_config_irq(struct virtio_dev *d)
{
	(void)d;
}

static void t_fail(struct virtio_dev *d, const char *reason)
{
	of(d)->fails++;
	of(d)->fail_reason = reason;
}

int vg_features_ok(struct vnet_guest *g, uint64_t features)
{
	struct virtio_dev *d = &g->net->dev;

	d->features = (features & d->ops->features(d)) | 1ULL << VIRTIO_F_VERSION_1;
	return d->ops->features_ok ? d->ops->features_ok(d) : 0;
}

void vg_init(struct vnet_guest *g, struct vswitch *sw, const char *name, const uint8_t mac[6],
	     uint64_t features)
{
	struct virtio_dev *d;

	memset(g, 0, sizeof(*g));
	vq_ram_init(&g->ram, VG_RAM_BASE, VG_RAM_SIZE);
	g->net = calloc(1, sizeof(*g->net));
	if (!g->net || virtio_net_init(g->net, name, mac, sw, &g->ram.ops, clock_ns))
		abort();
	d = &g->net->dev;
	g->tops = (struct virtio_transport_ops){ t_queue_irq, t_config_irq, t_fail };
	d->transport = &g->tops;
	d->transport_ctx = g;
	if (vg_features_ok(g, features))
		abort();
	for (unsigned int q = 0; q < VIRTIO_NET_QUEUES; q++) {
		struct virtq_config cfg = { .size = VG_QSIZE, .desc = gpa(DESC_AT(q)),
					    .avail = gpa(AVAIL_AT(q)), .used = gpa(USED_AT(q)) };

		if (vq_init(&d->queues[q].vq, &cfg, &g->ram.ops))
			abort();
		d->queues[q].enabled = true;
	}
	g->buf_next = VG_BUF_AT;
	d->ops->driver_ok(d);
}

void vg_reset(struct vnet_guest *g, uint64_t features)
{
	struct virtio_dev *d = &g->net->dev;

	for (unsigned int q = 0; q < VIRTIO_NET_QUEUES; q++)
		virtio_queue_lock(d, q);
	d->ops->reset(d);
	for (unsigned int q = 0; q < VIRTIO_NET_QUEUES; q++)
		vq_reset(&d->queues[q].vq);
	d->failed = false;
	if (vg_features_ok(g, features))
		abort();
	for (int q = VIRTIO_NET_QUEUES - 1; q >= 0; q--)
		virtio_queue_unlock(d, (unsigned int)q);
	memset(g->ram.mem, 0, VG_BUF_AT - VG_RAM_BASE);
	memset(g->irqs, 0, sizeof(g->irqs));
	memset(g->avail_idx, 0, sizeof(g->avail_idx));
	memset(g->used_seen, 0, sizeof(g->used_seen));
	memset(g->next_desc, 0, sizeof(g->next_desc));
	memset(&g->net->stats, 0, sizeof(g->net->stats));
	memset(&g->net->port.stats, 0, sizeof(g->net->port.stats));
	g->fails = 0;
	g->fail_reason = NULL;
	g->rx_outstanding = 0;
	g->lenient = false;
	g->buf_next = VG_BUF_AT;
	d->ops->driver_ok(d);
}

void vg_free(struct vnet_guest *g)
{
	free(g->net);
	vq_ram_free(&g->ram);
}

void vg_notify(struct vnet_guest *g, unsigned int q)
{
	struct virtio_dev *d = &g->net->dev;

	virtio_queue_lock(d, q);
	if (!d->failed)
		d->ops->queue_notify(d, q);
	virtio_queue_unlock(d, q);
}

static uint64_t alloc_buf(struct vnet_guest *g, uint32_t len)
{
	uint64_t at;

	if (g->buf_next + len > VG_RAM_BASE + VG_RAM_SIZE)
		g->buf_next = VG_BUF_AT;
	at = g->buf_next;
	g->buf_next += (len + 15) & ~15u;
	return at;
}

uint16_t vg_add_chain(struct vnet_guest *g, unsigned int q, unsigned int nseg,
		      const uint32_t *lens, const uint8_t *const *data, bool writable)
{
	uint16_t head = g->next_desc[q] % VG_QSIZE;

	for (unsigned int i = 0; i < nseg; i++) {
		uint16_t idx = (uint16_t)((head + i) % VG_QSIZE);
		uint64_t d = DESC_AT(q) + (uint64_t)idx * VIRTQ_DESC_SIZE;
		uint64_t at = alloc_buf(g, lens[i]);

		if (data && data[i])
			memcpy(g->ram.mem + (at - VG_RAM_BASE), data[i], lens[i]);
		vq_ram_put64(&g->ram, d, at);
		vq_ram_put32(&g->ram, d + 8, lens[i]);
		vq_ram_put16(&g->ram, d + 12, (uint16_t)((i + 1 < nseg ? VIRTQ_DESC_F_NEXT : 0) |
					       (writable ? VIRTQ_DESC_F_WRITE : 0)));
		vq_ram_put16(&g->ram, d + 14, (uint16_t)((idx + 1) % VG_QSIZE));
	}
	g->next_desc[q] = (uint16_t)((head + nseg) % VG_QSIZE);
	g->chain_nseg[q][head] = (uint8_t)nseg;
	if (q == VIRTIO_NET_RXQ)
		g->rx_outstanding += nseg;
	vq_ram_put16(&g->ram, AVAIL_AT(q) + 4 + 2 * (g->avail_idx[q] % VG_QSIZE), head);
	vq_ram_put16(&g->ram, AVAIL_AT(q) + 2, ++g->avail_idx[q]);
	return head;
}

void vg_post_rx(struct vnet_guest *g, unsigned int n, uint32_t size, unsigned int nseg)
{
	uint32_t lens[16];

	for (unsigned int i = 0; i < nseg; i++)
		lens[i] = size / nseg + (i == nseg - 1 ? size % nseg : 0);
	for (unsigned int i = 0; i < n; i++)
		vg_add_chain(g, VIRTIO_NET_RXQ, nseg, lens, NULL, true);
}

void vg_hdr(uint8_t *hdr, uint8_t flags, uint8_t gso, uint16_t hdr_len, uint16_t gso_size,
	    uint16_t csum_start, uint16_t csum_offset)
{
	memset(hdr, 0, VIRTIO_NET_HDR_SIZE);
	hdr[VIRTIO_NET_HDR_FLAGS] = flags;
	hdr[VIRTIO_NET_HDR_GSO_TYPE] = gso;
	put_le16(hdr + VIRTIO_NET_HDR_HDR_LEN, hdr_len);
	put_le16(hdr + VIRTIO_NET_HDR_GSO_SIZE, gso_size);
	put_le16(hdr + VIRTIO_NET_HDR_CSUM_START, csum_start);
	put_le16(hdr + VIRTIO_NET_HDR_CSUM_OFFSET, csum_offset);
}

void vg_send(struct vnet_guest *g, const uint8_t *hdr, const uint8_t *frame, uint32_t len,
	     unsigned int nseg)
{
	uint32_t lens[16];
	const uint8_t *data[16];
	uint32_t per = nseg > 1 ? len / (nseg - 1) : 0;

	/* The header alone first, as Linux lays a TX chain out, then the frame. */
	lens[0] = VIRTIO_NET_HDR_SIZE;
	data[0] = hdr;
	if (nseg == 1) {
		static uint8_t one[VIRTIO_NET_HDR_SIZE + NET_FRAME_MAX + 64];

		memcpy(one, hdr, VIRTIO_NET_HDR_SIZE);
		memcpy(one + VIRTIO_NET_HDR_SIZE, frame, len);
		lens[0] += len;
		data[0] = one;
	}
	for (unsigned int i = 1; i < nseg; i++) {
		lens[i] = per + (i == nseg - 1 ? len % (nseg - 1) : 0);
		data[i] = frame + (i - 1) * per;
	}
	vg_add_chain(g, VIRTIO_NET_TXQ, nseg, lens, data, false);
	vg_notify(g, VIRTIO_NET_TXQ);
}

unsigned int vg_used_pending(struct vnet_guest *g, unsigned int q)
{
	return (uint16_t)(vq_ram_get16(&g->ram, USED_AT(q) + 2) - g->used_seen[q]);
}

/* Copies up to max bytes of the next used chain on RX into out; its used length. */
static uint32_t take_used(struct vnet_guest *g, uint8_t *out, uint32_t max)
{
	uint64_t e = USED_AT(VIRTIO_NET_RXQ) + 4 + 8 * (g->used_seen[VIRTIO_NET_RXQ] % VG_QSIZE);
	uint32_t head = vq_ram_get32(&g->ram, e), len = vq_ram_get32(&g->ram, e + 4), done = 0;

	g->used_seen[VIRTIO_NET_RXQ]++;
	if (g->lenient && (head >= VG_QSIZE || len > max))
		return 0;
	if (head >= VG_QSIZE)
		abort();
	g->rx_outstanding -= MIN(g->rx_outstanding, g->chain_nseg[VIRTIO_NET_RXQ][head]);
	for (unsigned int i = 0; i < g->chain_nseg[VIRTIO_NET_RXQ][head] && done < len; i++) {
		uint64_t d = DESC_AT(VIRTIO_NET_RXQ) + ((head + i) % VG_QSIZE) * VIRTQ_DESC_SIZE;
		uint64_t at = vq_ram_get32(&g->ram, d) |
			      (uint64_t)vq_ram_get32(&g->ram, d + 4) << 32;
		uint32_t l = vq_ram_get32(&g->ram, d + 8), k = l < len - done ? l : len - done;

		if (g->lenient && (k > max - done || !vq_ram_contains(&g->ram, at, k)))
			return done;
		if (k > max - done)
			abort();
		memcpy(out + done, g->ram.mem + (at - VG_RAM_BASE), k);
		done += k;
	}
	if (done != len && !g->lenient)
		abort();
	return done;
}

uint32_t vg_recv(struct vnet_guest *g, uint8_t *out, uint32_t max, unsigned int *nbufs)
{
	uint32_t total;
	unsigned int nb;

	if (!vg_used_pending(g, VIRTIO_NET_RXQ))
		return 0;
	total = take_used(g, out, max);
	if (g->lenient && total < VIRTIO_NET_HDR_SIZE) {
		*nbufs = 1;
		return total ? total : 1;
	}
	if (total < VIRTIO_NET_HDR_SIZE)
		abort();
	nb = get_le16(out + VIRTIO_NET_HDR_NUM_BUFFERS);
	if (nb == 0 && !g->lenient)
		abort();
	for (unsigned int i = 1; i < nb; i++) {
		/* All of a packet's buffers are published together. */
		if (g->lenient && !vg_used_pending(g, VIRTIO_NET_RXQ))
			break;
		if (!vg_used_pending(g, VIRTIO_NET_RXQ))
			abort();
		total += take_used(g, out + total, max - total);
	}
	*nbufs = nb;
	return total;
}
