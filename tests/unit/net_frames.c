// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "net_frames.h"

uint16_t tf_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t tf_be32(const uint8_t *p)
{
	return (uint32_t)tf_be16(p) << 16 | tf_be16(p + 2);
}

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Folds after every word: a different loop from offload.c's 64-bit one. */
uint16_t tf_sum(const uint8_t *p, uint32_t len, uint32_t init)
{
	uint32_t s = init;

	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	for (uint32_t i = 0; i < len; i += 2) {
		uint32_t w = (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);

		s += w;
		if (s > 0xffff)
			s -= 0xffff;
	}
	return (uint16_t)s;
}

bool tf_ipv4_csum_ok(const uint8_t *ip)
{
	return tf_sum(ip, (ip[0] & 0xf) * 4u, 0) == 0xffff;
}

static uint32_t pseudo(const uint8_t *frame, uint32_t len, bool v6, uint32_t l4)
{
	uint32_t tcp_len = len - l4;

	if (v6)
		return tf_sum(frame + 14 + 8, 32, 0) + (tcp_len >> 16) + (tcp_len & 0xffff) + 6;
	return tf_sum(frame + 14 + 12, 8, 0) + tcp_len + 6;
}

bool tf_tcp_csum_ok(const uint8_t *frame, uint32_t len, bool v6, uint32_t l4)
{
	return tf_sum(frame + l4, len - l4, pseudo(frame, len, v6, l4)) == 0xffff;
}

uint32_t tf_build(uint8_t *buf, const struct tcp_frame_spec *s, struct net_frame *f)
{
	uint32_t l3 = 14, l3len = s->v6 ? 40 : 20 + s->ip_opt_len, l4 = l3 + l3len;
	uint32_t thl = 20 + s->tcp_opt_len, hlen = l4 + thl, len = hlen + s->payload_len;
	uint8_t *ip = buf + l3, *th = buf + l4;

	memcpy(buf, s->dst, 6);
	memcpy(buf + 6, s->src, 6);
	be16(buf + 12, s->v6 ? 0x86dd : 0x0800);
	if (s->v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		be16(ip + 4, thl + s->payload_len);
		ip[6] = 6;
		ip[7] = 64;
		for (int i = 0; i < 16; i++) {
			ip[8 + i] = (uint8_t)(0x20 + i);
			ip[24 + i] = (uint8_t)(0xa0 + i);
		}
	} else {
		memset(ip, 0, l3len);
		ip[0] = (uint8_t)(0x40 | l3len / 4);
		be16(ip + 2, l3len + thl + s->payload_len);
		be16(ip + 4, s->ip_id);
		be16(ip + 6, 0x4000);	/* DF */
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		for (unsigned int i = 0; i < s->ip_opt_len; i++)
			ip[20 + i] = 1;	/* NOP options */
		be16(ip + 10, (uint16_t)~tf_sum(ip, l3len, 0));
	}
	memset(th, 0, thl);
	be16(th, 40000);
	be16(th + 2, 80);
	be16(th + 4, s->seq >> 16);
	be16(th + 6, s->seq & 0xffff);
	be16(th + 8, 0x1234);
	be16(th + 10, 0x5678);
	th[12] = (uint8_t)((thl / 4) << 4);
	th[13] = s->tcp_flags;
	be16(th + 14, 65535);
	for (unsigned int i = 0; i < s->tcp_opt_len; i++)
		th[20 + i] = 1;
	for (uint32_t i = 0; i < s->payload_len; i++)
		buf[hlen + i] = tf_payload_byte(s->payload_seed, i);
	/* As a stack with checksum offload leaves it: the pseudo-header sum. */
	be16(th + 16, tf_sum(NULL, 0, pseudo(buf, len, s->v6, l4)));
	*f = (struct net_frame){ .data = buf, .len = len, .needs_csum = true,
				 .csum_start = (uint16_t)l4, .csum_offset = 16 };
	return hlen;
}

void tf_plain(uint8_t *buf, const uint8_t *dst, const uint8_t *src, uint32_t len, uint8_t seed)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	be16(buf + 12, 0x88b5);
	for (uint32_t i = 14; i < len; i++)
		buf[i] = tf_payload_byte(seed, i);
}
