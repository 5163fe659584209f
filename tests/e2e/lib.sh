# lib.sh - what the end-to-end scripts share, sourced first from the repository root: BUILD and BPFVM (the
# environment may set them), a scratch directory $tmp removed on exit, and the PASS/FAIL lines tests/run.sh counts
set -u
BUILD=${BUILD:-build}
BPFVM=${BPFVM:-$BUILD/bpfvm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
# check NAME COMMAND...: PASS NAME when the command succeeds, FAIL NAME when it does not
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
