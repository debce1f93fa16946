#!/bin/bash
# agent-qemu.sh: Plinth's management agent against the real controller, under QEMU/TCG over
# virtio-net (tests/net/qemu-agent.sh: restrict=on, a guest forward to the controller on this
# machine's loopback). Three boots:
#   1. enrolment with a fresh token, the mutual-TLS session, the host's facts in plinthctl;
#      a 4 MiB image uploaded into Plinth's image store and a partition create refused with
#      the typed "no hardware virtualization" error (TCG has no VT-x); then the controller is killed (-9) and restarted: the agent reconnects with the
#      certificate it holds, without enrolling again, and the host is up once more;
#   2. the same token again: refused as used, on both ends;
#   3. a wrong CA pin: the agent refuses the controller.
# Prints PASS/FAIL lines and ends with "agent-qemu: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
passed=0
failed=0
W=build/agent-qemu
B=build/controller
CLOG=$W/controller.log
LOGS=build/test-logs

pass() { echo "PASS agent-qemu: $1"; passed=$((passed + 1)); }
fail() {
	echo "FAIL agent-qemu: $1"
	failed=$((failed + 1))
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		echo "    --- last lines of $2 ---"
		tail -n 20 "$2" | tr -d '\r' | sed 's/^/    /'
	fi
}
# has NAME FILE REGEX: one check per pattern a log must contain.
has() { if grep -qaE "$3" "$2" 2>/dev/null; then pass "$1"; else fail "$1 (no /$3/)" "$2"; fi }
summary() {
	[ -n "${CPID:-}" ] && kill -9 "$CPID" 2>/dev/null
	echo "agent-qemu: $passed passed, $failed failed"
	exit 0
}

if ! make -s controller >"$LOGS/agent-qemu-build.log" 2>&1; then
	fail "controller build" "$LOGS/agent-qemu-build.log"
	summary
fi
rm -rf "$W"
mkdir -p "$W"
read -r AP HP < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
export PLINTH_URL=http://127.0.0.1:$HP
jget() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
ctl() { $B/plinthctl "$@"; }

$B/plinth-controller init --state "$W/state" >"$W/init.out" 2>&1
PIN=$(sed -n 's/^ca-pin: //p' "$W/init.out")
export PLINTH_TOKEN=$(sed -n 's/^admin-token: //p' "$W/init.out")

