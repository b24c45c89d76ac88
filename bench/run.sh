#!/usr/bin/env bash
# Benchmark: `xdperf client` against the ceiling of the mechanism it uses, a minimal C
# program that runs an XDP_TX-only program through BPF_PROG_RUN live frames.
#
# Both tools send over a veth pair between two fresh network namespaces, one after the
# other, on the same CPU(s). The rate is measured at the receiver: xdp_count (native XDP on
# the receiving veth) counts every frame in a per-CPU map, which this script reads with
# bpftool before, during and after each run. The senders' own counts are not trusted: live
# frames report success even for frames that never arrive.
#
# Two rates are reported for every run:
#   steady  frames received in a window inside the run (from 0.5 s after the first frames
#           arrived to 0.5 s before the run's nominal end) divided by that window's length:
#           the sending rate itself, free of start-up and shutdown costs;
#   whole   all frames received during the run divided by the wall time of the whole
#           command, from launch to exit (start-up included: a JVM pays more here).
# Runs of the two tools alternate. A run whose steady window saw other work on the machine
# (CPU time outside the tool under test, or steal) is run again, up to --retries times.
#
# The tools, each given the same CPUs, frame length and addresses:
#   C ceiling  bench/build/sender (bench/ceiling/sender.c running ceiling.bpf.c)
#   xdperf     ./xdperf client --dev IF --cpus LIST --duration D --json (flat out, with
#              its measurement header, as by default)
#
# Usage: bench/run.sh [options]     (as root; see --help)
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$repo/bench
build=$bench/build

seconds=5
runs=3
cpu=1
cpu_counts=1
size=64
repeat=4000000
with_xdperf=1
keep_logs=0
retries=2

usage() {
  cat <<EOF
usage: bench/run.sh [options]

  --seconds D      length of each run in seconds (default $seconds)
  --runs N         runs per tool and variant (default $runs)
  --cpu C          the CPU for the single-CPU variant (default $cpu)
  --cpus COUNTS    number of sending CPUs; a comma list runs several variants, e.g. 1,2
                   (default $cpu_counts). One CPU means CPU C; k > 1 CPUs means C..C+k-1,
                   or 0..k-1 when C+k exceeds the machine.
  --size BYTES     frame length without the 4-byte FCS, as xdperf's --size counts it,
                   64..1514 (default $size)
  --repeat R       frames per BPF_PROG_RUN call of the C sender (default $repeat)
  --no-xdperf      measure the C ceiling only
  --retries N      run again a run whose steady window saw other load (over 5% of a CPU
                   busy outside the tool, or 5% steal), up to N times (default $retries)
  --keep-logs      keep every tool's output under bench/build/logs/
  -h, --help       this text
EOF
}

die() { echo "run.sh: $*" >&2; exit 1; }

while (($#)); do
  case $1 in
    --seconds) seconds=${2:?--seconds needs a value}; shift 2 ;;
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --cpu) cpu=${2:?--cpu needs a value}; shift 2 ;;
    --cpus) cpu_counts=${2:?--cpus needs a value}; shift 2 ;;
    --size) size=${2:?--size needs a value}; shift 2 ;;
    --repeat) repeat=${2:?--repeat needs a value}; shift 2 ;;
    --no-xdperf) with_xdperf=0; shift ;;
    --keep-logs) keep_logs=1; shift ;;
    --retries) retries=${2:?--retries needs a value}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

ncpu=$(nproc)
[[ $seconds =~ ^[0-9]+$ ]] && ((seconds >= 1)) || die "--seconds: expected a whole number >= 1, got '$seconds'"
[[ $runs =~ ^[0-9]+$ ]] && ((runs >= 1)) || die "--runs: expected a number >= 1, got '$runs'"
[[ $cpu =~ ^[0-9]+$ ]] && ((cpu < ncpu)) || die "--cpu: expected a CPU in 0..$((ncpu - 1)), got '$cpu'"
[[ $size =~ ^[0-9]+$ ]] && ((size >= 64 && size <= 1514)) || die "--size: expected 64..1514, got '$size'"
[[ $retries =~ ^[0-9]+$ ]] || die "--retries: expected a number, got '$retries'"
[[ $repeat =~ ^[0-9]+$ ]] && ((repeat >= 1)) || die "--repeat: expected a number >= 1, got '$repeat'"
IFS=, read -ra variants <<<"$cpu_counts"
for k in "${variants[@]}"; do
  [[ $k =~ ^[0-9]+$ ]] && ((k >= 1 && k <= ncpu)) || die "--cpus: expected counts in 1..$ncpu, got '$cpu_counts'"
done

(($(id -u) == 0)) || die "needs root (namespaces, XDP, BPF_PROG_RUN)"
for tool in ip ethtool bpftool jq clang cc taskset; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/setup.sh"
done

