/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_NET_OFFLOAD_H
#define VMM_NET_OFFLOAD_H

/*
 * Software versions of the offloads a guest NIC may leave to its peer:
 * completing a partial checksum, and cutting a TCP super-frame (TSO/GSO)
 * into MSS-sized segments, for a receiver that did not say it copes with
 * them. Everything in a frame came from a guest: every header field is
 * checked against the frame before it is used, and a malformed frame is
 * refused with -EINVAL, never trusted.
 */
#include <plinth/types.h>
#include <vmm/net/frame.h>

#define IPPROTO_TCP	6
#define TCP_CSUM_OFFSET	16	/* of th->check inside the TCP header */

#define TCP_FLAG_FIN	0x01
#define TCP_FLAG_PSH	0x08
#define TCP_FLAG_CWR	0x80

/* Where the headers of a TCP GSO frame lie, as net_gso_parse() found them. */
struct net_tcp_layout {
	uint16_t l3;		/* IP header offset (ETH_HLEN) */
	uint16_t l4;		/* TCP header offset */
	uint16_t hlen;		/* L2 + L3 + L4 header bytes: payload starts here */
	bool v6;
};

/*
 * The Internet checksum (RFC 1071): net_csum_add() sums big-endian 16-bit
 * words onto sum (an odd trailing byte is padded with zero, so only the
 * last block may have an odd length); net_csum_fold() folds and inverts.
 */
uint64_t net_csum_add(uint64_t sum, const uint8_t *p, size_t len);
uint16_t net_csum_fold(uint64_t sum);

/*
 * Stores the checksum of buf[start, len) at buf[start + offset] (big
 * endian; the field's current contents, the pseudo-header sum, are part of
 * the sum). -EINVAL unless the field lies wholly inside [start, len).
 */
int net_csum_complete(uint8_t *buf, size_t len, uint16_t start, uint16_t offset);

/*
 * Checks a TCPv4/TCPv6 GSO frame: Ethernet + IPv4 (no fragment, options
 * allowed) or IPv6 (no extension header) + TCP, all inside the frame, the
 * partial checksum on the TCP header, gso_size > 0, a payload, and every
 * segment's IP length representable. 0 with *lay filled, or -EINVAL.
 */
int net_gso_parse(const struct net_frame *f, struct net_tcp_layout *lay);

/*
 * The offload state of f is consistent with its bytes: a partial checksum
 * field inside the frame, a GSO frame that net_gso_parse() accepts. 0 or
 * -EINVAL. Senders check this before a frame enters the switch.
 */
int net_offload_check(const struct net_frame *f);

typedef int (*net_emit_fn)(void *ctx, const struct net_frame *seg);

/*
 * Cuts the GSO frame f into segments of at most gso_size payload bytes,
 * each built in buf (buf_len bytes, at least hlen + gso_size or the whole
 * frame) with its IP length, IPv4 ID (incremented per segment) and header
 * checksum, TCP sequence number, flags (FIN and PSH on the last segment
 * only, CWR on the first only) and a full TCP checksum, and hands each to
 * emit (data_valid set, no offload left). Returns the number of segments,
 * -EINVAL for a malformed frame, -ENOSPC for a too small buf, or the first
 * error emit returned (later segments are not built).
 */
int net_tso_segment(const struct net_frame *f, uint8_t *buf, size_t buf_len, net_emit_fn emit,
		    void *ctx);

#endif
