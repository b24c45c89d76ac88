#!/usr/bin/env bash
# Tests the C SDK and the first-party plugins: native tests (gcc), then the wasm builds
# (plugins/build.sh) replaying every recorded case through a stand-in Extism kernel when
# node is installed. Exits non-zero on any failure.
#
# usage: plugins/test.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-gcc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cflags=(-std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -O1 -g -I"$here/c-sdk")
# AddressSanitizer and UBSan catch out-of-bounds reads in the decoders; use them where the
# toolchain has them.
if echo 'int main(void){return 0;}' | "$cc" -x c -fsanitize=address,undefined -o "$work/probe" - 2>/dev/null; then
  cflags+=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
fi

status=0
passed=0
failed=0
count() { # adds the "N passed, N failed" of a test's last line to the totals
  local line
  line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1 || true)
  if [[ -z $line ]]; then
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + $(awk '{print $1}' <<<"$line")))
  failed=$((failed + $(awk '{print $3}' <<<"$line")))
}
run() { # run LOG COMMAND...: runs a test, shows its output, counts its results
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then status=1; fi
  cat "$log"
  count "$log"
}

"$cc" "${cflags[@]}" -o "$work/sdk_test" "$here/c-sdk/test/sdk_test.c" "$here/c-sdk/xdperf_plugin.c"
run "$work/sdk.log" "$work/sdk_test"
for p in icmp tcp; do
  "$cc" "${cflags[@]}" -o "$work/${p}_test" "$here/$p/test/${p}_test.c" "$here/$p/$p.c" "$here/c-sdk/xdperf_plugin.c"
  run "$work/$p.log" "$work/${p}_test" --dump "$work/cases/$p" "$here/$p/manifest.json"
done

"$here/build.sh" "$work/wasm" >/dev/null
if command -v node >/dev/null; then
  for p in icmp tcp; do
    run "$work/$p-wasm.log" node "$here/test/run_wasm.mjs" "$work/wasm/$p.wasm" "$work/cases/$p"
  done
else
  echo "test: node not found: the .wasm builds were built but not run"
fi

echo "plugins: $passed passed, $failed failed"
if ((failed)); then status=1; fi
exit $status
