package dev.xdperf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.analyze.Analyzer;
import dev.xdperf.analyze.maps.MapContents;
import dev.xdperf.analyze.maps.MapKey;
import dev.xdperf.analyze.maps.MapState;
import dev.xdperf.analyze.object.MapType;
import dev.xdperf.bpf.BpfMap;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.xdperf.analyze.maps.MapUpdate;
import dev.xdperf.bench.ProgramUnderTest;
import dev.xdperf.analyze.xdp.XdpMachine;
import dev.xdperf.analyze.xdp.XdpResult;
import dev.xdperf.bpf.BpfException;
import dev.xdperf.bpf.BpfProgram;
import dev.xdperf.bpf.TestRun;
import dev.xdperf.stats.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * {@code xdperf analyze --check-kernel}: every packet of the traffic through the kernel
 * (BPF_PROG_TEST_RUN) and through the interpreter, one after the other, with the same map contents
 * (--map) and the same updates at the same packets (--map-updates), comparing the verdict and the
 * bytes that come out. The object is loaded as bench loads it: pinned maps in a private BPF
 * filesystem, legacy xdp_* sections as XDP. Frames shorter than an
 * Ethernet header are refused by the kernel; the check holds the interpreter to the same rule.
 */
final class KernelCheck {
    /** The kernel refuses XDP test runs on frames shorter than this (ETH_HLEN). */
    static final int MIN_FRAME = 14;
    private static final int SHOWN = 5;

    record Difference(int packet, String what) {}

    record Outcome(int packets, int agree, int refused, List<Difference> differences, List<String> mapsCompared) {
        boolean agrees() {
            return differences.isEmpty();
        }

