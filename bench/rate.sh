#!/usr/bin/env bash
# Rate precision (issue 6 §3): how closely `xdperf client --pps R` keeps to R.
#
# The topology of bench/run.sh (two fresh namespaces, a veth pair, one queue per CPU), with
# `xdperf server` on the receiving end instead of xdp_count: the server's xdp_rx counts the
# frames per CPU (its rx_totals map, read here with bpftool during the run) and measures the
# gaps between arrivals, which the client's --json report carries. For every target rate R
# one run of `xdperf client --server 198.18.0.2 --cpus C --pps R --duration D --json`:
#
#   steady   frames counted at the receiver from 0.5 s after the first frame to 0.5 s
#            before the run's nominal end, divided by that window's length;
#   whole    all frames the receiver counted (the report's received_packets) divided by
#            the requested duration D;
#   sender   the report's tx_pps (the sender's own count over its own send time);
#   gaps     p50 and p99 of the gaps between consecutive arrivals (the report's
#            rate.gap_p50_ns and rate.gap_p99_ns; the target gap is 1/R);
#   verdict  met when both the steady and the whole rate are within --tolerance (1%) of R.
#
# Usage: bench/rate.sh [options]     (as root; see --help)
# shellcheck disable=SC2015  # "check && check || die" is meant: die when either fails
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$repo/bench
build=$bench/build
me=rate.sh
# shellcheck source=bench/lib.sh
. "$bench/lib.sh"

rates=1000,10000,100000,500000,1000000
seconds=5
runs=1
cpu=1
size=64
tolerance=1
keep_logs=0
json_out=""

usage() {
  cat <<EOF
usage: bench/rate.sh [options]

  --rates LIST     target rates in packets/s, comma-separated (default $rates)
  --seconds D      requested duration of each run, whole seconds >= 2 (default $seconds)
  --runs N         runs per rate (default $runs)
  --cpu C          the sending CPU (default $cpu)
  --size BYTES     frame length without FCS, 64..1514 (default $size)
  --tolerance P    the verdict's limit, in % of the target (default $tolerance)
  --json FILE      write every run as JSON to FILE
  --keep-logs      keep every run's output under bench/build/logs/
  -h, --help       this text
EOF
}

need() { (($# >= 2)) && [[ -n $2 ]] || die "$1 needs a value (see --help)"; }
while (($#)); do
  case $1 in
    --rates) need "$@"; rates=$2; shift 2 ;;
    --seconds) need "$@"; seconds=$2; shift 2 ;;
    --runs) need "$@"; runs=$2; shift 2 ;;
    --cpu) need "$@"; cpu=$2; shift 2 ;;
    --size) need "$@"; size=$2; shift 2 ;;
    --tolerance) need "$@"; tolerance=$2; shift 2 ;;
    --json) need "$@"; json_out=$2; shift 2 ;;
    --keep-logs) keep_logs=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "rate.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

