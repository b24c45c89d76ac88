#!/usr/bin/env bash
# Sets up a fresh machine, builds xdperf, and runs the demo: a real server and client in two
# network namespaces over a veth pair with native XDP. Extra arguments go to `xdperf demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mvn -B -ntp -q -DskipTests package
exec ./xdperf demo "$@"
