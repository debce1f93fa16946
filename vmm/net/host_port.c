// SPDX-License-Identifier: GPL-2.0
/*
 * A switch's host port (see host_port.h): a netdev whose "wire" is the
 * switch. The stack's lwIP makes and checks its own checksums, so frames
 * the guests left partial are finished here before it sees them.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/net/host_port.h>
#include <vmm/net/offload.h>

static int hp_deliver(struct vswitch_port *p, const struct net_frame *f)
{
	struct host_port *hp = container_of(p, struct host_port, port);
	int ret;

	if (!__atomic_load_n(&hp->open, __ATOMIC_ACQUIRE))
		return -ENETDOWN;
	ret = frame_ring_put(&hp->rxq, f);
	if (ret == 0 || ret == -ENOBUFS)
		netdev_notify(&hp->nd);
	return ret;
}

static const struct vswitch_port_ops hp_port_ops = {
	.deliver = hp_deliver,
};

static int hp_open(struct netdev *nd)
{
	struct host_port *hp = container_of(nd, struct host_port, nd);

	__atomic_store_n(&hp->open, true, __ATOMIC_RELEASE);
	netdev_set_link(nd, true);
	return 0;
}

static int hp_xmit(struct netdev *nd, const void *frame, size_t len,
		   const struct netdev_tx_meta *meta)
{
	struct host_port *hp = container_of(nd, struct host_port, nd);
	struct net_frame f = { .data = frame, .len = (uint32_t)len };

	if (len < ETH_HLEN || len > NETDEV_FRAME_MAX)
		return -EINVAL;
	if (!hp->open)
		return -EIO;
	if (meta && meta->csum_partial) {
		f.needs_csum = true;
		f.csum_start = meta->csum_start;
		f.csum_offset = meta->csum_offset;
		if (net_offload_check(&f))
			return -EINVAL;
	}
	/* Delivered or flooded to nobody, the frame has left the "wire". */
	if (vswitch_forward(hp->sw, &hp->port, &f, hp->clock_ns()) < 0) {
		nd->stats.tx_errors++;
		return -EINVAL;
	}
	nd->stats.tx_packets++;
	nd->stats.tx_bytes += len;
	return 0;
}

static unsigned int hp_poll(struct netdev *nd, unsigned int budget)
{
	struct host_port *hp = container_of(nd, struct host_port, nd);
	struct frame_slot *s;
	unsigned int n = 0;

	while (n < budget && (s = frame_ring_peek(&hp->rxq))) {
		if (frame_slot_finish_csum(s) == 0) {
			struct netdev_rx_meta meta = { .csum_valid = s->data_valid };

			nd->stats.rx_packets++;
			nd->stats.rx_bytes += s->len;
			if (nd->rx)
				nd->rx(nd->rx_ctx, s->data, s->len, &meta);
			n++;
		} else {
			nd->stats.rx_errors++;
		}
		frame_ring_pop(&hp->rxq);
	}
	return n;
}

static void hp_close(struct netdev *nd)
{
	struct host_port *hp = container_of(nd, struct host_port, nd);

	__atomic_store_n(&hp->open, false, __ATOMIC_RELEASE);
	netdev_set_link(nd, false);
}

static const struct netdev_ops hp_netdev_ops = {
	.open = hp_open,
	.xmit = hp_xmit,
	.poll = hp_poll,
	.close = hp_close,
};

int host_port_init(struct host_port *hp, struct vswitch *sw, const char *name,
		   const uint8_t mac[ETH_ALEN], struct frame_slot *slots, unsigned int nslots,
		   uint64_t (*clock_ns)(void))
{
	int ret;

	memset(hp, 0, sizeof(*hp));
	if (!clock_ns)
		return -EINVAL;
	ret = frame_ring_init(&hp->rxq, slots, nslots);
	if (ret)
		return ret;
	ret = vswitch_add_port(sw, &hp->port, name, &hp_port_ops);
	if (ret)
		return ret;
	vswitch_port_set_mac(&hp->port, mac);
	hp->sw = sw;
	hp->clock_ns = clock_ns;
	hp->nd.driver = "vswitch-port";
	hp->nd.mtu = NETDEV_MTU;
	memcpy(hp->nd.mac, mac, ETH_ALEN);
	hp->nd.ops = &hp_netdev_ops;
	hp->nd.priv = hp;
	return 0;
}
