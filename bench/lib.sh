# Shell functions shared by bench/run.sh and bench/rate.sh: building the C pieces, the
# two-namespace veth topology, reading the receiver's per-CPU counter, CPU accounting,
# statistics, and the clean-up that runs whatever happens. Sourced, not run.
# shellcheck shell=bash disable=SC2154  # the variables named above come from the caller

# The caller sets: repo, bench, build (paths), keep_logs (0/1) and me (its name, for messages).

die() { echo "$me: $*" >&2; exit 1; }

# ---------------------------------------------------------------- building

# build_c: the ceiling and count programs and the C sender, into $build (when out of date).
build_c() {
  local prog
  mkdir -p "$build"
  for prog in ceiling ceiling_redirect count; do
    if [[ ! -f $build/$prog.bpf.o || $bench/ceiling/$prog.bpf.c -nt $build/$prog.bpf.o ]]; then
      clang -O2 -g -Wall -Werror -target bpf -I"/usr/include/$(cc -dumpmachine)" \
        -c "$bench/ceiling/$prog.bpf.c" -o "$build/$prog.bpf.o"
    fi
  done
  if [[ ! -x $build/sender || $bench/ceiling/sender.c -nt $build/sender ]]; then
    cc -O2 -Wall -Wextra -Werror -o "$build/sender" "$bench/ceiling/sender.c" -lbpf -lpthread
  fi
}

# xdperf_ready: empty when ./xdperf can run; else the reason why not (builds the jar if missing).
xdperf_ready() {
  if [[ ! -f $repo/core/cli/target/xdperf.jar ]]; then
    echo "$me: core/cli/target/xdperf.jar missing: building (mvn -q -B -DskipTests package -pl core/cli -am)" >&2
    if ! (cd "$repo" && mvn -q -B -DskipTests package -pl core/cli -am) >"$build/mvn.log" 2>&1; then
      echo "the Maven build failed (see bench/build/mvn.log)"
      return
    fi
  fi
  if [[ ! -f $repo/core/cli/target/xdperf.jar ]]; then
    echo "core/cli/target/xdperf.jar was not built"
  elif [[ ! -x $repo/xdperf ]]; then
    echo "no ./xdperf launcher in the repository"
  fi
}

# ---------------------------------------------------------------- clean-up

# Processes to stop on exit: the tool under test ($child) and helpers (bg_pids: servers).
child=""
bg_pids=()
namespaces=()
logs=""

stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? pid ns
  trap - EXIT INT TERM
  [[ -n $child ]] && stop_pid "$child"
  for pid in "${bg_pids[@]}"; do stop_pid "$pid"; done
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  [[ -z ${stats_was:-} ]] || sysctl -qw kernel.bpf_stats_enabled="$stats_was" || true
  if [[ -n $logs && -d $logs ]]; then
    if ((keep_logs)); then
      mkdir -p "$build/logs" && mv "$logs" "$build/logs/$me-$$" && echo "logs: bench/build/logs/$me-$$"
    else
      rm -rf "$logs"
    fi
  fi
  exit "$rc"
}

# bpf_stats_on: turns on the kernel's BPF run-time statistics until cleanup restores them.
bpf_stats_on() {
  stats_was=$(sysctl -n kernel.bpf_stats_enabled)
  sysctl -qw kernel.bpf_stats_enabled=1
}

# prog_stats NAME: "run_time_ns run_cnt" of the loaded program NAME whose run count is largest
# (the kernel keeps 15 characters of a name; bpftool shows the whole one when it has BTF).
prog_stats() {
  bpftool prog show -j | jq -r --arg n "$1" '[.[] | select(.name == $n or .name == $n[:15])]
    | max_by(.run_cnt // 0) // {} | "\(.run_time_ns // 0) \(.run_cnt // 0)"'
}

# ns_per_run "T0 N0" "T1 N1": run time per run between two prog_stats samples, or n/a.
ns_per_run() {
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); n = y[2] - x[2];
    if (n > 0) printf "%.1f", (y[1] - x[1]) / n; else print "n/a" }'
}

install_traps() {
  trap cleanup EXIT
  trap 'echo "$me: interrupted" >&2; exit 130' INT
  trap 'exit 143' TERM
}

# ---------------------------------------------------------------- topology

txif=xb-tx
rxif=xb-rx

