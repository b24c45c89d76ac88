package dev.xdperf.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packet parser that xdp_rx and xdp_features share (parse.h), run in the kernel with
 * BPF_PROG_RUN on crafted frames: 0, 1 and 2 VLAN tags, IPv4 and IPv6, whole packets and
 * fragments. The fragment rule: the transport header is read only at fragment offset 0.
 */
class ParserTest {
    private static final int XDP_DROP = 1;
    private static final int XDP_PASS = 2;
    private static final int SPORT = 4000;
    private static final int DPORT = 9;
    private static final int OUTER_VLAN = 100;
    private static final int IPV4_MF = 0x2000;
    private static final int IPV4_DF = 0x4000;

    /** A frame and what both programs must make of it. */
    record Case(String name, byte[] frame, boolean measured, boolean laterFragment, int proto, int family) {}

    @BeforeEach
    void privileged() {
        Privileges.requireBpf();
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (int vlans = 0; vlans <= 2; vlans++) {
            String tags = vlans + " tags: ";
            out.add(new Case(tags + "IPv4", ipv4(vlans, 0), true, false, 17, 4));
            out.add(new Case(tags + "IPv4 don't fragment", ipv4(vlans, IPV4_DF), true, false, 17, 4));
            out.add(new Case(tags + "IPv4 first fragment", ipv4(vlans, IPV4_MF), true, false, 17, 4));
            // The later fragments carry the same bytes after the IP header: only the offset tells them apart.
            out.add(new Case(tags + "IPv4 middle fragment", ipv4(vlans, IPV4_MF | 185), false, true, 17, 4));
            out.add(new Case(tags + "IPv4 last fragment", ipv4(vlans, 370), false, true, 17, 4));
            out.add(new Case(tags + "IPv6", ipv6(vlans, false), true, false, 17, 6));
            // Extension headers are not followed: the fragment header's 44 is the protocol.
            out.add(new Case(tags + "IPv6 first fragment", ipv6(vlans, true), false, false, 44, 6));
        }
        return out;
    }

    @Test
    void rxCountsWholePacketsAndFirstFragments() {
        List<Case> cases = cases();
        try (BpfObject o = BpfObject.loadBundled("rx", List.of("xdp_rx"))) {
            o.map("rx_config").update(0, BpfMap.allocate(Structs.RxConfig.SIZE).putInt(Structs.RxConfig.VERDICT,
                    Structs.VERDICT_DROP));
            BpfProgram rx = o.program("xdp_rx");
            BpfMap totals = o.map("rx_totals");
            long measured = 0;
            for (Case c : cases) {
                long before = totals.sumPerCpu(0, Structs.RxTotals.PACKETS);
                int verdict = TestRun.run(rx, c.frame(), 1).retval();
                long counted = totals.sumPerCpu(0, Structs.RxTotals.PACKETS) - before;
                assertEquals(c.measured() ? 1 : 0, counted, c.name() + ": counted as an xdperf frame");
                assertEquals(c.measured() ? XDP_DROP : XDP_PASS, verdict, c.name() + ": verdict");
                measured += counted;
            }
            assertEquals(cases.size() - measured, totals.sumPerCpu(0, Structs.RxTotals.OTHER_PACKETS),
                    "every other frame passed as other");
        }
    }

