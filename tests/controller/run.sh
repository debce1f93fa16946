#!/bin/bash
# Controller scenarios: plinth-controller (ASan/UBSan build) on free loopback ports, driven
# by plinthctl and the hosted fake agent (tools/controller/tests/fake-agent.c): enrolment,
# a session and its facts, partitions and events (exactly once across reconnects, replays
# and a kill -9 of the controller), every refusal of the contract, API roles, validation
# and idempotency; then operations, image uploads, consoles and the event stream (contract2)
# against the fake agent's serve mode. Prints PASS/FAIL lines and ends with "controller: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
logs=build/test-logs
mkdir -p "$logs"
passed=0
failed=0
W=build/controller-test
B=build/controller
CLOG=$W/controller.log

pass() { echo "PASS controller: $1"; passed=$((passed + 1)); }
fail() {
	echo "FAIL controller: $1"
	failed=$((failed + 1))
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		echo "    --- last lines of $2 ---"
		tail -n 15 "$2" | sed 's/^/    /'
	fi
}
check() { # check NAME COMMAND...: passes when the command succeeds
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "$CLOG"; fi
}
summary() {
	echo "controller: $passed passed, $failed failed"
	[ -n "${CPID:-}" ] && kill -9 "$CPID" 2>/dev/null
	exit 0
}

if ! make -s controller >"$logs/controller-build.log" 2>&1; then
	fail "build" "$logs/controller-build.log"
	summary
fi
rm -rf "$W"
mkdir -p "$W/agent" "$W/agent2" "$W/agent3"

read -r AP HP < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
export PLINTH_URL=http://127.0.0.1:$HP
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
HID=h-525400123456

# jget FILE EXPR: a Python expression over the JSON in FILE as j.
jget() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

$B/plinth-controller init --state "$W/state" >"$W/init.out" 2>&1
ADMIN=$(sed -n 's/^admin-token: //p' "$W/init.out")
VIEWER=$(sed -n 's/^viewer-token: //p' "$W/init.out")
PIN=$(sed -n 's/^ca-pin: //p' "$W/init.out")
export PLINTH_TOKEN=$ADMIN
OPIN=$(openssl x509 -in "$W/state/ca.crt" -pubkey -noout | openssl pkey -pubin -outform DER |
	sha256sum | cut -d' ' -f1)
check "init prints the CA pin (SPKI SHA-256)" test -n "$PIN" -a "$PIN" = "$OPIN"
modes=$(stat -c %a "$W"/state/ca.key "$W"/state/server.key "$W"/state/ca.crt \
	"$W"/state/controller.db | sort -u)
check "init files are 0600" test "$modes" = 600
check "init: admin and viewer tokens stored as SHA-256 only" \
	bash -c "! grep -qa -e '$ADMIN' -e '$VIEWER' '$W/state/controller.db'"

start_ctl() { # [extra serve options]
	$B/plinth-controller serve --state "$W/state" --agent-listen 127.0.0.1:$AP \
		--api-listen 127.0.0.1:$HP --heartbeat-ms 200 "$@" 2>>"$CLOG" &
	CPID=$!
	for _ in $(seq 50); do
		curl -sf -o /dev/null -H "Authorization: Bearer $VIEWER" "$PLINTH_URL/v1/hosts" && return 0
		sleep 0.1
	done
	return 1
}
# fa MODE DIR [args]: the fake agent against this controller.
fa() {
	local mode=$1 dir=$2
	shift 2
	$B/fake-agent "$mode" --server 127.0.0.1:$AP --pin "$PIN" --state "$dir" "$@"
}
ctl() { $B/plinthctl "$@"; }

if ! start_ctl; then
	fail "controller serves" "$CLOG"
	summary
fi
pass "controller serves (agents :$AP, API :$HP)"

