/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_NET_FRAME_H
#define VMM_NET_FRAME_H

/*
 * One Ethernet frame as the switch carries it: contiguous bytes (the sending
 * device gathered its guest's buffers into its own memory) plus the offload
 * state the sender left to be finished, in a device-neutral form. The
 * receiving port either hands that state to its guest, if the guest said it
 * copes with it, or finishes the work in software (vmm/net/offload.h).
 */
#include <plinth/types.h>

enum net_gso_type {
	NET_GSO_NONE,
	NET_GSO_TCPV4,
	NET_GSO_TCPV6,
};

struct net_frame {
	const uint8_t *data;
	uint32_t len;
	/*
	 * The L4 checksum is partial: the Internet checksum of
	 * [csum_start, len) must still be stored at csum_start + csum_offset
	 * (the field holds the pseudo-header sum meanwhile).
	 */
	bool needs_csum;
	uint16_t csum_start, csum_offset;
	/* Every checksum in the frame was computed or checked by us. */
	bool data_valid;
	/* A TCP super-frame to be cut into gso_size payload segments. */
	enum net_gso_type gso_type;
	bool gso_ecn;		/* the sender uses ECN: CWR may be set */
	uint16_t gso_size;
	uint16_t hdr_len;	/* the sender's hint for the L2-L4 header length */
};

#endif
