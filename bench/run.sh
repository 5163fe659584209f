#!/usr/bin/env bash
# run.sh - `make bench`: every benchmark binary (*_bench) in $BUILD/bench, one table each (the JIT table: bench/jit_bench.c)
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export UBPF_LIB=${UBPF_LIB:-/work/ext/libubpf.so}
for b in "$BUILD"/bench/*_bench; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b"
done
