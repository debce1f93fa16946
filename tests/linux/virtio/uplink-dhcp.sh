#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# udhcpc's event script for the uplink role (uplink.sh): on a lease, the address, netmask and
# default route, and the lease's facts in /tmp/lease for uplink.sh.
case "$1" in
bound | renew)
	ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" up
	[ -n "$router" ] && route add default gw "${router%% *}" dev "$interface"
	printf 'lease_ip=%s\nlease_router=%s\nlease_dns=%s\n' "$ip" "${router%% *}" "${dns%% *}" >/tmp/lease
	;;
deconfig)
	ifconfig "$interface" 0.0.0.0
	;;
esac
exit 0
