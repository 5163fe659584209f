#!/bin/sh
# deps.sh - install the Debian packages bpfvm needs to build and test, if any are missing (run as root)
set -eu
pkgs="make gcc libc6-dev pkg-config libelf-dev zlib1g-dev libpcap-dev libcapstone-dev libbpf-dev
clang-19 llvm-19 lld-19 libclang-rt-19-dev tcpdump bpftool iproute2 python3"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: error: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