# ---------------------------------------------------------------- build

mkdir -p "$build"
for prog in ceiling count; do
  if [[ ! -f $build/$prog.bpf.o || $bench/ceiling/$prog.bpf.c -nt $build/$prog.bpf.o ]]; then
    clang -O2 -g -Wall -Werror -target bpf -I"/usr/include/$(cc -dumpmachine)" \
      -c "$bench/ceiling/$prog.bpf.c" -o "$build/$prog.bpf.o"
  fi
done
if [[ ! -x $build/sender || $bench/ceiling/sender.c -nt $build/sender ]]; then
  cc -O2 -Wall -Wextra -Werror -o "$build/sender" "$bench/ceiling/sender.c" -lbpf -lpthread
fi

xdperf_note=""
if ((with_xdperf)); then
  if [[ ! -f $repo/core/target/xdperf.jar ]]; then
    echo "run.sh: core/target/xdperf.jar missing: building (mvn -q -B -DskipTests package)"
    (cd "$repo" && mvn -q -B -DskipTests package) >"$build/mvn.log" 2>&1 ||
      xdperf_note="the Maven build failed (see bench/build/mvn.log)"
  fi
  if [[ -z $xdperf_note && ! -f $repo/core/target/xdperf.jar ]]; then
    xdperf_note="core/target/xdperf.jar was not built"
  elif [[ -z $xdperf_note && ! -x $repo/xdperf ]]; then
    xdperf_note="no ./xdperf launcher in the repository"
  fi
  [[ -z $xdperf_note ]] || { echo "xdperf: n/a ($xdperf_note)"; with_xdperf=0; }
fi

logs=$(mktemp -d "$build/logs.XXXXXX")

# ---------------------------------------------------------------- topology

tx=xdpb-tx-$$
rx=xdpb-rx-$$
txif=xb-tx
rxif=xb-rx
child=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$child" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  ip netns del "$tx" 2>/dev/null || true
  ip netns del "$rx" 2>/dev/null || true
  if ((keep_logs)); then
    mkdir -p "$build/logs" && mv "$logs" "$build/logs/run-$$" && echo "logs: bench/build/logs/run-$$"
  else
    rm -rf "$logs"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

ip netns add "$tx"
ip netns add "$rx"
for ns in "$tx" "$rx"; do   # no IPv6 chatter (router solicitations) in the counts
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$tx" link add "$txif" type veth peer name "$rxif" netns "$rx"
# veth starts with one real queue: widen the receiving end first, then the sending end,
# and only then attach XDP (queues added while a program is attached get none).
ip netns exec "$rx" ethtool -L "$rxif" rx "$ncpu" tx "$ncpu"
ip netns exec "$tx" ethtool -L "$txif" rx "$ncpu" tx "$ncpu"
ip -n "$rx" link set dev "$rxif" up
ip -n "$tx" link set dev "$txif" up
ip -n "$tx" addr add 198.18.0.1/30 dev "$txif"
ip -n "$rx" addr add 198.18.0.2/30 dev "$rxif"
# Without a native XDP program on the receiving veth, XDP_TX frames vanish silently.
ip -n "$rx" link set dev "$rxif" xdpdrv obj "$build/count.bpf.o" sec xdp

prog_id=$(ip -n "$rx" -j -d link show dev "$rxif" | jq -r '.[0].xdp.prog.id // empty')
[[ -n $prog_id ]] || die "xdp_count is not attached to $rxif"
map_id=$(bpftool prog show id "$prog_id" -j | jq -r '.map_ids[0] // empty')
[[ -n $map_id && $(bpftool map show id "$map_id" -j | jq -r .name) == counts ]] ||
  die "cannot find the counts map of xdp_count (prog $prog_id)"
tx_mac=$(ip -n "$tx" -j link show dev "$txif" | jq -r '.[0].address')
rx_mac=$(ip -n "$rx" -j link show dev "$rxif" | jq -r '.[0].address')

# ---------------------------------------------------------------- measuring

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# Helpers run on the CPUs the senders leave free, when there are any.
helper_cpus=""
read_count() {
  if [[ -n $helper_cpus ]]; then
    taskset -c "$helper_cpus" bpftool map dump id "$map_id" -j
  else
    bpftool map dump id "$map_id" -j
  fi | jq '[.[0].formatted.values[].value.packets] | add'
}

# sample VAR_COUNT VAR_TIME: the counter and the time of the read (middle of the read).
sample() {
  local a b c
  a=$(now_us); c=$(read_count); b=$(now_us)
  printf -v "$1" %s "$c"
  printf -v "$2" %s $(((a + b) / 2))
}

sleep_until_us() {
  local d=$(($1 - $(now_us)))
  ((d > 0)) && sleep "$(printf '%d.%06d' $((d / 1000000)) $((d % 1000000)))"
  return 0
}

