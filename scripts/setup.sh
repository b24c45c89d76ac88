#!/usr/bin/env bash
# Installs the system packages xdperf needs to build, test and run. Idempotent: packages
# already present are left alone, and apt is only touched when something is missing.
#
# Usage: scripts/setup.sh [--bench]   (--bench: also the tools bench/run.sh compares xdperf
#        with: netsniff-ng (trafgen), iperf3, xdp-tools (xdp-trafficgen))
set -euo pipefail

bench=0
for arg in "$@"; do
  case $arg in
    --bench) bench=1 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option '$arg' (the one option is --bench)" >&2; exit 2 ;;
  esac
done

packages=(
  openjdk-17-jdk-headless maven   # build
  golang-go                        # the Go SDK (sdk-tinygo) tests
  clang llvm lld gcc libc6-dev     # BPF objects (clang -target bpf) and the layout probe
  libbpf-dev libbpf1 linux-libc-dev
  iproute2 ethtool bpftool procps tcpdump python3-minimal curl  # namespaces, veth, queues, captures, a listener and scrapes in tests
  chromium chromium-driver         # the registry's pages and the dashboard, tested in a real headless browser
  binutils zip unzip util-linux time  # packaging: objdump/strip/zip for the runtime image and the jar, unshare for its test, bench/startup.sh
  prometheus                       # promtool: the metrics endpoints are checked with Prometheus' own linter
)
if ((bench)); then
  packages+=(netsniff-ng iperf3 xdp-tools)   # bench/run.sh --suite: trafgen, iperf3, xdp-trafficgen
fi

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
