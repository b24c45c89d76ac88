#!/usr/bin/env bash
# The performance suite: `xdperf client` against the ceiling of the mechanism it uses (a
# minimal C program running an XDP_TX-only program through BPF_PROG_RUN live frames) and
# against other traffic generators, on the same veth pair, CPUs and frame lengths.
#
# Two fresh network namespaces joined by a veth pair; the rate is measured at the
# receiver: xdp_count (native XDP on the receiving veth) counts every frame in a per-CPU map
# and drops it, but for those the stack needs (ARP, TCP, ICMP, iperf3's 4-byte UDP connect
# datagram), which it passes; this script reads the map with bpftool before, during and
# after each run. The
# senders' own counts are not trusted: live frames report success even for frames that
# never arrive.
#
# For every run:
#   steady  frames received in a window inside the run (from 0.5 s after the first frames
#           arrived to 0.5 s before the run's nominal end) divided by that window's length;
#   whole   all frames received during the run divided by the wall time of the whole
#           command, from launch to exit (start-up included: a JVM pays more here);
#   CPU     machine-wide busy CPU time (user + nice + system + irq + softirq, all CPUs, from
#           /proc/stat) in the steady window divided by the frames counted in it: ns/packet.
# Tools alternate within a round. A run whose steady window saw other work on the machine
# (CPU time outside the tool under test and its children, or steal) is run again, up to
# --retries times.
#
# The tools (each given the same CPUs, frame length and addresses; see docs/benchmarks.md):
#   ceiling         bench/build/sender (bench/ceiling/sender.c running ceiling.bpf.c)
#   xdperf          ./xdperf client --dev IF --cpus LIST --duration D --json (flat out, with
#                   its measurement header, as by default)
#   xdperf-fields   the same with 4 per-packet field rules (source and destination address
#                   and port ranges), each covered by the IPv4 and UDP checksums
#   trafgen         netsniff-ng's trafgen, PF_PACKET TX ring, -P K processes
#   iperf3          iperf3 -u -b 0 -l LEN -P K, its server in the receiving namespace
#   xdp-trafficgen  xdp-tools' xdp-trafficgen udp -t K (IPv6/UDP only), from PATH or --xdptg;
#                   with --pkt-size (xdp-tools >= 1.4) at every frame length, else only 64.
#                   Its threads pin themselves to CPUs 0..K-1 (thread i on CPU i), so it is
#                   on the same CPUs as the others when they start at CPU 0 (--cpu 0).
#
# Usage: bench/run.sh [options]     (as root; see --help)
# shellcheck disable=SC2015  # "check && check || die" is meant: die when either fails
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$repo/bench
build=$bench/build
me=run.sh
# shellcheck source=bench/lib.sh
. "$bench/lib.sh"

all_tools=(ceiling xdperf xdperf-fields trafgen iperf3 xdp-trafficgen)
seconds=5
runs=3
cpu=1
cpu_counts=1
sizes=64
tools=ceiling,xdperf
repeat=4000000
keep_logs=0
retries=2
startup=0
startup_runs=5
json_out=""
xdptg=""
bpf_stats=0

usage() {
  cat <<EOF
usage: bench/run.sh [options]

  --tools LIST     tools to run, comma-separated, or all: ${all_tools[*]}
                   (default $tools)
  --sizes LIST     frame lengths without the 4-byte FCS, as xdperf's --size counts them,
                   64..1514, e.g. 64,512,1500 (default $sizes); --size BYTES is the same
  --cpus COUNTS    number of sending CPUs; a comma list runs several variants, e.g. 1,2
                   (default $cpu_counts). One CPU means CPU C; k > 1 CPUs means C..C+k-1,
                   or 0..k-1 when C+k exceeds the machine.
  --cpu C          the CPU for the single-CPU variant (default $cpu)
  --seconds D      length of each run in seconds (default $seconds)
  --runs N         runs per tool, CPU count and size (default $runs)
  --startup        also measure start-up: time to the first packet of ./xdperf client
                   --plugin icmp (median of --startup-runs), and peak memory with 256 templates
  --startup-runs N runs of the start-up measurement (default $startup_runs)
  --suite          the whole suite: --tools all --sizes 64,512,1500 --cpus 1,2 --startup
  --json FILE      write every run and the summary as JSON to FILE
  --repeat R       frames per BPF_PROG_RUN call of the C sender (default $repeat)
  --xdptg PATH     the xdp-trafficgen binary for the xdp-trafficgen tool (default: the one on
                   PATH, e.g. Debian's 1.3.1, which does not load on every kernel); e.g. 1.6.3
                   built as docs/benchmarks.md says. Its threads pin themselves to CPUs
                   0..K-1: add --cpu 0 so that every tool sends from the same CPUs
  --bpf-stats      also each tool's transmit program's own cost in the same runs: its run time
                   per run from the kernel's BPF statistics (kernel.bpf_stats_enabled, on for
                   the suite and restored after) over each steady window, and its distance from
                   the ceiling program's (xdp_ceiling, xdp_tx, xdp-trafficgen's
                   xdp_redirect_notouch; trafgen and iperf3 run no XDP program). The statistics
                   cost every program about two clock reads per run, so rates are lower then
  --no-xdperf      measure the C ceiling only (--tools ceiling)
  --retries N      run again a run whose steady window saw other load (over 5% of a CPU
                   busy outside the tool, or 5% steal), up to N times (default $retries)
  --keep-logs      keep every tool's output under bench/build/logs/
  -h, --help       this text
