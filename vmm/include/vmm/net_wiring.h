/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_NET_WIRING_H
#define VMM_NET_WIRING_H

/*
 * Plinth's virtual switches (vmm/core/net_wiring.c): created by the first
 * partition or [switch NAME] section naming one, with the uplink a
 * [switch] section gives and Plinth's own interface (host port) on the
 * switch [net] names. They live as long as Plinth.
 */
#include <plinth/types.h>
#include <vmm/net/ether.h>
#include <vmm/net/vswitch.h>

/* The switch called name, created on first use; NULL when out of memory. */
struct vswitch *net_switch_get(const char *name);

/* -EEXIST, with the reason in err, when a NIC on sw already has mac. */
int net_switch_check_mac(struct vswitch *sw, const uint8_t mac[ETH_ALEN], char *err,
			 size_t errlen);

/* The switches' monotonic clock, for MAC ageing. */
uint64_t net_switch_clock(void);

#endif
