#!/usr/bin/env bash
# Features: XDP versus AF_PACKET at equal offered load. Builds nothing: run
# `mvn -B -DskipTests package` first. Everything is described in bench/features.py and
# docs/benchmarks.md ("Features: XDP versus AF_PACKET"). Needs root, python3, taskset, chrt.
set -euo pipefail
exec python3 "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/features.py" "$@"