EOF
}

need() { (($# >= 2)) && [[ -n $2 ]] || die "$1 needs a value (see --help)"; }
while (($#)); do
  case $1 in
    --seconds) need "$@"; seconds=$2; shift 2 ;;
    --runs) need "$@"; runs=$2; shift 2 ;;
    --cpu) need "$@"; cpu=$2; shift 2 ;;
    --cpus) need "$@"; cpu_counts=$2; shift 2 ;;
    --size|--sizes) need "$@"; sizes=$2; shift 2 ;;
    --tools) need "$@"; tools=$2; shift 2 ;;
    --suite) tools=all; sizes=64,512,1500; cpu_counts=1,2; startup=1; shift ;;
    --startup) startup=1; shift ;;
    --startup-runs) need "$@"; startup_runs=$2; shift 2 ;;
    --json) need "$@"; json_out=$2; shift 2 ;;
    --repeat) need "$@"; repeat=$2; shift 2 ;;
    --xdptg) need "$@"; xdptg=$2; shift 2 ;;
    --no-xdperf) tools=ceiling; shift ;;
    --bpf-stats) bpf_stats=1; shift ;;
    --keep-logs) keep_logs=1; shift ;;
    --retries) need "$@"; retries=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

ncpu=$(nproc)
[[ $seconds =~ ^[0-9]+$ ]] && ((seconds >= 1)) || die "--seconds: expected a whole number >= 1, got '$seconds'"
[[ $runs =~ ^[0-9]+$ ]] && ((runs >= 1)) || die "--runs: expected a number >= 1, got '$runs'"
[[ $cpu =~ ^[0-9]+$ ]] && ((cpu < ncpu)) || die "--cpu: expected a CPU in 0..$((ncpu - 1)), got '$cpu'"
[[ $retries =~ ^[0-9]+$ ]] || die "--retries: expected a number, got '$retries'"
[[ $repeat =~ ^[0-9]+$ ]] && ((repeat >= 1)) || die "--repeat: expected a number >= 1, got '$repeat'"
[[ $startup_runs =~ ^[0-9]+$ ]] && ((startup_runs >= 1)) || die "--startup-runs: expected a number >= 1, got '$startup_runs'"
IFS=, read -ra variants <<<"$cpu_counts"
((${#variants[@]})) || die "--cpus: expected counts in 1..$ncpu, got '$cpu_counts'"
for k in "${variants[@]}"; do
  [[ $k =~ ^[0-9]+$ ]] && ((k >= 1 && k <= ncpu)) || die "--cpus: expected counts in 1..$ncpu, got '$cpu_counts'"
done
IFS=, read -ra size_list <<<"$sizes"
((${#size_list[@]})) || die "--sizes: expected frame lengths in 64..1514, got '$sizes'"
for s in "${size_list[@]}"; do
  [[ $s =~ ^[0-9]+$ ]] && ((s >= 64 && s <= 1514)) || die "--sizes: expected frame lengths in 64..1514, got '$sizes'"
done
[[ $tools == all ]] && tools=$(IFS=,; echo "${all_tools[*]}")
IFS=, read -ra tool_list <<<"$tools"
((${#tool_list[@]})) || die "--tools: expected some of ${all_tools[*]}, got '$tools'"
for t in "${tool_list[@]}"; do
  [[ " ${all_tools[*]} " == *" $t "* ]] || die "--tools: '$t' is not one of ${all_tools[*]} (or all)"
done
if [[ -n $xdptg ]]; then
  [[ -f $xdptg && -x $xdptg ]] || die "--xdptg: '$xdptg' is not an executable file"
  xdptg=$(cd "$(dirname "$xdptg")" && pwd)/$(basename "$xdptg")
fi
if [[ -n $json_out ]]; then
  touch "$json_out" 2>/dev/null || die "--json: cannot write '$json_out'"
  json_out=$(cd "$(dirname "$json_out")" && pwd)/$(basename "$json_out")
fi

(($(id -u) == 0)) || die "needs root (namespaces, XDP, BPF_PROG_RUN)"
for tool in ip ethtool bpftool jq clang cc taskset timeout; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/setup.sh"
done
if ((startup)); then
  command -v tcpdump >/dev/null || die "tcpdump not found: run scripts/setup.sh"
  [[ -x /usr/bin/time ]] || die "/usr/bin/time not found: run scripts/setup.sh"
fi

# ---------------------------------------------------------------- build and tools

build_c
logs=$(mktemp -d "$build/logs.XXXXXX")
install_traps
((!bpf_stats)) || bpf_stats_on

# prog_of TOOL: the XDP program a tool sends with, whose BPF statistics --bpf-stats reads.
prog_of() {
  case $1 in
    ceiling) echo xdp_ceiling ;;
    xdperf|xdperf-fields) echo xdp_tx ;;
    xdp-trafficgen) echo xdp_redirect_notouch ;;
  esac
}

# note[TOOL]: why a tool does not run at all (its rows say so); empty when it runs.
declare -A note=()
declare -A binary=([trafgen]=trafgen [iperf3]=iperf3 [xdp-trafficgen]=${xdptg:-xdp-trafficgen})
want() { [[ " ${tool_list[*]} " == *" $1 "* ]]; }
for t in "${tool_list[@]}"; do
  case $t in
    xdperf|xdperf-fields)
      [[ -n ${xdperf_why+x} ]] || xdperf_why=$(xdperf_ready)
      [[ -z $xdperf_why ]] || note[$t]="n/a ($xdperf_why)" ;;
    trafgen|iperf3|xdp-trafficgen)
      if ! command -v "${binary[$t]}" >/dev/null; then
        echo "$t not found: run scripts/setup.sh --bench"
        note[$t]="n/a (not installed)"
      fi ;;
  esac
done
if ((startup)) && [[ -z ${note[xdperf]:-} ]]; then
  [[ -n ${xdperf_why+x} ]] || xdperf_why=$(xdperf_ready)
  [[ -z $xdperf_why ]] || { echo "start-up: n/a ($xdperf_why)"; startup=0; }
fi

# ---------------------------------------------------------------- topology

tx=xdpb-tx-$$
rx=xdpb-rx-$$
topo_up "$tx" "$rx"

fields_opts=(--src-ip-range 198.18.1.1-198.18.1.250 --dst-ip-range 198.18.2.1-198.18.2.250
  --src-port-range 1024-2047 --dst-port-range 5201-5456)

# xdperf-fields: check in a pcap of what the run would send that all four fields change from
# packet to packet and that every checksum is right.
if want xdperf-fields && [[ -z ${note[xdperf-fields]:-} ]]; then
  if ip netns exec "$tx" "$repo/xdperf" client --dev "$txif" --src-ip 198.18.0.1 --dst-ip 198.18.0.2 \
      --dst-mac "$rx_mac" --size 64 "${fields_opts[@]}" --pcap "$logs/fields.pcap" --count 8 >"$logs/fields.out" 2>&1 &&
    tcpdump -nr "$logs/fields.pcap" -vv 2>/dev/null >"$logs/fields.txt"; then
    verdict=$(awk '
      /proto UDP/ { if ($0 ~ /bad cksum/) bad++ }
      / > / { n++; split($1, s, "."); split($3, d, "."); sub(/:$/, "", d[5])
              src[s[1] "." s[2] "." s[3] "." s[4]]++; sp[s[5]]++; dst[d[1] "." d[2] "." d[3] "." d[4]]++; dp[d[5]]++
              if ($0 !~ /udp sum ok/) bad++ }
      END { printf "%d %d %d %d %d %d", n, length(src), length(dst), length(sp), length(dp), bad }' "$logs/fields.txt")
    read -r n a b c d bad <<<"$verdict"
    if ((n == 8 && a == 8 && b == 8 && c == 8 && d == 8 && bad == 0)); then
      echo "xdperf-fields: checked with --pcap: in 8 packets the source and destination address and port all differ per packet, every checksum right"
    else
      note[xdperf-fields]="n/a (the --pcap check failed: $n packets, distinct src/dst/sport/dport $a/$b/$c/$d, $bad bad checksums)"
    fi
  else
    note[xdperf-fields]="n/a (xdperf client --pcap failed: $(tail -n 1 "$logs/fields.out"))"
  fi
fi

# iperf3's server, in the receiving namespace, for the whole suite.
if want iperf3 && [[ -z ${note[iperf3]:-} ]]; then
  ip netns exec "$rx" iperf3 -s -p 5201 >"$logs/iperf3-server.log" 2>&1 &
  bg_pids+=($!)
  iperf3_version=$(iperf3 --version | awk 'NR == 1 { print $2 }')
fi

# xdp-trafficgen may not load on this kernel: try once, and keep its one-line error.
# xdp-tools 1.3.1 sends only 62-byte IPv6/UDP frames (shown as 64: no size option); from
# 1.4 on, --pkt-size sets the length, FCS included, and the tool runs at every size.
trafficgen_size=64 trafficgen_sized=0 trafficgen_version=""
# trafficgen_clean FILE: true when xdp-trafficgen printed nothing but its start line and
# statistics. It exits 1 whenever it stops on a signal or after -n frames (its statistics
# loop returns 1 then), so exit 1 with a clean output is a run that went well.
trafficgen_clean() { ! grep -Ev '^(Transmitting on |lo->| *$)' "$1" >/dev/null; }
if want xdp-trafficgen && [[ -z ${note[xdp-trafficgen]:-} ]]; then
  tg_help=$("${binary[xdp-trafficgen]}" udp --help 2>&1 || true)
  if [[ $tg_help == *--pkt-size* ]]; then trafficgen_sized=1; trafficgen_size=""; fi
  trafficgen_version=$("${binary[xdp-trafficgen]}" udp --version 2>&1 | awk '/version/ { print $3; exit }' || true)
  echo "xdp-trafficgen: ${binary[xdp-trafficgen]}${trafficgen_version:+, version $trafficgen_version}"
  probe_rc=0
  ip netns exec "$tx" timeout 10 "${binary[xdp-trafficgen]}" udp -m "$rx_mac" -n 1000 "$txif" \
    >"$logs/xdp-trafficgen.probe" 2>&1 || probe_rc=$?
  if ((probe_rc == 1)) && trafficgen_clean "$logs/xdp-trafficgen.probe"; then probe_rc=0; fi
  if ((probe_rc != 0)); then
    note[xdp-trafficgen]="did not load: $(grep -v '^ *libbpf:' "$logs/xdp-trafficgen.probe" | tail -n 1 | sed 's/^ *//')"
    [[ ${note[xdp-trafficgen]} != "did not load: " ]] ||
      note[xdp-trafficgen]="did not load: $(tail -n 1 "$logs/xdp-trafficgen.probe" | sed 's/^ *//')"
  fi
fi

# ---------------------------------------------------------------- one run

# tool_cmd TOOL K CPULIST FIRST SIZE: sets cmd to the command line of one run.
tool_cmd() {
  local t=$1 k=$2 list=$3 first=$4 size=$5
  case $t in
    ceiling)
      cmd=(ip netns exec "$tx" "$build/sender" --ifname "$txif" --cpu "$first" --threads "$k"
        --seconds "$seconds" --size $((size + 4)) --repeat "$repeat"
        --src-mac "$tx_mac" --dst-mac "$rx_mac" --src-ip 198.18.0.1 --dst-ip 198.18.0.2) ;;
    xdperf|xdperf-fields)
      cmd=(ip netns exec "$tx" "$repo/xdperf" client --dev "$txif" --cpus "$list"
        --duration "$seconds" --json --size "$size"
        --src-ip 198.18.0.1 --dst-ip 198.18.0.2 --dst-mac "$rx_mac")
      [[ $t == xdperf ]] || cmd+=("${fields_opts[@]}") ;;
    trafgen)
      # Ethernet + IPv4 + UDP headers (42 bytes), zero payload; trafgen fills in the checksums.
      echo "{ eth(da=$rx_mac, sa=$tx_mac), ipv4(saddr=198.18.0.1, daddr=198.18.0.2, ttl=64)," \
        "udp(sp=5201, dp=5201), fill(0x00, $((size - 42))) }" >"$logs/trafgen.$size.cfg"
      cmd=(ip netns exec "$tx" timeout --preserve-status -s INT "$seconds"
        taskset -c "$list" trafgen --dev "$txif" --conf "$logs/trafgen.$size.cfg" --cpus "$k" -Q) ;;
    iperf3)
      cmd=(ip netns exec "$tx" taskset -c "$list" iperf3 -c 198.18.0.2 -p 5201 -u -b 0
        -l $((size - 42)) -t "$seconds" -P "$k" --json) ;;
    xdp-trafficgen)
      # -t K: thread i pins itself to CPU i, whatever taskset says (taskset keeps its main
      # thread, which prints statistics once a second, on the CPUs of the run). It has no
      # duration option and takes up to a second to load its program on a busy machine:
      # stopped after D + 1 s, it still sends at the end of the steady window, which starts
      # at its first frame (as the others' --duration / --seconds count from their start).
      cmd=(ip netns exec "$tx" timeout --preserve-status -s INT $((seconds + 1))
        taskset -c "$list" "${binary[xdp-trafficgen]}" udp -m "$rx_mac" -t "$k")
      ((!trafficgen_sized)) || cmd+=(-s $((size + 4)))
      cmd+=("$txif") ;;
  esac
}

