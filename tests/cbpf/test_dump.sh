#!/usr/bin/env bash
# test_dump.sh - `bpfvm cbpf dump -d/-dd/-ddd` prints exactly what `tcpdump -d/-dd/-ddd` prints, for every expression
# of tests/data/cbpf_exprs.txt, and for a few other link types
set -u
cd "$(dirname "$0")/../.."
BPFVM=${BPFVM:-build/bpfvm}
if ! command -v tcpdump >/dev/null; then
	echo "SKIP dump-vs-tcpdump: tcpdump is not installed"
	exit 0
fi
n=0 same=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while IFS= read -r e; do
	case "$e" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	ok=1
	for o in -d -dd -ddd; do
		tcpdump -y EN10MB $o "$e" >"$tmp/want" 2>/dev/null
		"$BPFVM" cbpf dump $o "$e" >"$tmp/got" 2>"$tmp/err"
		if ! cmp -s "$tmp/want" "$tmp/got"; then
			echo "FAIL dump $o '$e': differs from tcpdump: $(diff "$tmp/want" "$tmp/got" | head -3 | tr '\n' ' ')"
			ok=0
			break
		fi
	done
	[ $ok = 1 ] && same=$((same + 1))
done <tests/data/cbpf_exprs.txt
if [ "$same" = "$n" ]; then echo "PASS dump -d/-dd/-ddd equals tcpdump for $n expressions"; fi
echo "FIGURE cbpf dump == tcpdump: $same/$n expressions (x3 formats)"

# other link types (-y)
for lt in LINUX_SLL RAW IPV4 NULL LINUX_SLL2 IEEE802_11 PPP; do
	for e in "ip" "tcp port 80" "ip6 and udp" "host 10.0.0.1"; do
		want=$(tcpdump -y $lt -d "$e" 2>&1) || continue
		got=$("$BPFVM" cbpf dump -y $lt -d "$e" 2>&1)
		if [ "$want" = "$got" ]; then echo "PASS dump -y $lt '$e'"; else echo "FAIL dump -y $lt '$e': differs"; fi
	done
done

# invalid expressions: libpcap's message, exit 2
for e in "ip and tcpx" "port 99999999" "host" "tcp[" "ether host 1:2:3"; do
	want=$(tcpdump -y EN10MB -d "$e" 2>&1 >/dev/null | sed 's/^tcpdump: //')
	got=$("$BPFVM" cbpf dump "$e" 2>&1 >/dev/null)
	rc=$("$BPFVM" cbpf dump "$e" >/dev/null 2>&1; echo $?)
	if [ "$rc" = 2 ] && [ "$got" = "bpfvm: error: $want" ]; then
		echo "PASS bad expression '$e' -> exit 2, libpcap's message"
	else
		echo "FAIL bad expression '$e': rc=$rc got '$got' want 'bpfvm: error: $want'"
	fi
done
