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

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int net_mac_parse(const char *s, uint8_t mac[ETH_ALEN])
{
	uint8_t m[ETH_ALEN];

	for (int i = 0; i < ETH_ALEN; i++) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0)
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (*s != (i == ETH_ALEN - 1 ? '\0' : ':'))
			return -EINVAL;
		if (i != ETH_ALEN - 1)
			s++;
	}
	if (eth_is_multicast(m))
		return -EINVAL;
	for (int i = 0; i < ETH_ALEN; i++)
		mac[i] = m[i];
	return 0;
}
