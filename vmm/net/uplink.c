// SPDX-License-Identifier: GPL-2.0
/*
 * Switch uplink (see uplink.h). Both directions run on the uplink's thread
 * except the switch's deliveries, which only queue. The NIC's receive
 * callback runs inside its poll and forwards into the switch at once: the
 * switch delivers to guests' queues and to rings, never back into this NIC,
 * so nothing nests.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/net/uplink.h>

/* The switch's delivery, on the sending vCPU: queue and wake, nothing more. */
static int uplink_deliver(struct vswitch_port *p, const struct net_frame *f)
{
	struct uplink *u = container_of(p, struct uplink, port);
	int ret = frame_ring_put(&u->txq, f);

	if (ret == 0 || ret == -ENOBUFS)
		u->wake(u->wake_ctx);
	return ret;
}

static const struct vswitch_port_ops uplink_port_ops = {
	.deliver = uplink_deliver,
};

static void uplink_rx(void *ctx, const void *frame, size_t len, const struct netdev_rx_meta *meta)
{
	struct uplink *u = ctx;
	struct net_frame f = {
		.data = frame,
		.len = (uint32_t)len,
		.data_valid = meta && meta->csum_valid,
	};

	if (vswitch_forward(u->sw, &u->port, &f, u->clock_ns()) < 0) {
		u->stats.rx_malformed++;
		return;
	}
	u->stats.rx_packets++;
	u->stats.rx_bytes += len;
}

int uplink_init(struct uplink *u, struct vswitch *sw, struct netdev *nic,
		struct frame_slot *slots, unsigned int nslots, uint64_t (*clock_ns)(void),
		void (*wake)(void *ctx), void *wake_ctx)
{
	int ret;

	memset(u, 0, sizeof(*u));
	if (!nic || !clock_ns || !wake)
		return -EINVAL;
	ret = frame_ring_init(&u->txq, slots, nslots);
	if (ret)
		return ret;
	ret = vswitch_add_port(sw, &u->port, nic->name, &uplink_port_ops);
	if (ret)
		return ret;
	u->sw = sw;
	u->nic = nic;
	u->clock_ns = clock_ns;
	u->wake = wake;
	u->wake_ctx = wake_ctx;
	return 0;
}

int uplink_open(struct uplink *u)
{
	struct netdev *nic = u->nic;
	int ret;

	nic->rx = uplink_rx;
	nic->rx_ctx = u;
	nic->notify_ctx = u->wake_ctx;
	__atomic_store_n(&nic->notify, u->wake, __ATOMIC_RELEASE);
	ret = nic->ops->open(nic);
	if (ret)
		return ret;
	u->promisc = nic->ops->set_promisc && nic->ops->set_promisc(nic, true) == 0;
	return 0;
}

/* Sends what the switch queued, oldest first, until the NIC's ring is full. */
static unsigned int transmit(struct uplink *u, unsigned int budget)
{
	struct netdev *nic = u->nic;
	struct frame_slot *s;
	unsigned int n = 0;

	while (n < budget && (s = frame_ring_peek(&u->txq))) {
		struct netdev_tx_meta meta = {
			.csum_partial = true,
			.csum_start = s->csum_start,
			.csum_offset = s->csum_offset,
		};
		bool offload = s->needs_csum && (nic->features & NETDEV_F_TX_CSUM);
		int ret = 0;

		if (s->needs_csum && !offload)
			ret = frame_slot_finish_csum(s);
		if (!ret)
			ret = nic->ops->xmit(nic, s->data, s->len, offload ? &meta : NULL);
		if (ret == -EAGAIN) {
			/* Stays queued: the NIC's next poll frees descriptors. */
			u->stats.tx_busy++;
			break;
		}
		if (ret) {
			u->stats.tx_errors++;
		} else {
			u->stats.tx_packets++;
			u->stats.tx_bytes += s->len;
		}
		frame_ring_pop(&u->txq);
		n++;
	}
	return n;
}

bool uplink_service(struct uplink *u, unsigned int budget)
{
	unsigned int sent = transmit(u, budget);
	unsigned int got = u->nic->ops->poll(u->nic, budget);

	/* The poll reclaimed descriptors: what waited on a full ring may go now. */
	if (sent < budget && frame_ring_peek(&u->txq))
		sent += transmit(u, budget - sent);
	return sent == budget || got == budget;
}
