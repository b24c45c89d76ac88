#!/usr/bin/env bash
# Builds the BPF objects the bench tests load into OUT_DIR: the example program of
# docs/bench.md in its fast and slow variant, and the deliberately bad objects here.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
examples=$src/../../../../../docs/examples
out=$1
mkdir -p "$out"
multiarch=$(cc -dumpmachine)
bpfcc() { clang -O2 -g -Wall -Werror -target bpf -I"/usr/include/$multiarch" "$@"; }
bpfcc -c "$examples/xdp_filter.bpf.c" -o "$out/xdp_filter.bpf.o"
bpfcc -DSLOW -c "$examples/xdp_filter.bpf.c" -o "$out/xdp_filter_slow.bpf.o"
for c in "$src"/*.bpf.c; do
  bpfcc -c "$c" -o "$out/$(basename "$c" .c).o"
done
