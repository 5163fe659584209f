#!/usr/bin/env bash
# test_demo.sh - scripts/demo.sh (the README's first command) runs to the end and its results are FNV-1a 64 of the input
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

# the hash the demo must print: FNV-1a 64 over the bytes of examples/fnv1a.mem, computed here independently
want=$(python3 -c '
import sys
h = 0xcbf29ce484222325
for tok in open("examples/fnv1a.mem").read().split():
    h = ((h ^ int(tok, 16)) * 0x100000001b3) % 2**64
print(hex(h))')

BUILD=$BUILD timeout -k 2 120 bash scripts/demo.sh >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ]; then
	if grep -q "unknown command" "$tmp/err"; then
		echo "SKIP demo: a command it uses is not in this build: $(grep -m1 'unknown command' "$tmp/err")"
	else
		echo "FAIL demo: scripts/demo.sh exited $rc: $(tail -n 1 "$tmp/err")"
	fi
	exit 0
fi
# each `prog run` of the demo prints r0 alone on a line (interp, jit), the last one a JSON line
hexes=$(grep -cx "$want" "$tmp/out")
json=$(grep '"retval"' "$tmp/out" | tail -n 1)
if [ "$hexes" -ge 2 ]; then
	echo "PASS demo: interp and jit print $want"
else
	echo "FAIL demo: expected $want on the interp and jit lines, got: $(grep -x '0x[0-9a-f]*' "$tmp/out" | tr '\n' ' ')"
fi
if [ -n "$json" ] && echo "$json" | grep -q "\"retval\": *\"$want\""; then
	echo "PASS demo: the JSON result line has retval $want"
else
	echo "FAIL demo: the JSON result line is '$json', expected retval $want"
fi
