#!/usr/bin/env bash
# test_prog_obj.sh - `bpfvm prog show|run OBJ.o` on real objects and on bad ones: exit 2 and exactly one error line
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh
OBJS=$BUILD/bpf/tests/loader/progs


# expect_bad NAME WANT_TEXT CMD...: exit 2, one stderr line containing WANT_TEXT, nothing on stdout
expect_bad() {
	local name=$1 want=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$want" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		pass "$name: $(cat "$tmp/err")"
	else
		fail "$name: exit $rc, $lines stderr lines: $(head -c 300 "$tmp/err")"
	fi
}

# patch FILE OFFSET HEXBYTES: overwrite bytes in place
patch() { python3 - "$@" <<'PY'
import sys
path, off, hx = sys.argv[1], int(sys.argv[2], 0), bytes.fromhex(sys.argv[3])
b = bytearray(open(path, 'rb').read()); b[off:off + len(hx)] = hx; open(path, 'wb').write(b)
PY
}
# sec_off FILE NAME: file offset of a section
sec_off() { readelf -SW "$1" | awk -v n="$2" '{ for (i = 1; i <= NF; i++) if ($i == n) { print "0x" $(i + 3); exit } }'; }

out=$("$BPFVM" prog show "$OBJS/maps_btf.bpf.o")
if [ $? -eq 0 ] && grep -q "prog use_maps .*socket_filter" <<<"$out" && grep -q "map  outer .*array_of_maps" <<<"$out"; then
	pass "prog show lists programs and maps"
else
	fail "prog show: $out"
fi
out=$("$BPFVM" -j prog show "$OBJS/multi_prog.bpf.o")
if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert len(d["programs"]) == 4' "$out" 2>/dev/null; then
	pass "prog show -j is one JSON document"
else
	fail "prog show -j: $out"
fi

out=$("$BPFVM" -j prog show "$BUILD/bpf/examples/globals_subprogs/globals.bpf.o")
if python3 -c '
import json, sys
d = json.loads(sys.argv[1]); m = {x["name"]: x for x in d["maps"]}
assert m["globals.rodata"]["initial"] == {"small_limit": 64, "large_limit": 1024}
assert m["globals.data"]["initial"]["names"] == ["small", "medium", "large"]' "$out"; then
	pass "prog show -j: global data formatted by its BTF"
else
	fail "prog show -j BTF values: $out"
fi

expect_bad "missing file" "nonexistent.o" "$BPFVM" prog run "$tmp/nonexistent.o"
head -c 200 "$OBJS/maps_btf.bpf.o" >"$tmp/trunc.o"
expect_bad "truncated ELF" "trunc.o" "$BPFVM" prog show "$tmp/trunc.o"
printf '\177ELF garbage' >"$tmp/garbage.o"
expect_bad "ELF magic then garbage" "garbage.o" "$BPFVM" prog run "$tmp/garbage.o"
cp "$OBJS/maps_btf.bpf.o" "$tmp/badbtf.o"
patch "$tmp/badbtf.o" "$(sec_off "$tmp/badbtf.o" .BTF)" 0000
expect_bad "corrupted BTF" ".BTF" "$BPFVM" prog show "$tmp/badbtf.o"
cp "$OBJS/maps_btf.bpf.o" "$tmp/badrel.o"
patch "$tmp/badrel.o" "$(sec_off "$tmp/badrel.o" .relsocket)" 00000100000000ff
expect_bad "relocation outside its section" "outside the section" "$BPFVM" prog show "$tmp/badrel.o"
cp "$OBJS/loop_csum.bpf.o" "$tmp/badsec.o"
python3 - "$tmp/badsec.o" <<'PY'
import sys
p = sys.argv[1]; b = open(p, 'rb').read(); open(p, 'wb').write(b.replace(b'socket\0', b'sockez\0'))
PY
expect_bad "unknown program section" "unknown program section" "$BPFVM" prog show "$tmp/badsec.o"
cp "$OBJS/legacy_maps.bpf.o" "$tmp/zeromap.o"
patch "$tmp/zeromap.o" $(($(sec_off "$tmp/zeromap.o" maps) + 8)) 00000000
expect_bad "zero-size map definition" "map 'counters': value_size is zero" "$BPFVM" prog show "$tmp/zeromap.o"
expect_bad "no such program" "no program named 'nope'" "$BPFVM" prog run "$OBJS/xdp_parse.bpf.o" --prog nope
printf 'xx' >"$tmp/short.pkt"
expect_bad "packet shorter than Ethernet" "at least 14" "$BPFVM" prog run "$OBJS/xdp_parse.bpf.o" --data "$tmp/short.pkt"
expect_bad "unknown option" "unknown option" "$BPFVM" prog run "$OBJS/xdp_parse.bpf.o" --bogus
expect_bad "neither an object nor a program" "short.pkt:1:1: expected an instruction" "$BPFVM" prog run "$tmp/short.pkt"
head -c 10000000 /dev/urandom >"$tmp/random.o"
expect_bad "10 MB of random bytes" "random.o" "$BPFVM" prog show "$tmp/random.o"

# bpf_redirect is a verdict with a recorded target; the packet helpers' rewrites come out in data_out
head -c 74 /dev/zero >"$tmp/zero.pkt"
out=$("$BPFVM" prog run "$OBJS/pkt_helpers.bpf.o" --prog tc_rewrite --data "$tmp/zero.pkt" --data-out "$tmp/out.pkt")
if [ "$(head -n 1 <<<"$out")" = "TC_ACT_REDIRECT to ifindex 7 (ingress), 74 bytes out" ] &&
	[ "$(od -An -tx1 -j30 -N4 "$tmp/out.pkt" | tr -d ' ')" = c0a80001 ]; then
	pass "tc redirect: the verdict names its target; skb_store_bytes wrote 192.168.0.1 into the packet"
else
	fail "tc redirect: $out"
fi
json=$("$BPFVM" prog run "$OBJS/pkt_helpers.bpf.o" --prog xdp_adjust --data "$tmp/zero.pkt" -j)
if grep -q '"retval": "0x4".*"redirect": {"ifindex": 2, "ingress": false}' <<<"$json"; then
	pass "xdp redirect: XDP_REDIRECT with the target under -j"
else
	fail "xdp redirect: $json"
fi

# --hist MAP: the histogram example's log2 buckets printed as bcc's biolatency prints them
out=$("$BPFVM" prog run "$BUILD/bpf/examples/histogram/histogram.bpf.o" --data "$tmp/zero.pkt" --hist hist)
if grep -q '^     hist                : count    distribution$' <<<"$out" &&
	grep -q '^        32 -> 63         : 2        |\*\{40\}|$' <<<"$out" &&
	grep -q '^       512 -> 1023       : 2        |\*\{40\}|$' <<<"$out" &&
	grep -q '^      2048 -> 4095       : 1        |\*\{20\} \{20\}|$' <<<"$out"; then
	pass "--hist: a log2 histogram map printed as a text histogram"
else
	fail "--hist: $out"
fi
"$BPFVM" prog run "$BUILD/bpf/examples/histogram/histogram.bpf.o" --data "$tmp/zero.pkt" --hist nosuch >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && [ "$(cat "$tmp/err")" = "bpfvm: error: --hist: no map named 'nosuch'" ]; then
	pass "--hist with a missing map: one line, exit 2"
else
	fail "--hist nosuch: $(cat "$tmp/err")"
fi
