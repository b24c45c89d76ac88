#!/usr/bin/env bash
# The sender's own cost per frame, independent of where the receiver runs: each XDP
# transmit program's run_time_ns / run_cnt from the kernel's BPF statistics
# (kernel.bpf_stats_enabled), measured in one session on one veth pair, for the C ceiling
# (xdp_ceiling: returns XDP_TX, the frame untouched; and its twin that sends the frame with
# XDP_REDIRECT to the same interface, as xdp-trafficgen does), xdperf's xdp_tx with the measurement
# header on (the default), and xdp_tx with 4 per-packet field rules (source and destination
# address and port ranges) whose IPv4 and UDP checksums it keeps right. The figures include
# the statistics' own overhead (two clock reads per run), the same for every program, so
# compare differences: xdp_tx − xdp_ceiling is what xdperf adds per frame. With --xdptg PATH,
# also xdp-trafficgen's own transmit program (xdp_redirect_notouch: counts the frame in its
# CPU's slot of an array and returns bpf_redirect() to the sending veth), run as
# `PATH udp -m RX_MAC -s SIZE+4 -t 1` on one CPU. Its thread pins itself to CPU 0 whatever
# --cpu says, so give --cpu 0 to measure every program on the same CPU.
#
# Usage: bench/bpf-stats.sh [--sizes 64,512,1500] [--cpu C] [--seconds S] [--rounds N]
#                           [--xdperf-opts "OPTS"] [--xdptg PATH]
#                           (as root; OPTS go to every xdperf client run, e.g. "--no-measure"
#                           to see what the measurement header costs, or "--size imix",
#                           which replaces the size; PATH is an
#                           xdp-trafficgen binary, e.g. 1.6.3 built as docs/benchmarks.md says)
# Output: one line per program and size with the median ns/run over the rounds, and its
# difference from the ceiling. With more than one CPU, xdp_tx (header) also runs on two CPUs
# at once: its cost per frame should equal the one-CPU cost, since nothing on the per-packet
# path is written by more than one CPU (docs/benchmarks.md). Targets (issue 19): ceiling + 7 ns with the
# header, ceiling + 14 ns with 4 field rules. These runs (one template, counting rules) get an
# xdp_tx written for the run; XDPERF_TX_PROGRAM=compiled in the environment measures
# tx.bpf.c's program instead.
# shellcheck disable=SC2015
set -euo pipefail
me=bpf-stats
bench=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$bench/.." && pwd)
build=$bench/build
keep_logs=0
child=
bg_pids=()
namespaces=()
logs=
# shellcheck source=bench/lib.sh
source "$bench/lib.sh"

sizes=64
cpu=1
seconds=3
rounds=3
extra=()
xdptg=""
while (($#)); do
  case $1 in
    --sizes) sizes=${2:?--sizes needs a list}; shift 2 ;;
    --cpu) cpu=${2:?--cpu needs a CPU}; shift 2 ;;
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
    --xdperf-opts) read -r -a extra <<<"${2:?--xdperf-opts needs options}"; shift 2 ;;
    --xdptg) xdptg=${2:?--xdptg needs the path of an xdp-trafficgen binary}; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ $(id -u) -eq 0 ]] || die "run as root: BPF statistics, namespaces and XDP need it"
[[ -z $xdptg || ( -f $xdptg && -x $xdptg ) ]] || die "--xdptg: '$xdptg' is not an executable file"
tg_sized=0 tg_label=""
if [[ -n $xdptg ]]; then
  tg_help=$("$xdptg" udp --help 2>&1 || true)
  [[ $tg_help == *--pkt-size* ]] && tg_sized=1
  tg_label="xdp-trafficgen $("$xdptg" udp --version 2>&1 | awk '/version/ { print $3; exit }' || true)"
fi
((seconds >= 2)) || die "--seconds must be at least 2 (the window is the run's middle)"
for tool in ip ethtool bpftool jq clang cc; do command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup.sh --bench)"; done
other=$(( cpu == 0 ? 1 : 0 ))
two=$(( $(nproc) > 1 ? 1 : 0 ))
build_c
reason=$(xdperf_ready)
[[ -z $reason ]] || die "$reason"
install_traps
bpf_stats_on
tx=xdpb-st-tx-$$
topo_up "$tx" "xdpb-st-rx-$$"

# measure NAME CMD...: ns per run of program NAME over the middle of the command's run
measure() {
  local name=$1 a b; shift
  "$@" >/dev/null 2>&1 &
  child=$!
  sleep 1
  a=$(prog_stats "$name")
  sleep $((seconds - 2 > 0 ? seconds - 2 : 1))
  b=$(prog_stats "$name")
  wait "$child" 2>/dev/null || true
  child=
  ns_per_run "$a" "$b"
}

