#!/bin/bash
# qemu-net.sh NAME NIC [CFG]: Plinth on the wire under QEMU/TCG + OVMF. NIC is the QEMU device
# (virtio-net-pci or e1000) on a user-mode network (restrict=on: nothing leaves this machine)
# whose forwarded host ports reach Plinth's echo server (TCP 7) and test-exit port (TCP 8).
# Waits for the DHCP lease in build/test-logs/NAME.serial.log, streams 16 MiB each way through
# the echo (tests/net/echo-client.py, its report in build/boot/NAME/echo-client.out, its exit
# status in echo-status), then ends the run through port 8. The checks are in tests/run.sh.
set -u
cd "$(dirname "$0")/../.."
name=$1 nic=$2 cfg=${3:-tests/net/net.cfg}
limit=${NET_TIMEOUT:-300}
work=build/boot/$name
log=build/test-logs/$name.serial.log
mkdir -p build/test-logs

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
echo_port=$(free_port)
exit_port=$(free_port)
while [ "$exit_port" = "$echo_port" ]; do exit_port=$(free_port); done

tests/boot/esp.sh "$work/esp" "$cfg"
cp /usr/share/ovmf/OVMF.fd "$work/OVMF.fd"
rm -f "$log" "$work/echo-status"
timeout --foreground "$limit" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 512 -machine pc \
	-bios "$work/OVMF.fd" -drive "format=raw,file=fat:rw:$work/esp" \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -serial "file:$log" \
	-display none -vga none -no-reboot \
	-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$echo_port-:7,hostfwd=tcp:127.0.0.1:$exit_port-:8" \
	-device "$nic,netdev=n0" </dev/null >"$work/qemu.out" 2>&1 &
pid=$!

# wait_for REGEX: until the serial log matches (0) or QEMU has ended (1).
wait_for() {
	while ! grep -qaE "$1" "$log" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.5
	done
}

if wait_for 'net: echo: listening on port 7' && wait_for 'net: [^ ]+: (DHCP lease|static address)'; then
	python3 tests/net/echo-client.py echo 127.0.0.1 "$echo_port" >"$work/echo-client.out" 2>&1
	echo $? >"$work/echo-status"
	# Plinth logs the connection's end once it has sent the last echoed byte.
	for _ in $(seq 1 60); do
		grep -qa 'net: echo: connection from .* closed' "$log" && break
		sleep 0.5
	done
	python3 tests/net/echo-client.py exit 127.0.0.1 "$exit_port" >>"$work/echo-client.out" 2>&1
fi
wait "$pid"
printf '%s\n' "$?" >"$work/exit-status"
exit 0
