#!/bin/bash
# agent-bochs.sh [TIMEOUT]: Plinth managed end to end by the real controller, under Bochs (VT-x
# with EPT), on 3 CPUs (Plinth's own + 2 for the guest) and an e1000 on Bochs's slirp network,
# whose 10.0.2.2 is this machine's loopback: the agent dials the controller there directly.
# Plinth boots with no partitions (tests/net/agent-bochs.cfg); then, all through plinthctl:
#   1. the host enrols with a fresh token and comes up;
#   2. vm create uploads Debian's kernel and the test initramfs (tests/linux/init) into Plinth's
#      image store and makes partition linux (2 vCPUs, 256 MiB); vm start boots it;
#   3. vm console watches it to its "PLINTH-ASK", types a line, and sees the guest echo it back
#      and finish its checks with fail=0;
#   4. the guest powers itself off: stopped in vm list; vm delete removes it; the tasks and the
#      partition's running/stopped events (exactly once each) in task list and event list;
#   5. the run ends over the test-exit port: Plinth logged no fault after "Plinth ready" and
#      released the guest's memory.
# Prints PASS/FAIL lines, a timing line (create to the first console byte, the upload rate into
# Plinth) and ends with "agent-bochs: N passed, N failed". TIMEOUT: wall seconds for the Bochs
# run (default 900); every wait below is bounded by it.
set -u
cd "$(dirname "$0")/../.." || exit 1
limit=${1:-900}
name=agent-bochs
passed=0
failed=0
W=build/agent-bochs
B=build/controller
CLOG=$W/controller.log
LOGS=build/test-logs
log=$LOGS/$name.serial.log
work=build/boot/$name
HID=h-525400123456
LINE="hello from plinthctl"
PL='^\[ *[0-9]+\.[0-9]{6}\] cpu[0-9]+ [A-Z]+ +'
mkdir -p "$LOGS"

pass() { echo "PASS agent-bochs: $1"; passed=$((passed + 1)); }
fail() {
	echo "FAIL agent-bochs: $1"
	failed=$((failed + 1))
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		echo "    --- last lines of $2 ---"
		tail -n 20 "$2" | tr -d '\r' | sed 's/^/    /'
	fi
}
has() { if grep -qaE "$3" "$2" 2>/dev/null; then pass "$1"; else fail "$1 (no /$3/)" "$2"; fi }
bpid= cpid= spid=
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	spid=
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
	cpid=
	# bochs.sh ends Bochs on its own timeout; only a run cut short leaves it to kill here.
	if [ -n "$bpid" ] && kill -0 "$bpid" 2>/dev/null; then
		for p in $(pgrep -x bochs-bin) $(pgrep -x bochs); do
			[ "$(readlink "/proc/$p/cwd")" = "$PWD/$work" ] && kill -9 "$p" 2>/dev/null
		done
		wait "$bpid" 2>/dev/null
	fi
}
trap 'cleanup; exit 1' INT TERM
summary() {
	cleanup
	echo "agent-bochs: $passed passed, $failed failed"
	exit 0
}
deadline=$((SECONDS + limit))
left() { local n=$((deadline - SECONDS)); [ $n -gt 1 ] && echo $n || echo 1; }
# wait_for FILE REGEX: until FILE matches (0), Bochs has ended or the time is up (1).
wait_for() {
	while [ $SECONDS -lt $deadline ]; do
		grep -qaE "$2" "$1" 2>/dev/null && return 0
		kill -0 "$bpid" 2>/dev/null || { grep -qaE "$2" "$1" 2>/dev/null; return; }
		sleep 0.5
	done
	return 1
}
jget() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
ctl() { $B/plinthctl "$@"; }
now() { date +%s.%N; }
secs() { awk "BEGIN { printf \"%.1f\", $2 - $1 }"; }

if ! make -s controller >"$LOGS/$name-build.log" 2>&1; then
	fail "controller build" "$LOGS/$name-build.log"
	summary
fi
if ! tests/linux/fetch-kernel.sh build/linux >"$LOGS/$name-linux.log" 2>&1 ||
	! tests/linux/mkinitramfs.sh build/linux >>"$LOGS/$name-linux.log" 2>&1; then
	fail "Debian's kernel and the test initramfs" "$LOGS/$name-linux.log"
	summary