# measure NAME RUN CMD...: one run; appends "steady whole cpu_ns" to $logs/NAME.rates.
measure() {
  local name=$1 run=$2; shift 2
  local out=$logs/$name.$run.out err=$logs/$name.$run.err
  local c0 t0 c1 t1 c2 t2 ce te ts rc=0 steady=n/a whole load="" cpu_ns=n/a
  local b1 st1 a1 k1 b2 st2 a2 k2 prog p1="" p2="" bns=n/a
  ((!bpf_stats)) || prog=$(prog_of "${name%%.*}")
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
    read -r b1 st1 a1 < <(cpu_ticks); k1=$(tree_ticks "$child")
    [[ -z ${prog:-} ]] || p1=$(prog_stats "$prog")
    sleep_until_us $((ts + seconds * 1000000 - 500000))
    [[ -z ${prog:-} ]] || p2=$(prog_stats "$prog")
    read -r b2 st2 a2 < <(cpu_ticks); k2=$(tree_ticks "$child")
    if kill -0 "$child" 2>/dev/null; then
      sample c2 t2
      steady=$(mpps $((c2 - c1)) $((t2 - t1)))
      cpu_ns=$(ns_per_packet $((a2 - a1)) $((c2 - c1)))
      [[ -z ${prog:-} ]] || bns=$(ns_per_run "$p1" "$p2")
      [[ -z $k1 || -z $k2 ]] || load=$(other_load $((b2 - b1 - (k2 - k1))) $((st2 - st1)) $((t2 - t1)))
    fi
  fi
  wait "$child" || rc=$?
  child=""
  if ((rc == 1)) && [[ $name == xdp-trafficgen.* ]] && trafficgen_clean "$err"; then rc=0; fi
  sample ce te
  whole=$(mpps $((ce - c0)) $((te - t0)))
  if ((rc != 0)); then
    echo "  $name run $run: failed (exit $rc): $(tail -n 3 "$err" | tr '\n' ' ')"
    echo "$name $run failed (exit $rc): $(tail -n 1 "$err")" >>"$logs/failed"
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
  [[ $bns == n/a ]] || extra+="; $prog $bns ns/run"
  local mark="" disturbed=0
  if [[ -n $load ]] && awk -v o="${load% *}" -v s="${load#* }" 'BEGIN { exit !(o > 5 || s > 5) }'; then
    disturbed=1
    if ((may_retry)); then mark=" DISTURBED, run again"; else mark=" DISTURBED, kept"; fi
  fi
  printf '  %-24s run %d: steady %s Mpps, whole run %s Mpps, CPU %s ns/packet (%d frames in %.2f s%s)%s\n' \
    "$name" "$run" "$steady" "$whole" "$cpu_ns" $((ce - c0)) "$(awk -v u=$((te - t0)) 'BEGIN{print u/1e6}')" "$extra" \
    "${load:+; other load ${load% *}% of a CPU, steal ${load#* }%$mark}"
  ((disturbed && may_retry)) && return 3
  ((disturbed)) && echo "$name $run" >>"$logs/disturbed"
  echo "$steady $whole $cpu_ns $bns" >>"$logs/$name.rates"
  jq -nc --arg name "$name" --argjson run "$run" --arg steady "$steady" --arg whole "$whole" \
    --arg cpu "$cpu_ns" --argjson frames $((ce - c0)) --argjson wall_us $((te - t0)) \
    --argjson disturbed "$disturbed" --arg load "$load" --arg bns "$bns" '
    def num: if . == "n/a" or . == "" then null else tonumber end;
    ($name | split(".")) as $p
    | {tool: $p[0], cpus: ($p[1] | ltrimstr("cpus") | tonumber), size: ($p[2] | ltrimstr("size") | tonumber),
       run: $run, steady_mpps: ($steady | num), whole_mpps: ($whole | num), cpu_ns_per_packet: ($cpu | num),
       frames: $frames, wall_seconds: ($wall_us / 1e6), disturbed: ($disturbed == 1), bpf_ns_per_run: ($bns | num),
       other_load_pct: (if $load == "" then null else ($load | split(" ")[0] | tonumber) end),
       steal_pct: (if $load == "" then null else ($load | split(" ")[1] | tonumber) end)}' >>"$logs/runs.jsonl"
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

# threads_note TOOL K: how a tool used the K CPUs, for the table.
threads_note() {
  case $1 in
    ceiling) echo "$2 thread(s), pinned" ;;
    xdperf|xdperf-fields) echo "--cpus, $2 CPU(s)" ;;
    trafgen) echo "-P $2: pins itself to CPU(s) 0..$(($2 - 1))" ;;
    iperf3)
      if ((k > 1)) && [[ $(printf '%s\n' "$iperf3_version" 3.16 | sort -V | head -n 1) != 3.16 ]]; then
        echo "-P $2 streams in 1 thread (iperf3 $iperf3_version): ran on one CPU"
      else
        echo "-P $2, taskset"
      fi ;;
    xdp-trafficgen)
      local own
      own=$(seq -s, 0 $(($2 - 1)))
      if [[ $cpulist == "$own" ]]; then
        echo "-t $2: pins itself to CPU(s) $own${trafficgen_version:+; $trafficgen_version}"
      else
        echo "-t $2: pins itself to CPU(s) $own, not $cpulist (use --cpu 0)${trafficgen_version:+; $trafficgen_version}"
      fi ;;
  esac
}

