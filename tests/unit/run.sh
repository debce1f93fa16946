#!/bin/bash
# Runs every host unit test binary; prints one result line per binary and
# "unit: P passed, F failed" counted in cmocka test cases.
set -u
cd "$(dirname "$0")/../.."
logdir=build/test-logs
mkdir -p "$logdir"
passed=0
failed=0
# Only the tests that exist in the tree: a stale binary of a removed test must not count.
for src in tests/unit/test_*.c; do
	name=$(basename "$src" .c)
	bin=build/host/$name
	if [ ! -x "$bin" ]; then
		echo "FAIL unit $name (not built)"
		failed=$((failed + 1))
		continue
	fi
	log="$logdir/unit-$name.log"
	timeout 300 "$bin" >"$log" 2>&1
	rc=$?
	p=$(grep -hoE '^\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$4} END {print s+0}')
	f=$(grep -hoE '^\[  FAILED  \] [0-9]+' "$log" | awk '{s+=$4} END {print s+0}')
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed, sanitizer report or timeout: count the binary as one failure
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -eq 0 ]; then
		echo "PASS unit $name ($p cases)"
	else
		echo "FAIL unit $name ($p passed, $f failed, exit $rc) - log: $log"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
done
echo "unit: $passed passed, $failed failed"
