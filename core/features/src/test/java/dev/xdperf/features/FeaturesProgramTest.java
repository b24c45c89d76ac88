package dev.xdperf.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.bpf.TestRun;
import dev.xdperf.features.FrameParserTest.Frames;
import dev.xdperf.rx.Verdict;
import dev.xdperf.testing.Privileged;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * xdp_features run on known frames with BPF_PROG_TEST_RUN: its records must equal what the
 * user-space parser (the AF_PACKET baseline's) makes of the same frames, field by field; its
 * counters must account for every packet, including the ones an undersized ring could not take.
 */
class FeaturesProgramTest {
    static final int XDP_DROP = 1;
    static final int XDP_PASS = 2;

    @BeforeEach
    void privileged() {
        Privileged.require();
    }

    private static int run(XdpFeatureReceiver r, byte[] frame, int repeat) {
        return new TestRun(r.object().program("xdp_features"), frame).run(repeat).retval();
    }

    @Test
    void everyTierOfRecordEqualsTheUserSpaceParser() throws Exception {
        List<byte[]> frames = List.of(Frames.udp4(0, true), Frames.udp4(2, false), Frames.udp4(1, true), Frames.tcp6(0x12),
                Frames.laterFragment(), Frames.arp());
        try (XdpFeatureReceiver r = XdpFeatureReceiver.load(FeatureTier.FULL, Verdict.DROP, 1 << 16, 1024)) {
            int[] verdicts = new int[frames.size()];
            for (int i = 0; i < frames.size(); i++) {
                verdicts[i] = run(r, frames.get(i), 1);
            }
            assertEquals(XDP_DROP, verdicts[0], "xdperf frames are dropped with --verdict drop");
            assertEquals(XDP_PASS, verdicts[1], "other traffic passes");
            assertEquals(XDP_PASS, verdicts[5]);
            CollectingWriter w = new CollectingWriter();
            r.poll(w, 0);
            assertEquals(5, w.packets.size(), "one record per IP frame, none for ARP");
            for (int i = 0; i < 5; i++) {
                byte[] f = frames.get(i);
                PacketRecord expected = new PacketRecord();
                assertTrue(FrameParser.parse(f, f.length, f.length, -1, expected));
                assertEquals(expected.content(), w.packets.get(i).content(), "frame " + i);
            }
            assertEquals(9, w.packets.get(0).stream);
            assertEquals(0x89abcdefL, w.packets.get(0).seq);
            assertEquals(100, w.packets.get(2).vlan, "a single tag: its VLAN id");
            Map<String, Long> c = r.completeness(w);
            assertEquals(6, c.get("packets_seen"));
            assertEquals(5, c.get("ip_packets"));
            assertEquals(1, c.get("packets_without_features"));
            assertEquals(2, c.get("xdperf_packets"));
            assertEquals(5, c.get("records_written"));
            assertEquals(0, c.get("records_lost"));
        }
    }

    @Test
    void flowsAggregatePacketsBytesAndTcpFlags() throws Exception {
        try (XdpFeatureReceiver r = XdpFeatureReceiver.load(FeatureTier.FLOWS, Verdict.PASS, 1 << 16, 1024)) {
            run(r, Frames.tcp6(0x02), 3);
            run(r, Frames.tcp6(0x10), 2);
            byte[] udp = Frames.udp4(0, true);
            run(r, udp, 7);
            CollectingWriter w = new CollectingWriter();
            r.exportFlows(w);
            assertEquals(2, w.flows.size());
            FlowRecord tcp = w.flows.stream().filter(f -> f.key().proto() == 6).findFirst().orElseThrow();
            assertEquals(5, tcp.packets());
            assertEquals(5L * Frames.tcp6(0).length, tcp.bytes());
            assertEquals(0x12, tcp.tcpFlags());
            assertEquals(443, tcp.key().dport());
            assertTrue(tcp.firstNs() <= tcp.lastNs());
            FlowRecord u = w.flows.stream().filter(f -> f.key().proto() == 17).findFirst().orElseThrow();
            assertEquals(7, u.packets());
            assertEquals("198.18.0.1:1234 > 198.18.0.2:5201 proto 17", u.key().toString());
            // A second export writes only what is new.
            run(r, udp, 1);
            CollectingWriter again = new CollectingWriter();
            r.exportFlows(again);
            assertEquals(1, again.flows.size());
            assertEquals(1, again.flows.get(0).packets());
            Map<String, Long> c = r.completeness(again);
            assertEquals(2, c.get("flows_created"));
            assertEquals(0, c.get("flows_evicted"));
            assertEquals(0, c.get("flow_packets_missing"));
        }
    }

    @Test
    void sampledTakesTheFirstOfEveryNPackets() throws Exception {
        try (XdpFeatureReceiver r = XdpFeatureReceiver.load(FeatureTier.sampled(10), Verdict.DROP, 1 << 16, 1024)) {
            run(r, Frames.udp4(0, true), 25);
            CollectingWriter w = new CollectingWriter();
            r.poll(w, 0);
            assertEquals(3, w.packets.size(), "packets 1, 11 and 21 of 25");
            assertEquals(3, r.completeness(w).get("records_selected"));
        }
    }

    @Test
    void anUndersizedRingCountsEveryRecordItLost() throws Exception {
        // One page holds 4096 / (64 + 8) = 56 records; nothing drains while 100 arrive.
        try (XdpFeatureReceiver r = XdpFeatureReceiver.load(FeatureTier.FULL, Verdict.DROP, 4096, 1024)) {
            run(r, Frames.udp4(0, true), 100);
            CollectingWriter w = new CollectingWriter();
            r.poll(w, 0);
            Map<String, Long> c = r.completeness(w);
            assertEquals(56, w.packets.size());
            assertEquals(56, c.get("records_submitted"));
            assertEquals(44, c.get("ring_reservation_failures"));
            assertEquals(44, c.get("records_lost"));
            assertEquals(100, c.get("records_selected"));
            List<String> warnings = FeatureReport.warnings(FeatureTier.FULL, c, Map.of(), "xdp");
            assertTrue(warnings.get(0).startsWith("lost 44 records: 44 ring buffer reservations failed"), warnings::toString);
        }
    }
}