# program_table TAG: with --bpf-stats, each tool's transmit program's ns per run (median over
# its runs' steady windows) and its distance from the ceiling program's, measured in the same runs.
program_table() {
  local tag=$1 t p n b bc over
  read -r _ bc _ _ < <(stats "$logs/ceiling.$tag.rates" 4)
  printf '\ntransmit programs (BPF statistics: median ns per run over the steady windows, each\n'
  printf "with the statistics' own two clock reads; the difference is what a tool adds per frame)\n"
  printf '%-15s %-22s %8s %13s\n' tool program "ns/run" "over ceiling"
  for t in "${tool_list[@]}"; do
    p=$(prog_of "$t")
    [[ -n $p && -z ${note[$t]:-} ]] || continue
    read -r n b _ _ < <(stats "$logs/$t.$tag.rates" 4)
    if ((n == 0)); then printf '%-15s %-22s %8s\n' "$t" "$p" n/a; continue; fi
    over=$(awk -v a="$b" -v c="$bc" -v t="$t" 'BEGIN { if (t == "ceiling" || c == "n/a") print "-"; else printf "%+.1f", a - c }')
    printf '%-15s %-22s %8.1f %13s\n' "$t" "$p" "$b" "$over"
  done
}

# ---------------------------------------------------------------- runs

