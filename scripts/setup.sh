#!/usr/bin/env bash
# Installs the system packages xdperf needs to build, test and run. Idempotent: packages
# already present are left alone, and apt is only touched when something is missing.
set -euo pipefail

packages=(
  openjdk-17-jdk-headless maven   # build
  golang-go                        # the Go SDK (sdk-tinygo) tests
  clang llvm lld gcc libc6-dev     # BPF objects (clang -target bpf) and the layout probe
  libbpf-dev libbpf1 linux-libc-dev
  iproute2 ethtool bpftool procps tcpdump python3-minimal curl  # namespaces, veth, queues, captures, a listener and scrapes in tests
  util-linux                       # setpriv: tests run agents with exactly the capabilities the manifests grant
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing packages ${missing[*]}: run this script as root to install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# BPF objects include <asm/types.h>; Debian keeps it under the multiarch directory.
if [[ ! -e /usr/include/asm && ! -d /usr/include/$(gcc -dumpmachine)/asm ]]; then
  echo "setup: kernel headers for $(gcc -dumpmachine) not found" >&2
  exit 1
fi
echo "setup: all packages present"
