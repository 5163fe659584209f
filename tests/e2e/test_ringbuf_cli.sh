#!/usr/bin/env bash
# test_ringbuf_cli.sh - `bpfvm prog run OBJ.o` prints what the program wrote into its ring buffers, in order,
# discarded records left out; text lines before the result, a "ringbuf" array under -j
set -u
cd "$(dirname "$0")/../.."
BPFVM=${BPFVM:-build/bpfvm}
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }

# an Ethernet + IPv4 + TCP frame of 54 bytes
printf '\0\0\0\0\0\0\0\0\0\0\0\0\x08\x00\x45\0\0\x28\0\0\0\0\x40\x06\0\0\x0a\0\0\x01\x0a\0\0\x02' >"$tmp/pkt"
head -c 20 /dev/zero >>"$tmp/pkt"

"$BPFVM" prog run "$BUILD/bpf/examples/ringbuf_events/events.bpf.o" --data "$tmp/pkt" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && grep -q '^ringbuf events: 32 bytes: ' "$tmp/out" && [ "$(tail -n 1 "$tmp/out")" = 0x0 ]; then
	pass "examples/ringbuf_events: its event printed, r0 last"
else
	fail "examples/ringbuf_events: $(head -c 300 "$tmp/out") $(head -c 200 "$tmp/err")"
fi

"$BPFVM" prog run "$BUILD/bpf/tests/loader/progs/ringbuf.bpf.o" --data "$tmp/pkt" -j >"$tmp/out" 2>"$tmp/err"
want='"retval": "0x30".*"ringbuf": \[\{"map": "rb", "data": "2800000001000000"\}, \{"map": "rb", "data": "2800000002000000"\}\]'
if grep -Eq "$want" "$tmp/out"; then
	pass "reserve/submit, reserve/discard, output: two records in order, the discarded one left out; query saw 48 bytes (skb->len 40: the frame without its Ethernet header)"
else
	fail "ringbuf.bpf.o -j: $(head -c 400 "$tmp/out") $(head -c 200 "$tmp/err")"
fi

# perf event arrays: every slot gets a ring before the run; samples print as "perf MAP[SLOT]: N bytes: ..."
"$BPFVM" prog run "$BUILD/bpf/tests/loader/progs/perf_output.bpf.o" --prog perf_xdp --data "$tmp/pkt" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && [ "$(grep -c '^perf events\[0\]: ' "$tmp/out")" -eq 4 ] &&
	grep -qx 'perf events\[0\]: 4 bytes: 01 02 03 00' "$tmp/out" &&
	grep -qx 'perf events\[0\]: 4 bytes: 00 00 00 00' "$tmp/out"; then
	pass "perf_event_output: four samples in slot 0 (BPF_F_CURRENT_CPU), padded as the kernel pads them"
else
	fail "perf_output.bpf.o: $(head -c 400 "$tmp/out") $(head -c 200 "$tmp/err")"
fi
