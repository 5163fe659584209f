#!/usr/bin/env bash
# test_dump_maps.sh - `bpfvm prog run OBJ.o --dump-maps`: every map's elements after the run, in text (hex, as
# bpftool prints without BTF) and under -j formatted by the object's BTF (per-CPU values as {cpu, value} lists)
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh
obj=$BUILD/bpf/tests/loader/progs
if [ ! -f "$obj/maps_btf.bpf.o" ]; then
	echo "SKIP dump-maps: $obj/maps_btf.bpf.o not built (clang-19 missing?)"
	exit 0
fi
head -c 64 /dev/zero >"$tmp/pkt"
for engine in interp jit; do
	out=$("$BPFVM" prog run "$obj/maps_btf.bpf.o" --prog use_maps --data "$tmp/pkt" --engine $engine --dump-maps)
	check "dump-maps [$engine]: the hash element the program wrote" grep -qx "key: 01 00 00 00  value: 05 00 00 00" <<<"$out"
	check "dump-maps [$engine]: the array value it added skb->len (50) to" \
		grep -qx "key: 01 00 00 00  value: 32 00 00 00 00 00 00 00" <<<"$out"
	inner=$(grep -A1 -x "map inner2 (array):" <<<"$out" | tail -n 1)
	check "dump-maps [$engine]: the inner map reached through the array of maps" \
		test "$inner" = "key: 00 00 00 00  value: 09 00 00 00"
	check "dump-maps [$engine]: element counts" test "$(grep -c '^Found' <<<"$out")" -eq 4
done
json=$("$BPFVM" prog run "$obj/percpu.bpf.o" --data "$tmp/pkt" --dump-maps -j)
check "dump-maps -j: valid JSON" python3 -c 'import json,sys; json.loads(sys.argv[1])' "$json"
check "dump-maps -j: per-CPU values by BTF" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
pa = [m for m in d["maps"] if m["name"] == "pa"][0]
e = [e for e in pa["elements"] if e["key"] == 1][0]
sys.exit(0 if e["values"][0] == {"cpu": 0, "value": 50} else 1)' "$json"
"$BPFVM" prog run "$obj/percpu.bpf.o" --dump-maps --bogus >/dev/null 2>"$tmp/err"
check "an unknown option is one clear line, exit 2" test $? -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1
