/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_NET_VSWITCH_H
#define VMM_NET_VSWITCH_H

/*
 * An L2 learning bridge between the virtual NICs of partitions, a
 * physical NIC (the switch's uplink, uplink.h) and Plinth's own interface
 * (its host port, host_port.h).
 *
 * Each port belongs to a device that hands the switch the frames it sends
 * (vswitch_forward(): a guest's virtio-net on the sending vCPU, the uplink
 * and the host port on their threads) and receives frames through its
 * deliver op, on the sender's CPU; the uplink and the host port only queue
 * there. The
 * switch learns which port each unicast source MAC lives behind and sends
 * unicast there; broadcast, multicast and unknown unicast go to every port
 * but the one it came from. A frame never goes back to its ingress port, so
 * a device's TX path never re-enters its own RX path.
 *
 * Ports come and go with partitions (vmm/core/lifecycle.c), from one
 * thread at a time, while frames flow: senders read the port array without
 * a lock, and a removal waits until no sender can still see the old port
 * (vswitch_remove_port()). The MAC table has its own lock, held only for a
 * lookup and an update, never across a delivery.
 */
#include <plinth/spinlock.h>
#include <plinth/types.h>
#include <vmm/net/ether.h>
#include <vmm/net/frame.h>

#define VSWITCH_MAX_PORTS	32
#define VSWITCH_NAME_MAX	32
/*
 * The MAC table is set-associative: a MAC hashes to one bucket of
 * VSWITCH_MAC_WAYS entries, and a full bucket evicts its least recently
 * seen entry. Bounded work per frame, whatever MACs a guest invents.
 */
#define VSWITCH_MAC_WAYS	4
#define VSWITCH_MAC_BUCKETS	256
#define VSWITCH_MAC_ENTRIES	(VSWITCH_MAC_WAYS * VSWITCH_MAC_BUCKETS)
#define VSWITCH_AGEING_NS	(300ULL * 1000000000ULL)

struct vswitch;
struct vswitch_port;

struct vswitch_port_ops {
	/*
	 * Hand f to the port's guest. f and its bytes are valid only during
	 * the call. 0 if delivered, -ENOBUFS if the guest had no room, any
	 * other negative errno if the port refused it (link down, not ready).
	 */
	int (*deliver)(struct vswitch_port *p, const struct net_frame *f);
};

/* What the switch saw on one port; updated atomically, read racily. */
struct vswitch_port_stats {
	uint64_t rx_packets, rx_bytes;	/* accepted from the port */
	uint64_t tx_packets, tx_bytes;	/* delivered to the port */
	uint64_t drop_filtered;		/* rx: unicast back to its ingress; tx: refused */
	uint64_t drop_no_buffer;	/* tx: the port's guest had no buffer */
	uint64_t drop_malformed;	/* rx: too short, too long, multicast source */
};

struct vswitch_port {
	char name[VSWITCH_NAME_MAX];
	const struct vswitch_port_ops *ops;
	struct vswitch *sw;
	unsigned int index;
	/* The address of the NIC behind the port; an uplink has none of its own. */
	uint8_t mac[ETH_ALEN];
	bool has_mac;
	struct vswitch_port_stats stats;
};

struct vswitch_mac_entry {
	uint8_t mac[ETH_ALEN];
	uint8_t port;		/* index into vswitch.ports */
	bool used;
	uint64_t seen_ns;
};

struct vswitch {
	char name[VSWITCH_NAME_MAX];
	unsigned int nports;
	struct vswitch_port *ports[VSWITCH_MAX_PORTS];
	uint64_t ageing_ns;
	spinlock_t lock;	/* the MAC table */
	struct vswitch_mac_entry table[VSWITCH_MAC_ENTRIES];
	/* Senders in vswitch_forward(), by the epoch they entered in (bit 0 of epoch). */
	unsigned int epoch;
	unsigned int inflight[2];
};

/* An empty switch, ageing after VSWITCH_AGEING_NS. */
void vswitch_init(struct vswitch *sw, const char *name);
void vswitch_set_ageing(struct vswitch *sw, uint64_t ageing_ns);

/* -ENOSPC when VSWITCH_MAX_PORTS are attached. One adder or remover at a time. */
int vswitch_add_port(struct vswitch *sw, struct vswitch_port *p, const char *name,
		     const struct vswitch_port_ops *ops);

/*
 * Learns f's source MAC on ingress at now_ns (monotonic) and delivers f to
 * its destination port(s). Returns how many ports took the frame, or
 * -EINVAL for a malformed frame (counted on ingress, nothing learned).
 */
/*
 * Takes p off the switch (a partition deleted, or refused after its NIC was
 * set up) and returns once no sender can still deliver to it: p may then be
 * freed. Frames may flow meanwhile; it spins only for senders already in
 * vswitch_forward(), so never call it from inside a port's deliver op.
 */
void vswitch_remove_port(struct vswitch *sw, struct vswitch_port *p);

int vswitch_forward(struct vswitch *sw, struct vswitch_port *ingress, const struct net_frame *f,
		    uint64_t now_ns);

/* Records the address of the NIC behind p, for vswitch_port_with_mac(). */
void vswitch_port_set_mac(struct vswitch_port *p, const uint8_t mac[ETH_ALEN]);
/*
 * The port whose NIC has address mac, or NULL: two NICs with one address
 * on a LAN would steal each other's frames, so set-up refuses the second.
 */
struct vswitch_port *vswitch_port_with_mac(struct vswitch *sw, const uint8_t mac[ETH_ALEN]);

/* The port mac is learned on at now_ns, or -ENOENT (tests, diagnostics). */
int vswitch_lookup(struct vswitch *sw, const uint8_t mac[ETH_ALEN], uint64_t now_ns);

/* The bucket a MAC hashes to (exposed so tests can build collisions). */
unsigned int vswitch_mac_bucket(const uint8_t mac[ETH_ALEN]);

#endif
