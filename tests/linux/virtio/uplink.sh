# SPDX-License-Identifier: GPL-2.0
# Sourced by /init for plinth.virtio=uplink (the uplink test, tests/net/bochs-uplink.sh): the
# guest's only NIC is a port on a Plinth switch whose uplink is the machine's e1000 on the
# emulator's network. It asks that network's DHCP server for an address (through the switch and
# the uplink), then downloads plinth.url with busybox wget and prints the file's SHA-256 for
# the host to compare with what it served.
# plinth.virtio=echo (tools/bench/net: Linux bare on the emulated NIC, for comparison) takes the
# same lease and then serves TCP echo on port 7 for plinth.echosec seconds.
# plinth.virtio=send (tools/bench/uplink) takes the lease and sends plinth.sendmb MiB of zeros
# over TCP to plinth.sink (HOST:PORT), timed by the guest's clock, then powers off.
#   plinth.url=URL     what to download (http://10.0.2.2:PORT/NAME: the host's loopback)
#   plinth.dhcpwait=S  how long DHCP may take (default 120)
#   plinth.echosec=S   how long the echo role serves (default 600)
url=$(arg url none)
dhcpwait=$(arg dhcpwait 120)

step devices
nic=$(wait_for first_nic 30)
if [ -z "$nic" ]; then
	fail virtio-net-found "no interface but lo within 30 s ($(ls /sys/class/net | tr '\n' ' '))"
	dmesg_tail
	finish poweroff
fi
# The echo role may run on any emulated NIC (tools/bench/net compares e1000 and virtio-net).
[ "$role" = uplink ] && check_virtio virtio-net "/sys/class/net/$nic/device" 0x0001 "$nic"
echo "PLINTH-FOUND mac $nic $(cat "/sys/class/net/$nic/address")"

step dhcp
ip link set lo up
ip link set "$nic" up
# udhcpc runs /uplink-dhcp.sh with the lease in its environment; that script configures the
# interface and writes /tmp/lease.
t0=$(up)
if udhcpc -i "$nic" -s /uplink-dhcp.sh -n -q -t $((dhcpwait / 3)) -T 3 >/tmp/udhcpc.log 2>&1 &&
	[ -s /tmp/lease ]; then
	. /tmp/lease
	echo "PLINTH-DHCP ip=$lease_ip router=$lease_router dns=$lease_dns"
	pass "dhcp-lease-$lease_ip-after-$(($(up) - t0))s"
else
	fail dhcp "no lease within $dhcpwait s: $(tail -n 3 /tmp/udhcpc.log | tr '\n' ' ')"
	dmesg_tail
	finish poweroff
fi

if [ "$role" = send ]; then
	mb=$(arg sendmb 16) sink=$(arg sink none)
	t0=$(cut -d' ' -f1 /proc/uptime)
	if head -c $((mb * 1048576)) /dev/zero | nc "${sink%:*}" "${sink##*:}"; then
		t1=$(cut -d' ' -f1 /proc/uptime)
		echo "PLINTH-SEND bytes=$((mb * 1048576)) t0=$t0 t1=$t1"
		pass "send-${mb}MiB"
	else
		fail send "nc $sink failed"
	fi
	finish poweroff
fi

if [ "$role" = echo ]; then
	nc -ll -p 7 -e /bin/cat &
	echo "PLINTH-ECHO-READY port=7"
	sleep "$(arg echosec 600)"
	finish poweroff
fi

step download
t0=$(up)
if out=$(wget -q -O /tmp/download "$url" 2>&1); then
	got=$(sha /tmp/download)
	echo "PLINTH-DOWNLOAD-SHA256 $got $(wc -c </tmp/download)"
	pass "http-download-in-$(($(up) - t0))s"
else
	fail http-download "wget $url: $out"
	dmesg_tail
fi
step end
grep virtio /proc/interrupts | tr -s ' ' | sed 's/^ */PLINTH-IRQ /'
finish poweroff
