package dev.xdperf.analyze.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.Analysis;
import dev.xdperf.analyze.Analyzer;
import dev.xdperf.analyze.TraceInfo;
import dev.xdperf.analyze.cache.CacheStats;
import dev.xdperf.analyze.cache.Policy;
import dev.xdperf.analyze.maps.MapContents;
import dev.xdperf.analyze.maps.MapKey;
import dev.xdperf.analyze.maps.MapState;
import dev.xdperf.analyze.maps.MapUpdate;
import dev.xdperf.analyze.object.MapSpec;
import dev.xdperf.analyze.object.ObjectSpec;
import dev.xdperf.analyze.testing.Kernel;
import dev.xdperf.analyze.testing.Packets;
import dev.xdperf.analyze.testing.Traffic;
import dev.xdperf.bpf.BpfObject;
import dev.xdperf.bpf.PrivateBpfFs;
import dev.xdperf.bpf.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Programs that decide on map contents, written here in the style of shipped ones (a port
 * filter with rules in a pinned hash map and a legacy section name; a forwarding table that
 * rewrites and redirects through a device map; CPU and socket maps): with their maps filled,
 * nearly every packet is traceable, and the kernel, given the same contents and the same
 * updates at the same packets, agrees with the interpreter packet by packet.
 */
class StatefulProgramsTest {
    @TempDir
    Path dir;

    static final int RULE_UDP = 1;
    static final int RULE_TCP = 2;
    static final int RULE_SRC = 4;

