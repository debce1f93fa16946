#!/bin/bash
# The fuzzers as `make test` runs them: every tests/fuzz/fuzz_NAME target for
# FUZZ_CI_SECONDS (default 15) on a copy of its corpus, tests/fuzz/corpus/fuzz_NAME/
# (kept in the repository; the run's new inputs stay under build/). A crash,
# leak, timeout or sanitizer report is a failure; its input is kept in
# build/fuzz/artifacts-NAME/ and named in the output.
# Ends with "fuzz: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_CI_SECONDS:-15}
passed=0
failed=0
if ! make -s fuzz-build >build/fuzz-build.log 2>&1; then
	echo "FAIL fuzz: build (build/fuzz-build.log)"
	tail -n 20 build/fuzz-build.log | sed 's/^/    /'
	echo "fuzz: 0 passed, 1 failed"
	exit 0
fi
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	work=build/fuzz/ci-corpus-$name
	art=build/fuzz/artifacts-$name/
	rm -rf "$work" "$art"
	mkdir -p "$work" "$art"
	seeds=0
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp tests/fuzz/corpus/"$name"/* "$work"/ 2>/dev/null
		seeds=$(ls tests/fuzz/corpus/"$name" | wc -l)
	fi
	log=build/fuzz/$name.ci.log
	if build/fuzz/"$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art" "$work" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "PASS fuzz $name (${runs:-?} inputs in ${secs} s from $seeds seeds)"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz $name: $(ls "$art" | head -1) (log $log)"
		grep -m3 -E 'ERROR|SUMMARY' "$log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
