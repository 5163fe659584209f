#!/usr/bin/env bash
# test_verify_cli.sh - `bpfvm prog verify` on assembly and ELF objects, and `--kernel` against the running kernel
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

# check_run NAME WANT_RC WANT_STDOUT_REGEX CMD... (an empty regex: stdout must be empty)
check_run() {
	local name=$1 want_rc=$2 want=$3; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq "$want_rc" ] && { if [ -z "$want" ]; then [ ! -s "$tmp/out" ]; else grep -Eq -- "$want" "$tmp/out"; fi; }; then
		pass "$name"
	else
		fail "$name: exit $rc (want $want_rc), stdout: $(head -c 300 "$tmp/out") stderr: $(tail -c 200 "$tmp/err")"
	fi
}

check_run "object: every program verified" 0 '^count_packets: accept$' \
	"$BPFVM" prog verify "$BUILD/bpf/examples/packet_counter/packet_counter.bpf.o"
check_run "object: --prog selects one" 0 '^stage2: accept$' \
	"$BPFVM" prog verify "$BUILD/bpf/examples/tail_calls/tail_calls.bpf.o" --prog stage2
check_run "object: -j" 0 '"name": "count_packets", "verdict": "accept"' \
	"$BPFVM" prog verify "$BUILD/bpf/examples/packet_counter/packet_counter.bpf.o" -j
check_run "object: no such program" 2 '' \
	"$BPFVM" prog verify "$BUILD/bpf/examples/packet_counter/packet_counter.bpf.o" --prog nope
check_run "assembly: rejected, exit 1" 1 '"verdict": "reject", "error": "R2 !read_ok"' \
	"$BPFVM" prog verify examples/fnv1a.s -j

# --kernel: both verdicts and where the logs part (skips where bpf() is refused)
"$BPFVM" prog verify examples/keep_ipv4.s --kernel >"$tmp/out" 2>/dev/null
if grep -q '^kernel: unavailable' "$tmp/out"; then
	echo "SKIP prog verify --kernel: $(grep '^kernel:' "$tmp/out")"
else
	check_run "--kernel: the same verdict and an identical log" 0 '^logs: identical$' \
		"$BPFVM" prog verify examples/keep_ipv4.s --kernel
	check_run "--kernel: a rejection in the same words" 1 '^kernel: reject: R2 !read_ok$' \
		"$BPFVM" prog verify examples/fnv1a.s --kernel
	check_run "--kernel: the same level-1 log on a rejection" 1 '^logs: identical$' \
		"$BPFVM" prog verify examples/fnv1a.s --kernel
	# level 2 numbers the loops of the live-register table (strongly connected components); bpfvm does not
	check_run "--kernel: where the logs part" 1 '^logs part at line [0-9]+:$' \
		"$BPFVM" prog verify examples/fnv1a.s --kernel --log-level 2
	check_run "--kernel on an object with maps" 0 '"kernel": \{"verdict": "accept"' \
		"$BPFVM" prog verify "$BUILD/bpf/examples/packet_counter/packet_counter.bpf.o" --kernel -j
fi