ctl --json token create --ttl 600 >"$W/tok.json" 2>"$W/ctl.err"
TOKEN=$(jget "$W/tok.json" 'j["token"]' 2>/dev/null)
check "plinthctl token create" test -n "$TOKEN"
fa enrol "$W/agent" --host-id $HID --token "$TOKEN" >"$W/fa.out" 2>&1
check "fake agent enrols" grep -q "enrolled as $HID" "$W/fa.out"
check "controller logs the enrolment" grep -q "controller: host $HID enrolled" "$CLOG"
check "client certificate: CN = host id, clientAuth, issued by the CA" bash -c "
	openssl x509 -in '$W/agent/cert.pem' -noout -subject | grep -q 'CN = $HID' &&
	openssl x509 -in '$W/agent/cert.pem' -noout -ext extendedKeyUsage | grep -q 'Client' &&
	openssl verify -CAfile '$W/state/ca.crt' '$W/agent/cert.pem' >/dev/null"

fa session "$W/agent" --host-id $HID --hold-ms 3000 >"$W/fa-session.out" 2>&1 &
FAPID=$!
up=0
for _ in $(seq 40); do
	ctl --json host list >"$W/hosts.json" 2>/dev/null &&
		[ "$(jget "$W/hosts.json" 'j["hosts"][0]["state"]')" = up ] && { up=1; break; }
	sleep 0.1
done
check "host list shows the host up" test $up = 1
check "host facts from HELLO" test "$(jget "$W/hosts.json" \
	'"%s %d %d %d" % (j["hosts"][0]["facts"]["version"], j["hosts"][0]["facts"]["cpus"],
	j["hosts"][0]["facts"]["memory"], j["hosts"][0]["facts"]["nics"])')" = "fake-agent 1 4 8589934592 1"
# The first round trip takes a heartbeat (200 ms) to be measured.
for _ in $(seq 30); do
	curl -s -H "Authorization: Bearer $VIEWER" "$PLINTH_URL/metrics" >"$W/metrics.txt"
	grep -q "^plinth_agent_rtt_seconds{host=\"$HID\"}" "$W/metrics.txt" && break
	sleep 0.1
done
check "metrics: hosts up 1" grep -qx 'plinth_hosts{state="up"} 1' "$W/metrics.txt"
check "metrics: rtt of the host" grep -qE "^plinth_agent_rtt_seconds\{host=\"$HID\"\} 0\.[0-9]+$" \
	"$W/metrics.txt"
wait $FAPID
check "session: events acked, heartbeats exchanged, GOODBYE" bash -c "
	grep -q 'events acked up to 3' '$W/fa-session.out' && grep -q 'rtt [0-9]* us' '$W/fa-session.out' &&
	grep -q 'controller: host $HID down (goodbye: session done)' '$CLOG'"
check "controller logs the session up" grep -q "controller: host $HID up (boot boot-1)" "$CLOG"
ctl --json host show $HID >"$W/host.json"
check "rtt recorded" test "$(jget "$W/host.json" 'j["host"]["rtt_us"] is not None')" = True
ctl --json vm list >"$W/vms.json"
check "vm list: the 2 partitions" test "$(jget "$W/vms.json" \
	'" ".join(p["name"] + ":" + p["state"] for p in j["partitions"])')" = "db:stopped web:running"
ctl vm list --host $HID >"$W/vms.txt"
check "vm list: aligned table" bash -c "head -1 '$W/vms.txt' | grep -q '^HOST  *NAME  *STATE' &&
	grep -qE '^$HID  +web +running +2 +1.0 GiB +yes$' '$W/vms.txt'"

count_events() { ctl --json event list >"$W/ev.json" && jget "$W/ev.json" 'len(j["events"])'; }
check "event list: the 3 events" test "$(count_events)" = 3
fa session "$W/agent" --host-id $HID >"$W/fa.out" 2>&1
check "reconnect: WELCOME acks the stored events" grep -q "events acked 3)" "$W/fa.out"
fa session "$W/agent" --host-id $HID --replay >"$W/fa.out" 2>&1
check "replay of stored events: acked again" grep -q "events acked up to 3" "$W/fa.out"
check "event list: still exactly 3 after reconnect and replay" test "$(count_events)" = 3
check "event list: in order, each once" test "$(jget "$W/ev.json" \
	'",".join("%d:%d" % (e["seq"], e["agent_seq"]) for e in j["events"])')" = "1:1,2:2,3:3"
