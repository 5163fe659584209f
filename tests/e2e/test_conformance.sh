#!/usr/bin/env bash
# test_conformance.sh - the bpf_conformance suite through `bpfvm prog run`, once per engine (interp, checked, jit)
# The engine is passed with BPFVM_ENGINE (prog run honours it when no --engine option is given): one PASS/FAIL line
# per test and engine, and `FIGURE conformance (ENGINE): P/T`.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BPFVM=${BPFVM:-$BUILD/bpfvm}
SHARED=${SHARED:-../shared}
runner=$SHARED/conformance/run-conformance.sh
if [ ! -x "$runner" ] && [ ! -f "$runner" ]; then
	echo "SKIP conformance: $runner not found"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for engine in interp checked jit; do
	BPFVM_ENGINE=$engine bash "$runner" "$BPFVM" >"$tmp/$engine.out" 2>&1
	rc=$?
	summary=$(grep '^conformance: ' "$tmp/$engine.out" | tail -n 1)
	if [ -z "$summary" ]; then
		echo "FAIL conformance ($engine): the runner printed no summary (exit $rc)"
		continue
	fi
	grep '^FAIL ' "$tmp/$engine.out" | sed "s/^FAIL \([^:]*\):/FAIL conformance ($engine) \1:/"
	for f in "$SHARED"/conformance/tests/*.data; do
		name=$(basename "$f" .data)
		grep -q "^FAIL $name:" "$tmp/$engine.out" || echo "PASS conformance ($engine) $name"
	done
	p=$(echo "$summary" | sed -n 's/^conformance: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) total$/\1/p')
	t=$(echo "$summary" | sed -n 's/^conformance: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) total$/\3/p')
	echo "FIGURE conformance ($engine): $p/$t"
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$tmp/$engine.out"; then
		echo "FAIL conformance ($engine): runner exited $rc without a FAIL line"
	fi
done
