#!/bin/bash
# qemu-agent.sh NAME PORT PIN [TOKEN]: Plinth's management agent under QEMU/TCG + OVMF, dialling
# a controller that listens on 127.0.0.1:PORT of this machine. The user network (restrict=on:
# nothing leaves this machine) forwards the guest's connections to 10.0.2.100:7443 through
# tests/net/tcp-relay.py to that port. PIN is the controller CA's key pin (64 hex), TOKEN an
# enrolment token (none: the agent can only re-enrol a key the controller knows).
# The generated plinth.cfg is build/boot/NAME/plinth.cfg: selftest = 1 and test_exit = 1 (the
# run ends through the test services' TCP port 8) plus the lines in $AGENT_PLINTH (e.g.
# "log_level = debug"), [net] by DHCP, [agent] as above plus the lines in $AGENT_EXTRA (e.g.
# "host_id = rack1-n2"). The serial log is build/test-logs/NAME.serial.log.
# The run ends once the log matches $AGENT_UNTIL (an extended regex, default: the session is up)
# and $AGENT_HOLD more seconds have passed (default 0), or after $NET_TIMEOUT seconds (default
# 300) in any case. With $AGENT_UNTIL_FILE set, the run ends instead once that file exists (a
# caller that has more to do while Plinth runs creates it when done). QEMU's exit status goes to build/boot/NAME/exit-status; the checks are the
# caller's.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ $# -lt 3 ]; then
	echo "usage: $0 NAME PORT PIN [TOKEN]" >&2
	exit 2
fi
name=$1 port=$2 pin=$3 token=${4:-}
limit=${NET_TIMEOUT:-300}
until_re=${AGENT_UNTIL:-'agent: session up with '}
hold=${AGENT_HOLD:-0}
work=build/boot/$name
log=build/test-logs/$name.serial.log
mkdir -p build/test-logs "$work"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
exit_port=$(free_port)

cfg=$work/plinth.cfg
{
	echo "# tests/net/qemu-agent.sh $name: the agent dials 10.0.2.100:7443 (-> 127.0.0.1:$port)"
	echo "[plinth]"
	echo "selftest = 1"
	echo "test_exit = 1"
	[ -n "${AGENT_PLINTH:-}" ] && printf '%s\n' "$AGENT_PLINTH"
	echo "[net]"
	echo "address = dhcp"
	echo "[agent]"
	echo "controller = 10.0.2.100:7443"
	echo "ca_pin = $pin"
	[ -n "$token" ] && echo "token = $token"
	[ -n "${AGENT_EXTRA:-}" ] && printf '%s\n' "$AGENT_EXTRA"
} >"$cfg"

tests/boot/esp.sh "$work/esp" "$cfg"
cp /usr/share/ovmf/OVMF.fd "$work/OVMF.fd"
rm -f "$log" "$work/exit-status"
# The relay's complaints (a controller that is not listening) go to build/boot/NAME/relay.log.
export TCP_RELAY_LOG=$PWD/$work/relay.log
rm -f "$TCP_RELAY_LOG"
relay="python3 $PWD/tests/net/tcp-relay.py 127.0.0.1 $port"
netdev="user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$exit_port-:8"
# $AGENT_ECHO_PORT: also forward that host port to Plinth's echo service (tools/bench/agent).
[ -n "${AGENT_ECHO_PORT:-}" ] && netdev+=",hostfwd=tcp:127.0.0.1:$AGENT_ECHO_PORT-:7"
netdev+=",guestfwd=tcp:10.0.2.100:7443-cmd:$relay"
timeout --foreground "$limit" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 512 -machine pc \
	-bios "$work/OVMF.fd" -drive "format=raw,file=fat:rw:$work/esp" \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -serial "file:$log" \
	-display none -vga none -no-reboot \
	-netdev "$netdev" \
	-device "virtio-net-pci,disable-legacy=on,netdev=n0" </dev/null >"$work/qemu.out" 2>&1 &
pid=$!

# wait_for REGEX: until the serial log matches (0) or QEMU has ended (1).
wait_for() {
	while ! grep -qaE "$1" "$log" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.5
	done
}

# wait_file FILE: until it exists (0) or QEMU has ended (1).
wait_file() {
	while [ ! -e "$1" ]; do
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.5
	done
}

if [ -n "${AGENT_UNTIL_FILE:-}" ]; then
	until_ok() { wait_file "$AGENT_UNTIL_FILE"; }
else
	until_ok() { wait_for "$until_re"; }
fi
if wait_for 'net: echo: listening on port 7' && until_ok; then
	sleep "$hold"
	python3 tests/net/echo-client.py exit 127.0.0.1 "$exit_port" >"$work/exit-client.out" 2>&1
fi
wait "$pid"
printf '%s\n' "$?" >"$work/exit-status"
exit 0