fa session "$W/agent" --host-id $HID --boot-id boot-2 >"$W/fa.out" 2>&1
check "a new boot starts at events acked 0" grep -q "events acked 0)" "$W/fa.out"
check "event list --after 3: the new boot's 3" bash -c "
	ctl() { $B/plinthctl \"\$@\"; }; ctl --json event list --after 3 >'$W/ev2.json' &&
	python3 -c 'import json; j=json.load(open(\"$W/ev2.json\")); assert [e[\"boot_id\"] for e in j[\"events\"]] == [\"boot-2\"] * 3'"

# Refusals.
fa enrol "$W/agent2" --host-id h-other --token "$TOKEN" >"$W/fa.out" 2>&1
rc=$?
check "reused token: agent refused" bash -c "[ $rc = 2 ] &&
	grep -q 'refused by the controller: enrolment token already used' '$W/fa.out'"
check "reused token: controller logs it" grep -qE \
	"controller: agent 127.0.0.1:[0-9]+: enrol refused: enrolment token already used" "$CLOG"
fa enrol "$W/agent2" --host-id h-other --token 0123456789abcdef >"$W/fa.out" 2>&1
check "unknown token refused" grep -q "refused by the controller: enrolment token unknown" "$W/fa.out"
EXPIRED=feedfacefeedfacefeedfacefeedface
python3 - "$W/state/controller.db" "$EXPIRED" <<'PY'
import hashlib, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO enrol_tokens (sha256, expires_at) VALUES (?, ?)",
           (hashlib.sha256(sys.argv[2].encode()).hexdigest(), int(time.time()) - 1))
db.commit()
PY
fa enrol "$W/agent2" --host-id h-other --token $EXPIRED >"$W/fa.out" 2>&1
check "expired token refused (both ends)" bash -c "
	grep -q 'refused by the controller: enrolment token expired' '$W/fa.out' &&
	grep -q 'enrol refused: enrolment token expired' '$CLOG'"
fa enrol "$W/agent2" --host-id h-other >"$W/fa.out" 2>&1
check "no token and an unknown key refused" grep -q "refused by the controller: enrolment token" \
	"$W/fa.out"
fa enrol "$W/agent" --host-id $HID >"$W/fa.out" 2>&1
check "no token, the enrolled key: certificate again" grep -q "enrolled as $HID" "$W/fa.out"

ctl --json token create >"$W/tok2.json"
fa enrol "$W/agent3" --host-id h-revokeme --token "$(jget "$W/tok2.json" 'j["token"]')" >/dev/null 2>&1
ctl host revoke h-revokeme >"$W/revoke.out" 2>&1
check "plinthctl host revoke" grep -q "host h-revokeme revoked (task" "$W/revoke.out"
fa session "$W/agent3" --host-id h-revokeme >"$W/fa.out" 2>&1
rc=$?
check "revoked host: session refused" bash -c "[ $rc = 2 ] &&
	grep -q 'refused by the controller: host h-revokeme is revoked' '$W/fa.out' &&
	grep -q 'session refused: host h-revokeme is revoked' '$CLOG'"
fa enrol "$W/agent3" --host-id h-revokeme >"$W/fa.out" 2>&1
check "revoked host: enrolment refused" grep -q "host h-revokeme is revoked" "$W/fa.out"