machine_line
echo "veth $tx/$txif -> $rx/$rxif ($ncpu queues each), xdp_count prog $prog_id map $map_id"
echo "tools: ${tool_list[*]}; frames of ${size_list[*]} bytes (+4 FCS); $runs run(s) of $seconds s per tool, interleaved"
((!bpf_stats)) || echo "BPF statistics on (--bpf-stats): every program pays about two clock reads per run, so every rate is lower"
for t in "${tool_list[@]}"; do [[ -z ${note[$t]:-} ]] || echo "$t: ${note[$t]}"; done
quiet_check

summary=""
for k in "${variants[@]}"; do
  if ((k == 1)); then first=$cpu; elif ((cpu + k <= ncpu)); then first=$cpu; else first=0; fi
  cpulist=$(seq -s, "$first" $((first + k - 1)))
  helper_cpus=$( (seq 0 $((ncpu - 1)); seq "$first" $((first + k - 1))) | sort -n | uniq -u | paste -sd, -)
  for size in "${size_list[@]}"; do
    tag=cpus$k.size$size
    echo
    echo "== $k sending CPU(s): $cpulist, $size-byte frames"
    for ((r = 1; r <= runs; r++)); do
      for t in "${tool_list[@]}"; do
        [[ -z ${note[$t]:-} ]] || continue
        [[ $t != xdp-trafficgen || -z $trafficgen_size || $size == "$trafficgen_size" ]] || continue
        tool_cmd "$t" "$k" "$cpulist" "$first" "$size"
        attempt "$t.$tag" "$r" "${cmd[@]}"
      done
    done

    read -r _ xm _ _ < <(stats "$logs/xdperf.$tag.rates" 1)
    read -r _ cm _ _ < <(stats "$logs/ceiling.$tag.rates" 1)
    table=$(
      printf '\n%s sending CPU(s) [%s], %d-byte frames (+FCS), %d s runs; received Mpps\n' "$k" "$cpulist" "$size" "$seconds"
      printf '%-15s %4s %8s %8s %8s %9s %7s %8s  %s\n' tool runs median min max whole-run "ns/pkt" "/xdperf" "notes"
      for t in "${tool_list[@]}"; do
        read -r n m mn mx < <(stats "$logs/$t.$tag.rates" 1)
        read -r _ w _ _ < <(stats "$logs/$t.$tag.rates" 2)
        read -r _ c _ _ < <(stats "$logs/$t.$tag.rates" 3)
        why=${note[$t]:-}
        if [[ -z $why && $t == xdp-trafficgen && -n $trafficgen_size && $size != "$trafficgen_size" ]]; then
          why="n/a (sends only $trafficgen_size-byte frames)"
        fi
        [[ -n $why || $n -gt 0 ]] || why="n/a (every run failed, see above)"
        if [[ -n $why ]]; then
          printf '%-15s %s\n' "$t" "$why"
          rowjson="{\"note\": $(jq -Rn --arg s "$why" '$s')}"
        else
          c=${c%.*}
          how=$(threads_note "$t" "$k")
          extra=$how
          [[ $t != ceiling ]] || extra="xdperf/ceiling $(ratio "$xm" "$cm"); $how"
          printf '%-15s %4s %8s %8s %8s %9s %7s %8s  %s\n' "$t" "$n" "$m" "$mn" "$mx" "$w" "$c" "$(ratio "$m" "$xm")" "$extra"
          rowjson=$(jq -nc --argjson n "$n" --arg m "$m" --arg mn "$mn" --arg mx "$mx" --arg w "$w" --arg c "$c" \
            --arg rx "$(ratio "$m" "$xm")" --arg how "$how" --arg xc "$([[ $t != ceiling ]] || ratio "$xm" "$cm")" '
            def num: if . == "n/a" or . == "" then null else tonumber end;
            {runs: $n, steady_median_mpps: ($m | num), steady_min_mpps: ($mn | num), steady_max_mpps: ($mx | num),
             whole_median_mpps: ($w | num), cpu_ns_per_packet_median: ($c | num), ratio_to_xdperf: ($rx | num),
             threads: $how} + (if $xc == "" then {} else {xdperf_over_ceiling: ($xc | num)} end)')
        fi
        read -r _ bn _ _ < <(stats "$logs/$t.$tag.rates" 4)
        jq -nc --arg t "$t" --argjson k "$k" --argjson s "$size" --arg cpus "$cpulist" --argjson row "$rowjson" \
          --arg bn "$bn" '{tool: $t, cpus: $k, cpu_list: $cpus, size: $s} + $row
            + (if $bn == "n/a" then {} else {bpf_ns_per_run_median: ($bn | tonumber)} end)' >>"$logs/summary.jsonl"
      done
      ((bpf_stats)) && program_table "$tag"
    )
    summary+=$table$'\n'
  done
done

echo
echo "== results (median/min/max: steady window; whole-run: median over the full command;"
echo "   ns/pkt: median machine-wide CPU time per received frame; /xdperf: tool median / xdperf median)"
printf '%s' "$summary"

# ---------------------------------------------------------------- targets (issue 7), 64-byte frames

# target LABEL NUM_TOOL DEN_TOOL K MIN: "measured ratio, met or MISSED by how much".
target() {
  local label=$1 a=$2 b=$3 k=$4 want=$5 ma mb r line
  read -r _ ma _ _ < <(stats "$logs/$a.cpus$k.size64.rates" 1)
  read -r _ mb _ _ < <(stats "$logs/$b.cpus$k.size64.rates" 1)
  r=$(ratio "$ma" "$mb")
  if [[ $r == n/a ]]; then
    line=$(printf '%-44s not measured (%s or %s missing)' "$label" "$a" "$b")
  else
    line=$(awk -v r="$r" -v w="$want" -v l="$label" 'BEGIN {
      if (r >= w) printf "%-44s %6.2f  (target >= %s): met, by %.2f", l, r, w, r - w
      else printf "%-44s %6.2f  (target >= %s): MISSED by %.2f (%.0f%% short)", l, r, w, w - r, 100 * (w - r) / w }')
  fi
  echo "  $line"
  jq -nc --arg l "$label" --arg r "$r" --argjson w "$want" \
    '{target: $l, ratio: (if $r == "n/a" then null else ($r | tonumber) end), minimum: $w,
      met: (if $r == "n/a" then null else (($r | tonumber) >= $w) end)}' >>"$logs/targets.jsonl"
}
if [[ " ${size_list[*]} " == *" 64 "* ]]; then
  echo
  echo "== targets (issue 7), 64-byte frames, steady medians"
  for k in "${variants[@]}"; do
    ((k == 1 || k == 2)) && target "$k CPU(s): xdperf / ceiling" xdperf ceiling "$k" 0.85
    target "$k CPU(s): xdperf-fields / ceiling" xdperf-fields ceiling "$k" 0.8
    target "$k CPU(s): xdperf / trafgen" xdperf trafgen "$k" 10
    target "$k CPU(s): xdperf / iperf3" xdperf iperf3 "$k" 25
    ((k == 1 || k == 2)) && target "$k CPU(s): xdperf / xdp-trafficgen (issue 19)" xdperf xdp-trafficgen "$k" 1.1
  done
