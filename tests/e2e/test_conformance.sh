#!/usr/bin/env bash
# test_conformance.sh - the bpf_conformance suite through `bpfvm prog run`, once per engine (interp, checked, jit)
set -u
BPFVM=${BPFVM:-build/bpfvm}
SHARED=${SHARED:-../shared}
runner=$SHARED/conformance/run-conformance.sh
if [ ! -x "$runner" ] && [ ! -f "$runner" ]; then
	echo "FAIL conformance: $runner not found (the shared folder must sit beside the repository)"
	exit 0
fi
for engine in interp checked jit; do
	out=$(BPFVM_ENGINE=$engine bash "$runner" "$BPFVM" 2>&1)
	# every test that did not fail passed: list failures by name, count the rest
	fails=$(printf '%s\n' "$out" | grep '^FAIL ' || true)
	summary=$(printf '%s\n' "$out" | grep '^conformance: ' | tail -n 1)
	if [ -z "$summary" ]; then
		echo "FAIL conformance ($engine): the runner printed no summary: $(printf '%s' "$out" | tail -n 1)"
		continue
	fi
	passed=$(printf '%s\n' "$summary" | sed -E 's/^conformance: ([0-9]+) passed.*/\1/')
	total=$(printf '%s\n' "$summary" | sed -E 's/.* ([0-9]+) total$/\1/')
	[ -n "$fails" ] && printf '%s\n' "$fails" | sed "s/^FAIL /FAIL conformance ($engine): /"
	if [ "$passed" = "$total" ] && [ -z "$fails" ]; then
		echo "PASS conformance ($engine): $passed/$total tests"
	else
		echo "FAIL conformance ($engine): $passed/$total tests passed"
	fi
	echo "FIGURE conformance ($engine): $passed/$total"
done
