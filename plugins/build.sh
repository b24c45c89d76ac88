#!/usr/bin/env bash
# Builds the first-party C plugins to WebAssembly: OUTDIR/NAME.wasm, and OUTDIR/NAME.json
# (its manifest). Needs clang and wasm-ld (Debian: clang, lld); no libc, no wasi-sdk.
#
# usage: plugins/build.sh OUTDIR
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
out=$1
clang=${CLANG:-clang}
plugins=(icmp tcp)

for tool in "$clang" wasm-ld; do
  if ! command -v "$tool" >/dev/null; then
    echo "build: $tool not found (install clang and lld: scripts/setup.sh)" >&2
    exit 1
  fi
done

cflags=(
  --target=wasm32-unknown-unknown -nostdlib -ffreestanding
  -std=c11 -O2 -Wall -Wextra -Werror
  -I"$here/c-sdk"
)
# No --allow-undefined: the Extism functions are declared as imports (c-sdk/extism.h), so any
# other undefined symbol is a real error. The stack comes first, so an overflow traps instead
# of overwriting data; 16 KiB is ample (the plugins keep big things static) and keeps stack
# and data within one 64 KiB page, so the module also starts in a memory of one page (as a
# host that sets its own initial memory size may give it); the heap grows on demand.
ldflags=(
  -Wl,--no-entry
  -Wl,--export=xdperf_abi_version -Wl,--export=describe -Wl,--export=generate
  -Wl,--stack-first -Wl,-z,stack-size=16384
)

mkdir -p "$out"
for p in "${plugins[@]}"; do
  "$clang" "${cflags[@]}" "${ldflags[@]}" -o "$out/$p.wasm" \
    "$here/$p/$p.c" "$here/c-sdk/xdperf_plugin.c" "$here/c-sdk/xd_wasm.c"
  cp "$here/$p/manifest.json" "$out/$p.json"
  echo "build: $out/$p.wasm ($(wc -c <"$out/$p.wasm") bytes), $out/$p.json"
done
