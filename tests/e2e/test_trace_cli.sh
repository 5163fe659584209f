#!/usr/bin/env bash
# test_trace_cli.sh - `prog run` prints bpf_trace_printk output on stderr in trace_pipe's format, r0 stays on stdout
# (and stops, naming it, at a helper bpfvm does not run)
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

# r1 = the format in --mem, r2 = its size with the NUL, r3 = 42; the helper returns the text's length (7)
printf 'mov %%r3, 42\ncall 6\nexit\n' >"$tmp/p.s"
printf 'x=%%d ok\0' | od -An -tx1 >"$tmp/p.mem"
for engine in interp checked jit; do
	BPFVM_ENGINE=$engine "$BPFVM" prog run "$tmp/p.s" --mem "$tmp/p.mem" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	line=$(cat "$tmp/err")
	if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "0x7" ] &&
		echo "$line" | grep -Eq '^ {0,15}[^ ]+-[0-9]+ +\[000\] d\.\.31 +[0-9]+\.[0-9]{6}: bpf_trace_printk: x=42 ok$'; then
		echo "PASS trace cli ($engine): $line"
	else
		echo "FAIL trace cli ($engine): exit $rc, stdout '$(cat "$tmp/out")', stderr '$line'"
	fi
done
# an invalid format: -EINVAL in r0, nothing printed
printf 'x=%%q\0' | od -An -tx1 >"$tmp/bad.mem"
"$BPFVM" prog run "$tmp/p.s" --mem "$tmp/bad.mem" >"$tmp/out" 2>"$tmp/err"
if [ "$(cat "$tmp/out")" = "0xffffffffffffffea" ] && [ ! -s "$tmp/err" ]; then
	echo "PASS trace cli: %q is -EINVAL and prints nothing"
else
	echo "FAIL trace cli: %q gave stdout '$(cat "$tmp/out")' stderr '$(cat "$tmp/err")'"
fi

# a helper bpfvm knows but does not run (bpf_check_mtu): both engines stop at the call with the same line, and a
# path that never reaches it runs (the JIT does not refuse the whole program)
printf 'r1 = 0\nr2 = 0\nr3 = 0\ncall 163\nexit\n' >"$tmp/mtu.s"
printf 'r0 = 1\nif r0 == 1 goto +1\ncall 163\nexit\n' >"$tmp/mtu_skip.s"
for engine in interp jit; do
	"$BPFVM" prog run "$tmp/mtu.s" --engine $engine >/dev/null 2>"$tmp/err"
	rc=$?
	skip=$("$BPFVM" prog run "$tmp/mtu_skip.s" --engine $engine 2>/dev/null)
	if [ $rc -eq 1 ] && grep -q 'helper 163 (bpf_check_mtu) is not implemented by bpfvm, called at insn 3' "$tmp/err" &&
		[ "$skip" = 0x1 ]; then
		echo "PASS unimplemented helper on $engine: the run stops at the call, an untaken call is harmless"
	else
		echo "FAIL unimplemented helper on $engine: rc $rc, $(head -c 200 "$tmp/err"), untaken path: $skip"
	fi
done
