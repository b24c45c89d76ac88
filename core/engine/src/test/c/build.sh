#!/usr/bin/env bash
# Builds the test plugins (good and deliberately broken) into OUT_DIR/NAME.wasm.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
for c in "$src"/*.c; do
  name=$(basename "$c" .c)
  clang --target=wasm32-unknown-unknown -nostdlib -O2 -Wall -Werror \
    -Wl,--no-entry -Wl,--export-dynamic -Wl,--allow-undefined -o "$out/$name.wasm" "$c"
done