fi

# ---------------------------------------------------------------- start-up and memory (issue 7)

# secs_between T0 T1: T1 - T0 in ms (both seconds with a fraction).
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
# median and minimum of numbers, one per line on stdin: "median min"
median_min() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) { print "n/a n/a"; exit }
  printf "%s %s\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1] }'; }

startup_json="null"
if ((startup)); then
  echo
  echo "== start-up: ./xdperf client --plugin icmp --count 1 (this checkout's jar, system JDK)"
  helper_cpus=""
  icmp_cmd=(ip netns exec "$tx" "$repo/xdperf" client --dev "$txif" --plugin icmp
    --dst-ip 198.18.0.2 --dst-mac "$rx_mac" --count 1 --quiet)
  firsts=() totals=() startup_error=""
  # One run first compiles the plugin into xdperf's cache on disk (~/.cache/xdperf/aot, or
  # $XDPERF_CACHE_DIR) and warms the OS page cache: the runs measured start with a cached plugin.
  if ! "${icmp_cmd[@]}" >"$logs/startup.warm" 2>&1; then
    startup_error="the warm-up run failed: $(tail -n 1 "$logs/startup.warm")"
  fi
  echo "  warm-up run done (it left the compiled plugin in xdperf's cache on disk and warmed the page cache)"
  for ((i = 1; i <= startup_runs && ${#startup_error} == 0; i++)); do
    # ICMP passes xdp_count to the stack, where tcpdump stamps its arrival.
    ip netns exec "$rx" tcpdump -i "$rxif" -c 1 -n -tt --time-stamp-precision=nano icmp \
      >"$logs/td.$i" 2>"$logs/td.$i.err" &
    td=$!
    bg_pids+=("$td")
    for _ in $(seq 100); do grep -q "listening on" "$logs/td.$i.err" 2>/dev/null && break; sleep 0.05; done
    t0=$EPOCHREALTIME
    if ! "${icmp_cmd[@]}" >"$logs/startup.$i" 2>&1; then
      startup_error="run $i failed: $(tail -n 1 "$logs/startup.$i")"; break
    fi
    t1=$EPOCHREALTIME
    if ! timeout 5 tail --pid="$td" -f /dev/null; then
      startup_error="run $i: the packet never arrived"; break
    fi
    tp=$(awk '{ print $1; exit }' "$logs/td.$i")
    firsts+=("$(ms_between "$t0" "$tp")")
    totals+=("$(ms_between "$t0" "$t1")")
    echo "  run $i: first packet after ${firsts[-1]} ms, client exited after ${totals[-1]} ms"
  done
  if [[ -n $startup_error ]]; then
    echo "  start-up: n/a ($startup_error)"
    first_med=n/a first_min=n/a total_med=n/a
  else
    read -r first_med first_min < <(printf '%s\n' "${firsts[@]}" | median_min)
    read -r total_med _ < <(printf '%s\n' "${totals[@]}" | median_min)
  fi

  # Peak memory with 256 templates: icmp with addresses=all over 16 source addresses (this
  # end's interface) x 16 destinations (the server's), as in jmh/. The destinations come from
  # an xdperf server's hello, so this runs in a second pair of namespaces with xdperf server
  # (verdict pass, so tcpdump sees the frames and counts the address pairs).
  echo
  echo "== peak memory: ./xdperf client --plugin icmp -O addresses=all, 16 x 16 addresses = 256 templates"
  mtx=xdpb-mtx-$$ mrx=xdpb-mrx-$$
  topo_up "$mtx" "$mrx" 0
  for i in $(seq 3 17); do
    ip -n "$mtx" addr add "198.18.4.$i/32" dev "$txif"
    ip -n "$mrx" addr add "198.18.5.$i/32" dev "$rxif"
  done
  ip netns exec "$mrx" "$repo/xdperf" server --dev "$rxif" --verdict pass --runs 1 >"$logs/mem-server.log" 2>&1 &
  bg_pids+=($!)
  for _ in $(seq 100); do
    ip netns exec "$mrx" ss -Hltn 'sport = :5210' | grep -q . && break; sleep 0.1
  done
  ip netns exec "$mrx" tcpdump -i "$rxif" -Q in -c 2000 -n "icmp[icmptype] == icmp-echo" >"$logs/mem.td" 2>"$logs/mem.td.err" &
  mtd=$!
  bg_pids+=("$mtd")
  for _ in $(seq 100); do grep -q "listening on" "$logs/mem.td.err" 2>/dev/null && break; sleep 0.05; done
  hwm=n/a pairs=n/a mem_error=""
  if /usr/bin/time -f '%M' -o "$logs/mem.time" ip netns exec "$mtx" "$repo/xdperf" client --dev "$txif" \
      --server 198.18.0.2 --plugin icmp -O addresses=all --cpus "$cpu" --pps 100k --duration 3 --json \
      >"$logs/mem.out" 2>"$logs/mem.err"; then
    hwm=$(($(tail -n 1 "$logs/mem.time") / 1024))
  else
    mem_error="the client failed: $(tail -n 1 "$logs/mem.err")"
  fi
  timeout 3 tail --pid="$mtd" -f /dev/null || kill -INT "$mtd" 2>/dev/null || true
  wait "$mtd" 2>/dev/null || true
  pairs=$(awk '$2 == "IP" { print $3, $5 }' "$logs/mem.td" | sort -u | wc -l)
  if [[ -n $mem_error ]]; then
    echo "  peak memory: n/a ($mem_error)"
  else
    echo "  client peak resident memory (max RSS, /usr/bin/time): $hwm MiB; distinct address pairs seen on the wire: $pairs (of 256)"
  fi

  echo
  echo "== targets (issue 7), start-up"
  if [[ $first_med == n/a ]]; then
    echo "  start to first packet, cached plugin:        not measured"
  else
    awk -v m="$first_med" -v mn="$first_min" -v n="${#firsts[@]}" 'BEGIN {
      l = sprintf("start to first packet (median of %d, min %d)", n, mn)
      if (m < 1500) printf "  %-44s %6d ms (target < 1500 ms): met, by %d ms\n", l, m, 1500 - m
      else printf "  %-44s %6d ms (target < 1500 ms): MISSED by %d ms\n", l, m, m - 1500 }'
  fi
  startup_json=$(jq -nc --arg fm "$first_med" --arg fmin "$first_min" --arg tm "$total_med" \
    --arg firsts "${firsts[*]}" --arg hwm "$hwm" --arg pairs "$pairs" --arg err "$startup_error$mem_error" '
    def num: if . == "n/a" or . == "" then null else tonumber end;
    {first_packet_ms: {median: ($fm | num), min: ($fmin | num), runs: ($firsts | split(" ") | map(select(. != "") | tonumber))},
     client_total_ms_median: ($tm | num), target_first_packet_ms: 1500,
     first_packet_met: (if ($fm | num) == null then null else (($fm | num) < 1500) end),
     peak_rss_mib_256_templates: ($hwm | num), address_pairs_seen: ($pairs | num),
     error: (if $err == "" then null else $err end)}')
fi

# ---------------------------------------------------------------- JSON and notes

if [[ -n $json_out ]]; then
  jq -n --arg machine "$(machine_line | sed 's/^machine: //')" --arg version "$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)" \
    --argjson seconds "$seconds" --argjson runs_per "$runs" --arg tools "${tool_list[*]}" --arg sizes "${size_list[*]}" \
    --arg cpus "${variants[*]}" --argjson startup "$startup_json" \
    --slurpfile runs <(cat "$logs/runs.jsonl" 2>/dev/null) \
    --slurpfile summary <(cat "$logs/summary.jsonl" 2>/dev/null) \
    --slurpfile targets <(cat "$logs/targets.jsonl" 2>/dev/null) '
    {machine: $machine, commit: $version, date: (now | todate), seconds: $seconds, runs_per_cell: $runs_per,
     tools: ($tools | split(" ")), sizes: ($sizes | split(" ") | map(tonumber)), cpus: ($cpus | split(" ") | map(tonumber)),
     runs: $runs, summary: $summary, targets: $targets, startup: $startup}' >"$json_out"
  echo
  echo "json: $json_out"
fi
if [[ -f $logs/disturbed ]]; then
  echo
  echo "note: $(wc -l <"$logs/disturbed") run(s) kept although other load disturbed them" \
    "(marked DISTURBED above): the machine was not quiet, rerun for clean numbers"
fi
if [[ -f $logs/failed ]]; then
  echo
  echo "note: $(wc -l <"$logs/failed") run(s) failed:"
  sed 's/^/  /' "$logs/failed"
fi