fields=(--src-ip-range 198.18.0.1-198.18.0.200 --dst-ip-range 198.18.1.1-198.18.1.200
  --src-port-range 1000-2000 --dst-port-range 3000-4000)
printf '%-6s %-26s %10s %12s\n' size program "ns/run" "over ceiling"
for size in ${sizes//,/ }; do
  declare -a c=() d=() h=() f=() h2=() g=()
  for ((r = 0; r < rounds; r++)); do
    c+=("$(measure xdp_ceiling ip netns exec "$tx" "$build/sender" --ifname "$txif" --cpu "$cpu" --threads 1 \
      --seconds "$seconds" --size $((size + 4)) --repeat 4000000 --src-mac "$tx_mac" --dst-mac "$rx_mac" \
      --src-ip 198.18.0.1 --dst-ip 198.18.0.2)")
    d+=("$(measure xdp_ceiling ip netns exec "$tx" "$build/sender" --ifname "$txif" --cpu "$cpu" --threads 1 \
      --seconds "$seconds" --size $((size + 4)) --repeat 4000000 --src-mac "$tx_mac" --dst-mac "$rx_mac" \
      --src-ip 198.18.0.1 --dst-ip 198.18.0.2 --obj "$build/ceiling_redirect.bpf.o")")
    base=(ip netns exec "$tx" "$repo/xdperf" client --dev "$txif" --cpus "$cpu" --duration "$seconds"
      --src-ip 198.18.0.1 --dst-ip 198.18.0.2 --dst-mac "$rx_mac" --max-loss 100 -q "${extra[@]}")
    [[ " ${extra[*]} " == *" --size "* ]] || base+=(--size "$size")   # --xdperf-opts "--size imix" sets its own
    h+=("$(measure xdp_tx "${base[@]}")")
    f+=("$(measure xdp_tx "${base[@]}" "${fields[@]}")")
    if ((two)); then   # the same program on two CPUs at once: a per-frame cost that grows would mean shared writes
      base[9]=$cpu,$other
      h2+=("$(measure xdp_tx "${base[@]}")")
    fi
    if [[ -n $xdptg ]] && ((tg_sized || size == 64)); then   # without --pkt-size it sends 62-byte frames
      tg=(ip netns exec "$tx" timeout --preserve-status -s INT "$seconds" "$xdptg" udp -m "$rx_mac" -t 1)
      ((!tg_sized)) || tg+=(-s $((size + 4)))
      g+=("$(measure xdp_redirect_notouch "${tg[@]}" "$txif")")
    fi
  done
  med() { printf '%s\n' "$@" | { grep -v n/a || true; } | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }'; }
  mc=$(med "${c[@]}"); mh=$(med "${h[@]}"); mf=$(med "${f[@]}")
  md=$(med "${d[@]}")
  printf '%-6s %-26s %10s %12s\n' "$size" "xdp_ceiling (C, XDP_TX)" "$mc" "-"
  printf '%-6s %-26s %10s %12s\n' "$size" "xdp_ceiling, XDP_REDIRECT" "$md" "$(awk -v a="$md" -v b="$mc" 'BEGIN { printf "%+.1f", a - b }')"
  printf '%-6s %-26s %10s %12s\n' "$size" "xdp_tx, header" "$mh" "$(awk -v a="$mh" -v b="$mc" 'BEGIN { printf "%+.1f", a - b }')"
  printf '%-6s %-26s %10s %12s\n' "$size" "xdp_tx, header + 4 fields" "$mf" "$(awk -v a="$mf" -v b="$mc" 'BEGIN { printf "%+.1f", a - b }')"
  if ((two)); then
    mh2=$(med "${h2[@]}")
    printf '%-6s %-26s %10s %12s\n' "$size" "xdp_tx, header, 2 CPUs" "$mh2" "$(awk -v a="$mh2" -v b="$mc" 'BEGIN { printf "%+.1f", a - b }')"
  fi
  if [[ -n $xdptg ]]; then
    if ((${#g[@]})); then
      mg=$(med "${g[@]}")
      printf '%-6s %-26s %10s %12s\n' "$size" "$tg_label, CPU 0" "$mg" "$(awk -v a="$mg" -v b="$mc" 'BEGIN { if (a == "n/a") print "n/a"; else printf "%+.1f", a - b }')"
    else
      printf '%-6s %-26s %10s %12s\n' "$size" "$tg_label" "n/a" "(no --pkt-size)"
    fi
  fi
done
