#!/usr/bin/env python3
"""Features: XDP versus AF_PACKET, at equal offered load (see docs/benchmarks.md).

Two network namespaces joined by a veth pair. `xdperf client` in one sends the built-in UDP
stream (64-byte frames with the measurement header) from CPU 0, to a destination MAC that is
not the receiver's own, like traffic on a monitoring port. `xdperf server --features` in the
other receives it on CPU 1 with either receiver:

  xdp        xdp_features: records through per-CPU BPF ring buffers, a Java consumer
  af_packet  --baseline af_packet: a TPACKET_V3 ring, the same extraction in Java

Both write the same records with the same writer (Arrow IPC to /dev/null by default, the
cheapest writer, so the receivers' cost is not drowned in text formatting).

The receive path runs in a threaded-NAPI kernel thread (napi/IF-N) pinned to CPU 1 with
SCHED_FIFO, as softirq would preempt normal tasks, and the server JVM is pinned to CPU 1 at
nice -10. So everything the receiver costs runs on CPU 1 in threads that can be counted one
by one: the run time of the NAPI threads (veth receive, the XDP program or the skb and
packet socket path) and of every thread of the server process (the consumer), from
/proc/<pid>/task/<tid>/schedstat (nanoseconds), plus the XDP programs' own run time from
the kernel's BPF statistics (part of the NAPI time, shown on its own). Per-CPU /proc/stat
deltas are recorded too, but on a shared machine they also contain other tenants' work.

Usage: bench/features.sh [--seconds S] [--reps N] [--rates 10k,100k,1M,max] [--ladder LIST]
       [--tier full|sampled:N|flows] [--format arrow|csv|jsonl|ipfix] [--out FILE.json]
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(REPO, "core", "target", "xdperf.jar")
FOREIGN_MAC = "02:00:00:00:00:99"


def sh(*cmd, check=True, capture=True):
    r = subprocess.run(cmd, capture_output=capture, text=True)
    if check and r.returncode != 0:
        raise SystemExit("bench: %s failed: %s" % (" ".join(cmd), r.stderr.strip()))
    return r.stdout if capture else ""


def rate(text):
    t = text.lower()
    if t == "max":
        return 0
    mult = {"k": 1e3, "m": 1e6}.get(t[-1], 1)
    return int(float(t[:-1] if t[-1] in "km" else t) * mult)


class Topology:
    def __init__(self):
        tag = str(os.getpid())
        self.c, self.s = "xfb-%s-c" % tag, "xfb-%s-s" % tag
        self.cif, self.sif = "xfb-c", "xfb-s"

    def __enter__(self):
        for ns in (self.c, self.s):
            sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", self.cif, "netns", self.c, "type", "veth", "peer", "name", self.sif, "netns", self.s)
        for ns, dev in ((self.s, self.sif), (self.c, self.cif)):   # receiving end first
            sh("ip", "netns", "exec", ns, "ethtool", "-L", dev, "rx", "2", "tx", "2")
        for ns, dev, ip in ((self.c, self.cif, "198.18.0.1/30"), (self.s, self.sif, "198.18.0.2/30")):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "addr", "add", ip, "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
        return self

    def __exit__(self, *a):
        for ns in (self.s, self.c):
            sh("ip", "netns", "del", ns, check=False)


def schedstat(pids):
    """Run time in ns of every thread of the given processes."""
    total = 0
    for pid in pids:
        try:
            for tid in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def napi_threads(ifname):
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/comm" % pid) as f:
                    if f.read().strip().startswith("napi/%s-" % ifname):
                        out.append(int(pid))
            except OSError:
                pass
    return out


def proc_stat():
    cpus = {}
    with open("/proc/stat") as f:
        for line in f:
            if re.match(r"cpu\d", line):
                v = [int(x) for x in line.split()[1:9]]
                busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
                cpus[line.split()[0]] = busy * 10_000_000   # USER_HZ = 100
    return cpus


def run_once(t, receiver, pps, args):
    log = "/tmp/xfb-server-%d.log" % os.getpid()
    cmd = ["ip", "netns", "exec", t.s, "taskset", "-c", "1", "nice", "-n", "-10", "java", "-XX:+UseSerialGC",
           "-jar", JAR, "server", "--dev", t.sif, "--features", args.tier, "--features-out", args.out_file,
           "--features-format", args.format, "--json"]
    if receiver == "af_packet":
        cmd += ["--baseline", "af_packet"]
    with open(log, "w") as f:
        server = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while "xdperf server: features" not in open(log).read():
            if server.poll() is not None or time.time() > deadline:
                raise SystemExit("bench: server did not start:\n" + open(log).read())
            time.sleep(0.1)
        # Threaded NAPI exists once a program is attached; pin it next to the consumer.
        sh("ip", "netns", "exec", t.s, "sh", "-c", "echo 1 > /sys/class/net/%s/threaded" % t.sif)
        time.sleep(0.2)
        napi = napi_threads(t.sif)
        if not napi:
            raise SystemExit("bench: no napi/%s-* threads (threaded NAPI unsupported?)" % t.sif)
        for pid in napi:
            sh("taskset", "-p", "-c", "1", str(pid))
            sh("chrt", "-f", "-p", "50", str(pid))
        before = (schedstat(napi), schedstat([server.pid]), proc_stat(), time.time())
        client = ["ip", "netns", "exec", t.c, "taskset", "-c", "0", "nice", "-n", "-10", "java", "-XX:+UseSerialGC", "-jar", JAR, "client",
                  "--dev", t.cif, "--dst-ip", "198.18.0.2", "--dst-mac", FOREIGN_MAC, "--cpus", "0",
                  "--duration", str(args.seconds), "--json"]
        if pps:
            client += ["--pps", str(pps)]
        c = subprocess.run(client, capture_output=True, text=True)
        if c.returncode != 0:
            raise SystemExit("bench: client failed: " + c.stderr)
        sent = json.loads(c.stdout)
        time.sleep(0.3)
        after = (schedstat(napi), schedstat([server.pid]), proc_stat(), time.time())
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        text = open(log).read()
        report = json.loads(text[text.index("\n{\n") + 1:])
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    comp = report["completeness"]
    records = comp["records_written"]
    if receiver == "xdp":
        lost = comp.get("records_lost", 0)
    else:
        lost = comp.get("socket_drops", 0)
    dropped = report["device"].get("rx_dropped", 0)
    bpf_ns = sum(p["run_time_ns"] for p in report["bpf"].values())
    napi_ns = after[0] - before[0]
    proc_ns = after[1] - before[1]
    cpu1 = after[2]["cpu1"] - before[2]["cpu1"]
    return {
        "receiver": receiver, "target_pps": pps, "sent": sent["sent_packets"], "xmit_errors": sent.get("xdp_xmit_errors", 0),
        "seconds": sent["seconds"], "records": records, "records_per_s": records / max(1e-9, sent["seconds"]), "lost": lost, "rx_dropped": dropped,
        "napi_ns": napi_ns, "consumer_ns": proc_ns, "bpf_ns": bpf_ns, "cpu1_busy_ns": cpu1,
        "ns_per_record": (napi_ns + proc_ns) / max(1, records),
        "napi_ns_per_record": napi_ns / max(1, records), "consumer_ns_per_record": proc_ns / max(1, records),
        "bpf_ns_per_record": bpf_ns / max(1, records),
        "lossless": records >= sent["sent_packets"] and lost == 0 and dropped == 0 and not sent.get("xdp_xmit_errors"),
    }


def median(rows, key):
    return statistics.median(r[key] for r in rows)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=int, default=8)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--rates", default="10k,100k,1M,max")
    p.add_argument("--ladder", default="20k,50k,100k,200k,500k,1M")
    p.add_argument("--tier", default="full")
    p.add_argument("--format", default="arrow")
    p.add_argument("--out-file", default="/dev/null", help="where the server writes records (default /dev/null)")
    p.add_argument("--out", default=None, help="write every run as JSON here")
    args = p.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench: run as root (XDP, namespaces, SCHED_FIFO)")
    if not os.path.exists(JAR):
        raise SystemExit("bench: %s missing: mvn -B -DskipTests package" % JAR)
    runs = []
    with Topology() as t:
        for r in args.rates.split(","):
            for rep in range(args.reps):
                order = ("xdp", "af_packet") if rep % 2 == 0 else ("af_packet", "xdp")
                for receiver in order:
                    row = run_once(t, receiver, rate(r), args)
                    row["rate"] = r
                    runs.append(row)
                    print(json.dumps(row), file=sys.stderr, flush=True)
        ladder = {}
        for receiver in ("xdp", "af_packet"):
            best = "none"
            for r in args.ladder.split(","):
                row = run_once(t, receiver, rate(r), args)
                row["rate"] = r
                row["ladder"] = True
                runs.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
                if not row["lossless"]:
                    break
                best = r
            ladder[receiver] = best
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"runs": runs, "max_lossless": ladder}, f, indent=1)
    print("| offered | receiver | sent | records | records/s | lost (ring/socket) | driver drops | receiver CPU ns/record "
          "(NAPI + consumer) | of which NAPI thread | of which BPF program | consumer | CPU1 busy (all tenants) s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in args.rates.split(","):
        for receiver in ("xdp", "af_packet"):
            rows = [x for x in runs if x["rate"] == r and x["receiver"] == receiver and not x.get("ladder")]
            print("| %s | %s | %s | %s | %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %.2f |" % (
                r, receiver, "{:,}".format(int(median(rows, "sent"))), "{:,}".format(int(median(rows, "records"))),
                "{:,}".format(int(median(rows, "records_per_s"))),
                "{:,}".format(int(median(rows, "lost"))), "{:,}".format(int(median(rows, "rx_dropped"))),
                median(rows, "ns_per_record"), median(rows, "napi_ns_per_record"), median(rows, "bpf_ns_per_record"),
                median(rows, "consumer_ns_per_record"), median(rows, "cpu1_busy_ns") / 1e9))
    print()
    for receiver, best in ladder.items():
        print("max lossless rate on one core (ladder %s): %s %s" % (args.ladder, receiver, best))


if __name__ == "__main__":
    main()
