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
#include <vmm/net/ether.h>
#include <vmm/net/vswitch.h>
#include <vmm/virtio/virtio.h>

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM		0	/* the device completes TX checksums */
#define VIRTIO_NET_F_GUEST_CSUM		1	/* the driver takes partial RX checksums */
#define VIRTIO_NET_F_MTU		3
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_GUEST_TSO4		7
#define VIRTIO_NET_F_GUEST_TSO6		8
#define VIRTIO_NET_F_GUEST_ECN		9
#define VIRTIO_NET_F_GUEST_UFO		10
#define VIRTIO_NET_F_HOST_TSO4		11
#define VIRTIO_NET_F_HOST_TSO6		12
#define VIRTIO_NET_F_HOST_ECN		13
#define VIRTIO_NET_F_HOST_UFO		14
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16
#define VIRTIO_NET_F_CTRL_VQ		17

/* struct virtio_net_hdr_v1 (5.1.6): always 12 bytes with VERSION_1. */
#define VIRTIO_NET_HDR_SIZE		12
#define VIRTIO_NET_HDR_FLAGS		0	/* u8 */
#define VIRTIO_NET_HDR_GSO_TYPE		1	/* u8 */
#define VIRTIO_NET_HDR_HDR_LEN		2	/* le16 */
#define VIRTIO_NET_HDR_GSO_SIZE		4	/* le16 */
#define VIRTIO_NET_HDR_CSUM_START	6	/* le16 */
#define VIRTIO_NET_HDR_CSUM_OFFSET	8	/* le16 */
#define VIRTIO_NET_HDR_NUM_BUFFERS	10	/* le16 */

#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1
#define VIRTIO_NET_HDR_F_DATA_VALID	2

#define VIRTIO_NET_HDR_GSO_NONE		0
#define VIRTIO_NET_HDR_GSO_TCPV4	1
#define VIRTIO_NET_HDR_GSO_UDP		3
#define VIRTIO_NET_HDR_GSO_TCPV6	4
#define VIRTIO_NET_HDR_GSO_ECN		0x80

/* Configuration space (5.1.4): mac, le16 status, le16 max_virtqueue_pairs, le16 mtu. */
#define VIRTIO_NET_CFG_MAC		0
#define VIRTIO_NET_CFG_STATUS		6
#define VIRTIO_NET_CFG_MAX_PAIRS	8
#define VIRTIO_NET_CFG_MTU		10
#define VIRTIO_NET_CONFIG_SIZE		12
#define VIRTIO_NET_S_LINK_UP		1
#define VIRTIO_NET_MTU			1500

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
