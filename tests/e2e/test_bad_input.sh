#!/usr/bin/env bash
# test_bad_input.sh - unusable program files: `prog run`, `prog dump` and `asm` exit 2 with exactly one stderr line
# (truncated .bin, unknown opcode, bad register, jump out of range, asm syntax error, empty file, 10 MB of garbage)
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

# bytes from hex text: hexbin "b7 00 ..." FILE
hexbin() { printf '%s' "$1" | xxd -r -p >"$2"; }
EXIT_INSN="95 00 00 00 00 00 00 00"
hexbin "b7 00 00 00 01 00 00 00 95 00 00 00 00" "$tmp/truncated.bin"
hexbin "ff 00 00 00 00 00 00 00 $EXIT_INSN" "$tmp/unknown_opcode.bin"
hexbin "b7 0b 00 00 01 00 00 00 $EXIT_INSN" "$tmp/bad_register.bin"
hexbin "05 00 05 00 00 00 00 00 $EXIT_INSN" "$tmp/jump_out_of_range.bin"
printf 'mov %%r0, 1\nfrobnicate %%r0, 2\nexit\n' >"$tmp/syntax_error.s"
printf 'mov %%r0, %%r11\nexit\n' >"$tmp/bad_register.s"
printf 'ja +7\nexit\n' >"$tmp/jump_out_of_range.s"
: >"$tmp/empty.bin"
: >"$tmp/empty.s"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$tmp/garbage.bin"
cp "$tmp/garbage.bin" "$tmp/garbage.s"
cp "$tmp/garbage.bin" "$tmp/garbage"
head -c $((10 * 1024 * 1024 - 3)) /dev/urandom >"$tmp/garbage_odd.bin"
inputs="truncated.bin unknown_opcode.bin bad_register.bin jump_out_of_range.bin syntax_error.s bad_register.s
	jump_out_of_range.s empty.bin empty.s garbage.bin garbage.s garbage garbage_odd.bin"

# is the command there at all? (`asm` and `prog dump` come from another module)
have() { # CMD...
	"$BPFVM" "$@" help >/dev/null 2>"$tmp/have.err"
	! grep -q "unknown command" "$tmp/have.err"
}

check_one() { # LABEL FILE CMD...
	local label=$1 f=$2; shift 2
	timeout -k 2 60 "$BPFVM" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local rc=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -ne 2 ]; then
		echo "FAIL bad input: $label $f: exit $rc, expected 2 ($(head -c 200 "$tmp/err" | head -n 1))"
	elif [ "$lines" -ne 1 ]; then
		echo "FAIL bad input: $label $f: $lines stderr lines, expected exactly one"
	elif ! grep -q "^bpfvm: error: .*$f" "$tmp/err"; then
		echo "FAIL bad input: $label $f: the error line does not name the file: $(cat "$tmp/err")"
	else
		echo "PASS bad input: $label $f ($(cut -c1-100 "$tmp/err"))"
	fi
}

for f in $inputs; do
	check_one "prog run" "$f" prog run "$tmp/$f"
	check_one "prog run --checked" "$f" prog run "$tmp/$f" --checked
done
if have prog dump; then
	for f in $inputs; do check_one "prog dump" "$f" prog dump "$tmp/$f"; done
else
	echo "SKIP bad input: prog dump: no 'prog dump' command in this build"
fi
if have asm; then
	for f in $inputs; do
		case $f in *.bin) continue ;; esac # asm reads text
		check_one "asm" "$f" asm "$tmp/$f" -o "$tmp/out.bin"
	done
else
	echo "SKIP bad input: asm: no 'asm' command in this build"
fi

# bad --mem files and options
printf '01 02 0g\n' >"$tmp/bad.mem"
printf 'mov %%r0, 1\nexit\n' >"$tmp/ok.s"
check_one "prog run --mem" "bad.mem" prog run "$tmp/ok.s" --mem "$tmp/bad.mem"
check_one "prog run --mem" "missing.mem" prog run "$tmp/ok.s" --mem "$tmp/missing.mem"
check_one "prog run" "missing.bin" prog run "$tmp/missing.bin"
