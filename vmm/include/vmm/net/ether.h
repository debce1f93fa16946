/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_NET_ETHER_H
#define VMM_NET_ETHER_H

/*
 * Ethernet constants and MAC address helpers shared by the virtual switch,
 * the offload code and the virtio-net backend.
 */
#include <plinth/types.h>

#define ETH_ALEN	6
#define ETH_HLEN	14	/* dst, src, ethertype; no 802.1Q tag */
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd

/*
 * The longest frame the switch carries: a 64 KiB GSO payload behind its
 * Ethernet header (what a virtio-net TX chain may hold after its header).
 */
#define NET_FRAME_MAX	(65536u + ETH_HLEN)

static inline bool eth_is_multicast(const uint8_t *mac)
{
	return mac[0] & 1;	/* the I/G bit; broadcast is a multicast too */
}

static inline bool eth_is_broadcast(const uint8_t *mac)
{
	return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}

static inline bool eth_mac_equal(const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < ETH_ALEN; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/*
 * A stable MAC for a partition: 02:h1:h2:h3:h4:h5 where h1..h5 are the low
 * 40 bits, most significant first, of the 64-bit FNV-1a hash of the name's
 * bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3). The 02 first
 * byte makes it locally administered unicast, so it never clashes with a
 * vendor's address and is never taken for a multicast.
 */
void net_mac_from_name(const char *name, uint8_t mac[ETH_ALEN]);


#endif