# cpu_ticks: "busy steal" over all CPUs, in clock ticks. Busy is user + nice + system;
# interrupt time is left out (the receiver's NAPI may be charged there).
cpu_ticks() {
  local _c u n s i w q sq st _rest
  read -r _c u n s i w q sq st _rest </proc/stat
  echo "$((u + n + s)) $st"
}
# child_ticks PID: user + system ticks of a process (all its threads).
child_ticks() {
  local f
  f=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  f=${f##*) }                 # the fields after "(comm) "
  awk '{ print $12 + $13 }' <<<"$f"
}
# other_load TICKS STEAL_TICKS MICROSECONDS: "other steal", both in % of one CPU. Other is
# CPU time spent by anything but the tool under test during the steady window.
other_load() {
  awk -v o="$1" -v s="$2" -v us="$3" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { t = us / 1e6 * hz; if (o < 0) o = 0; printf "%.0f %.0f", 100 * o / t, 100 * s / t }'
}

mpps() { awk -v n="$1" -v us="$2" 'BEGIN { if (us > 0) printf "%.3f", n / us; else print "n/a" }'; }

# measure NAME RUN CMD...: one run; appends "steady whole" Mpps to $logs/NAME.rates.
measure() {
  local name=$1 run=$2; shift 2
  local out=$logs/$name.$run.out err=$logs/$name.$run.err
  local c0 t0 c1 t1 c2 t2 ce te ts rc=0 steady=n/a whole load=""
  local b1 st1 k1 b2 st2 k2
  sample c0 t0
  "$@" >"$out" 2>"$err" &
  child=$!
  ts=""
  while kill -0 "$child" 2>/dev/null; do       # wait for the first frames
    sample c1 t1
    if ((c1 - c0 > 1000)); then ts=$t1; break; fi
    sleep 0.01
  done
  if [[ -n $ts ]] && ((seconds >= 2)); then
    sleep_until_us $((ts + 500000))
    sample c1 t1
    read -r b1 st1 < <(cpu_ticks); k1=$(child_ticks "$child")
    sleep_until_us $((ts + seconds * 1000000 - 500000))
    read -r b2 st2 < <(cpu_ticks); k2=$(child_ticks "$child")
    if [[ -n $k1 && -n $k2 ]] && kill -0 "$child" 2>/dev/null; then
      sample c2 t2
      steady=$(mpps $((c2 - c1)) $((t2 - t1)))
      load=$(other_load $((b2 - b1 - (k2 - k1))) $((st2 - st1)) $((t2 - t1)))
    fi
  fi
  wait "$child" || rc=$?
  child=""
  sample ce te
  whole=$(mpps $((ce - c0)) $((te - t0)))
  if ((rc != 0)); then
    echo "  $name run $run: failed (exit $rc): $(tail -n 3 "$err" | tr '\n' ' ')"
    return 1
  fi
  local extra="" sent
  sent=$(jq -r '.sent // .sent_packets // empty' "$out" 2>/dev/null || true)
  [[ -n $sent ]] && extra=", sender reported $sent sent, receiver counted $((ce - c0))"
  local calls
  calls=$(jq -r 'select(.threads) | .threads as $t | ($t | map(.calls) | add) as $c | select($c > 0)
    | "\($c) calls, kernel \($t | map(.ns_per_frame) | add / length | . * 10 | round / 10) ns/frame,"
      + " gap per call avg \($t | map(.gap_ms_avg * .calls) | add / $c | round) ms"
      + " max \($t | map(.gap_ms_max) | max | round) ms"' "$out" 2>/dev/null || true)
  [[ -n $calls ]] && extra+="; $calls"
  local mark="" disturbed=0
  if [[ -n $load ]] && awk -v o="${load% *}" -v s="${load#* }" 'BEGIN { exit !(o > 5 || s > 5) }'; then
    disturbed=1
    if ((may_retry)); then mark=" DISTURBED, run again"; else mark=" DISTURBED, kept"; fi
  fi
  printf '  %-13s run %d: steady %s Mpps, whole run %s Mpps (%d frames in %.2f s%s)%s\n' \
    "$name" "$run" "$steady" "$whole" $((ce - c0)) "$(awk -v u=$((te - t0)) 'BEGIN{print u/1e6}')" "$extra" \
    "${load:+; other load ${load% *}% of a CPU, steal ${load#* }%$mark}"
  ((disturbed && may_retry)) && return 3
  ((disturbed)) && echo "$name $run" >>"$logs/disturbed"
  echo "$steady $whole" >>"$logs/$name.rates"
  return 0
}

# attempt NAME RUN CMD...: measure, running again (up to --retries times) when other load
# on the machine disturbed the steady window.
may_retry=0
attempt() {
  local a rc
  for ((a = 0; a <= retries; a++)); do
    may_retry=$((a < retries))
    rc=0
    measure "$@" || rc=$?
    ((rc == 3)) || return 0
  done
}

# stats FILE COLUMN: "runs median min max" over the numeric values of a column.
stats() {
  [[ -f $1 ]] || { echo "0 n/a n/a n/a"; return; }
  awk -v c="$2" '$c != "n/a" { print $c }' "$1" | sort -g | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print "0 n/a n/a n/a"; exit }
      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%d %.3f %.3f %.3f\n", NR, m, v[1], v[NR]
    }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# ---------------------------------------------------------------- runs

echo "machine: $(uname -r), $ncpu CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "veth $tx/$txif -> $rx/$rxif ($ncpu queues each), xdp_count prog $prog_id map $map_id"
echo "frames of $size bytes (+4 FCS), $runs runs of $seconds s per tool, interleaved"

# Other work on these few CPUs skews every number: say so.
read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ </proc/stat
sleep 1
read -r _ u2 n2 s2 i2 w2 q2 sq2 st2 _ </proc/stat
busy=$(( (u2 + n2 + s2 + q2 + sq2 + st2) - (u1 + n1 + s1 + q1 + sq1 + st1) ))
idle=$(( (i2 + w2) - (i1 + w1) ))
if ((busy * 10 > busy + idle)); then
  echo "warning: the machine was $((100 * busy / (busy + idle)))% busy before the runs; other load skews the results" >&2
fi

summary=""
for k in "${variants[@]}"; do
  if ((k == 1)); then first=$cpu; elif ((cpu + k <= ncpu)); then first=$cpu; else first=0; fi
  cpulist=$(seq -s, "$first" $((first + k - 1)))
  helper_cpus=$( (seq 0 $((ncpu - 1)); seq "$first" $((first + k - 1))) | sort -n | uniq -u | paste -sd, -)
  tag=cpus$k
  echo
  echo "== $k sending CPU(s): $cpulist"
  for ((r = 1; r <= runs; r++)); do
    attempt "ceiling.$tag" "$r" \
      ip netns exec "$tx" "$build/sender" --ifname "$txif" --cpu "$first" --threads "$k" \
        --seconds "$seconds" --size $((size + 4)) --repeat "$repeat" \
        --src-mac "$tx_mac" --dst-mac "$rx_mac" --src-ip 198.18.0.1 --dst-ip 198.18.0.2
    if ((with_xdperf)); then
      attempt "xdperf.$tag" "$r" \
        ip netns exec "$tx" "$repo/xdperf" client --dev "$txif" --cpus "$cpulist" \
          --duration "$seconds" --json --size "$size" \
          --src-ip 198.18.0.1 --dst-ip 198.18.0.2 --dst-mac "$rx_mac"
    fi
  done

  read -r cn cm cmin cmax < <(stats "$logs/ceiling.$tag.rates" 1)
  read -r _ cw _ _ < <(stats "$logs/ceiling.$tag.rates" 2)
  if ((with_xdperf)); then
    read -r xn xm xmin xmax < <(stats "$logs/xdperf.$tag.rates" 1)
    read -r _ xw _ _ < <(stats "$logs/xdperf.$tag.rates" 2)
  else
    xn=0 xm=n/a xmin=n/a xmax=n/a xw=n/a
  fi
  table=$(
    printf '\n%s sending CPU(s) [%s], %d-byte frames (+FCS), %d s runs; received Mpps\n' "$k" "$cpulist" "$size" "$seconds"
    printf '%-14s %5s %8s %8s %8s %12s\n' tool runs median min max "whole-run"
    printf '%-14s %5s %8s %8s %8s %12s\n' "C ceiling" "$cn" "$cm" "$cmin" "$cmax" "$cw"
    if ((xn > 0)); then
      printf '%-14s %5s %8s %8s %8s %12s\n' xdperf "$xn" "$xm" "$xmin" "$xmax" "$xw"
    else
      note=$xdperf_note
      ((with_xdperf)) && note="every run failed, see above"
      printf '%-14s %s\n' xdperf "n/a${note:+ ($note)}"
    fi
    printf 'ratio xdperf/ceiling: %s (steady median), %s (whole-run median)\n' "$(ratio "$xm" "$cm")" "$(ratio "$xw" "$cw")"
  )
  summary+=$table$'\n'
done

echo
echo "== results (median/min/max: steady window; whole-run: median over the full command)"
printf '%s' "$summary"
if [[ -f $logs/disturbed ]]; then
  echo
  echo "note: $(wc -l <"$logs/disturbed") run(s) kept although other load disturbed them" \
    "(marked DISTURBED above): the machine was not quiet, rerun for clean numbers"
fi
