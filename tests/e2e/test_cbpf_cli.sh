#!/usr/bin/env bash
# test_cbpf_cli.sh - `bpfvm cbpf` on real files: output files identical to tcpdump -w, bad input handled (exit 2, one
# clear line naming the instruction or packet index), JSON, translate, -ddd program files
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh
GEN=$BUILD/bench/cbpf_pcapgen

if [ ! -x "$GEN" ]; then
	echo "SKIP cbpf cli: $GEN not built (make check builds it)"
	exit 0
fi
"$GEN" "$tmp/in.pcap" 5000 7

# identical output files, for each engine available
for e in "tcp" "udp port 53" "ip and not icmp" "vlan and tcp" "ip6 protochain 6" "tcp[tcpflags] & tcp-syn != 0" \
	"len > 500" "mpls" ""; do
	tcpdump -r "$tmp/in.pcap" -w "$tmp/want.pcap" $e 2>/dev/null
	want=$(tcpdump -n -r "$tmp/want.pcap" 2>/dev/null | wc -l)
	out=$("$BPFVM" cbpf filter $e -r "$tmp/in.pcap" -w "$tmp/got.pcap" 2>/dev/null)
	last=$(echo "$out" | tail -n 1)
	if cmp -s "$tmp/want.pcap" "$tmp/got.pcap" && [[ $last =~ ^matched\ [0-9]+\ of\ 5000\ packets$ ]]; then
		pass "filter '$e' -w: identical to tcpdump -w ($last)"
	else
		fail "filter '$e' -w: output differs from tcpdump -w ($last)"
	fi
done

# -j
out=$("$BPFVM" cbpf filter tcp -r "$tmp/in.pcap" -j)
check "filter -j prints one JSON object" python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d['packets']==5000 and d['matched']>0" "$out"

# a -ddd program file works like the expression
tcpdump -y EN10MB -ddd "udp" >"$tmp/udp.ddd"
a=$("$BPFVM" cbpf filter --cbpf "$tmp/udp.ddd" -r "$tmp/in.pcap" | tail -n 1)
b=$("$BPFVM" cbpf filter udp -r "$tmp/in.pcap" | tail -n 1)
check "filter --cbpf FILE (-ddd text) == expression ($a)" test "$a" = "$b"
check "dump --cbpf FILE -d == tcpdump -d" cmp -s <("$BPFVM" cbpf dump -d --cbpf "$tmp/udp.ddd") <(tcpdump -y EN10MB -d udp)

# translate: FILE or EXPR, one line per eBPF instruction
n=$("$BPFVM" cbpf translate "$tmp/udp.ddd" | wc -l)
m=$("$BPFVM" cbpf translate udp | wc -l)
check "translate FILE == translate EXPR ($n lines)" test "$n" = "$m" -a "$n" -gt 10

# bad input: invalid classic program -> the validator's reason with the index, exit 2
printf '3\n40 0 0 12\n21 0 5 2048\n6 0 0 1\n' >"$tmp/bad.ddd"
err=$("$BPFVM" cbpf filter --cbpf "$tmp/bad.ddd" -r "$tmp/in.pcap" 2>&1 >/dev/null); rc=$?
check "invalid classic program: exit 2, reason with index ($err)" test $rc = 2 -a "$err" = \
	"bpfvm: error: $tmp/bad.ddd: invalid classic program: insn 1: jump out of range (jt 0, jf 5)"
printf '2\n6 0 0 1\n' >"$tmp/short.ddd"
err=$("$BPFVM" cbpf dump --cbpf "$tmp/short.ddd" 2>&1 >/dev/null); rc=$?
check "malformed -ddd text: exit 2, line number ($err)" test $rc = 2 -a -n "$(echo "$err" | grep 'line 3: 1 instructions, the first line announced 2')"

# bad input: invalid expression -> libpcap's message, exit 2
err=$("$BPFVM" cbpf filter "tcp port" -r "$tmp/in.pcap" 2>&1 >/dev/null); rc=$?
check "invalid expression: exit 2 ($err)" test $rc = 2 -a -n "$(echo "$err" | grep 'syntax error')"

# bad input: corrupted pcap -> the packet index, exit 2, no crash
size=$(stat -c %s "$tmp/in.pcap")
head -c $((size / 2)) "$tmp/in.pcap" >"$tmp/trunc.pcap"
err=$("$BPFVM" cbpf filter tcp -r "$tmp/trunc.pcap" 2>&1 >/dev/null); rc=$?
check "truncated pcap: exit 2, packet index named ($err)" test $rc = 2 -a -n "$(echo "$err" | grep 'packet index [0-9]')"
python3 - "$tmp/in.pcap" "$tmp/corrupt.pcap" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
o = 24
for i in range(100):  # corrupt the caplen of packet index 100
    c = struct.unpack_from('<I', d, o + 8)[0]
    o += 16 + c
struct.pack_into('<I', d, o + 8, 0x7fffffff)
open(sys.argv[2], 'wb').write(d)
PY
err=$("$BPFVM" cbpf filter tcp -r "$tmp/corrupt.pcap" 2>&1 >/dev/null); rc=$?
check "corrupted caplen: exit 2, names packet index 100 ($err)" test $rc = 2 -a -n "$(echo "$err" | grep 'packet index 100')"
head -c 10 "$tmp/in.pcap" >"$tmp/hdr.pcap"
err=$("$BPFVM" cbpf filter tcp -r "$tmp/hdr.pcap" 2>&1 >/dev/null); rc=$?
check "truncated file header: exit 2 ($err)" test $rc = 2
err=$("$BPFVM" cbpf filter tcp -r "$tmp/nonexistent.pcap" 2>&1 >/dev/null); rc=$?
check "missing file: exit 2 ($err)" test $rc = 2

# usage errors
"$BPFVM" cbpf filter tcp >/dev/null 2>&1; rc=$?
check "filter without -r/-i: exit 2" test $rc = 2
"$BPFVM" cbpf filter tcp -r "$tmp/in.pcap" --engine warp >/dev/null 2>&1; rc=$?
check "unknown engine: exit 2" test $rc = 2
"$BPFVM" cbpf dump -y NOSUCHTYPE tcp >/dev/null 2>&1; rc=$?
check "unknown link type: exit 2" test $rc = 2
