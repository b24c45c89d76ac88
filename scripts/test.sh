#!/usr/bin/env bash
# Sets up a fresh machine and runs the whole test suite: the Java modules (unit tests, and
# the end-to-end tests that need root, BPF and network namespaces), the docs' commands, the packages (.deb and
# archive, installed and run without the build toolchain) and the Go SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mvn -B -ntp verify
# The command blocks of README.md and docs/*.md, on the jar verify just built (docs/contributing.md).
scripts/doc-test.py
# The packages, from the jar verify just built, installed and run without the toolchain.
scripts/package.sh --no-build
scripts/test-package.sh
if [[ -d sdk-tinygo ]] && ls sdk-tinygo/*.go >/dev/null 2>&1; then
  (cd sdk-tinygo && go test ./...)
fi
# Tests clean up after themselves; say so loudly if one did not.
left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep '^xdperf-' || true)
if [[ -n "$left" ]]; then
  echo "test: network namespaces left behind: $left" >&2
  exit 1
fi