ctl --json token create >"$W/tok3.json"
fa enrol "$W/agent3" --host-id h-revokeme --token "$(jget "$W/tok3.json" 'j["token"]')" >"$W/fa.out" 2>&1
check "a fresh token re-admits a revoked host" grep -q "enrolled as h-revokeme" "$W/fa.out"
fa session "$W/agent3" --host-id h-revokeme --hold-ms 5000 >"$W/fa-live.out" 2>&1 &
FAPID=$!
for _ in $(seq 50); do grep -q "session up" "$W/fa-live.out" && break; sleep 0.1; done
ctl host revoke h-revokeme >/dev/null
wait $FAPID
rc=$?
check "revocation ends a live session" bash -c "[ $rc = 2 ] &&
	grep -q 'refused by the controller: host h-revokeme is revoked' '$W/fa-live.out' &&
	grep -q 'controller: host h-revokeme down (revoked)' '$CLOG'"
fa session "$W/agent" --host-id $HID --hello-host-id h-someone-else >"$W/fa.out" 2>&1
rc=$?
check "HELLO naming another host: GOODBYE IDENTITY" bash -c "[ $rc = 2 ] &&
	grep -q 'refused by the controller: HELLO host id h-someone-else is not the certificate.s $HID (reason 4)' '$W/fa.out'"

fa forged-cert "$W/agent2" --host-id $HID >"$W/fa.out" 2>&1
rc=$?
check "forged client certificate refused" bash -c "[ $rc = 4 ] &&
	grep -q 'TLS handshake failed' '$W/fa.out' && grep -q 'TLS handshake failed:.*certificate' '$CLOG'"
WRONG=$(echo "$PIN" | tr '0-9a-f' '1-9a-f0')
$B/fake-agent wrong-pin --server 127.0.0.1:$AP --pin "$WRONG" --host-id $HID \
	--state "$W/agent2" >"$W/fa.out" 2>&1
rc=$?
check "wrong pin: the agent refuses the controller" bash -c "[ $rc = 3 ] &&
	grep -q 'controller CA key does not match the pin (SHA-256 ${PIN:0:16}..., pinned ${WRONG:0:16}...); refusing it' '$W/fa.out'"
fa wrong-pin "$W/agent2" --host-id $HID >"$W/fa.out" 2>&1
check "right pin: the agent accepts the controller" grep -q "the pin matched" "$W/fa.out"

fa oversized-frame "$W/agent2" --host-id $HID >"$W/fa.out" 2>&1
rc=$?
check "oversized frame: GOODBYE and a logged protocol error" bash -c "[ $rc = 2 ] &&
	grep -q 'exceeds the 65536-byte limit (reason 3)' '$W/fa.out' &&
	grep -qE 'agent 127.0.0.1:[0-9]+: protocol error: frame of 65537 bytes exceeds the 65536-byte limit' '$CLOG'"
fa malformed "$W/agent2" --host-id $HID >"$W/fa.out" 2>&1
rc=$?
check "malformed TLV: GOODBYE and a logged protocol error" bash -c "[ $rc = 2 ] &&
	grep -q 'protocol error: ENROL: a field runs past the end of the message' '$CLOG'"
curl -s -H "Authorization: Bearer $VIEWER" "$PLINTH_URL/metrics" >"$W/metrics.txt"
check "metrics: protocol errors counted" grep -qx 'plinth_protocol_errors_total 2' "$W/metrics.txt"
fa session "$W/agent" --host-id $HID >"$W/fa.out" 2>&1
check "controller stays up after protocol errors" grep -q "events acked up to 3" "$W/fa.out"

fa silent "$W/agent" --host-id $HID >"$W/fa.out" 2>&1
check "a silent agent is dropped after 3 heartbeats" bash -c "
	grep -q 'dropped the silent session' '$W/fa.out' &&
	grep -qE 'controller: host $HID down \\(silent for ([6-9][0-9]{2}|1[0-9]{3}) ms\\)' '$CLOG'"

# kill -9 and restart: nothing lost, nothing doubled.
before=$(count_events)
kill -9 $CPID
wait $CPID 2>/dev/null
if start_ctl; then pass "controller restarts after kill -9"; else fail "restart" "$CLOG"; fi
ctl --json host show $HID >"$W/host.json"
check "after restart the host is down until it reconnects" \
	test "$(jget "$W/host.json" 'j["host"]["state"]')" = down
