/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_NETDEV_H
#define PLINTH_NETDEV_H

/*
 * One interface for every Ethernet device Plinth drives (drivers/net/:
 * virtio-net, e1000) and for the virtual ports that stand in for them (a
 * switch's host port, vmm/net/). Its consumer is Plinth's network stack
 * (kernel/net/) or a virtual switch's uplink; one consumer per device.
 *
 * Threading: open, xmit, poll and close are called from one thread, the
 * consumer's, on SCHED_SERVICE_CPU. A driver's interrupt handler only calls
 * netdev_notify(), which wakes that thread; the thread then calls poll().
 * Frames are copied in both directions, so no buffer is shared with the
 * device beyond the call.
 */
#include <plinth/types.h>

#define NETDEV_NAME_MAX 16
#define NETDEV_MTU 1500
#define NETDEV_FRAME_MAX 1514	/* Ethernet header + MTU, no FCS, no VLAN tag */

/* Offloads the device does (nd->features). */
#define NETDEV_F_TX_CSUM (1u << 0)	/* completes a TCP/UDP checksum (netdev_tx_meta) */
#define NETDEV_F_RX_CSUM (1u << 1)	/* checks received TCP/UDP checksums (netdev_rx_meta) */

struct netdev_tx_meta {
	/*
	 * csum_partial: the stack left the L4 checksum field holding the
	 * pseudo-header sum; the device folds in bytes from csum_start on and
	 * stores the result at csum_start + csum_offset.
	 */
	bool csum_partial;
	uint16_t csum_start, csum_offset;
};

struct netdev_rx_meta {
	bool csum_valid;	/* the device checked the L4 checksum and found it good */
};

struct netdev_stats {
	uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
	uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
	uint64_t interrupts;
	uint64_t resets;	/* the driver reset the device after it reported nonsense */
};

struct netdev;

struct netdev_ops {
	/* Starts receiving; 0 or negative errno. */
	int (*open)(struct netdev *nd);
	/*
	 * Queues one frame (14..NETDEV_FRAME_MAX bytes), copied before it
	 * returns. 0; -EAGAIN when the transmit ring is full (try after the
	 * next poll); -EINVAL for a bad length; -EIO when the device is down.
	 */
	int (*xmit)(struct netdev *nd, const void *frame, size_t len,
		    const struct netdev_tx_meta *meta);
	/*
	 * Reclaims finished transmissions, handles link changes and device
	 * errors, and hands at most @budget received frames to nd->rx.
	 * Returns the number of frames delivered.
	 */
	unsigned int (*poll)(struct netdev *nd, unsigned int budget);
	void (*close)(struct netdev *nd);
	/*
	 * Optional (NULL: unsupported): receives frames for every address,
	 * for a switch uplink whose guests have MACs of their own. 0 or
	 * negative errno; kept across open/close and device resets.
	 */
	int (*set_promisc)(struct netdev *nd, bool on);
};

struct netdev {
	char name[NETDEV_NAME_MAX];	/* "eth0", given by netdev_register() */
	const char *driver;		/* "virtio-net", "e1000" */
	char bus_id[16];		/* "00:03.0"; "" for a virtual port */
	uint8_t mac[6];
	uint16_t mtu;
	uint32_t features;		/* NETDEV_F_* */
	bool link_up;
	struct netdev_stats stats;
	const struct netdev_ops *ops;
	void *priv;			/* the driver's */

	/* Set by the consumer before open(). */
	void (*rx)(void *ctx, const void *frame, size_t len, const struct netdev_rx_meta *meta);
	void *rx_ctx;
	void (*notify)(void *ctx);	/* from interrupt context: wake the polling thread */
	void *notify_ctx;
	bool claimed;			/* netdev_claim() */

	struct netdev *next;
};

/* Names the device ethN (N in registration order) and logs it; 0 or -EEXIST/-EINVAL. */
int netdev_register(struct netdev *nd);
/* Registers under a caller-chosen name (virtual ports): 0, -EEXIST or -EINVAL. */
int netdev_register_named(struct netdev *nd, const char *name);
struct netdev *netdev_find(const char *name);
/* Registered devices, in order. */
struct netdev *netdev_first(void);
/* Takes @nd for one consumer; -EBUSY when another has it. */
int netdev_claim(struct netdev *nd);
/* For drivers' interrupt handlers. */
static inline void netdev_notify(struct netdev *nd)
{
	void (*fn)(void *) = __atomic_load_n(&nd->notify, __ATOMIC_ACQUIRE);

	nd->stats.interrupts++;
	if (fn)
		fn(nd->notify_ctx);
}
/* For drivers: a link change, logged once per change. */
void netdev_set_link(struct netdev *nd, bool up);

#endif
