#!/usr/bin/env bash
# demo.sh - the README's first command: assemble a program, show its disassembly, verify and run it
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}/bpfvm
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

run cat examples/fnv1a.s
run "$B" asm examples/fnv1a.s -o "${BUILD:-build}/fnv1a.bin"
run "$B" prog dump examples/fnv1a.s
run "$B" prog run examples/fnv1a.s --mem examples/fnv1a.mem --engine interp
run "$B" prog run examples/fnv1a.s --mem examples/fnv1a.mem --engine jit
run "$B" prog run examples/fnv1a.s --mem examples/fnv1a.mem --engine jit --repeat 1000000 -j
run "$B" prog dump examples/fnv1a.s --jited | head -n 12
echo "(fnv1a reads raw memory, as the conformance suite's programs do: it runs unverified, like uBPF runs it.)"
echo "A program with a kernel program type goes through the verifier first:"
run cat examples/keep_ipv4.s
run "$B" prog verify examples/keep_ipv4.s --type socket_filter --log-level 2
run "$B" prog verify examples/fnv1a.s --type socket_filter || echo "(rejected: exit $?)"
echo
echo "The hash of \"hello, bpfvm\" above is FNV-1a 64; check: python3 -c 'h=0xcbf29ce484222325
for b in b\"hello, bpfvm\": h=((h^b)*0x100000001b3)%2**64
print(hex(h))'"
