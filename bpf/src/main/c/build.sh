#!/usr/bin/env bash
# Compiles the XDP programs into OUT_DIR/bpf/*.bpf.o and writes the C-side layout of the
# shared header to LAYOUT_FILE. Called by Maven (bpf/pom.xml); needs clang and libbpf-dev
# (scripts/setup.sh installs them).
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
out=$1/bpf
layout=$2
mkdir -p "$out" "$(dirname "$layout")"
for tool in clang cc; do
  command -v "$tool" >/dev/null || { echo "build-bpf: $tool not found: run scripts/setup.sh" >&2; exit 1; }
done
[[ -f /usr/include/bpf/bpf_helpers.h ]] || { echo "build-bpf: libbpf-dev headers not found: run scripts/setup.sh" >&2; exit 1; }
multiarch=$(cc -dumpmachine)
for prog in tx rx verdict features probe; do
  clang -O2 -g -Wall -Werror -target bpf -I"/usr/include/$multiarch" -I"$src" \
    -c "$src/$prog.bpf.c" -o "$out/$prog.bpf.o"
done
cc -O0 -Wall -Werror -I"$src" "$src/layout.c" -o "$(dirname "$layout")/layout-probe"
"$(dirname "$layout")/layout-probe" > "$layout"
