/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_NET_UPLINK_H
#define VMM_NET_UPLINK_H

/*
 * A virtual switch's uplink: one physical NIC (plinth/netdev.h) as a port of
 * the switch, so its partitions and Plinth's own interface reach the
 * network outside, as an ESXi vSwitch's vmnic does. The NIC is put in
 * promiscuous mode, since every guest behind it has its own MAC.
 *
 * Frames the switch sends out are queued (frame_ring.h) on the sender's
 * vCPU and transmitted by the uplink's thread on Plinth's service CPU,
 * which also polls the NIC and forwards what it receives into the switch.
 * A full queue drops, counted, rather than hold a guest up.
 */
#include <plinth/netdev.h>
#include <vmm/net/frame_ring.h>
#include <vmm/net/vswitch.h>

struct uplink_stats {
	uint64_t tx_packets, tx_bytes;	/* handed to the NIC */
	uint64_t tx_busy;		/* the NIC's ring was full: retried later */
	uint64_t tx_errors;		/* refused by the NIC, or a bad checksum offset */
	uint64_t rx_packets, rx_bytes;	/* from the NIC into the switch */
	uint64_t rx_malformed;		/* refused by the switch */
};

struct uplink {
	struct vswitch_port port;
	struct vswitch *sw;
	struct netdev *nic;
	struct frame_ring txq;		/* switch -> NIC */
	uint64_t (*clock_ns)(void);
	/* Called after a frame is queued, from any CPU: wakes the uplink's thread. */
	void (*wake)(void *ctx);
	void *wake_ctx;
	bool promisc;			/* the NIC took set_promisc(true) */
	struct uplink_stats stats;
};

/*
 * Makes nic (already claimed by the caller) the uplink of sw, queueing
 * through slots[0..nslots). 0, -ENOSPC (no free switch port) or -EINVAL.
 */
int uplink_init(struct uplink *u, struct vswitch *sw, struct netdev *nic,
		struct frame_slot *slots, unsigned int nslots, uint64_t (*clock_ns)(void),
		void (*wake)(void *ctx), void *wake_ctx);

/*
 * On the uplink's thread, once: opens the NIC (its interrupts wake the
 * thread too) and asks for promiscuous mode; a NIC without it still
 * serves Plinth's interface, whose MAC is the NIC's. 0 or the open's errno.
 */
int uplink_open(struct uplink *u);

/*
 * One round of the thread: transmits up to @budget queued frames, then
 * polls the NIC for up to @budget received ones. Returns whether either
 * direction used its whole budget (more work may be waiting).
 */
bool uplink_service(struct uplink *u, unsigned int budget);

/* Frames still queued after a round: the NIC's ring was full. */
static inline bool uplink_tx_pending(struct uplink *u)
{
	return frame_ring_peek(&u->txq) != NULL;
}

#endif
