#!/usr/bin/env bash
# Compiles the test XDP programs (NAME.bpf.c) into OUT_DIR/NAME.bpf.o with the flags the
# project's own programs use (bpf/src/main/c/build.sh). Needs clang and libbpf-dev.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
command -v clang >/dev/null || { echo "build-test-xdp: clang not found: run scripts/setup.sh" >&2; exit 1; }
multiarch=$(cc -dumpmachine)
shopt -s nullglob
for c in "$src"/*.bpf.c; do
  name=$(basename "$c" .bpf.c)
  # v3: 32-bit jumps and ALU, atomics with fetch; what clang 14 emits at its newest
  clang -O2 -g -Wall -Werror -target bpf -mcpu=v3 -I"/usr/include/$multiarch" -I"$src" -c "$c" -o "$out/$name.bpf.o"
done
# for the loader's error paths: .maps without BTF (no -g), and an object for another machine
clang -O2 -Wall -Werror -target bpf -mcpu=v3 -I"/usr/include/$multiarch" -I"$src" -c "$src/array_counter.bpf.c" \
  -o "$out/array_counter_nobtf.bpf.o"
echo 'int not_bpf;' | cc -x c -c - -o "$out/not_bpf.o"