    /** The rules as bpftool map dump -j prints a hash map of u32 to u32. */
    Path rulesFile() throws Exception {
        int[][] rules = {{53, RULE_UDP}, {22, RULE_TCP}, {23, RULE_TCP | RULE_UDP}, {8080, RULE_TCP | RULE_SRC}, {443, 0}};
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rules.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"key\":").append(json(u32(rules[i][0]))).append(",\"value\":")
                    .append(json(u32(rules[i][1]))).append(",\"formatted\":{\"key\":").append(rules[i][0]).append("}}");
        }
        Path p = dir.resolve("port_rules.json");
        Files.writeString(p, sb.append("]").toString());
        return p;
    }

    static byte[] u32(int v) {
        return MapKey.u32(v).bytes();
    }

    static String json(byte[] b) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < b.length; i++) {
            sb.append(i == 0 ? "" : ",").append(String.format("\"0x%02x\"", b[i] & 0xff));
        }
        return sb.append("]").toString();
    }

    @Test
    void aRuleMapFilterIsTraceableWithItsRules() throws Exception {
        ObjectSpec spec = Packets.spec("port_rules");
        List<byte[]> traffic = Traffic.mixed(31, 3000, 14);
        Analysis a = Analyzer.builder(spec).maps(List.of(MapContents.read("port_rules", rulesFile())))
                .cacheSizes(List.of(4, 16)).build().run(traffic);
        assertTrue(a.untraceablePackets() * 100 < traffic.size(), "under 1 % untraceable:\n" + a.toText());
        assertEquals(0, a.faultedPackets(), a.toText());
        assertTrue(a.verdicts().get("XDP_DROP") > 100, "the rules drop packets: " + a.verdicts());
        String text = a.toText();
        assertTrue(text.contains("port_rules[udp.dport] present") || text.contains("port_rules[tcp.dport] present"), text);
        assertTrue(text.contains("port_rules[") && text.contains(".value"), text);
        assertTrue(text.contains("state: port_rules: 5 entries from"), text);
        // each condition holds for its witness and is evaluated against the rules it was built with
        for (TraceInfo t : a.traces()) {
            assertTrue(t.condition().holds(t.witness()), "T" + t.id() + ": " + t.condition());
        }
    }

    @Test
    void withoutItsRulesEveryPortIsAbsentAndStillTraceable() {
        List<byte[]> traffic = Traffic.mixed(32, 500, 14);
        Analysis a = Analyzer.builder(Packets.spec("port_rules")).cacheSizes(List.of(4)).build().run(traffic);
        assertEquals(0, a.untraceablePackets(), a.toText());
        assertTrue(a.toText().contains("absent"), a.toText());
        assertTrue(!a.verdicts().containsKey("XDP_DROP"), a.verdicts().toString());
    }

    @Test
    void mapUpdatesInvalidateTheTracesThatReadTheEntryAndCostHits() throws Exception {
        ObjectSpec spec = Packets.spec("port_rules");
        List<byte[]> traffic = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            traffic.add(Packets.ipv4(Packets.UDP, 1000, i % 2 == 0 ? 53 : 5000, 20));
        }
        List<MapUpdate> updates = List.of(
                new MapUpdate(100, Double.NaN, "port_rules", u32(53), null),          // 53 is allowed from packet 100
                new MapUpdate(200, Double.NaN, "port_rules", u32(53), u32(RULE_UDP)), // and denied again from 200
                new MapUpdate(300, Double.NaN, "port_rules", u32(53), u32(RULE_UDP))); // no change: nothing dropped
        Analysis a = Analyzer.builder(spec).maps(List.of(MapContents.read("port_rules", rulesFile())))
                .mapUpdates(updates).policies(List.of(Policy.LRU)).cacheSizes(List.of(8)).build().run(traffic);
        assertEquals(0, a.untraceablePackets(), a.toText());
        assertEquals(150L, a.verdicts().get("XDP_DROP"), "port 53 dropped before packet 100 and from 200: " + a.verdicts());
        assertEquals(3, a.updates().applied());
        assertEquals(2, a.updates().changed());
        CacheStats with = a.cache().get(Policy.LRU).get(0);
        CacheStats without = a.updates().cacheUnchanged().get(Policy.LRU).get(0);
        assertTrue(with.invalidated() >= 2 && with.retraces() >= 2, a.toText());
        assertTrue(with.hits() < without.hits(), a.toText());
        assertEquals(with.lookups(), with.hits() + with.misses());
        assertTrue(a.toText().contains("map updates: 3 applied, 2 changed an entry"), a.toText());
    }

    // ---- against the kernel ------------------------------------------------------------------

    /** An object loaded as shipped objects are: pins in a private BPF filesystem, legacy xdp_* sections as XDP. */
    record Loaded(PrivateBpfFs pins, BpfObject object) implements AutoCloseable {
        static Loaded of(String name) {
            byte[] elf = Packets.object(name);
            PrivateBpfFs pins = PrivateBpfFs.create();
            BpfObject.Opened opened = BpfObject.open(name, elf, pins.dir());
            for (BpfObject.ProgramSpec p : opened.programs()) {
                if (p.type() == 0 && p.section().startsWith("xdp")) {
                    opened.setType(p.name(), 6);
                }
            }
            if (!opened.pinPaths().isEmpty()) {
                pins.mount();
            }
            return new Loaded(pins, opened.load());
        }

        @Override
        public void close() {
            try {
                object.close();
            } finally {
                pins.close();
            }
        }
    }

    /** Runs both, applying the updates before their packets; returns the differences, and compares maps afterwards. */
    static List<String> compare(String name, String program, Analyzer analyzer, List<byte[]> packets, List<String> maps) {
        List<String> diffs = new ArrayList<>();
        XdpMachine m = analyzer.machine();
        List<MapUpdate> updates = analyzer.mapUpdates();
        try (Loaded k = Loaded.of(name)) {
            for (MapState s : m.maps()) {
                if (s.spec().globalData() || s.name().startsWith(".")) {
                    continue;
                }
                s.entries(0).forEach((key, v) -> {
                    boolean isArray = s.type().name().contains("ARRAY") && !s.type().name().equals("PROG_ARRAY");
                    if (!isArray || !java.util.Arrays.equals(v, new byte[v.length])) {
                        k.object().map(s.name()).updateBytes(key.bytes(), v);
                    }
                });
            }
            int next = 0;
            for (int i = 0; i < packets.size(); i++) {
                while (next < updates.size() && updates.get(next).packet() <= i) {
                    MapUpdate u = updates.get(next++);
                    if (u.delete()) {
                        k.object().map(u.map()).deleteBytes(u.key());
                        m.delete(u.map(), u.key());
                    } else {
                        k.object().map(u.map()).updateBytes(u.key(), u.value());
                        m.put(u.map(), u.key(), u.value());
                    }
                }
                byte[] p = packets.get(i);
                TestRun.Result kr = TestRun.run(k.object().program(program), p, 1);
                XdpResult ir = m.run(p, true);
                String hex = HexFormat.of().formatHex(p);
                if (ir.fault() != null) {
                    diffs.add("packet " + i + " " + hex + ": interpreter failed: " + ir.fault().getMessage());
                } else if (kr.retval() != ir.action()) {
                    diffs.add("packet " + i + " " + hex + ": verdict kernel " + kr.retval() + ", interpreter " + ir.action());
                } else if (!java.util.Arrays.equals(kr.dataOut(), ir.output())) {
                    diffs.add("packet " + i + " " + hex + ": output kernel " + HexFormat.of().formatHex(kr.dataOut())
                            + ", interpreter " + HexFormat.of().formatHex(ir.output()));
                }
            }
            ObjectSpec spec = m.object();
            for (String map : maps) {
                MapSpec ms = spec.maps().stream().filter(x -> x.name().equals(map)).findFirst().orElseThrow();
                Map<String, String> kernel = KernelDifferentialTest.kernelMap(k.object().map(map), ms);
                Map<String, String> interp = new TreeMap<>();
                m.map(map).entries(0).forEach((key, v) -> interp.put(key.toString(), HexFormat.of().formatHex(v)));
                if (!kernel.equals(interp)) {
                    diffs.add("map " + map + ": kernel " + kernel + ", interpreter " + interp);
                }
            }
        }
        return diffs;
    }

    @Test
    void theKernelAgreesOnTheRuleFilterWithTheSameRulesAndUpdates() throws Exception {
        Kernel.require();
        List<byte[]> traffic = Traffic.mixed(33, 600, 14);
        List<MapUpdate> updates = List.of(new MapUpdate(200, Double.NaN, "port_rules", u32(80), u32(RULE_TCP | RULE_UDP)),
                new MapUpdate(400, Double.NaN, "port_rules", u32(53), null));
        Analyzer an = Analyzer.builder(Packets.spec("port_rules")).maps(List.of(MapContents.read("port_rules", rulesFile())))
                .mapUpdates(updates).build();
        assertEquals(List.of(), compare("port_rules", "port_rules_prog", an, traffic, List.of("port_rules", "verdict_counters")));
        Analysis a = an.run(traffic);
        assertTrue(a.untraceablePackets() * 100 < traffic.size(), a.toText());
    }

    /** Next hops keyed by destination MAC: which frames are rewritten and redirected depends on the table only. */
    List<MapContents> forwardingTable() {
        byte[] known = {2, 0, 0, 0, 0, 2};
        byte[] hop = new byte[16];
        byte[] src = {2, 0, 0, 0, 0, 0x10};
        byte[] dst = {2, 0, 0, 0, 0, 0x20};
        System.arraycopy(src, 0, hop, 0, 6);
        System.arraycopy(dst, 0, hop, 6, 6);
        hop[12] = 3;  // slot 3
        byte[] other = {2, 0, 0, 0, 0, 7};
        byte[] hop2 = hop.clone();
        hop2[12] = 5;  // slot 5: empty, so the redirect falls back to XDP_DROP
        return List.of(new MapContents("next_hop", Path.of("next_hop.json"),
                        List.of(new MapContents.Entry(known, hop), new MapContents.Entry(other, hop2))),
                new MapContents("out_ports", Path.of("out_ports.json"), List.of(new MapContents.Entry(u32(3), u32(1)))));
    }

    static List<byte[]> macTraffic(int n) {
        List<byte[]> out = new ArrayList<>();
        List<byte[]> base = Traffic.mixed(34, n, 14);
        for (int i = 0; i < base.size(); i++) {
            byte[] p = base.get(i);
            p[5] = (byte) (i % 3 == 0 ? 2 : i % 3 == 1 ? 7 : 9);
            out.add(p);
        }
        return out;
    }

    @Test
    void aMapDrivenRedirectIsTraceableAndTheKernelAgrees() {
        List<byte[]> traffic = macTraffic(900);
        Analyzer an = Analyzer.builder(Packets.spec("mac_redirect")).program("mac_redirect").maps(forwardingTable()).build();
        Analysis a = an.run(traffic);
        assertTrue(a.untraceablePackets() * 100 < traffic.size(), a.toText());
        assertEquals(Map.of("XDP_REDIRECT", 300L, "XDP_DROP", 300L, "XDP_PASS", 300L), a.verdicts(), a.toText());
        assertTrue(a.toText().contains("out_ports[") && a.toText().contains("next_hop["), a.toText());
        Kernel.require();
        assertEquals(List.of(), compare("mac_redirect", "mac_redirect", an, traffic, List.of()));
    }

    @Test
    void redirectsThroughCpuAndSocketMaps() {
        List<byte[]> traffic = Traffic.mixed(35, 300, 14);
        List<MapContents> cpus = List.of(new MapContents("cpus", Path.of("cpus.json"),
                List.of(new MapContents.Entry(u32(1), u32(64)))));
        Analyzer spread = Analyzer.builder(Packets.spec("mac_redirect")).program("cpu_spread").maps(cpus).build();
        Analysis a = spread.run(traffic);
        assertEquals(0, a.untraceablePackets(), a.toText());
        assertTrue(a.verdicts().get("XDP_REDIRECT") > 10, a.verdicts().toString());
        Analyzer sockets = Analyzer.builder(Packets.spec("mac_redirect")).program("to_socket").build();
        assertEquals(Map.of("XDP_PASS", 300L), sockets.run(traffic).verdicts(), "an empty socket map passes");
        Kernel.require();
        assertEquals(List.of(), compare("mac_redirect", "cpu_spread", spread, traffic, List.of()));
        assertEquals(List.of(), compare("mac_redirect", "to_socket", sockets, traffic, List.of()));
    }

    /** IPv4 with its header checksum right (every other one), for verify_csum. */
    static List<byte[]> checksummed(int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] p = Packets.ipv4(Packets.UDP, 0xc6120000 | i, 0xc6120002, 1000 + i, 53, 20 + i % 7, 5);
            if (i % 2 == 0) {
                long sum = 0;
                for (int o = 14; o < 34; o += 2) {
                    sum += ((p[o] & 0xff) << 8) | (p[o + 1] & 0xff);
                }
                while ((sum >> 16) != 0) {
                    sum = (sum & 0xffff) + (sum >> 16);
                }
                int c = (int) (~sum & 0xffff);
                p[24] = (byte) (c >> 8);
                p[25] = (byte) c;
            }
            out.add(p);
        }
        return out;
    }

    /** A branch on a checksum bpf_csum_diff computed over the header is a condition over those bytes. */
    @Test
    void aChecksumOverThePacketIsPartOfTheCondition() {
        List<byte[]> traffic = checksummed(200);
        Analyzer an = Analyzer.builder(Packets.spec("encap")).program("verify_csum").build();
        Analysis a = an.run(traffic);
        assertEquals(0, a.untraceablePackets(), a.toText());
        assertEquals(Map.of("XDP_PASS", 100L, "XDP_DROP", 100L), a.verdicts(), a.toText());
        assertTrue(a.toText().contains("csum_diff[{bytes[14..33] as bytes, 0 x 4}].value == 0xffff"), a.toText());
        assertEquals(2, a.traces().size(), a.toText());
        XdpMachine m = an.machine();
        for (byte[] p : traffic) {
            String verdict = m.run(p).verdict();
            for (TraceInfo t : a.traces()) {
                // each condition holds for exactly the packets that take its trace (one trace per verdict here)
                assertEquals(t.verdict().equals(verdict), t.condition().holds(p), "T" + t.id() + " on " + HexFormat.of().formatHex(p));
            }
        }
        Kernel.require();
        assertEquals(List.of(), compare("encap", "verify_csum", an, traffic, List.of()));
    }

    /** Grows with adjust_head, checksums with csum_diff, cuts with adjust_tail, shrinks again: byte for byte as the kernel. */
    @Test
    void headAndTailAdjustmentsAndChecksumsAsTheKernel() {
        List<byte[]> traffic = new ArrayList<>(Traffic.mixed(36, 300, 14));
        for (int i = 0; i < 100; i++) {
            traffic.add(Packets.ipv4(Packets.UDP, 0xc6120000 | i, 0xc6120002, 1000 + i, 4789, 20 + i, 5));
            byte[] ttl1 = Packets.ipv4(Packets.TCP, 1000, 80, 10 + i);
            ttl1[22] = 1;
            traffic.add(ttl1);
            byte[] ipip = Packets.ipv4(Packets.UDP, 0xc0a80001, 0xc6120002, 1, 2, 30, 5);
            ipip[23] = 4;
            traffic.add(ipip);
        }
        Analyzer an = Analyzer.builder(Packets.spec("encap")).program("encap").build();
        Analysis a = an.run(traffic);
        assertEquals(0, a.faultedPackets(), a.toText());
        assertTrue(a.verdicts().get("XDP_TX") >= 300, a.verdicts().toString());
        // the encapsulating path branches on bpf_csum_diff's result (sum < 0): a 16-bit term over the packet, not an
        // opaque value, so the branch is decided by its range and the packet stays traceable
        assertEquals(0, a.untraceablePackets(), a.toText());
        for (TraceInfo t : a.traces()) {
            assertTrue(t.condition().holds(t.witness()), "T" + t.id() + ": " + t.condition());
        }
        Kernel.require();
        assertEquals(List.of(), compare("encap", "encap", an, traffic, List.of()));
    }
}
