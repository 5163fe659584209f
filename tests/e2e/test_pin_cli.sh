#!/usr/bin/env bash
# test_pin_cli.sh - pinned maps from the command line: `prog run --pin-maps DIR` keeps a map's elements across runs,
# `bpfvm map show|dump|lookup|update|delete|getnext pinned FILE` reads and writes them, also while another bpfvm
# process is running the program on the same map
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh
obj=$BUILD/bpf/examples/packet_counter/packet_counter.bpf.o
if [ ! -f "$obj" ]; then
	echo "SKIP pin-cli: $obj not built (clang-19 missing?)"
	exit 0
fi
# Ethernet header, then IPv4 with protocol 6 (TCP) and total length 40: the skb data starts at the IP header
python3 -c 'import sys; sys.stdout.buffer.write(bytes(14) + bytes([0x45,0,0,40,0,0,0,0,64,6,0,0,10,0,0,1,10,0,0,2]) + bytes(20))' >"$tmp/pkt"
pins=$tmp/pins
pin=$pins/proto_counters
packets() { # the TCP counter's packets, from another process (the value's first 8 bytes, little-endian)
	"$BPFVM" map lookup pinned "$pin" key 6 0 0 0 | awk '{ h = ""; for (i = 14; i >= 7; i--) h = h $i; print h }' |
		(read -r h && echo $((16#$h)))
}

"$BPFVM" prog run "$obj" --data "$tmp/pkt" --pin-maps "$pins" >/dev/null
"$BPFVM" prog run "$obj" --data "$tmp/pkt" --pin-maps "$pins" --repeat 4 --engine interp >/dev/null
check "pin: the map file exists after the run" test -f "$pin"
check "pin: a second run reuses the pin: 1 + 4 packets counted" test "$(packets)" = 5
check "map lookup: text as bpftool prints it" test "$("$BPFVM" map lookup pinned "$pin" key hex 06 00 00 00)" = \
	"key: 06 00 00 00  value: 05 00 00 00 00 00 00 00 c8 00 00 00 00 00 00 00"
show=$("$BPFVM" map show pinned "$pin")
check "map show: type, name, sizes" grep -q "^array  name proto_counters" <<<"$show"
check "map show: key/value sizes and BTF" grep -q "key 4B  value 16B  max_entries 256  btf" <<<"$show"

"$BPFVM" map update pinned "$pin" key 17 0 0 0 value hex 0300000000000000 2a00000000000000
dump=$("$BPFVM" map dump pinned "$pin" -j)
check "map dump -j: the value written by update, formatted by the BTF kept in the pin" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
e = {x["key"]: x["value"] for x in d["elements"]}
sys.exit(0 if e[17] == {"packets": 3, "bytes": 42} and e[6]["packets"] == 5 and len(e) == 256 else 1)' "$dump"
check "map dump: text lists every element" test "$("$BPFVM" map dump pinned "$pin" | tail -n 1)" = "Found 256 elements"
check "map getnext: after key 6 comes 7" test "$("$BPFVM" map getnext pinned "$pin" key 6 0 0 0)" = "next key: 07 00 00 00"

"$BPFVM" map delete pinned "$pin" key 6 0 0 0 2>"$tmp/err"
check "map delete on an array: the kernel's -EINVAL, exit 1" test $? -eq 1 -a "$(cat "$tmp/err")" = "bpfvm: error: delete failed: Invalid argument"
"$BPFVM" map update pinned "$pin" key 6 0 0 0 value 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 noexist 2>"$tmp/err"
check "map update noexist on an array: -EEXIST, exit 1" test $? -eq 1 -a "$(cat "$tmp/err")" = "bpfvm: error: update failed: File exists"
"$BPFVM" map lookup pinned "$pin" key 6 0 0 2>"$tmp/err"
check "map lookup with a short key: one line naming the sizes, exit 2" \
	test $? -eq 2 -a "$(cat "$tmp/err")" = "bpfvm: error: map lookup: key: 3 bytes given, the map's key is 4 bytes"
"$BPFVM" map lookup pinned "$pin" key 6 0 0 256 2>"$tmp/err"
check "map lookup with a byte over 255: exit 2" test $? -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1
"$BPFVM" map dump pinned "$tmp/pkt" 2>"$tmp/err"
check "map dump of a file that is not a pin: one line, exit 2" \
	test $? -eq 2 -a "$(cat "$tmp/err")" = "bpfvm: error: $tmp/pkt: not a pinned bpfvm map"
"$BPFVM" map dump pinned "$tmp/none" 2>"$tmp/err"
check "map dump of a missing file: exit 2" test $? -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1

# two processes at once: the program runs 30M times (about 2 s in the checked interpreter) while this script reads
# the counter and resets it
before=$(packets)
"$BPFVM" prog run "$obj" --data "$tmp/pkt" --pin-maps "$pins" --repeat 30000000 --checked >/dev/null &
runner=$!
seen=()
for _ in $(seq 40); do
	seen+=("$(packets)")
	[ "${#seen[@]}" -ge 3 ] && [ "${seen[-1]}" != "${seen[-2]}" ] && [ "${seen[-2]}" != "${seen[-3]}" ] && break
	sleep 0.02
done
"$BPFVM" map update pinned "$pin" key 6 0 0 0 value hex 0000000000000000 0000000000000000
mid=$(packets)
wait $runner
rc=$?
after=$(packets)
check "pin: the running program's counts are seen by another process as they grow (${seen[*]})" \
	test "${#seen[@]}" -ge 3 -a "${seen[-1]}" != "${seen[-2]}" -a "${seen[-2]}" != "${seen[-3]}"
check "pin: a reset by another process mid-run is seen by the running program (mid $mid, after $after)" \
	test "$rc" -eq 0 -a "$after" -lt $((before + 30000000)) -a "$after" -ge "$mid"

# a pin of another map under the same name, and a directory that cannot be made: one line naming why, exit 2
cp "$pin" "$pins/hist"
"$BPFVM" prog run "$BUILD/bpf/examples/histogram/histogram.bpf.o" --data "$tmp/pkt" --pin-maps "$pins" >/dev/null 2>"$tmp/err"
check "pin reuse refused: the pinned map differs (one line, exit 2)" \
	test $? -eq 2 -a "$(cat "$tmp/err")" = "bpfvm: error: histogram.bpf.o: map 'hist': the map pinned at $pins/hist differs in type"
"$BPFVM" prog run "$obj" --data "$tmp/pkt" --pin-maps /proc/bpfvm-none >/dev/null 2>"$tmp/err"
check "pin directory that cannot be made: one line, exit 2" \
	test $? -eq 2 -a "$(cat "$tmp/err")" = "bpfvm: error: packet_counter.bpf.o: map 'proto_counters': pin directory /proc/bpfvm-none: No such file or directory"
