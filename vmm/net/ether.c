// SPDX-License-Identifier: GPL-2.0
/*
 * MAC address helpers: a deterministic address per partition name, and the
 * parser for configured addresses.
 */
#include <plinth/errno.h>
#include <vmm/net/ether.h>

void net_mac_from_name(const char *name, uint8_t mac[ETH_ALEN])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	mac[0] = 0x02;
	for (int i = 1; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)(h >> (8 * (ETH_ALEN - 1 - i)));
}
