#!/usr/bin/env bash
# run.sh - run every test program and script, count PASS/FAIL/SKIP lines, end with `N passed, N failed, N skipped`
#
# Test programs are $BUILD/tests/<module>/test_*; scripts are tests/**/test_*.sh (run with BPFVM=$BUILD/bpfvm).
# Each prints `PASS name`, `FAIL name: why`, `SKIP name: why` lines. A program that exits non-zero without a
# FAIL line counts as one failure (a crash). Set TESTS=pattern to run only matching tests.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD BPFVM=$PWD/$BUILD/bpfvm SHARED=${SHARED:-$PWD/../shared}
pattern=${TESTS:-}
passed=0 failed=0 skipped=0
log_dir=$BUILD/test-logs
mkdir -p "$log_dir"

run_one() { # NAME CMD...
	local name=$1; shift
	local out=$log_dir/$(echo "$name" | tr '/' '_').log
	local start=$SECONDS
	"$@" >"$out" 2>"$out.err" </dev/null
	local rc=$?
	local p f s
	p=$(grep -c '^PASS ' "$out") f=$(grep -c '^FAIL ' "$out") s=$(grep -c '^SKIP ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exited with status $rc and no FAIL line (crash?); stderr tail:" >>"$out"
		tail -n 5 "$out.err" | sed 's/^/    /' >>"$out"
		f=1
	fi
	if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
		echo "FAIL $name: ran no test case" >>"$out"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '%-40s %5d passed %4d failed %4d skipped  (%ds)\n' "$name" "$p" "$f" "$s" $((SECONDS - start))
	grep -E '^(FAIL|SKIP) ' "$out" | head -n 20 | sed 's/^/    /'
	grep -E '^(FIGURE) ' "$out" | sed 's/^/    /'
}

for t in $(find "$BUILD/tests" -type f -name 'test_*' -perm -u+x 2>/dev/null | sort); do
	name=${t#"$BUILD"/tests/}
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	run_one "$name" "$t"
done
for t in $(find tests -name 'test_*.sh' | sort); do
	name=${t#tests/}
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	run_one "$name" bash "$t"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
