package dev.xdperf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.analyze.Analyzer;
import dev.xdperf.analyze.maps.MapContents;
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

    record Outcome(int packets, int agree, int refused, List<Difference> differences) {
        boolean agrees() {
            return differences.isEmpty();
        }

        String toText() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                    "%ncheck against the kernel (BPF_PROG_TEST_RUN, same map contents): %d packets, %d agree (verdict and bytes)"
                            + "%s, %d differ%n", packets, agree, refused == 0 ? "" : " of which " + refused
                            + " refused by both (shorter than " + MIN_FRAME + " bytes)", differences.size()));
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
            var arr = n.putArray("differences");
            differences.forEach(d -> arr.addObject().put("packet", d.packet()).put("what", d.what()));
            return n;
        }
    }

    private KernelCheck() {}

    static Outcome run(Path file, Analyzer analyzer, List<MapContents> contents, List<byte[]> packets) {
        XdpMachine machine = analyzer.machine();
        List<MapUpdate> updates = analyzer.mapUpdates();
        int next = 0;
        List<Difference> diffs = new ArrayList<>();
        int agree = 0;
        int refused = 0;
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
        }
        return new Outcome(packets.size(), agree, refused, diffs);
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
