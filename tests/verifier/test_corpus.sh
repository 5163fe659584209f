#!/usr/bin/env bash
# test_corpus.sh - `bpfvm corpus verify` on the shared verifier corpus vs the live kernel's labels:
# verdict agreement (bar 97%) and first-error-line agreement among records both reject (bar 85%)
set -u
corpus=${CORPUS:-$SHARED/corpus/verifier/shared.txt}
if [ ! -r "$corpus" ]; then
	echo "SKIP corpus_agreement: $corpus not readable"
	exit 0
fi
out=$(mktemp) labels=$(mktemp)
trap 'rm -f "$out" "$labels"' EXIT
"$BPFVM" corpus verify "$corpus" >"$out" 2>"$out.err"
rc=$?
if [ "$rc" -ne 0 ] || [ -s "$out.err" ]; then
	echo "FAIL corpus_verify_runs: exit status $rc: $(tail -n1 "$out.err")"
	rm -f "$out.err"
	exit 1
fi
rm -f "$out.err"
echo "PASS corpus_verify_runs"
# the labels: src, kernel verdict, kernel_err (only this test reads them)
awk '/^src: /{src=substr($0,6)} /^kernel: /{v=substr($0,9)} /^kernel_err: /{e=substr($0,13)}
     /^end$/{print src "\t" v "\t" e; src=""; v=""; e=""}' "$corpus" >"$labels"
awk -F'\t' -v details="${VERBOSE:-0}" '
	NR == FNR { kv[$1] = $2; ke[$1] = $3; n_labels++; next }
	/^[0-9]+ records:/ { next }
	{
		line = $0
		if (match(line, / reject: /)) { src = substr(line, 1, RSTART - 1); ours = "reject"; err = substr(line, RSTART + 9) }
		else if (match(line, / accept$/)) { src = substr(line, 1, RSTART - 1); ours = "accept"; err = "" }
		else next
		if (!(src in kv)) next
		total++
		if (ours == kv[src]) agree++
		else if (details) printf("verdict %s: kernel %s, bpfvm %s %s\n", src, kv[src], ours, err) > "/dev/stderr"
		if (ours == "reject" && kv[src] == "reject") {
			both++
			if (err == ke[src]) same_err++
			else if (details) printf("errline %s: kernel [%s] bpfvm [%s]\n", src, ke[src], err) > "/dev/stderr"
		}
	}
	END {
		if (total == 0) { print "FAIL corpus_agreement: no record compared"; exit 1 }
		vp = 100.0 * agree / total
		ep = both ? 100.0 * same_err / both : 0
		printf("FIGURE verifier corpus verdict agreement: %d/%d (%.1f%%)\n", agree, total, vp)
		printf("FIGURE verifier corpus error-line agreement (both reject): %d/%d (%.1f%%)\n", same_err, both, ep)
		if (total != n_labels) printf("FAIL corpus_all_records: %d of %d labeled records verified\n", total, n_labels)
		else printf("PASS corpus_all_records (%d)\n", total)
		if (vp >= 97.0) printf("PASS corpus_verdict_agreement >= 97%%\n")
		else printf("FAIL corpus_verdict_agreement: %.1f%% < 97%%\n", vp)
		if (ep >= 85.0) printf("PASS corpus_error_line_agreement >= 85%%\n")
		else printf("FAIL corpus_error_line_agreement: %.1f%% < 85%%\n", ep)
	}' "$labels" "$out"
