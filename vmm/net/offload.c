// SPDX-License-Identifier: GPL-2.0
/*
 * Checksum completion and TCP segmentation in software (see offload.h).
 * The frame is the sender's guest's bytes: nothing in it is an index until
 * it has been compared with the frame length.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/net/ether.h>
#include <plinth/bytes.h>
#include <vmm/net/offload.h>

#define IPV4_HLEN_MIN	20
#define IPV6_HLEN	40
#define TCP_HLEN_MIN	20
#define IP_LEN_MAX	65535u

uint64_t net_csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get_be16(p + i);
	if (i < len)
		sum += (uint64_t)p[i] << 8;
	return sum;
}

uint16_t net_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int net_csum_complete(uint8_t *buf, size_t len, uint16_t start, uint16_t offset)
{
	uint16_t c;

	if ((size_t)start + offset + 2 > len)
		return -EINVAL;
	c = net_csum_fold(net_csum_add(0, buf + start, len - start));
	/*
	 * 0 and 0xffff are the same ones' complement value, but a UDP receiver
	 * reads 0 as "no checksum": store 0xffff, as Linux does.
	 */
	put_be16(buf + start + offset, c ? c : 0xffff);
	return 0;
}

int net_gso_parse(const struct net_frame *f, struct net_tcp_layout *lay)
{
	const uint8_t *d = f->data;
	uint32_t len = f->len, l4, hlen, l3_hdr, max_seg_ip;
	uint16_t ethertype;

	if (f->gso_type != NET_GSO_TCPV4 && f->gso_type != NET_GSO_TCPV6)
		return -EINVAL;
	if (len < ETH_HLEN || len > NET_FRAME_MAX || f->gso_size == 0)
		return -EINVAL;
	ethertype = get_be16(d + 12);
	if (f->gso_type == NET_GSO_TCPV4) {
		if (ethertype != ETH_P_IP || len < ETH_HLEN + IPV4_HLEN_MIN)
			return -EINVAL;
		l3_hdr = (d[ETH_HLEN] & 0xf) * 4u;
		if (d[ETH_HLEN] >> 4 != 4 || l3_hdr < IPV4_HLEN_MIN)
			return -EINVAL;
		/* A fragment (MF or an offset) is not a TCP segment to cut. */
		if (d[ETH_HLEN + 9] != IPPROTO_TCP || (get_be16(d + ETH_HLEN + 6) & 0x3fff))
			return -EINVAL;
	} else {
		if (ethertype != ETH_P_IPV6 || len < ETH_HLEN + IPV6_HLEN)
			return -EINVAL;
		if (d[ETH_HLEN] >> 4 != 6 || d[ETH_HLEN + 6] != IPPROTO_TCP)
			return -EINVAL;
		l3_hdr = IPV6_HLEN;
	}
	l4 = ETH_HLEN + l3_hdr;
	if (l4 + TCP_HLEN_MIN > len)
		return -EINVAL;
	hlen = l4 + (d[l4 + 12] >> 4) * 4u;
	if (hlen < l4 + TCP_HLEN_MIN || hlen >= len)
		return -EINVAL;
	if (!f->needs_csum || f->csum_start != l4 || f->csum_offset != TCP_CSUM_OFFSET)
		return -EINVAL;
	/* The biggest segment's IP length must fit its 16-bit field. */
	max_seg_ip = hlen - ETH_HLEN + MIN((uint32_t)f->gso_size, len - hlen);
	if (f->gso_type == NET_GSO_TCPV6)
		max_seg_ip -= IPV6_HLEN;
	if (max_seg_ip > IP_LEN_MAX)
		return -EINVAL;
	lay->l3 = ETH_HLEN;
	lay->l4 = (uint16_t)l4;
	lay->hlen = (uint16_t)hlen;
	lay->v6 = f->gso_type == NET_GSO_TCPV6;
	return 0;
}

int net_offload_check(const struct net_frame *f)
{
	struct net_tcp_layout lay;

	if (f->needs_csum && (uint32_t)f->csum_start + f->csum_offset + 2 > f->len)
		return -EINVAL;
	if (f->gso_type != NET_GSO_NONE)
		return net_gso_parse(f, &lay);
	return 0;
}

/* The TCP checksum of seg (len bytes) with its pseudo-header. */
static uint16_t tcp_csum(const uint8_t *seg, uint32_t len, const struct net_tcp_layout *lay)
{
	uint32_t tcp_len = len - lay->l4;
	uint64_t sum;

	if (lay->v6) {
		sum = net_csum_add(0, seg + lay->l3 + 8, 32);	/* source, destination */
		sum += (tcp_len >> 16) + (tcp_len & 0xffff) + IPPROTO_TCP;
	} else {
		sum = net_csum_add(0, seg + lay->l3 + 12, 8);
		sum += tcp_len + IPPROTO_TCP;
	}
	return net_csum_fold(net_csum_add(sum, seg + lay->l4, tcp_len));
}

int net_tso_segment(const struct net_frame *f, uint8_t *buf, size_t buf_len, net_emit_fn emit,
		    void *ctx)
{
	struct net_tcp_layout lay;
	uint32_t payload, off, seq, mss, chunk, seg_len;
	uint16_t ip_id, ip_hlen;
	uint8_t flags;
	int n = 0, err;

	if (net_gso_parse(f, &lay))
		return -EINVAL;
	mss = f->gso_size;
	payload = f->len - lay.hlen;
	if (buf_len < lay.hlen + MIN(mss, payload))
		return -ENOSPC;
	seq = get_be32(f->data + lay.l4 + 4);
	flags = f->data[lay.l4 + 13];
	ip_id = get_be16(f->data + lay.l3 + 4);
	ip_hlen = (uint16_t)(lay.l4 - lay.l3);

	for (off = 0; off < payload; off += chunk, n++) {
		struct net_frame seg = { .data = buf, .data_valid = true };
		uint8_t *th;
		bool last;

		chunk = MIN(mss, payload - off);
		last = off + chunk == payload;
		seg_len = lay.hlen + chunk;
		memcpy(buf, f->data, lay.hlen);
		memcpy(buf + lay.hlen, f->data + lay.hlen + off, chunk);
		if (lay.v6) {
			put_be16(buf + lay.l3 + 4, (uint16_t)(seg_len - lay.l3 - IPV6_HLEN));
		} else {
			put_be16(buf + lay.l3 + 2, (uint16_t)(seg_len - lay.l3));
			put_be16(buf + lay.l3 + 4, (uint16_t)(ip_id + n));
			put_be16(buf + lay.l3 + 10, 0);
			put_be16(buf + lay.l3 + 10,
				 net_csum_fold(net_csum_add(0, buf + lay.l3, ip_hlen)));
		}
		th = buf + lay.l4;
		put_be32(th + 4, seq + off);
		th[13] = flags;
		if (!last)
			th[13] &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
		if (n)
			th[13] &= (uint8_t)~TCP_FLAG_CWR;
		put_be16(th + TCP_CSUM_OFFSET, 0);
		put_be16(th + TCP_CSUM_OFFSET, tcp_csum(buf, seg_len, &lay));
		seg.len = seg_len;
		err = emit(ctx, &seg);
		if (err)
			return err;
	}
	return n;
}
