#!/usr/bin/env bash
# test_ringbuf_cli.sh - `bpfvm prog run OBJ.o` prints what the program wrote into its ring buffers, in order,
# discarded records left out; text lines before the result, a "ringbuf" array under -j
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

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

# a pinned ring buffer: runs in this process leave their records in the file, `map event_pipe` in another
# process prints them as they come (the ring is the example's 256 KiB one; 5 runs of one 32-byte event each)
"$BPFVM" map event_pipe pinned "$tmp/pins/events" >"$tmp/pipe" 2>"$tmp/pipe_err" &
early=$!
sleep 0.2
kill -INT $early 2>/dev/null
wait $early
if grep -q "events: No such file" "$tmp/pipe_err"; then
	pass "map event_pipe on a missing pin: one error line"
else
	fail "map event_pipe on a missing pin: $(head -c 300 "$tmp/pipe_err")"
fi
"$BPFVM" prog run "$BUILD/bpf/examples/ringbuf_events/events.bpf.o" --data "$tmp/pkt" --pin-maps "$tmp/pins" \
	>"$tmp/out" 2>"$tmp/err"
"$BPFVM" map event_pipe pinned "$tmp/pins/events" >"$tmp/pipe" 2>"$tmp/pipe_err" &
consumer=$!
for i in 1 2 3 4; do
	"$BPFVM" prog run "$BUILD/bpf/examples/ringbuf_events/events.bpf.o" --data "$tmp/pkt" --pin-maps "$tmp/pins" \
		>>"$tmp/out" 2>>"$tmp/err"
done
for i in $(seq 50); do [ "$(grep -c '^ringbuf events: 32 bytes: ' "$tmp/pipe")" -ge 5 ] && break; sleep 0.1; done
kill -INT $consumer
wait $consumer
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c '^ringbuf events: 32 bytes: ' "$tmp/pipe")" -eq 5 ] &&
	! grep -q '^ringbuf' "$tmp/out" && grep -q 'note: ringbuf events is pinned' "$tmp/err"; then
	pass "map event_pipe: another process prints the 5 events 5 pinned runs left (the runs print none themselves)"
else
	fail "map event_pipe (rc $rc): $(head -c 300 "$tmp/pipe") | $(head -c 300 "$tmp/pipe_err") | $(head -c 300 "$tmp/err")"
fi
"$BPFVM" map event_pipe pinned "$tmp/pins/events" extra >/dev/null 2>"$tmp/pipe_err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/pipe_err")" -eq 1 ]; then
	pass "map event_pipe with a stray argument: exit 2, one line"
else
	fail "map event_pipe stray argument: rc $rc $(head -c 200 "$tmp/pipe_err")"
fi
