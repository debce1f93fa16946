#!/bin/bash
# The controller's web console in a headless browser: plinth-controller (ASan/UBSan build) on
# free loopback ports with a fresh state directory, the hosted fake agent enrolled and in a
# session, and tests/controller/browser.js driving Debian's Chromium (puppeteer-core from
# tools/controller/web/package-lock.json, installed by tools/fetch-web.sh) through the page:
# login, hosts, partitions, live events, Start, the console pane, no JS errors.
# Prints PASS/FAIL lines and ends with "browser: N passed, N failed".
#
# WEB_EXPECT=current (the default) checks what this controller does without contract 2's
# endpoints (polling, HTTP 404 on Start, no console WebSocket); WEB_EXPECT=contract2 checks
# the SSE stream, the Start task and the console WebSocket instead.
set -u
cd "$(dirname "$0")/../.."
logs=build/test-logs
mkdir -p "$logs"
passed=0
failed=0
W=build/browser-test
B=build/controller
CLOG=$W/controller.log
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
HID=h-525400abcdef
FAPID=
CPID=

pass() { echo "PASS browser: $1"; passed=$((passed + 1)); }
fail() {
	echo "FAIL browser: $1"
	failed=$((failed + 1))
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		echo "    --- last lines of $2 ---"
		tail -n 15 "$2" | sed 's/^/    /'
	fi
}
cleanup() {
	[ -f "$W/fb.pid" ] && kill "$(cat "$W/fb.pid")" 2>/dev/null
	[ -n "$FAPID" ] && kill "$FAPID" 2>/dev/null
	[ -n "${FSPID:-}" ] && kill "$FSPID" 2>/dev/null
	[ -n "$CPID" ] && kill -TERM "$CPID" 2>/dev/null && wait "$CPID" 2>/dev/null
}
summary() {
	cleanup
	echo "browser: $passed passed, $failed failed"
	exit 0
}

if ! make -s controller >"$logs/browser-build.log" 2>&1; then
	fail "build" "$logs/browser-build.log"
	summary
fi
if ! tools/fetch-web.sh >"$logs/fetch-web.log" 2>&1; then
	fail "tools/fetch-web.sh (npm ci of xterm.js and puppeteer-core)" "$logs/fetch-web.log"
	summary
fi
command -v node >/dev/null || { fail "node is not installed (make deps)"; summary; }
[ -x "$CHROMIUM" ] || { fail "$CHROMIUM is not installed (make deps installs chromium)"; summary; }

rm -rf "$W"
mkdir -p "$W/agent"
read -r AP HP < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
URL=http://127.0.0.1:$HP
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0

$B/plinth-controller init --state "$W/state" >"$W/init.out" 2>&1
ADMIN=$(sed -n 's/^admin-token: //p' "$W/init.out")
PIN=$(sed -n 's/^ca-pin: //p' "$W/init.out")
$B/plinth-controller serve --state "$W/state" --agent-listen 127.0.0.1:$AP \
	--api-listen 127.0.0.1:$HP --heartbeat-ms 300 2>>"$CLOG" &
CPID=$!
up=0
for _ in $(seq 50); do
	curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN" "$URL/v1/hosts" && { up=1; break; }
	sleep 0.1
done
if [ $up = 0 ]; then
	fail "controller serves" "$CLOG"
	summary
fi
pass "controller serves (agents :$AP, API :$HP)"

fa() {
	local mode=$1
	shift
	$B/fake-agent "$mode" --server 127.0.0.1:$AP --pin "$PIN" --state "$W/agent" \
		--host-id $HID "$@"
}
TOKEN=$(PLINTH_URL=$URL PLINTH_TOKEN=$ADMIN $B/plinthctl --json token create 2>>"$CLOG" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' 2>/dev/null)
if ! fa enrol --token "$TOKEN" >"$W/fa-enrol.out" 2>&1; then
	fail "the fake agent enrols" "$W/fa-enrol.out"
	summary
fi
fa session --hold-ms 60000 >"$W/fa-session.out" 2>&1 &
FAPID=$!
up=0
for _ in $(seq 50); do
	curl -s -H "Authorization: Bearer $ADMIN" "$URL/v1/events" | grep -q '"agent_seq":3' &&
		{ up=1; break; }
	sleep 0.1
done
if [ $up = 0 ]; then
	fail "the fake agent's session is up with its 3 events" "$W/fa-session.out"
	summary
fi
pass "the fake agent is enrolled and in a session (host $HID)"

# A second host whose agent runs operations and serves consoles (the fake agent's serve mode):
# its partition cfg is started from the page and its console read and typed into.
SID=h-5254000000aa
TOKEN2=$(PLINTH_URL=$URL PLINTH_TOKEN=$ADMIN $B/plinthctl --json token create 2>>"$CLOG" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' 2>/dev/null)
mkdir -p "$W/serve"
$B/fake-agent enrol --server 127.0.0.1:$AP --pin "$PIN" --state "$W/serve" --host-id $SID \
	--token "$TOKEN2" >"$W/fs-enrol.out" 2>&1 || fail "the serving fake agent enrols" "$W/fs-enrol.out"
$B/fake-agent serve --server 127.0.0.1:$AP --pin "$PIN" --state "$W/serve" --host-id $SID \
	--run-ms 60000 >"$W/fs-serve.out" 2>&1 &
FSPID=$!

# The live event: the first session ends, a new boot's session sends its 3 events.
cat >"$W/trigger.sh" <<EOF
kill $FAPID
while kill -0 $FAPID 2>/dev/null; do sleep 0.05; done
$B/fake-agent session --server 127.0.0.1:$AP --pin $PIN --state $W/agent --host-id $HID \
	--boot-id boot-2 --hold-ms 60000 >$W/fa-session2.out 2>&1 </dev/null &
echo \$! >$W/fb.pid
EOF

WEB_URL=$URL WEB_ADMIN=$ADMIN WEB_HOST=$HID WEB_SERVE_HOST=$SID WEB_TRIGGER=$W/trigger.sh \
	WEB_EXPECT=${WEB_EXPECT:-contract2} CHROMIUM=$CHROMIUM WEB_SCREENSHOT=${WEB_SCREENSHOT:-} \
	timeout 50 node tests/controller/browser.js >"$W/browser.out" 2>"$W/browser.err"
rc=$?
grep -E '^(PASS|FAIL) browser: ' "$W/browser.out"
passed=$((passed + $(grep -c '^PASS browser: ' "$W/browser.out")))
failed=$((failed + $(grep -c '^FAIL browser: ' "$W/browser.out")))
case $rc in
0) ;;
3) ;; # Chromium did not start: the driver printed a FAIL naming it
124) fail "the browser checks finished within 50 s" "$W/browser.err" ;;
*) [ -s "$W/browser.err" ] && fail "the driver exited with $rc" "$W/browser.err" ;;
esac
grep -q '^PASS\|^FAIL' "$W/browser.out" || fail "the driver printed no checks" "$W/browser.err"

cleanup
CPID=
FAPID=
rm -f "$W/fb.pid"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$CLOG"; then
	fail "no sanitizer reports from the controller" "$CLOG"
else
	pass "no sanitizer reports from the controller"
fi
summary
