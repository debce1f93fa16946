/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_NET_H
#define VMM_VIRTIO_NET_H

/*
 * virtio-net (virtio 1.x 5.1): a guest NIC that is one port of a virtual
 * switch. One queue pair, no control queue. What the guest transmits is
 * gathered into the device's own buffer, checked, and forwarded on the
 * transmitting vCPU; what the switch delivers is written straight into the
 * receiving guest's buffers on the sender's vCPU, under the receiver's
 * receive-queue lock. Offloads the receiving guest did not accept (partial
 * checksums, TCP segmentation) are finished in software on the way.
 */
#include <plinth/types.h>
#include <plinth/virtio_net_regs.h>
#include <vmm/net/ether.h>
#include <vmm/net/vswitch.h>
#include <vmm/virtio/virtio.h>


#define VIRTIO_NET_RXQ			0
#define VIRTIO_NET_TXQ			1
#define VIRTIO_NET_QUEUES		2
#define VIRTIO_NET_QUEUE_SIZE		256
/* Segments per chain we walk; a longer chain is a ring error (Linux uses < 20). */
#define VIRTIO_NET_MAX_SEG		VIRTIO_NET_QUEUE_SIZE

/* Counters of one device; updated under its queue locks, read racily. */
struct virtio_net_stats {
	uint64_t tx_packets, tx_bytes;	/* handed to the switch */
	uint64_t tx_errors;		/* malformed header, chain or frame: dropped */
	uint64_t rx_packets, rx_bytes;	/* written to the guest (per segment) */
	uint64_t rx_dropped;		/* device not running, or frame fits no chain */
	uint64_t rx_no_buffer;		/* the guest had no receive buffer */
	uint64_t rx_errors;		/* offload state not matching the frame: dropped */
};

struct virtio_net {
	struct virtio_dev dev;
	struct vswitch_port port;
	struct vswitch *sw;
	uint8_t mac[ETH_ALEN];
	uint64_t (*clock_ns)(void);	/* monotonic, for the switch's ageing */
	bool running;			/* DRIVER_OK seen since the last reset */
	struct virtio_queue queues[VIRTIO_NET_QUEUES];
	struct virtio_net_stats stats;
	/* Under the TX queue lock: the chain being sent, header first. */
	struct virtq_seg tx_seg[VIRTIO_NET_MAX_SEG];
	uint8_t tx_buf[VIRTIO_NET_HDR_SIZE + NET_FRAME_MAX];
	/* Under the RX queue lock: chains being filled, and a frame being finished. */
	struct virtq_seg rx_seg[VIRTIO_NET_MAX_SEG];
	struct virtq_used_elem rx_used[VIRTIO_NET_QUEUE_SIZE];
	uint8_t rx_buf[NET_FRAME_MAX];
};

/*
 * Sets up n (zeroed by this call) as a NIC with address mac on port name of
 * sw, reaching its guest's RAM through mem. The transport is attached
 * afterwards (n->dev.transport). -ENOSPC if the switch has no free port.
 */
int virtio_net_init(struct virtio_net *n, const char *name, const uint8_t mac[ETH_ALEN],
		    struct vswitch *sw, const struct virtq_mem_ops *mem,
		    uint64_t (*clock_ns)(void));

/* The feature bits offered (for the transport's tests and the log). */
uint64_t virtio_net_features(void);

#endif