ncpu=$(nproc)
[[ $seconds =~ ^[0-9]+$ ]] && ((seconds >= 2)) || die "--seconds: expected a whole number >= 2, got '$seconds'"
[[ $runs =~ ^[0-9]+$ ]] && ((runs >= 1)) || die "--runs: expected a number >= 1, got '$runs'"
[[ $cpu =~ ^[0-9]+$ ]] && ((cpu < ncpu)) || die "--cpu: expected a CPU in 0..$((ncpu - 1)), got '$cpu'"
[[ $size =~ ^[0-9]+$ ]] && ((size >= 64 && size <= 1514)) || die "--size: expected 64..1514, got '$size'"
[[ $tolerance =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--tolerance: expected a percentage, got '$tolerance'"
IFS=, read -ra rate_list <<<"$rates"
((${#rate_list[@]})) || die "--rates: expected rates in packets/s, got '$rates'"
for r in "${rate_list[@]}"; do
  [[ $r =~ ^[0-9]+$ ]] && ((r >= 1)) || die "--rates: expected whole rates in packets/s (e.g. 1000,10000), got '$rates'"
done
if [[ -n $json_out ]]; then
  touch "$json_out" 2>/dev/null || die "--json: cannot write '$json_out'"
  json_out=$(cd "$(dirname "$json_out")" && pwd)/$(basename "$json_out")
fi

(($(id -u) == 0)) || die "needs root (namespaces, XDP, BPF_PROG_RUN)"
for tool in ip ethtool bpftool jq taskset ss; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/setup.sh"
done
mkdir -p "$build"
why=$(xdperf_ready)
[[ -z $why ]] || die "cannot run xdperf: $why"

logs=$(mktemp -d "$build/logs.XXXXXX")
install_traps

tx=xdpb-tx-$$
rx=xdpb-rx-$$
topo_up "$tx" "$rx" 0
helper_cpus=$( (seq 0 $((ncpu - 1)); echo "$cpu") | sort -n | uniq -u | paste -sd, -)
server_cpus=${helper_cpus:-$cpu}
ip netns exec "$rx" taskset -c "$server_cpus" "$repo/xdperf" server --dev "$rxif" >"$logs/server.log" 2>&1 &
bg_pids+=($!)
for _ in $(seq 100); do
  ip netns exec "$rx" ss -Hltn 'sport = :5210' | grep -q . && break
  kill -0 "${bg_pids[-1]}" 2>/dev/null || die "xdperf server did not start: $(tail -n 1 "$logs/server.log")"
  sleep 0.1
done

machine_line
echo "veth $tx/$txif -> $rx/$rxif; xdperf server on CPU(s) $server_cpus, the client on CPU $cpu"
echo "rates: ${rate_list[*]} packets/s; $runs run(s) of $seconds s each; $size-byte frames; verdict: within $tolerance%"
quiet_check

pct() { awk -v a="$1" -v r="$2" 'BEGIN { if (a == "n/a" || a == "") print "n/a"; else printf "%+.2f", 100 * (a - r) / r }'; }
us() { awk -v n="$1" 'BEGIN { if (n == "" || n == "null") print "n/a"; else printf "%.1f", n / 1000 }'; }

# one_run R RUN: prints a table row and appends a JSON line.
one_run() {
  local r=$1 run=$2 out=$logs/run.$1.$2.json err=$logs/run.$1.$2.err
  local c1 t1 c2 t2 ts="" steady=n/a whole=n/a sender=n/a received sent g50 g99 verdict rc=0
  ip netns exec "$tx" "$repo/xdperf" client --dev "$txif" --server 198.18.0.2 --cpus "$cpu" \
    --pps "$r" --duration "$seconds" --size "$size" --json >"$out" 2>"$err" &
  child=$!
  # xdperf server attaches xdp_rx (and its fresh counters) for each run: find it, then
  # wait for the first frame.
  map_id=""
  while kill -0 "$child" 2>/dev/null; do
    if [[ -n $map_id ]] || find_counter "$rx" rx_totals; then
      sample c1 t1
      if ((c1 > 0)); then ts=$t1; break; fi
    fi
    sleep 0.005
  done
  if [[ -n $ts ]]; then
    sleep_until_us $((ts + 500000))
    sample c1 t1
    sleep_until_us $((ts + seconds * 1000000 - 500000))
    if kill -0 "$child" 2>/dev/null; then
      sample c2 t2
      steady=$(awk -v n=$((c2 - c1)) -v us=$((t2 - t1)) 'BEGIN { printf "%.0f", n * 1e6 / us }')
    fi
  fi
  wait "$child" || rc=$?
  child=""
  if ((rc != 0)); then
    printf '%10s  failed (exit %d): %s\n' "$r" "$rc" "$(tail -n 1 "$err")"
    jq -nc --argjson r "$r" --argjson run "$run" --arg e "$(tail -n 1 "$err")" \
      '{target_pps: $r, run: $run, error: $e}' >>"$logs/runs.jsonl"
    return 0
  fi
  received=$(jq -r '.received_packets // empty' "$out")
  sent=$(jq -r '.sent_packets // empty' "$out")
  sender=$(jq -r '.tx_pps // "n/a"' "$out")
  g50=$(jq -r '.rate.gap_p50_ns // empty' "$out")
  g99=$(jq -r '.rate.gap_p99_ns // empty' "$out")
  [[ -z $received ]] || whole=$(awk -v n="$received" -v d="$seconds" 'BEGIN { printf "%.0f", n / d }')
  verdict=$(awk -v s="$steady" -v w="$whole" -v r="$r" -v tol="$tolerance" 'BEGIN {
    if (s == "n/a" || w == "n/a") { print "n/a"; exit }
    es = 100 * (s - r) / r; ew = 100 * (w - r) / r; if (es < 0) es = -es; if (ew < 0) ew = -ew
    worst = es > ew ? es : ew
    if (worst <= tol) print "met"; else printf "MISSED by %.2f%%\n", worst - tol }')
  printf '%10s %10s %8s %10s %8s %10s %9s %9s  %s\n' "$r" "$steady" "$(pct "$steady" "$r")" "$whole" \
    "$(pct "$whole" "$r")" "$sender" "$(us "$g50")" "$(us "$g99")" "$verdict"
  jq -nc --argjson r "$r" --argjson run "$run" --arg steady "$steady" --arg whole "$whole" \
    --arg sender "$sender" --arg received "$received" --arg sent "$sent" --arg g50 "$g50" --arg g99 "$g99" \
    --arg verdict "$verdict" --argjson d "$seconds" '
    def num: if . == "n/a" or . == "" then null else tonumber end;
    {target_pps: $r, run: $run, duration_s: $d, receiver_steady_pps: ($steady | num),
     receiver_whole_pps: ($whole | num), sender_pps: ($sender | num), sent_packets: ($sent | num),
     received_packets: ($received | num),
     steady_error_pct: (if ($steady | num) == null then null else (($steady | num) - $r) * 100 / $r end),
     whole_error_pct: (if ($whole | num) == null then null else (($whole | num) - $r) * 100 / $r end),
     gap_p50_ns: ($g50 | num), gap_p99_ns: ($g99 | num), gap_target_ns: (1e9 / $r), verdict: $verdict}' >>"$logs/runs.jsonl"
}

echo
printf '%10s %10s %8s %10s %8s %10s %9s %9s  %s\n' target "rx steady" "err %" "rx whole" "err %" sender \
  "gap p50" "gap p99" "within $tolerance%"
printf '%10s %10s %8s %10s %8s %10s %9s %9s\n' "pps" "pps" "" "pps" "" "pps" "µs" "µs"
for r in "${rate_list[@]}"; do
  for ((i = 1; i <= runs; i++)); do one_run "$r" "$i"; done
done
echo "(rx steady: receiver's count over the steady window; rx whole: receiver's count / requested"
echo " duration; sender: the client's tx_pps; gaps: between arrivals at the receiver, target 1/R)"

if [[ -n $json_out ]]; then
  jq -n --arg machine "$(machine_line | sed 's/^machine: //')" \
    --arg version "$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)" \
    --argjson seconds "$seconds" --argjson cpu "$cpu" --argjson size "$size" --argjson tol "$tolerance" \
    --slurpfile runs <(cat "$logs/runs.jsonl" 2>/dev/null) \
    '{machine: $machine, commit: $version, date: (now | todate), seconds: $seconds, cpu: $cpu, size: $size,
      tolerance_pct: $tol, runs: $runs}' >"$json_out"
  echo "json: $json_out"
fi
