#!/usr/bin/env bash
# test_vprogen_corpus.sh - bpfvm's verifier (`bpfvm corpus verify`) against the kernel's labels on vprogen records
#
# tests/data/vprogen-verifier.txt: 500 generated programs (safe and mutated) with the live kernel's verdict and
# error line (test_verifier_kernel keeps it fresh). Verdicts must agree (one FAIL per record that differs); equal
# error lines are a FIGURE, and the differing ones are listed on stderr.
set -u
cd "$(dirname "$0")/../.."
BPFVM=${BPFVM:-build/bpfvm}
records=tests/data/vprogen-verifier.txt

if ! "$BPFVM" corpus help >/dev/null 2>&1; then
	echo "SKIP vprogen corpus: this bpfvm has no 'corpus verify' yet"
	exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$BPFVM" corpus verify "$records" >"$out" 2>/dev/null
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
	echo "FAIL vprogen corpus: bpfvm corpus verify $records exited with $rc"
	exit 1
fi

awk -v out="$out" '
	# the kernel labels, by src
	FNR == NR {
		if ($0 ~ /^src: /) src = substr($0, 6)
		else if ($0 ~ /^test: /) test = substr($0, 7)
		else if ($0 ~ /^kernel: /) verdict[src] = substr($0, 9)
		else if ($0 ~ /^kernel_err: /) err[src] = substr($0, 13)
		else if ($0 == "end") { name[src] = test; n++ }
		next
	}
	# bpfvm: "SRC accept" or "SRC reject: ERROR LINE"
	$1 in verdict {
		src = $1
		mine = $2; sub(/:$/, "", mine)
		line = $0; sub(/^[^ ]+ (accept|reject)(: )?/, "", line)
		seen++
		if (mine != verdict[src]) {
			printf "FAIL vprogen corpus %s (%s): bpfvm %s, kernel %s (%s)\n", src, name[src], mine, verdict[src],
				err[src]
			bad++
		} else if (mine == "reject") {
			rejects++
			if (line == err[src]) same_err++
			else printf "error line differs %s (%s):\n  kernel: %s\n  bpfvm:  %s\n", src, name[src], err[src], line > "/dev/stderr"
		}
	}
	END {
		if (seen != n) { printf "FAIL vprogen corpus: bpfvm answered %d of %d records\n", seen, n; bad++ }
		if (!bad) printf "PASS vprogen corpus: %d/%d verdicts equal to the kernel\n", seen, n
		printf "FIGURE vprogen corpus: verdicts %d/%d, error lines %d/%d\n", seen - bad, n, same_err, rejects
		exit bad ? 1 : 0
	}
' "$records" "$out"