    @Test
    void featuresRecordTheTransportHeaderOnlyAtOffsetZero() {
        List<Case> cases = cases();
        List<RingBuffer> rings = new ArrayList<>();
        try (BpfObject o = BpfObject.loadBundled("features", List.of("xdp_features"))) {
            ByteBuffer cfg = BpfMap.allocate(Structs.FeatConfig.SIZE);
            cfg.putInt(Structs.FeatConfig.TIER, Structs.FEAT_FULL);
            cfg.putInt(Structs.FeatConfig.VERDICT, Structs.VERDICT_DROP);
            o.map("feat_config").update(0, cfg);
            for (int cpu : Cpus.online()) {
                RingBuffer r = RingBuffer.create("parser_rb" + cpu, 1 << 16);
                rings.add(r);
                o.map("feat_rings").updateFd(cpu, r.fd());
            }
            BpfProgram features = o.program("xdp_features");
            for (Case c : cases) {
                assertEquals(c.measured() ? XDP_DROP : XDP_PASS, TestRun.run(features, c.frame(), 1).retval(),
                        c.name() + ": verdict");
            }

            List<ByteBuffer> records = new ArrayList<>();
            for (RingBuffer r : rings) {
                r.drain((data, at, length) -> {
                    byte[] b = new byte[length];
                    data.get(at, b, 0, length);
                    records.add(ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()));
                }, Integer.MAX_VALUE);
            }
            records.sort(Comparator.comparingLong(r -> r.getLong(Structs.FeatRecord.TS_NS)));
            assertEquals(cases.size(), records.size(), "one record per IP frame");
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                ByteBuffer r = records.get(i);
                int flags = r.get(Structs.FeatRecord.FLAGS);
                boolean ports = c.proto() == 17 && !c.laterFragment();
                assertEquals(c.family(), r.get(Structs.FeatRecord.FAMILY), c.name() + ": family");
                assertEquals(c.proto(), r.get(Structs.FeatRecord.PROTO), c.name() + ": protocol");
                assertEquals(ports ? SPORT : 0, r.getShort(Structs.FeatRecord.SPORT), c.name() + ": source port");
                assertEquals(ports ? DPORT : 0, r.getShort(Structs.FeatRecord.DPORT), c.name() + ": destination port");
                assertEquals(c.measured(), (flags & Structs.FEAT_HAS_MH) != 0, c.name() + ": measurement header");
                assertEquals(c.measured() ? 7 : 0, r.getShort(Structs.FeatRecord.STREAM_ID), c.name() + ": stream");
                assertEquals(c.laterFragment(), (flags & Structs.FEAT_FRAGMENT) != 0, c.name() + ": fragment flag");
                boolean tagged = !c.name().startsWith("0 tags");
                assertEquals(tagged, (flags & Structs.FEAT_HAS_VLAN) != 0, c.name() + ": VLAN flag");
                assertEquals(tagged ? OUTER_VLAN : 0, r.getShort(Structs.FeatRecord.VLAN), c.name() + ": outer VLAN id");
            }
            ByteBuffer[] counters = o.map("feat_counters").lookupPerCpu(0);
            long xdperf = 0;
            for (ByteBuffer b : counters) {
                xdperf += b.getLong(Structs.FeatCounters.XDPERF_PACKETS);
            }
            assertEquals(cases.stream().filter(Case::measured).count(), xdperf, "xdperf frames counted");
        } finally {
            rings.forEach(RingBuffer::close);
        }
    }

    /** Ethernet, {@code vlans} tags (802.1ad outside 802.1Q when two), and the given EtherType. */
    private static ByteBuffer ethernet(int vlans, int etherType) {
        ByteBuffer b = ByteBuffer.allocate(128);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        if (vlans == 2) {
            b.putShort((short) 0x88a8).putShort((short) OUTER_VLAN).putShort((short) 0x8100).putShort((short) 200);
        } else if (vlans == 1) {
            b.putShort((short) 0x8100).putShort((short) OUTER_VLAN);
        }
        return b.putShort((short) etherType);
    }

    /** UDP and the measurement header of stream 7, then padding to a 64-byte frame. */
    private static byte[] udpAndMeasurementHeader(ByteBuffer b) {
        b.putShort((short) SPORT).putShort((short) DPORT).putShort((short) (8 + Structs.Mh.SIZE)).putShort((short) 0);
        b.putShort((short) Structs.MH_MAGIC).putShort((short) 7).putInt(1).putLong(0).put((byte) 0)
                .put((byte) Structs.MH_VERSION);
        byte[] out = new byte[Math.max(64, b.position())];
        System.arraycopy(b.array(), 0, out, 0, b.position());
        return out;
    }

    private static byte[] ipv4(int vlans, int fragOff) {
        ByteBuffer b = ethernet(vlans, 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + Structs.Mh.SIZE)).putShort((short) 1)
                .putShort((short) fragOff).put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        return udpAndMeasurementHeader(b);
    }

    private static byte[] ipv6(int vlans, boolean fragmentHeader) {
        ByteBuffer b = ethernet(vlans, 0x86dd);
        int payload = (fragmentHeader ? 8 : 0) + 8 + Structs.Mh.SIZE;
        b.putInt(0x60000000).putShort((short) payload).put((byte) (fragmentHeader ? 44 : 17)).put((byte) 64);
        b.put(new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        b.put(new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
        if (fragmentHeader) {
            b.put((byte) 17).put((byte) 0).putShort((short) 1).putInt(1);   // offset 0, more fragments
        }
        return udpAndMeasurementHeader(b);
    }
}
