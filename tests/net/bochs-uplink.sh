#!/bin/bash
# bochs-uplink.sh NAME [TIMEOUT]: the uplink test under Bochs (tests/net/uplink.cfg). The machine
# has an e1000 on Bochs' slirp network (10.0.2.0/24; 10.0.2.2 is this host's loopback) and runs
# Plinth with switch lan0 uplinked to that e1000, Plinth's own interface and a Linux partition
# (tests/linux/virtio/uplink.sh) on the switch. The host serves a random file over HTTP on
# 127.0.0.1, which the guest downloads by 10.0.2.2; once Plinth logs its DHCP lease, the host
# sends 1 MiB to Plinth's echo port through slirp's host forward and checks what comes back
# (tests/net/echo-client.py). Results for tests/run.sh: build/boot/NAME/download.sha256 (what was
# served), build/boot/NAME/echo.log and echo-status.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1 limit=${2:-1800}
work=$PWD/build/boot/$name
log=build/test-logs/$name.serial.log
tests/linux/fetch-kernel.sh build/linux >/dev/null
tests/linux/virtio/mkinitramfs-virtio.sh build/linux >/dev/null
mkdir -p "$work/www"
head -c $((4 * 1024 * 1024)) /dev/urandom >"$work/www/blob"
sha256sum "$work/www/blob" | cut -d' ' -f1 >"$work/download.sha256"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
echo_port=$(free_port)
python3 -m http.server "$http_port" --bind 127.0.0.1 --directory "$work/www" \
	>"$work/http.log" 2>&1 &
http_pid=$!
echo_pid=
cleanup() {
	kill "$http_pid" 2>/dev/null || true
	[ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null || true
}
trap cleanup EXIT
# Slirp's DHCP hands out 10.0.2.15 first: Plinth asks before the partition has booted.
cat >"$work/slirp.conf" <<CONF
# slirp config
restricted = 0
hostfwd = tcp:127.0.0.1:$echo_port-10.0.2.15:7
CONF
sed "s|@URL@|http://10.0.2.2:$http_port/blob|" tests/net/uplink.cfg >"$work/plinth.cfg"
# The echo check starts when Plinth has its lease, while the partition is still booting.
(
	rm -f "$log" "$work/echo-status"
	for _ in $(seq 1 "$limit"); do
		grep -qa 'net: .*DHCP lease 10\.0\.2\.15' "$log" 2>/dev/null && break
		sleep 1
	done
	rc=0
	timeout 900 python3 tests/net/echo-client.py echo 127.0.0.1 "$echo_port" $((1024 * 1024)) \
		>"$work/echo.log" 2>&1 || rc=$?
	echo "$rc" >"$work/echo-status"
) &
echo_pid=$!
BOCHS_IPS=100000000 BOCHS_MEGS=512 \
	BOCHS_EXTRA="e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=slirp, script=slirp.conf" \
	tests/boot/bochs.sh "$name" "$work/plinth.cfg" "$limit" 2 \
	build/linux/vmlinuz:linux/vmlinuz build/linux/initramfs-virtio.cpio.gz:linux/initrd-virtio.gz
wait "$echo_pid" 2>/dev/null || true
echo_pid=
[ -f "$work/echo-status" ] || echo "no lease, never ran" >"$work/echo-status"