fa session "$W/agent" --host-id $HID --replay >"$W/fa.out" 2>&1
check "after restart: session with replay" grep -q "events acked up to 3" "$W/fa.out"
check "after restart: no duplicate events" test "$(count_events)" = "$before"

# API roles, validation, idempotency.
ctl --token "$VIEWER" token create >"$W/out" 2>"$W/err"
rc=$?
check "viewer token cannot POST (403)" bash -c "[ $rc = 1 ] && grep -q 'HTTP 403' '$W/err'"
check "viewer token may GET" bash -c "$B/plinthctl --token $VIEWER host list >/dev/null"
code=$(curl -s -o "$W/out" -w '%{http_code}' -X POST "$PLINTH_URL/v1/enrol-tokens")
check "no token: 401 JSON" bash -c "[ $code = 401 ] && grep -q '\"error\"' '$W/out'"
ctl token create --ttl 5 >"$W/out" 2>"$W/err"
rc=$?
check "bad ttl: 400 naming ttl_s" bash -c "[ $rc = 1 ] && grep -q 'HTTP 400): ttl_s: must be between 60 and 604800' '$W/err'"
code=$(curl -s -o "$W/out" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" "$PLINTH_URL/v1/nope")
check "unknown path: 404 JSON" bash -c "[ $code = 404 ] && grep -q '\"error\"' '$W/out'"
ctl --json --idempotency-key scenario-1 token create >"$W/i1.json"
ctl --json --idempotency-key scenario-1 token create >"$W/i2.json"
check "Idempotency-Key: the same task, not run twice" bash -c "
	[ \"\$(python3 -c 'import json; print(json.load(open(\"$W/i1.json\"))[\"task\"][\"id\"])')\" = \
	  \"\$(python3 -c 'import json; j=json.load(open(\"$W/i2.json\")); assert j[\"replayed\"] and \"token\" not in j; print(j[\"task\"][\"id\"])')\" ]"
ctl task list >"$W/tasks.txt"
check "task list: one enrol-token.create per key" test \
	"$(grep -c enrol-token.create "$W/tasks.txt")" = 4
TID=$(jget "$W/i1.json" 'j["task"]["id"]')
check "task wait" bash -c "$B/plinthctl task wait $TID --timeout 5 | grep -q 'task $TID succeeded'"

# Operations, uploads and consoles (contract2) against the fake agent's serve mode.
# enrol_host DIR HOST: a fresh token, and the fake agent enrolled with it.
enrol_host() {
	mkdir -p "$1"
	ctl --json token create >"$W/tokx.json" &&
		fa enrol "$1" --host-id "$2" --token "$(jget "$W/tokx.json" 'j["token"]')" >/dev/null 2>&1
}
# wait_up HOST: until the controller has its STATE (the host's partitions are listed).
wait_up() {
	for _ in $(seq 50); do
		ctl --json vm list --host "$1" >"$W/up.json" 2>/dev/null &&
			[ "$(jget "$W/up.json" 'len(j["partitions"])')" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}
serve() { # serve DIR HOST LOG [options]: the fake agent's serve mode in the background, $! its pid
	local dir=$1 host=$2 log=$3
	shift 3
	$B/fake-agent serve --server 127.0.0.1:$AP --pin "$PIN" --state "$dir" --host-id "$host" \
		--run-ms 60000 "$@" >"$log" 2>&1 &
}
OPS=h-ops
enrol_host "$W/ops" $OPS
serve "$W/ops" $OPS "$W/fa-ops.out" --op-log "$W/ops.log"
OPSPID=$!
check "serve: the host comes up with its STATE" wait_up $OPS
head -c 300000 /dev/urandom >"$W/kernel.img"
head -c 5000 /dev/urandom >"$W/initrd.img"
KSHA=$(ctl image upload "$W/kernel.img" --name kernel 2>"$W/up.err")
check "image upload prints the sha256 (= sha256sum)" test -n "$KSHA" -a \
	"$KSHA" = "$(sha256sum "$W/kernel.img" | cut -d' ' -f1)"
check "image upload: the file is stored under images/<sha256>" cmp -s "$W/kernel.img" \
	"$W/state/images/$KSHA"
ctl --json image upload "$W/kernel.img" >"$W/up2.json"
ctl --json image list >"$W/images.json"
check "the same bytes again: the same image, listed once" bash -c "
	[ \"\$(python3 -c 'import json; print(json.load(open(\"$W/up2.json\"))[\"image\"][\"sha256\"])')\" = $KSHA ] &&
	[ \"\$(python3 -c 'import json; print(len(json.load(open(\"$W/images.json\"))[\"images\"]))')\" = 1 ]"
ctl vm create --host $OPS --name web --vcpus 2 --memory 256 --kernel $KSHA \
	--initrd "$W/initrd.img" --cmdline "console=ttyS0" >"$W/create.out" 2>&1
check "vm create (a file as initrd: uploaded first) succeeds" grep -q "task [0-9]* succeeded" \
	"$W/create.out"
check "create: both images streamed to the agent, then the OP" bash -c "
	[ \$(grep -c 'fake-agent: stored image' '$W/fa-ops.out') = 2 ] && grep -q 'OP [0-9]* kind 1 web (new)' '$W/fa-ops.out'"
ctl vm start $OPS/web >"$W/start.out" 2>&1
check "vm start waits for the task" grep -q "task [0-9]* succeeded" "$W/start.out"
ctl --json vm list --host $OPS >"$W/vms.json"
check "partition state from the agent's EVENT: running" test "$(jget "$W/vms.json" \
	'[p["state"] for p in j["partitions"] if p["name"] == "web"][0]')" = running
printf 'hello plinth\n' | timeout 20 $B/plinthctl vm console $OPS/web --until 'echo: hello plinth' \
	--timeout 10 >"$W/console.out" 2>&1
rc=$?
check "console: banner, then the typed line echoed" bash -c "[ $rc = 0 ] &&
	grep -q 'fake console ready' '$W/console.out' && grep -q 'echo: hello plinth' '$W/console.out'"
printf 'sneaky\n' | timeout 20 $B/plinthctl --token "$VIEWER" vm console $OPS/web \
	--until 'typing needs an admin token' --timeout 10 >"$W/console-viewer.out" 2>&1
rc=$?
check "console: a viewer token watches but may not type" bash -c "[ $rc = 0 ] &&
	grep -q 'fake console ready' '$W/console-viewer.out' && ! grep -q 'echo: sneaky' '$W/console-viewer.out'"
ctl --token "$VIEWER" vm stop $OPS/web >/dev/null 2>"$W/err"
rc=$?
check "a viewer token cannot POST an operation (403)" bash -c "[ $rc = 1 ] && grep -q 'HTTP 403' '$W/err'"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Connection: Upgrade" -H "Upgrade: websocket" \
	-H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" \
	"$PLINTH_URL/v1/partitions/$OPS/web/console?token=wrong" --max-time 3)
check "console: a bad token gets no WebSocket" test "$code" != 101
timeout 20 $B/plinthctl vm console $OPS/nope --timeout 10 >"$W/console-nope.out" 2>&1
rc=$?
check "console of an unknown partition: the agent's refusal shown, exit 1" bash -c "[ $rc = 1 ] &&
	grep -q 'console closed: no partition nope' '$W/console-nope.out'"
ctl vm stop $OPS/web >"$W/stop.out" 2>&1 && ctl vm delete $OPS/web >"$W/delete.out" 2>&1
check "vm stop and vm delete" bash -c "grep -q succeeded '$W/stop.out' && grep -q succeeded '$W/delete.out'"
ctl --json vm list --host $OPS >"$W/vms.json"
check "deleted: gone from the host's STATE" test "$(jget "$W/vms.json" \
	'" ".join(p["name"] for p in j["partitions"])')" = cfg
ctl --json task list >"$W/tasks.json"
check "task records: create, start, stop, delete succeeded, with host and partition" test \
	"$(jget "$W/tasks.json" '" ".join("%s:%s:%s" % (t["kind"], t["state"], t["partition"])
	for t in j["tasks"] if t["host"] == "'$OPS'")')" = \
	"create:succeeded:web start:succeeded:web stop:succeeded:web delete:succeeded:web"
check "create's progress counted the uploaded bytes" test "$(jget "$W/tasks.json" \
	'[t["progress"]["total"] for t in j["tasks"] if t["kind"] == "create"][0]')" = 305000
ctl --json event list >"$W/ev.json"
check "event records: created, started, stopped" test "$(jget "$W/ev.json" \
	'" ".join(e["text"] for e in j["events"] if e["host"] == "'$OPS'")')" = "created started stopped"
ctl vm create --host $OPS --name bad --vcpus 1 --memory 64 --kernel "$(printf '%064d' 0)" \
	>"$W/out" 2>"$W/err"
rc=$?
check "create: an unknown kernel image is refused naming the field" bash -c "[ $rc = 1 ] &&
	grep -q 'HTTP 400): kernel: no image with that sha256' '$W/err'"
ctl vm create --host $OPS --name bad --vcpus 65 --memory 64 --kernel $KSHA >"$W/out" 2>"$W/err"
check "create: vcpus out of range named" grep -q "vcpus: must be between 1 and 64" "$W/err"
# SSE: resumable by ?after= and Last-Event-ID.
LAST=$(jget "$W/ev.json" 'j["events"][-1]["seq"]')
curl -s -N --max-time 1.5 -H "Authorization: Bearer $VIEWER" \
	"$PLINTH_URL/v1/events/stream?after=$((LAST - 2))" >"$W/sse.txt"
check "event stream from ?after=: the events after it, with their ids" test \
	"$(grep '^id: ' "$W/sse.txt" | tr '\n' ' ')" = "id: $((LAST - 1)) id: $LAST "
curl -s -N --max-time 1.5 -H "Authorization: Bearer $VIEWER" -H "Last-Event-ID: $((LAST - 1))" \
	"$PLINTH_URL/v1/events/stream?after=0" >"$W/sse2.txt"
check "event stream resumes from Last-Event-ID" bash -c "
	[ \"\$(grep '^id: ' '$W/sse2.txt')\" = 'id: $LAST' ] && grep -q '^data: {.*\"seq\": *$LAST' '$W/sse2.txt'"

# A host without VT-x: the typed error, exit status 1.
enrol_host "$W/novirt" h-novirt
serve "$W/novirt" h-novirt "$W/fa-novirt.out" --no-virt
NVPID=$!
wait_up h-novirt
ctl vm start h-novirt/cfg >"$W/out" 2>"$W/err"
rc=$?
check "no VT-x: vm start fails with no_virt, exit 1" bash -c "[ $rc = 1 ] &&
	grep -qx 'error: no_virt: no hardware virtualization on this host' '$W/err'"
# A corrupted upload: the agent's hash check fails the task, naming the mismatch.
enrol_host "$W/corrupt" h-corrupt
serve "$W/corrupt" h-corrupt "$W/fa-corrupt.out" --corrupt-upload
CRPID=$!
wait_up h-corrupt
ctl vm create --host h-corrupt --name web --vcpus 1 --memory 64 --kernel $KSHA >"$W/out" 2>"$W/err"
rc=$?
check "corrupt upload: the task fails with the hash mismatch named" bash -c "[ $rc = 1 ] &&
	grep -q 'error: upload_failed: image ${KSHA:0:16}...: hash mismatch: got ' '$W/err'"
check "corrupt upload: no OP was sent" bash -c "! grep -q 'OP ' '$W/fa-corrupt.out'"

# A stream frame breaking the rules ends the connection, with the reason logged.
enrol_host "$W/badstream" h-badstream
serve "$W/badstream" h-badstream "$W/fa-badstream.out" --bad-stream
BSPID=$!
for _ in $(seq 50); do grep -q "goodbye: DATA on channel 9" "$W/fa-badstream.out" && break; sleep 0.1; done
check "DATA on an unopened channel: protocol error, logged, connection closed" bash -c "
	grep -qE 'controller: agent 127.0.0.1:[0-9]+: protocol error: DATA on channel 9, which is not open' '$CLOG' &&
	grep -q 'connection lost (goodbye: DATA on channel 9, which is not open)' '$W/fa-badstream.out'"
for _ in $(seq 50); do [ "$(grep -c 'session up' "$W/fa-badstream.out")" -ge 2 ] && break; sleep 0.1; done
check "the agent's next session is fine" bash -c "[ \$(grep -c 'session up' '$W/fa-badstream.out') -ge 2 ] &&
	[ \$(grep -c ': agent 127.0.0.1:[0-9]*: protocol error: DATA on channel 9' '$CLOG') = 1 ]"

# kill -9 while the agent holds a RESULT back: after the restart the task completes, run once.
enrol_host "$W/slow" h-slow
serve "$W/slow" h-slow "$W/fa-slow.out" --result-delay-ms 2500 --op-log "$W/slow.log"
SLPID=$!
wait_up h-slow
ctl --json vm start h-slow/cfg --no-wait >"$W/slow.json"
STID=$(jget "$W/slow.json" 'j["task"]["id"]')
for _ in $(seq 50); do grep -q "OP $STID kind 2 cfg (new)" "$W/fa-slow.out" && break; sleep 0.1; done
kill -9 $CPID
wait $CPID 2>/dev/null
if start_ctl --max-upload 1000000; then pass "restart mid-task"; else fail "restart mid-task" "$CLOG"; fi
ctl task wait $STID --timeout 20 >"$W/out" 2>&1
check "the task sent before the kill -9 completes after the restart" grep -q "task $STID succeeded" \
	"$W/out"
check "the resent op id ran once on the agent" bash -c "
	[ \$(grep -c '^$STID ' '$W/slow.log') = 1 ] && grep -q 'OP $STID kind 2 cfg (done before)' '$W/fa-slow.out'"
head -c 1000001 /dev/zero >"$W/big.img"
ctl image upload "$W/big.img" >"$W/out" 2>"$W/err"
rc=$?
check "upload over --max-upload: 413, nothing stored" bash -c "[ $rc = 1 ] &&
	grep -q 'HTTP 413): body: larger than the upload limit of 1000000 bytes' '$W/err' &&
	[ \$(ls '$W/state/images' | wc -l) = 2 ]"
curl -s -H "Authorization: Bearer $VIEWER" "$PLINTH_URL/metrics" >"$W/metrics.txt"
check "metrics: tasks by state" bash -c "grep -qx 'plinth_tasks{state=\"failed\"} 2' '$W/metrics.txt' &&
	grep -qx 'plinth_tasks{state=\"queued\"} 0' '$W/metrics.txt'"
kill -TERM $OPSPID $NVPID $CRPID $SLPID $BSPID
wait $OPSPID $NVPID $CRPID $SLPID $BSPID
check "serving fake agents stop on SIGTERM" bash -c "! kill -0 $OPSPID $NVPID $CRPID $SLPID $BSPID 2>/dev/null"

kill -TERM $CPID
wait $CPID
rc=$?
check "SIGTERM: clean shutdown" bash -c "[ $rc = 0 ] && tail -n 2 '$CLOG' | grep -q 'controller: stopped'"
CPID=
check "no sanitizer reports" bash -c "! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' \
	'$CLOG' $W/*.out"
summary
