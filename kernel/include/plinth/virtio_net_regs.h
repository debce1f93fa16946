/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_VIRTIO_NET_REGS_H
#define PLINTH_VIRTIO_NET_REGS_H

/*
 * virtio-net's architectural constants (virtio 1.x 5.1): feature bits, the
 * per-packet header, the device configuration space. Shared by the back-end
 * (vmm/virtio/net.c) and the driver (drivers/net/virtio_net.c).
 */
#include <plinth/types.h>

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

#endif
