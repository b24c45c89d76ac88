package dev.xdperf.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.cache.CacheStats;
import dev.xdperf.analyze.cache.Policy;
import dev.xdperf.analyze.object.ObjectSpec;
import dev.xdperf.analyze.testing.Packets;
import dev.xdperf.analyze.testing.Traffic;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Traces and path conditions of the test programs in src/test/c. */
class TracesTest {
    static final byte[] V4 = Packets.ipv4(Packets.UDP, 1000, 53, 20);
    static final byte[] V6 = Packets.ipv6(Packets.TCP, 1000, 22, 20);
    /** Shorter than an Ethernet header: the kernel refuses it, so it has no trace. */
    static final byte[] SHORT = Packets.ether(0, 10);
    /** IPv4 cut after 6 bytes of its header: a path of its own through port_filter. */
    static final byte[] TRUNCATED = Packets.ether(0x0800, 20);

    static Analysis analyse(String program, List<byte[]> packets) {
        return Analyzer.builder(Packets.spec(program)).cacheSizes(List.of(1, 2, 3, 4)).build().run(packets);
    }

    static List<byte[]> repeat(int times, byte[]... cycle) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            for (byte[] p : cycle) {
                out.add(p);
            }
        }
        return out;
    }

    @Test
    void ipv6FilterHasTwoTracesAndFramesUnderAnEthernetHeaderAreRefused() {
        List<byte[]> wellFormed = new ArrayList<>(Traffic.mixed(11, 500, 14));
        Analysis a = analyse("ipv6_filter", wellFormed);
        assertEquals(2, a.traces().size(), a.toText());
        assertEquals(wellFormed.size(), a.traceablePackets());
        List<String> conditions = a.traces().stream().map(t -> t.condition().toString()).sorted().toList();
        assertEquals(List.of("len >= 14 && bytes[12..13] != 0x86dd", "len >= 14 && bytes[12..13] == 0x86dd"), conditions);

        // The program has a path for them (len < 14: drop), but the kernel never runs it on one.
        Analysis b = analyse("ipv6_filter", repeat(100, V4, V6, SHORT));
        assertEquals(2, b.traces().size(), b.toText());
        assertEquals(100, b.faultedPackets(), b.toText());
        assertEquals(100L, b.verdicts().get("refused"), b.verdicts().toString());
        assertTrue(b.traces().stream().noneMatch(t -> t.condition().toString().contains("len < 14")), b.toText());
    }

    @Test
    void twoEntryCacheThrashesOnThreeTracesInTurn() {
        Analysis a = analyse("port_filter", repeat(100, V4, V6, TRUNCATED));
        assertEquals(3, a.traces().size(), a.toText());
        for (Policy p : List.of(Policy.LRU, Policy.FIFO, Policy.LFU)) {
            CacheStats two = a.cache().get(p).get(1);
            assertEquals(2, two.size());
            assertEquals(0, two.hits(), p + " hits on the cyclic order");
            assertEquals(3, two.compulsory());
            assertEquals(297, two.capacity());
            assertEquals(1.0, a.cache().get(p).get(2).hitRate(), 0.011, p + " with 3 entries holds every trace");
        }
        assertTrue(a.cache().get(Policy.OPTIMAL).get(1).hits() > 100, "Belady keeps one of two traces useful");
        assertEquals(297, a.infinite().hits());
    }

    @Test
    void portFilterReadsTheHeaderLengthFromThePacket() {
        byte[] dns = Packets.ipv4(Packets.UDP, 0xc6120001, 0xc6120002, 1000, 53, 20, 5);
        byte[] dnsWithOptions = Packets.ipv4(Packets.UDP, 0xc6120001, 0xc6120002, 1000, 53, 20, 6);
        byte[] ssh6 = Packets.ipv6(Packets.TCP, 1000, 22, 20);
        byte[] web = Packets.ipv4(Packets.TCP, 1000, 80, 20);
        Analysis a = analyse("port_filter", List.of(dns, dnsWithOptions, ssh6, web));
        assertEquals(4, a.traces().size(), a.toText());
        Map<Integer, String> byPacket = a.traces().stream().collect(Collectors.toMap(TraceInfo::firstPacket,
                t -> t.verdict() + " " + t.condition()));
        assertTrue(byPacket.get(0).startsWith("XDP_DROP "), byPacket.get(0));
        assertTrue(byPacket.get(0).contains("(bytes[14] & 0x0f) == 0x05") && byPacket.get(0).contains("bytes[23] == 0x11")
                && byPacket.get(0).contains("bytes[36..37] == 0x0035"), byPacket.get(0));
        assertTrue(byPacket.get(1).contains("(bytes[14] & 0x0f) == 0x06") && byPacket.get(1).contains("bytes[40..41] == 0x0035"),
                byPacket.get(1));
        assertTrue(byPacket.get(2).startsWith("XDP_DROP ") && byPacket.get(2).contains("bytes[56..57] == 0x0016"), byPacket.get(2));
        assertTrue(byPacket.get(3).startsWith("XDP_PASS ") && byPacket.get(3).contains("bytes[36..37] != 0x0016"), byPacket.get(3));
    }

    @Test
    void arrayMapProgramIsTraceable() {
        List<byte[]> traffic = Traffic.mixed(12, 400, 14);
        Analysis a = analyse("array_counter", traffic);
        assertEquals(traffic.size(), a.traceablePackets(), a.toText());
        assertTrue(a.traces().size() >= 2);
        assertTrue(a.traces().stream().noneMatch(t -> t.condition().toString().contains("<")
                && t.condition().toString().contains("map")), "conditions are over the packet only");
    }

    /** A lookup keyed by packet bytes is a term of the condition, evaluated against the contents the trace was built with. */
    @Test
    void aHashMapLookupKeyedByThePacketIsPartOfTheCondition() {
        Analysis a = analyse("hash_filter", List.of(V4, V6, V4, TRUNCATED));
        assertEquals(Map.of(), a.untraceable());
        assertEquals(4, a.traceablePackets());
        assertTrue(a.toText().contains("blocklist[") && a.toText().contains("absent"), a.toText());
    }

    @Test
    void aLookupKeyedByAnOpaqueValueIsUntraceableWithTheReason() {
        // key = ctx->ingress_ifindex; return lookup(by_ifindex, &key) ? XDP_DROP : XDP_PASS
        var p = new dev.xdperf.analyze.vm.Asm().ldx(4, 2, 1, 12).stx(4, 10, -4, 2).movx(2, 10)
                .insn(dev.xdperf.analyze.vm.Opcodes.ALU64 | dev.xdperf.analyze.vm.Opcodes.ADD, 2, 0, 0, -4)
                .ldMap(1, 0).call(1).jmp(dev.xdperf.analyze.vm.Opcodes.JEQ, 0, 0, "miss").mov(0, 1).exit()
                .label("miss").mov(0, 2).exit().program("p");
        ObjectSpec spec = new ObjectSpec("asm", List.of(p), List.of(new dev.xdperf.analyze.object.MapSpec("by_ifindex",
                dev.xdperf.analyze.object.MapType.HASH, 4, 4, 8, 0, null, false, "test")), "GPL");
        Analysis a = Analyzer.builder(spec).cacheSizes(List.of(1)).build().run(List.of(V4));
        assertEquals(Map.of("branch on a lookup in hash map by_ifindex with a key from the ingress interface"
                + " (ctx->ingress_ifindex)", 1L), a.untraceable());
    }

    @Test
    void aTailCallMakesThePacketUntraceable() {
        Analysis a = analyse("tail_call", List.of(V4, SHORT));
        assertEquals(Map.of("a tail call through handlers (the interpreter has no programs in it: the call falls through)", 1L),
                a.untraceable());
        assertEquals(Map.of("XDP_PASS", 1L, "refused", 1L), a.verdicts(), "the short frame is refused, as by the kernel");
    }

    @Test
    void theVerdictOfARedirectThroughADeviceMapIsTheSlotsPresence() {
        ObjectSpec spec = Packets.spec("features");
        byte[] slot1 = Packets.ether(0x0800, 20);
        slot1[0] = 1;
        byte[] slot3 = Packets.ether(0x0800, 20);
        slot3[0] = 3;
        Analysis a = Analyzer.builder(spec).program("redirect").cacheSizes(List.of(1))
                .setup(m -> m.put("targets", dev.xdperf.analyze.maps.MapKey.u32(1).bytes(), dev.xdperf.analyze.maps.MapKey.u32(1).bytes()))
                .build().run(List.of(slot1, slot3));
        assertEquals(Map.of(), a.untraceable(), a.toText());
        assertEquals(Map.of("XDP_REDIRECT", 1L, "XDP_PASS", 1L), a.verdicts());
        assertTrue(a.toText().contains("targets[") && a.toText().contains("present") && a.toText().contains("absent"),
                a.toText());
    }

    /**
     * The property the analysis promises: a trace's condition holds for every packet that takes
     * the trace and for no packet that takes another. Checked over mixed traffic and over
     * every witness that mutation finds.
     */
    @Test
    void conditionsHoldExactlyForTheirOwnPackets() {
        for (String[] op : new String[][] {{"ipv6_filter", null}, {"port_filter", null}, {"array_counter", null},
                {"hash_filter", null}, {"features", "reshape"}, {"features", "features"}}) {
            String program = op[1] == null ? op[0] : op[1];
            List<byte[]> traffic = Traffic.mixed(program.hashCode(), 600, 0);
            Analysis a = Analyzer.builder(Packets.spec(op[0])).program(op[1]).cacheSizes(List.of(1)).mutate(3000).build()
                    .run(traffic);
            List<TraceInfo> all = new ArrayList<>(a.traces());
            all.addAll(a.discovered());
            List<byte[]> packets = new ArrayList<>(traffic);
            List<Integer> owners = new ArrayList<>();
            for (int s : a.sequence()) {
                owners.add(s < 0 ? -1 : a.traces().get(s).id());
            }
            for (TraceInfo t : a.discovered()) {
                packets.add(t.witness());
                owners.add(t.id());
            }
            int checked = 0;
            for (int i = 0; i < packets.size(); i++) {
                if (owners.get(i) < 0) {
                    continue;
                }
                for (TraceInfo t : all) {
                    boolean holds = t.condition().holds(packets.get(i));
                    boolean own = t.id() == owners.get(i);
                    if (holds != own) {
                        throw new AssertionError(program + ": condition of T" + t.id() + " (" + t.condition() + ") "
                                + (own ? "does not hold for its own packet " : "holds for a packet of T" + owners.get(i) + " ")
                                + HexFormat.of().formatHex(packets.get(i)));
                    }
                    checked++;
                }
            }
            assertTrue(checked > 0 && all.size() >= 2, program + ": " + all.size() + " traces");
        }
    }

    @Test
    void mutationFindsTracesTheTrafficMissed() {
        Analysis a = Analyzer.builder(Packets.spec("port_filter")).cacheSizes(List.of(1)).mutate(2000).build()
                .run(List.of(Packets.ipv4(Packets.TCP, 1000, 80, 20)));
        assertEquals(1, a.traces().size());
        List<String> found = a.discovered().stream().map(t -> t.verdict() + " " + t.condition()).toList();
        assertTrue(found.stream().anyMatch(s -> s.startsWith("XDP_DROP") && s.contains("0x0016")), found.toString());
        assertTrue(found.stream().anyMatch(s -> s.contains("bytes[12..13] == 0x86dd")), "IPv6 from the constants: " + found);
        assertTrue(found.stream().anyMatch(s -> s.contains("len >= 14 && len < 34")), "short packets from cutting: " + found);
        assertTrue(found.stream().noneMatch(s -> s.contains("len < 14")), "but none the kernel refuses: " + found);
        assertFalse(a.discovered().stream().anyMatch(t -> t.packets() != 0));
    }

    @Test
    void adversarialOrderMakesTheCacheMissEveryPacket() {
        Analysis a = Analyzer.builder(Packets.spec("port_filter")).cacheSizes(List.of(2)).adversary(Policy.LRU, 2, 30).build()
                .run(repeat(10, V4, V4, V4, V6, TRUNCATED));
        assertEquals(30, a.adversaryPackets().size());
        assertEquals(0, a.adversary().check().hits());
        Analysis replay = Analyzer.builder(Packets.spec("port_filter")).cacheSizes(List.of(2)).policies(List.of(Policy.LRU))
                .build().run(a.adversaryPackets());
        assertEquals(0, replay.cache().get(Policy.LRU).get(0).hits(), "the order replayed through the program misses too");
        assertEquals(3, replay.traces().size());
    }
}
