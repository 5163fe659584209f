#!/usr/bin/env bash
# test_cbpf_live.sh - `bpfvm cbpf filter EXPR -i IFACE` on live traffic: a veth pair into a network namespace this
# test creates, UDP datagrams it sends itself; matching packets are printed in tcpdump's one-line style, others not
set -u
cd "$(dirname "$0")/../.."
BPFVM=$(realpath "${BPFVM:-build/bpfvm}")
ns=bpfvm-live-$$
host_if=bvh$$
ns_if=bvn$$
tmp=$(mktemp -d)
cleanup() {
	ip netns del "$ns" 2>/dev/null
	ip link del "$host_if" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

if ! ip netns add "$ns" 2>"$tmp/err" || ! ip link add "$host_if" type veth peer name "$ns_if" 2>>"$tmp/err"; then
	echo "SKIP cbpf live capture: cannot create a network namespace and a veth pair: $(head -c 200 "$tmp/err")"
	exit 0
fi
ip link set "$ns_if" netns "$ns" &&
	ip addr add 10.213.0.1/24 dev "$host_if" && ip link set "$host_if" up &&
	ip -n "$ns" addr add 10.213.0.2/24 dev "$ns_if" && ip -n "$ns" link set "$ns_if" up &&
	ip -n "$ns" link set lo up || { echo "FAIL cbpf live capture: cannot configure the veth pair"; exit 0; }

for engine in cbpf jit; do
	# the capture in the namespace: 2 matching packets or 10 seconds
	ip netns exec "$ns" "$BPFVM" cbpf filter "udp port 9999" -i "$ns_if" -c 2 --timeout 10 --engine "$engine" >"$tmp/out" 2>"$tmp/err" &
	cap=$!
	sleep 1
	for port in 8888 9999 7777 9999; do
		echo "hello $port" >"/dev/udp/10.213.0.2/$port" 2>/dev/null
		sleep 0.2
	done
	wait "$cap"
	rc=$?

	if grep -q 'Operation not permitted\|not permitted' "$tmp/err"; then
		echo "SKIP cbpf live capture: AF_PACKET refused: $(head -c 200 "$tmp/err")"
		exit 0
	fi
	if [ "$rc" -eq 0 ]; then echo "PASS [$engine] live capture ends after -c 2 matches"; else echo "FAIL [$engine] live capture exit $rc: $(head -c 300 "$tmp/err")"; fi
	n=$(grep -c '10\.213\.0\.1\.[0-9]* > 10\.213\.0\.2\.9999: UDP, length 11' "$tmp/out")
	if [ "$n" -eq 2 ]; then echo "PASS [$engine] two datagrams to port 9999 printed in tcpdump's style"; else echo "FAIL [$engine] port 9999 lines: $n, output: $(head -c 400 "$tmp/out")"; fi
	if grep -q '\.8888\|\.7777' "$tmp/out"; then echo "FAIL [$engine] a non-matching datagram was printed: $(head -c 400 "$tmp/out")"; else echo "PASS [$engine] datagrams to other ports not printed"; fi
	if grep -q '^matched 2 of [0-9]* packets' "$tmp/out" "$tmp/err"; then echo "PASS [$engine] summary line"; else echo "FAIL [$engine] no 'matched 2 of N packets' line: $(tail -c 200 "$tmp/out") $(tail -c 200 "$tmp/err")"; fi
done
