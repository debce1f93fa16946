/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_NET_FRAMES_H
#define TESTS_NET_FRAMES_H

/*
 * Hand-built Ethernet/IPv4/IPv6/TCP frames for the offload, switch and
 * virtio-net tests, and checksum verification written independently of
 * vmm/net/offload.c (a different summing loop), so a bug there cannot
 * hide itself.
 */
#include <stdbool.h>
#include <stdint.h>
#include <vmm/net/frame.h>

struct tcp_frame_spec {
	bool v6;
	const uint8_t *dst, *src;	/* MACs */
	unsigned int ip_opt_len;	/* IPv4 option bytes (multiple of 4) */
	unsigned int tcp_opt_len;	/* TCP option bytes (multiple of 4) */
	uint32_t payload_len;
	uint32_t seq;
	uint16_t ip_id;
	uint8_t tcp_flags;
	uint8_t payload_seed;
};

/*
 * Builds the frame into buf with a partial checksum as a sending stack
 * leaves it (pseudo-header sum in th->check), fills f (needs_csum with
 * csum_start/offset, no GSO) and returns the header length.
 */
uint32_t tf_build(uint8_t *buf, const struct tcp_frame_spec *s, struct net_frame *f);

/* The payload byte i of a frame built with seed. */
static inline uint8_t tf_payload_byte(uint8_t seed, uint32_t i)
{
	return (uint8_t)(seed + i * 7 + (i >> 8));
}

uint16_t tf_be16(const uint8_t *p);
uint32_t tf_be32(const uint8_t *p);

/* The 16-bit ones' complement sum of [p, p + len), folded, not inverted. */
uint16_t tf_sum(const uint8_t *p, uint32_t len, uint32_t init);
/* Whether the IPv4 header at ip has a valid checksum. */
bool tf_ipv4_csum_ok(const uint8_t *ip);
/* Whether the TCP segment at l4 (through len) has a valid checksum. */
bool tf_tcp_csum_ok(const uint8_t *frame, uint32_t len, bool v6, uint32_t l4);
/* A plain Ethernet frame: dst, src, ethertype 0x88b5, len - 14 payload bytes. */
void tf_plain(uint8_t *buf, const uint8_t *dst, const uint8_t *src, uint32_t len, uint8_t seed);

#endif