        String toText() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                    "%ncheck against the kernel (BPF_PROG_TEST_RUN, same map contents): %d packets, %d agree (verdict and bytes)"
                            + "%s, %d differ%n", packets, agree, refused == 0 ? "" : " of which " + refused
                            + " refused by both (shorter than " + MIN_FRAME + " bytes)", differences.size()));
            if (!mapsCompared.isEmpty()) {
                b.append("  maps afterwards compared (per-CPU maps: CPU 0, where both ran): ")
                        .append(String.join(", ", mapsCompared)).append('\n');
            }
            differences.stream().limit(SHOWN).forEach(d -> b.append("  packet ").append(d.packet()).append(": ").append(d.what())
                    .append('\n'));
            if (differences.size() > SHOWN) {
                b.append("  ... and ").append(differences.size() - SHOWN).append(" more\n");
            }
            return b.toString();
        }

        ObjectNode toJson() {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("packets", packets);
            n.put("agree", agree);
            n.put("refused", refused);
            var maps = n.putArray("maps_compared");
            mapsCompared.forEach(maps::add);
            var arr = n.putArray("differences");
            differences.forEach(d -> arr.addObject().put("packet", d.packet()).put("what", d.what()));
            return n;
        }
    }

    private KernelCheck() {}

    /** Runs the check on a thread of its own pinned to CPU 0, so per-CPU maps can be compared with the interpreter's CPU 0. */
    static Outcome run(Path file, Analyzer analyzer, List<MapContents> contents, List<byte[]> packets) {
        Outcome[] out = new Outcome[1];
        RuntimeException[] failed = new RuntimeException[1];
        Thread t = new Thread(() -> {
            try {
                dev.xdperf.bpf.Cpus.pinCurrentThread(0);
                out[0] = check(file, analyzer, contents, packets);
            } catch (RuntimeException e) {
                failed[0] = e;
            }
        }, "check-kernel");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("check against the kernel: interrupted");
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        return out[0];
    }

    private static Outcome check(Path file, Analyzer analyzer, List<MapContents> contents, List<byte[]> packets) {
        XdpMachine machine = analyzer.machine();
        List<MapUpdate> updates = analyzer.mapUpdates();
        int next = 0;
        List<Difference> diffs = new ArrayList<>();
        int agree = 0;
        int refused = 0;
        List<String> compared;
        try (ProgramUnderTest o = ProgramUnderTest.load(file, analyzer.program().name(), contents)) {
            BpfProgram kernel = o.program();
            for (int i = 0; i < packets.size(); i++) {
                while (next < updates.size() && updates.get(next).packet() <= i) {
                    MapUpdate u = updates.get(next++);
                    if (u.delete()) {
                        o.map(u.map()).deleteBytes(u.key());
                        machine.delete(u.map(), u.key());
                    } else {
                        o.map(u.map()).updateBytes(u.key(), u.value());
                        machine.put(u.map(), u.key(), u.value());
                    }
                }
                byte[] p = packets.get(i);
                TestRun.Result k;
                try {
                    k = TestRun.run(kernel, p, 1);
                } catch (BpfException e) {
                    if (p.length < MIN_FRAME) {
                        refused++;
                        agree++;
                    } else {
                        diffs.add(new Difference(i, "the kernel refused the " + p.length + "-byte frame (" + e.getMessage()
                                + "); the interpreter ran it"));
                    }
                    continue;
                }
                if (p.length < MIN_FRAME) {
                    diffs.add(new Difference(i, "the kernel ran a " + p.length + "-byte frame, which it is expected to refuse"));
                    continue;
                }
                XdpResult r = machine.run(p, false);
                if (r.fault() != null) {
                    diffs.add(new Difference(i, "the interpreter failed (" + r.fault().getMessage() + "); the kernel returned "
                            + verdict(k.retval())));
                } else if (r.action() != k.retval()) {
                    diffs.add(new Difference(i, "verdict: kernel " + verdict(k.retval()) + ", interpreter " + verdict(r.action())));
                } else if (!Arrays.equals(r.output(), k.dataOut())) {
                    diffs.add(new Difference(i, "output bytes differ (" + verdict(k.retval()) + "): kernel "
                            + HexFormat.of().formatHex(k.dataOut()) + ", interpreter " + HexFormat.of().formatHex(r.output())));
                } else {
                    agree++;
                }
            }
            compared = compareMaps(o, machine, packets.size(), diffs);
        }
        return new Outcome(packets.size(), agree, refused, diffs, compared);
    }

    /** Maps whose contents both sides keep the same way: arrays and hash maps (device, CPU and socket maps hold kernel objects). */
    private static List<String> compareMaps(ProgramUnderTest o, XdpMachine machine, int packets, List<Difference> diffs) {
        List<String> compared = new ArrayList<>();
        for (MapState m : machine.maps()) {
            if (m.spec().globalData() || !comparable(m.type())) {
                continue;
            }
            BpfMap k = o.map(m.name());
            Map<MapKey, byte[]> mine = m.entries(0);
            Map<MapKey, byte[]> theirs = new LinkedHashMap<>();
            List<byte[]> keys = new ArrayList<>();
            if (m.type() == MapType.ARRAY || m.type() == MapType.PERCPU_ARRAY) {
                for (int i = 0; i < m.spec().maxEntries(); i++) {
                    keys.add(MapKey.u32(i).bytes());
                }
            } else {
                keys.addAll(k.keys());
            }
            for (byte[] key : keys) {
                byte[] v = k.lookupBytes(key);
                if (v != null) {
                    theirs.put(new MapKey(key), Arrays.copyOf(v, m.spec().valueSize()));  // CPU 0's copy comes first
                }
            }
            compared.add(m.name());
            int shown = 0;
            java.util.Set<MapKey> all = new java.util.LinkedHashSet<>(theirs.keySet());
            all.addAll(mine.keySet());
            for (MapKey key : all) {
                byte[] a = theirs.get(key);
                byte[] b = mine.get(key);
                if (!Arrays.equals(a, b) && shown++ < SHOWN) {
                    diffs.add(new Difference(packets, "map " + m.name() + " afterwards, key " + key + ": kernel "
                            + (a == null ? "absent" : HexFormat.of().formatHex(a)) + ", interpreter "
                            + (b == null ? "absent" : HexFormat.of().formatHex(b))));
                }
            }
        }
        return compared;
    }

    private static boolean comparable(MapType t) {
        return switch (t) {
            case ARRAY, PERCPU_ARRAY, HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH -> true;
            default -> false;
        };
    }

    private static String verdict(int action) {
        return switch (action) {
            case XdpResult.ABORTED -> "XDP_ABORTED";
            case XdpResult.DROP -> "XDP_DROP";
            case XdpResult.PASS -> "XDP_PASS";
            case XdpResult.TX -> "XDP_TX";
            case XdpResult.REDIRECT -> "XDP_REDIRECT";
            default -> "action " + action;
        };
    }
}