start_ctl() {
	$B/plinth-controller serve --state "$W/state" --agent-listen 127.0.0.1:$AP \
		--api-listen 127.0.0.1:$HP --heartbeat-ms 1000 2>>"$CLOG" &
	CPID=$!
	for _ in $(seq 50); do
		ctl host list >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# wait_log FILE REGEX SECONDS: until FILE matches.
wait_log() {
	local end=$((SECONDS + $3))
	while [ $SECONDS -lt $end ]; do
		grep -qaE "$2" "$1" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}
# host_field EXPR: an expression over the first host of `plinthctl --json host list`, as h.
host_field() {
	ctl --json host list >"$W/hosts.json" 2>/dev/null &&
		jget "$W/hosts.json" "(lambda h: $1)(j['hosts'][0])" 2>/dev/null
}

if ! start_ctl; then
	fail "controller serves" "$CLOG"
	summary
fi
ctl --json token create --ttl 600 >"$W/tok.json" 2>"$W/tok.err"
TOKEN=$(jget "$W/tok.json" 'j["token"]' 2>/dev/null)
[ -n "$TOKEN" ] || { fail "plinthctl token create" "$W/tok.err"; summary; }

# 1. Enrolment and session; the controller dies and comes back while Plinth runs.
log=$LOGS/agent-qemu-enrol.serial.log
done_file=$W/enrol.done
AGENT_UNTIL_FILE=$done_file tests/net/qemu-agent.sh agent-qemu-enrol "$AP" "$PIN" "$TOKEN" &
qpid=$!
if wait_log "$log" 'agent: session up with ' 240 &&
	wait_log "$CLOG" 'controller: host h-[0-9a-f]{12} up' 20; then
	pass "the host enrols and its session comes up"
	HID=$(grep -oaE 'agent: enrolled as h-[0-9a-f]{12}' "$log" | head -1 | sed 's/.* //')
	has "plinth: enrolled as its MAC-derived host id" "$log" "agent: enrolled as h-525400123456"
	has "controller: the enrolment is logged" "$CLOG" "controller: host $HID enrolled"
	[ "$(host_field 'h["state"]')" = up ] && pass "plinthctl: the host is up" ||
		fail "plinthctl: the host is up" "$W/hosts.json"
	facts=$(host_field '"%s %s %s" % (h["facts"]["cpus"], h["facts"]["memory"] > 0, h["facts"]["nics"])')
	[ "$facts" = "1 True 1" ] && pass "plinthctl: the host's facts (1 CPU for partitions, memory, 1 NIC)" ||
		fail "plinthctl: the host's facts (got '$facts')" "$W/hosts.json"
	# A heartbeat round trip measured by the controller.
	sleep 3
	rtt=$(host_field 'h["rtt_us"]')
	[ "${rtt:-0}" -gt 0 ] 2>/dev/null && pass "controller: heartbeat round trip measured ($rtt us)" ||
		fail "controller: heartbeat round trip measured (got '$rtt')" "$W/hosts.json"
	# An image uploaded through the agent into Plinth's image store, then a partition refused:
	# this host has no VT-x (QEMU TCG), and the CLI shows the typed error.
	head -c $((4 << 20)) /dev/urandom >"$W/kernel.img"
	t0=$(date +%s.%N)
	KSHA=$(ctl image upload "$W/kernel.img" --name kernel 2>"$W/upload.err")
	ctl vm create --host "$HID" --name web --vcpus 1 --memory 64 --kernel "$KSHA" \
		>"$W/create.out" 2>&1
	create_rc=$?
	t1=$(date +%s.%N)
	has "plinth: the image arrives in the image store, its SHA-256 checked" "$log" \
		'agent: upload on channel [0-9]+: image stored and verified'
	[ "$create_rc" = 1 ] && grep -q 'error: no_virt: no hardware virtualization on this host' \
		"$W/create.out" && pass "plinthctl vm create: refused with the typed no_virt error" ||
		fail "plinthctl vm create: refused with the typed no_virt error" "$W/create.out"
	has "plinth: the refusal is logged" "$log" \
		"agent: op [0-9]+: create 'web' failed \(-19\): no hardware virtualization on this host"
	echo "    agent-qemu: 4 MiB uploaded and the create refused in $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s"
	kill -9 "$CPID"
	wait "$CPID" 2>/dev/null
	wait_log "$log" 'agent: connection lost .*reconnecting in [0-9]+ ms' 15
	has "plinth: the lost controller is noticed" "$log" 'agent: connection lost .*reconnecting in [0-9]+ ms'
	start_ctl || fail "the controller restarts" "$CLOG"
	for _ in $(seq 120); do
		[ "$(grep -ac "controller: host $HID up" "$CLOG")" -ge 2 ] && break
		sleep 0.5
	done
	[ "$(grep -ac "controller: host $HID up" "$CLOG")" -ge 2 ] &&
		pass "controller: the host is up again after the restart" ||
		fail "controller: the host is up again after the restart" "$CLOG"
	[ "$(grep -ac 'agent: enrolled as' "$log")" = 1 ] &&
		pass "plinth: the reconnect uses the certificate it holds (enrolled once)" ||
		fail "plinth: the reconnect uses the certificate it holds (enrolled once)" "$log"
	[ "$(host_field 'h["state"]')" = up ] && pass "plinthctl: the host is up after the restart" ||
		fail "plinthctl: the host is up after the restart" "$W/hosts.json"
else
	fail "the host enrols and its session comes up" "$log"
fi
touch "$done_file"
wait "$qpid"
grep -qa 'test exit: SUCCESS' "$log" && pass "boot 1: Plinth ends its run normally" ||
	fail "boot 1: Plinth ends its run normally" "$log"

# 2. The used token again (a new boot has a new key, so it must enrol): refused on both ends.
log=$LOGS/agent-qemu-token.serial.log
AGENT_UNTIL='agent: refused by the controller' tests/net/qemu-agent.sh agent-qemu-token "$AP" "$PIN" "$TOKEN"
has "plinth: a used token is refused" "$log" 'agent: refused by the controller: enrolment token already used'
has "controller: the used token is logged" "$CLOG" 'controller: agent [0-9.:]+: enrol refused: enrolment token already used'

# 3. A pin that is not the controller CA's.
log=$LOGS/agent-qemu-pin.serial.log
BAD=$(printf '%s' "$PIN" | tr '0-9a-f' '1-9a-f0')
AGENT_UNTIL='does not match the pin' tests/net/qemu-agent.sh agent-qemu-pin "$AP" "$BAD" "$TOKEN"
has "plinth: a wrong CA pin is refused" "$log" "agent: controller CA key does not match the pin \(SHA-256 ${PIN:0:16}\.\.\., pinned ${BAD:0:16}\.\.\.\); refusing it"
reject_log() { if grep -qaE "$3" "$2"; then fail "$1 (unexpected /$3/)" "$2"; else pass "$1"; fi }
reject_log "plinth: nothing is sent to a controller that fails the pin" "$log" 'agent: (enrolled|session up)'
summary
