#!/usr/bin/env bash
# Benchmark: how long xdperf takes to start: the packaged build without any class data
# sharing, with the JDK's CDS archive only (the archive as unpacked), with the application
# class archive as well (what the .deb sets up: lib/cds-archive.sh), and the checkout's
# ./xdperf on the system JDK.
#
# For each variant and run it measures
#   version  wall time of `xdperf version` (JVM start, no BPF): the floor of every command;
#            and its CPU time (user + system, all threads), which other load disturbs less;
#   first    time to the first packet: from launching `xdperf client --count 1` (no server,
#            explicit --dst-ip/--dst-mac) in one fresh namespace to the frame's arrival at the
#            peer veth in another, as stamped by tcpdump there (GRO on, so frames sent with
#            XDP_TX reach the stack);
#   total    wall time of that client command, to its exit (report and clean-up included).
# and prints the median and the minimum of each.
#
# Usage: bench/startup.sh [--runs N] [--archive FILE] [--client-opts "OPTS"] [--checkout-only]
#        (as root; default archive: the one in target/package, built by scripts/package.sh;
#        OPTS go to every client run, e.g. "--plugin tcp" for the start with a cached plugin;
#        --checkout-only measures ./xdperf alone and needs no archive)
set -euo pipefail
export LC_ALL=C
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=5
archive=
client_opts=()
checkout_only=0
while (($#)); do
  case $1 in
    --runs) runs=${2:?}; shift 2 ;;
    --archive) archive=${2:?}; shift 2 ;;
    --client-opts) read -r -a client_opts <<<"${2:?}"; shift 2 ;;
    --checkout-only) checkout_only=1; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "startup.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
die() { echo "startup.sh: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "run as root (namespaces, XDP)"
command -v tcpdump >/dev/null || die "tcpdump is missing (scripts/setup.sh)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
if ((!checkout_only)) && [[ -z $archive ]]; then
  archives=("$repo"/target/package/xdperf-*-linux-*.tar.gz)
  [[ -f ${archives[0]} ]] || die "no archive in target/package: run scripts/package.sh"
  archive=${archives[0]}
fi
[[ -f $repo/core/cli/target/xdperf.jar ]] || die "core/cli/target/xdperf.jar is missing: mvn -B -DskipTests package"

work=$(mktemp -d /var/tmp/xdperf-startup.XXXXXX)
a=xdperf-st$$-a b=xdperf-st$$-b
cleanup() {
  ip netns del "$a" 2>/dev/null || true
  ip netns del "$b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if ((!checkout_only)); then
  tar -C "$work" -xzf "$archive"
  packaged=$(echo "$work"/xdperf-*/bin/xdperf)
fi

ip netns add "$a"
ip netns add "$b"
ip link add xdperf-sa netns "$a" type veth peer name xdperf-sb netns "$b"
ip -n "$a" addr add 198.18.0.1/30 dev xdperf-sa
ip -n "$b" addr add 198.18.0.2/30 dev xdperf-sb
ip -n "$a" link set xdperf-sa up
ip -n "$b" link set xdperf-sb up
ip netns exec "$b" ethtool -K xdperf-sb gro on >/dev/null
mac=$(cat "/sys/class/net/xdperf-sb/address" 2>/dev/null || ip netns exec "$b" cat /sys/class/net/xdperf-sb/address)

now() { date +%s.%N; }
# median and minimum of the numbers on stdin, in milliseconds
stats() { sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%6.0f ms (min %4.0f)", m*1000, v[1]*1000}'; }

measure() {
  local label=$1; shift
  local -a cmd=("$@")
  local version_times=() cpu_times=() first_times=() total_times=()
  for ((i = 0; i < runs; i++)); do
    local t0 t1 tp
    t0=$(now); /usr/bin/time -f '%U %S' -o "$work/cpu" env "${cmd[@]}" version >/dev/null; t1=$(now)
    version_times+=("$(echo "$t1 - $t0" | bc)")
    cpu_times+=("$(awk '{print $1 + $2}' "$work/cpu")")

    ip netns exec "$b" tcpdump -i xdperf-sb -c 1 -n -tt --time-stamp-precision=nano ip >"$work/td" 2>/dev/null &
    local td=$!
    sleep 1 # tcpdump attached
    t0=$(now)
    ip netns exec "$a" env "${cmd[@]}" client --dev xdperf-sa --dst-ip 198.18.0.2 --dst-mac "$mac" --count 1 "${client_opts[@]}" \
      >"$work/client.out" 2>&1 || die "$label: xdperf client failed: $(cat "$work/client.out")"
    t1=$(now)
    if ! timeout 5 tail --pid="$td" -f /dev/null; then kill "$td" 2>/dev/null; die "$label: the packet never arrived"; fi
    tp=$(awk '{print $1; exit}' "$work/td")
    first_times+=("$(echo "$tp - $t0" | bc)")
    total_times+=("$(echo "$t1 - $t0" | bc)")
  done
  printf '%-34s version %s, cpu %s   first packet %s   client total %s\n' "$label" \
    "$(printf '%s\n' "${version_times[@]}" | stats)" "$(printf '%s\n' "${cpu_times[@]}" | stats)" \
    "$(printf '%s\n' "${first_times[@]}" | stats)" \
    "$(printf '%s\n' "${total_times[@]}" | stats)"
}

echo "startup: $runs runs each, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if ((!checkout_only)); then
  measure "packaged, no CDS at all" XDPERF_JAVA_OPTS=-Xshare:off "$packaged"
  measure "packaged, JDK CDS (archive)" "$packaged"
  "$(dirname "$packaged")/../lib/cds-archive.sh" create
  measure "packaged, + class archive (.deb)" "$packaged"
fi
measure "./xdperf (system JDK 17)" "$repo/xdperf"
echo "startup: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