# topo_up TX_NS RX_NS [COUNT]: two fresh namespaces joined by a veth pair with one queue per
# CPU on each end, 198.18.0.1/30 and 198.18.0.2/30, IPv6 off; with COUNT=1 (the default)
# xdp_count is attached natively to the receiving end and prog_id and map_id are set.
# Sets tx_mac and rx_mac.
topo_up() {
  local tx=$1 rx=$2 count=${3:-1} ns ncpu
  ncpu=$(nproc)
  namespaces+=("$tx" "$rx")
  ip netns add "$tx"
  ip netns add "$rx"
  for ns in "$tx" "$rx"; do   # no IPv6 chatter (router solicitations) in the counts
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set dev lo up
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
  tx_mac=$(ip -n "$tx" -j link show dev "$txif" | jq -r '.[0].address')
  rx_mac=$(ip -n "$rx" -j link show dev "$rxif" | jq -r '.[0].address')
  # Static neighbours: no ARP round trip inside anyone's measurement.
  ip -n "$tx" neigh replace 198.18.0.2 lladdr "$rx_mac" dev "$txif" nud permanent
  ip -n "$rx" neigh replace 198.18.0.1 lladdr "$tx_mac" dev "$rxif" nud permanent
  if ((count)); then
    # Without a native XDP program on the receiving veth, XDP_TX frames vanish silently.
    ip -n "$rx" link set dev "$rxif" xdpdrv obj "$build/count.bpf.o" sec xdp
    find_counter "$rx" counts || die "cannot find the counts map of xdp_count on $rxif"
  fi
}

# find_counter NS MAP_NAME: sets prog_id and map_id to the XDP program on $rxif in NS and its
# map of that name (a per-CPU array whose values have a "packets" field). Fails if absent.
find_counter() {
  local m
  prog_id=$(ip -n "$1" -j -d link show dev "$rxif" | jq -r '.[0].xdp.prog.id // empty')
  map_id=""
  [[ -n $prog_id ]] || return 1
  for m in $(bpftool prog show id "$prog_id" -j | jq -r '.map_ids[]?'); do
    if [[ $(bpftool map show id "$m" -j | jq -r .name) == "$2" ]]; then map_id=$m; return 0; fi
  done
  return 1
}

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

# cpu_ticks: "busy steal all" over all CPUs, in clock ticks. Busy is user + nice + system
# (interrupt time is left out: the receiver's NAPI may be charged there); all adds irq and
# softirq: every CPU cycle the machine spent on anything, for the CPU cost per packet.
cpu_ticks() {
  local _c u n s _i _w q sq st _rest
  read -r _c u n s _i _w q sq st _rest </proc/stat
  echo "$((u + n + s)) $st $((u + n + s + q + sq))"
}

# tree_ticks PID: user + system ticks of a process and all its descendants (all threads).
tree_ticks() {
  local p f sum=0
  local -a v
  for p in $(ps -e -o pid=,ppid= | awk -v root="$1" '
      { parent[$1] = $2 }
      END { for (p in parent) for (q = p; q in parent && q > 1; q = parent[q]) if (q == root) { print p; break } }'); do
    f=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    read -ra v <<<"${f##*) }"    # the fields after "(comm) ": utime and stime are the 12th and 13th
    sum=$((sum + v[11] + v[12]))
  done
  echo "$sum"
}

# other_load TICKS STEAL_TICKS MICROSECONDS: "other steal", both in % of one CPU. Other is
# CPU time spent by anything but the tool under test during the steady window.
other_load() {
  awk -v o="$1" -v s="$2" -v us="$3" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { t = us / 1e6 * hz; if (o < 0) o = 0; printf "%.0f %.0f", 100 * o / t, 100 * s / t }'
}

# ns_per_packet TICKS FRAMES: CPU time in ns per frame.
ns_per_packet() {
  awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { if (n > 0) printf "%.0f", t * 1e9 / hz / n; else print "n/a" }'
}

mpps() { awk -v n="$1" -v us="$2" 'BEGIN { if (us > 0) printf "%.3f", n / us; else print "n/a" }'; }

# stats FILE COLUMN: "runs median min max" over the numeric values of a column.
stats() {
  [[ -f $1 ]] || { echo "0 n/a n/a n/a"; return; }
  awk -v c="$2" '$c != "n/a" && $c != "" { print $c }' "$1" | sort -g | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print "0 n/a n/a n/a"; exit }
      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%d %.3f %.3f %.3f\n", NR, m, v[1], v[NR]
    }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# quiet_check: warn when the machine is busy before the runs (other load skews every number).
quiet_check() {
  local u1 n1 s1 i1 w1 q1 sq1 st1 u2 n2 s2 i2 w2 q2 sq2 st2 busy idle
  read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ </proc/stat
  sleep 1
  read -r _ u2 n2 s2 i2 w2 q2 sq2 st2 _ </proc/stat
  busy=$(((u2 + n2 + s2 + q2 + sq2 + st2) - (u1 + n1 + s1 + q1 + sq1 + st1)))
  idle=$(((i2 + w2) - (i1 + w1)))
  if ((busy * 10 > busy + idle)); then
    echo "warning: the machine was $((100 * busy / (busy + idle)))% busy before the runs; other load skews the results" >&2
  fi
}

machine_line() {
  echo "machine: $(uname -r), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
}