fi
rm -rf "$W"
mkdir -p "$W" "$work"
read -r AP HP XP < <(python3 -c 'import socket
s=[socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
export PLINTH_URL=http://127.0.0.1:$HP

# 1. A fresh controller and an enrolment token.
$B/plinth-controller init --state "$W/state" >"$W/init.out" 2>&1
PIN=$(sed -n 's/^ca-pin: //p' "$W/init.out")
export PLINTH_TOKEN=$(sed -n 's/^admin-token: //p' "$W/init.out")
$B/plinth-controller serve --state "$W/state" --agent-listen 127.0.0.1:$AP \
	--api-listen 127.0.0.1:$HP --heartbeat-ms 2000 2>>"$CLOG" &
cpid=$!
for _ in $(seq 50); do
	ctl host list >/dev/null 2>&1 && break
	sleep 0.1
done
ctl --json token create --ttl 1800 >"$W/tok.json" 2>"$W/tok.err"
TOKEN=$(jget "$W/tok.json" 'j["token"]' 2>/dev/null)
[ -n "$TOKEN" ] || { fail "the controller serves and makes a token" "$W/tok.err"; summary; }

# 2. Plinth under Bochs, no partitions; slirp forwards the test-exit port (TCP 8).
sed -e "s/@PORT@/$AP/" -e "s/@PIN@/$PIN/" -e "s/@TOKEN@/$TOKEN/" tests/net/agent-bochs.cfg \
	>"$W/plinth.cfg"
cat >"$work/slirp.conf" <<CONF
# slirp config
restricted = 0
hostfwd = tcp:127.0.0.1:$XP-10.0.2.15:8
CONF
t_boot=$(now)
BOCHS_IPS=100000000 BOCHS_MEGS=1024 \
	BOCHS_EXTRA="e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=slirp, script=slirp.conf" \
	nice -n 19 tests/boot/bochs.sh "$name" "$W/plinth.cfg" "$limit" 3 &
bpid=$!
sleep 2 # bochs.sh removes the previous run's log first

# 3. The host up in plinthctl.
up=
while [ $SECONDS -lt $deadline ] && kill -0 "$bpid" 2>/dev/null; do
	if ctl --json host list >"$W/hosts.json" 2>/dev/null &&
		[ "$(jget "$W/hosts.json" '[h["state"] for h in j["hosts"] if h["id"] == "'$HID'"]' \
			2>/dev/null)" = "['up']" ]; then
		up=1
		break
	fi
	sleep 1
done
if [ -z "$up" ]; then
	fail "the host enrols and comes up" "$log"
	summary
fi
t_up=$(now)
pass "the host enrols and comes up ($(secs "$t_boot" "$t_up") s after Bochs started)"
has "plinth: enrolled as its MAC-derived host id" "$log" "agent: enrolled as $HID"
has "plinth: the session is up with 10.0.2.2 over the e1000" "$log" \
	"agent: session up with 10\\.0\\.2\\.2:$AP \\(heartbeat 2000 ms\\)"
facts=$(jget "$W/hosts.json" '"%s %s" % (j["hosts"][0]["facts"]["cpus"], j["hosts"][0]["facts"]["memory_free"] >= 256 << 20)' 2>/dev/null)
[ "$facts" = "2 True" ] && pass "plinthctl: the host offers 2 CPUs and room for 256 MiB" ||
	fail "plinthctl: the host offers 2 CPUs and room for 256 MiB (got '$facts')" "$W/hosts.json"

# Wall-clock stamps of what Plinth logs during the create, for the upload rate.
(
	while :; do
		[ -s "$W/stamp.upload0" ] || ! grep -qa 'agent: upload of image' "$log" ||
			now >"$W/stamp.upload0"
		[ -s "$W/stamp.upload1" ] ||
			[ "$(grep -ac 'agent: upload on channel [0-9]*: image stored and verified' "$log")" -lt 2 ] ||
			now >"$W/stamp.upload1"
		[ -s "$W/stamp.console" ] || [ ! -s "$W/console1.out" ] || now >"$W/stamp.console"
		sleep 0.2
	done
) &
spid=$!

# 4. Create (uploading both files) and start the Linux partition.
cmdline="console=ttyS0 earlyprintk=serial,ttyS0 nokaslr plinth.mem=256 plinth.cpus=2 plinth.date=$(date -u +%Y-%m-%d)"
t_create=$(now)
ctl vm create --host "$HID" --name linux --vcpus 2 --memory 256 --kernel build/linux/vmlinuz \
	--initrd build/linux/initramfs.cpio.gz --cmdline "$cmdline" --timeout "$(left)" \
	>"$W/create.out" 2>&1
create_rc=$?
t_created=$(now)
if [ "$create_rc" != 0 ]; then
	fail "plinthctl vm create uploads the images and creates linux (rc $create_rc)" "$W/create.out"
	tail -n 30 "$log" | sed 's/^/    /'
	summary
fi
pass "plinthctl vm create uploads the images and creates linux ($(secs "$t_create" "$t_created") s)"
[ "$(grep -ac 'agent: upload on channel [0-9]*: image stored and verified' "$log")" = 2 ] &&
	pass "plinth: both images arrive in the image store, their SHA-256 checked" ||
	fail "plinth: both images arrive in the image store, their SHA-256 checked" "$log"
has "plinth: the partition is created with 2 vCPUs and 256 MiB" "$log" \
	"${PL}partition 'linux': 256 MiB, 2 vCPU\\(s\\)"
# The console is watched from before the start, so its first byte is the guest's first.
timeout "$(left)" $B/plinthctl vm console "$HID/linux" --until 'PLINTH-ASK' --timeout "$(left)" \
	</dev/null >"$W/console1.out" 2>"$W/console1.err" &
con1=$!
sleep 1
if ctl vm start "$HID/linux" --timeout "$(left)" >"$W/start.out" 2>&1; then
	pass "plinthctl vm start"
else
	fail "plinthctl vm start" "$W/start.out"
fi
t_started=$(now)
if wait "$con1"; then
	pass "plinthctl vm console: the guest's console up to its PLINTH-ASK"
else
	fail "plinthctl vm console: the guest's console up to its PLINTH-ASK" "$W/console1.err"
	tail -n 20 "$W/console1.out" | sed 's/^/    /'
fi
has "console: the guest's kernel boots (its first lines)" "$W/console1.out" 'Linux version [0-9]'
has "console: /init runs" "$W/console1.out" 'PLINTH-LINUX-START'

# 5. A line typed through the controller reaches the guest's shell and comes back.
printf '%s\n' "$LINE" | timeout "$(left)" $B/plinthctl vm console "$HID/linux" \
	--until "PLINTH-LINUX-DONE pass=[0-9]+ fail=[0-9]+" --timeout "$(left)" \
	>"$W/console2.out" 2>"$W/console2.err"
has "console: the typed line comes back from the guest" "$W/console2.out" "PLINTH-GOT $LINE"
has "console: the guest's checks all pass" "$W/console2.out" 'PLINTH-LINUX-DONE pass=[0-9]+ fail=0'
if grep -qa 'PLINTH-FAIL' "$W/console1.out" "$W/console2.out"; then
	fail "console: no guest check failed" "$W/console2.out"
	grep -ha 'PLINTH-FAIL' "$W/console1.out" "$W/console2.out" | sed 's/^/    /'
else
	pass "console: no guest check failed"
fi

# 6. The guest powers off: stopped in the controller; then deleted.
state=
while [ $SECONDS -lt $deadline ]; do
	ctl --json vm list >"$W/vms.json" 2>/dev/null &&
		state=$(jget "$W/vms.json" '" ".join(p["state"] for p in j["partitions"] if p["name"] == "linux")' 2>/dev/null)
	[ "$state" = stopped ] && break
	sleep 1
done
[ "$state" = stopped ] && pass "plinthctl vm list: linux is stopped after the guest's power-off" ||
	fail "plinthctl vm list: linux is stopped after the guest's power-off (state '$state')" "$W/vms.json"
has "plinth: the guest powered off through ACPI S5" "$log" \
	"${PL}partition 'linux' stopped: guest powered off \\(ACPI S5\\)"
if ctl vm delete "$HID/linux" --timeout "$(left)" >"$W/delete.out" 2>&1; then
	pass "plinthctl vm delete"
else
	fail "plinthctl vm delete" "$W/delete.out"
fi
ctl --json vm list >"$W/vms.json" 2>/dev/null
n=$(jget "$W/vms.json" 'len([p for p in j["partitions"] if p["name"] == "linux" and p["state"] != "deleted"])' 2>/dev/null)
[ "$n" = 0 ] && pass "plinthctl vm list: linux is gone" ||
	fail "plinthctl vm list: linux is gone (got '$n')" "$W/vms.json"
has "plinth: the partition is deleted" "$log" "${PL}partition 'linux' deleted"
ctl --json task list >"$W/tasks.json" 2>/dev/null
tasks=$(jget "$W/tasks.json" '" ".join("%s:%s" % (t["kind"], t["state"]) for t in sorted(j["tasks"], key=lambda t: t["id"]) if t["partition"] == "linux")' 2>/dev/null)
[ "$tasks" = "create:succeeded start:succeeded delete:succeeded" ] &&
	pass "plinthctl task list: create, start and delete succeeded" ||
	fail "plinthctl task list: create, start and delete succeeded (got '$tasks')" "$W/tasks.json"
ctl --json event list >"$W/events.json" 2>/dev/null
ev=$(jget "$W/events.json" '"%d %d" % tuple(len([e for e in j["events"] if e["partition"] == "linux" and e["state"] == s]) for s in ("running", "stopped"))' 2>/dev/null)
[ "$ev" = "1 1" ] && pass "plinthctl event list: linux running once and stopped once" ||
	fail "plinthctl event list: linux running once and stopped once (got '$ev')" "$W/events.json"

# 7. The run ends over the test-exit port.
if wait_for "$log" 'net: echo: listening on port 7'; then
	timeout 60 python3 tests/net/echo-client.py exit 127.0.0.1 "$XP" >"$W/exit-client.out" 2>&1
fi
wait "$bpid"
bpid=
has "plinth: the run ends over TCP port 8" "$log" "${PL}test exit: SUCCESS"
if sed -n '/Plinth ready/,$p' "$log" | grep -qaE "${PL}(EXCEPTION|.*FAIL|.*fatal)|resetting the device|lwip: assertion"; then
	fail "plinth: no fault, failure or fatal line after Plinth ready" "$log"
	sed -n '/Plinth ready/,$p' "$log" | grep -aE "${PL}(EXCEPTION|.*FAIL|.*fatal)|resetting the device|lwip: assertion" |
		head -5 | sed 's/^/    /'
else
	pass "plinth: no fault, failure or fatal line after Plinth ready"
fi
has "plinth: the guest's memory is scrubbed and released" "$log" \
	"${PL}partition 'linux' is down \\(status [-0-9]+, [0-9]+ ms\\), its memory scrubbed and released"
has "controller: the host's session went down at the end" "$CLOG" "controller: host $HID down"

# The figures.
size=$(($(stat -c %s build/linux/vmlinuz) + $(stat -c %s build/linux/initramfs.cpio.gz)))
if [ -s "$W/stamp.upload0" ] && [ -s "$W/stamp.upload1" ]; then
	u0=$(cat "$W/stamp.upload0") u1=$(cat "$W/stamp.upload1")
	rate=$(awk "BEGIN { d = $u1 - $u0; printf \"%.2f MB/s (%.1f s)\", (d > 0 ? $size / 1e6 / d : 0), d }")
else
	rate="unmeasured"
fi
first=unmeasured
[ -s "$W/stamp.console" ] && first="$(secs "$t_create" "$(cat "$W/stamp.console")") s"
echo "    agent-bochs: timing: create-to-first-console-output $first;" \
	"upload into Plinth $((size >> 10)) KiB at $rate; create $(secs "$t_create" "$t_created") s;" \
	"boot to host up $(secs "$t_boot" "$t_up") s; Bochs run $(cat "$work/seconds" 2>/dev/null) s"
summary
