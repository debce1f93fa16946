/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_NET_HOST_PORT_H
#define VMM_NET_HOST_PORT_H

/*
 * Plinth's own interface on a virtual switch, as vmk0 is on an ESXi
 * vSwitch: a port of the switch on one side and a network device
 * (plinth/netdev.h) named after the switch on the other, which Plinth's
 * stack (kernel/net/) takes when [net] says `switch = NAME`. With the
 * switch's uplink, one NIC carries both management traffic and guests'.
 *
 * What the stack sends goes into the switch on the stack's own thread.
 * What the switch delivers (on the sender's vCPU, or the uplink's thread)
 * is queued (frame_ring.h), and the stack's thread takes it in poll().
 */
#include <plinth/netdev.h>
#include <vmm/net/frame_ring.h>
#include <vmm/net/vswitch.h>

struct host_port {
	struct netdev nd;
	struct vswitch_port port;
	struct vswitch *sw;
	struct frame_ring rxq;		/* switch -> stack */
	uint64_t (*clock_ns)(void);
	bool open;
};

/*
 * Puts hp on sw as port @name with address mac, queueing through
 * slots[0..nslots). The caller registers hp->nd (netdev_register_named()).
 * 0, -ENOSPC (no free switch port) or -EINVAL.
 */
int host_port_init(struct host_port *hp, struct vswitch *sw, const char *name,
		   const uint8_t mac[ETH_ALEN], struct frame_slot *slots, unsigned int nslots,
		   uint64_t (*clock_ns)(void));

#endif
