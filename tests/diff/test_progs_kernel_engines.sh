#!/usr/bin/env bash
# test_progs_kernel_engines.sh - the BPF C programs vs the live kernel (test_progs_kernel.c) on the engines the
# default run does not use: the interpreter and the bounds-checked interpreter (the default run takes the JIT)
set -u -o pipefail
bin=${BUILD:-build}/tests/diff/test_progs_kernel
if [ ! -x "$bin" ]; then
	echo "FAIL progs-kernel-engines: $bin is not built"
	exit 1
fi
rc=0
for engine in interp checked; do
	BPFVM_ENGINE=$engine "$bin" | sed -E "s/^(PASS|FAIL|SKIP|FIGURE) /\1 [$engine] /" || rc=1
done
exit $rc
