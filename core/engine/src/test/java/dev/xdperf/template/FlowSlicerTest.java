package dev.xdperf.template;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.FieldRule.Scope;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.abi.TemplateValidator;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowSlicerTest {
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:02");

    /** A 64-byte frame whose per-flow rules cover every case the slicer handles. */
    static PacketTemplate template(long flows, List<FieldRule> rules) {
        return new PacketTemplate(new byte[64], 0, 1, flows, 0, rules, List.of());
    }

    static List<FieldRule> everyKindOfRule() {
        return List.of(
                FieldRule.increment(14, 2, Scope.FLOW, 1000, 1999, 1),             // ports: no wrap
                FieldRule.increment(16, 4, Scope.FLOW, 10, 10 + 36, 3),            // step 3, wraps within 37
                FieldRule.decrement(20, 2, Scope.FLOW, 100, 60_000, 7),
                FieldRule.list(22, 1, Scope.FLOW, List.of(5L, 6L, 7L, 8L, 9L)),
                FieldRule.random(24, 8, Scope.FLOW, 0, -1),                        // all 64 bits
                FieldRule.random(32, 2, Scope.FLOW, 1, 9),
                FieldRule.increment(40, 8, Scope.FLOW, 0, -1, 0x9E3779B97F4A7C15L)); // full range, wraps 2^64
    }

    /** Flow f of every template: the frame of template-local packet f when the rules are all per flow. */
    static byte[] flow(TemplateSet set, int template, long f) {
        return new FieldEngine(set, 0).frame(template, f);
    }

    @Test
    void everyShardSendsExactlyItsFlowsByteForByteAndTogetherAllOfThem() {
        long flows = 200;
        TemplateSet full = new TemplateSet(AbiVersion.HOST, List.of(template(flows, everyKindOfRule())));
        for (int n : new int[] {1, 2, 3, 7, 200}) {
            Set<String> seen = new HashSet<>();
            long covered = 0;
            for (int i = 0; i < n; i++) {
                Shard shard = new Shard(i, n);
                FlowSlicer.Result r = FlowSlicer.slice(full, shard, 0);
                TemplateValidator.validate(r.set(), 1514);
                PacketTemplate t = r.set().templates().get(0);
                assertEquals(shard.share(flows), t.flows(), "shard " + shard + " flow count");
                FlowSlicer.Slice s = r.slices().get(0);
                assertEquals(shard.from(flows), s.from());
                assertEquals(s.from() + t.flows(), s.to());
                for (long f = 0; f < t.flows(); f++) {
                    byte[] mine = flow(r.set(), 0, f);
                    assertArrayEquals(flow(full, 0, s.from() + f), mine, "shard " + shard + " flow " + f);
                    assertTrue(seen.add(java.util.HexFormat.of().formatHex(mine)), "flow sent by two shards");
                }
                covered += t.flows();
                assertTrue(r.warnings().isEmpty(), r.warnings()::toString);
            }
            assertEquals(flows, covered);
            assertEquals(flows, seen.size(), "the shards together send every flow of the single run");
        }
    }

    @Test
    void rulesStayRulesWhenTheSliceDoesNotWrap() {
        TemplateSet full = new TemplateSet(AbiVersion.HOST, List.of(template(1000, everyKindOfRule())));
        List<FieldRule> rules = FlowSlicer.slice(full, new Shard(2, 4), 0).set().templates().get(0).fields();
        assertEquals(FieldRule.Op.INCREMENT, rules.get(0).op());
        assertEquals(1500, rules.get(0).min(), "ports 1500.. for flows 500..749");
        assertEquals(FieldRule.Op.DECREMENT, rules.get(2).op());
        assertEquals(FieldRule.Op.LIST, rules.get(3).op(), "a list is rotated");
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L), rules.get(3).values(), "500 mod 5 = 0: no rotation");
    }

    @Test
    void perPacketRulesAndSingleFlowTemplatesAreLeftAlone() {
        FieldRule perPacket = FieldRule.increment(14, 2, Scope.PACKET, 1, 100, 1);
        PacketTemplate many = template(10, List.of(perPacket));
        PacketTemplate one = template(1, List.of(FieldRule.random(16, 2, Scope.PACKET, 0, 65535)));
        FlowSlicer.Result r = FlowSlicer.slice(new TemplateSet(AbiVersion.HOST, List.of(many, one)), new Shard(1, 3), 0);
        assertEquals(perPacket, r.set().templates().get(0).fields().get(0));
        assertEquals(3, r.set().templates().get(0).flows());
        assertSame(one.fields().get(0), r.set().templates().get(1).fields().get(0));
        assertEquals(1, r.set().templates().get(1).flows());
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).startsWith("template 1 has 1 flow, fewer than the 3 shards"), r.warnings().get(0));
    }

    @Test
    void aSliceThatNeedsAListLongerThan256IsRefusedInOneSentence() {
        TemplateSet random = new TemplateSet(AbiVersion.HOST, List.of(template(1000, List.of(FieldRule.random(14, 2, Scope.FLOW, 0, 65535)))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlowSlicer.slice(random, new Shard(0, 2), 0));
        assertEquals("give shard 0/2 its flows of template 0: its flows differ only in per-flow random values, and 500 of them"
                + " do not fit a list of at most 256 (use fewer flows or more shards)", e.getMessage());
        assertEquals(250, FlowSlicer.slice(random, new Shard(1, 4), 0).set().templates().get(0).flows(), "250 fit a list");

        // Step 3 over a range of 37 wraps: a slice of 500 flows is no rule and too long a list.
        TemplateSet wrapping = new TemplateSet(AbiVersion.HOST, List.of(template(1000, List.of(FieldRule.increment(16, 4, Scope.FLOW, 10, 46, 3)))));
        e = assertThrows(IllegalArgumentException.class, () -> FlowSlicer.slice(wrapping, new Shard(0, 2), 0));
        assertEquals("give shard 0/2 its flows of template 0: its per-flow increment rule 0 would need a list of 500 values,"
                + " and a list holds at most 256 (use fewer flows, more shards, or a rule whose slices do not wrap around its range)",
                e.getMessage());
    }

    /** The TCP plugin's shape: ports per flow, and a random initial sequence number per flow. */
    @Test
    void perFlowRandomValuesOfManyFlowsAreDrawnAfreshWhileThePortsKeepTheShardsApart() {
        FieldRule ports = FieldRule.increment(14, 2, Scope.FLOW, 1024, 65535, 1);
        FieldRule isn = FieldRule.random(16, 4, Scope.FLOW, 0, 0xffffffffL);
        TemplateSet full = new TemplateSet(AbiVersion.HOST, List.of(template(10_000, List.of(ports, isn))));
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            FlowSlicer.Result r = FlowSlicer.slice(full, new Shard(i, 3), 0);
            PacketTemplate t = r.set().templates().get(0);
            assertEquals(isn, t.fields().get(1), "kept as it is");
            assertEquals(1, r.warnings().size());
            assertTrue(r.warnings().get(0).startsWith("template 0: per-flow random rule [1] draw their own values"), r.warnings().get(0));
            FieldEngine engine = new FieldEngine(r.set(), 0);
            for (long f = 0; f < t.flows(); f++) {
                long port = ByteBuffer.wrap(engine.frame(0, f)).getShort(14) & 0xffff;
                assertEquals(1024 + r.slices().get(0).from() + f, port, "the single run's port of this flow");
                assertTrue(seen.add(port), "port " + port + " in two shards");
            }
        }
        assertEquals(10_000, seen.size());
    }

    @Test
    void theBuiltInUdpStreamSplitsItsSourcePorts() {
        UdpStream udp = new UdpStream(A, B, UdpStream.parseIp("198.18.0.1"), UdpStream.parseIp("198.18.0.2"), 5201, 5201, 64, 0, true);
        TemplateSet full = udp.toTemplateSet(10);
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            TemplateSet mine = FlowSlicer.slice(full, new Shard(i, 3), 0).set();
            PacketTemplate t = mine.templates().get(0);
            List<Integer> shardPorts = new ArrayList<>();
            for (long f = 0; f < t.flows(); f++) {
                byte[] frame = new FieldEngine(mine, 0).frame(0, f);
                int port = ByteBuffer.wrap(frame).getShort(udp.l4Offset()) & 0xffff;
                shardPorts.add(port);
                assertTrue(ports.add(port), "port " + port + " in two shards");
            }
            assertEquals(new Shard(i, 3).share(10), shardPorts.size());
        }
        assertEquals(Set.of(5201, 5202, 5203, 5204, 5205, 5206, 5207, 5208, 5209, 5210), ports);
        assertEquals(1, udp.toTemplateSet(1).templates().get(0).flows(), "one flow: the plain stream, no rule");
        assertTrue(udp.toTemplateSet(1).templates().get(0).fields().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new UdpStream(A, B, UdpStream.parseIp("198.18.0.1"),
                UdpStream.parseIp("198.18.0.2"), 65530, 9, 64, 0, true).toTemplateSet(7));
    }
}
