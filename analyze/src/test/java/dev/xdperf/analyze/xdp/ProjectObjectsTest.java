package dev.xdperf.analyze.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.Analysis;
import dev.xdperf.analyze.Analyzer;
import dev.xdperf.analyze.maps.MapKey;
import dev.xdperf.analyze.object.ObjectLoader;
import dev.xdperf.analyze.object.ObjectSpec;
import dev.xdperf.analyze.testing.Packets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** xdperf's own XDP programs (the bpf module's rx.bpf.o and tx.bpf.o) in the interpreter, without privileges. */
class ProjectObjectsTest {
    static ObjectSpec bundled(String name) throws Exception {
        try (var in = ProjectObjectsTest.class.getResourceAsStream("/bpf/" + name + ".bpf.o")) {
            return ObjectLoader.load(name + ".bpf.o", in.readAllBytes());
        }
    }

    @Test
    void receiverCountsOtherTrafficAndDependsOnTheClockForItsOwn() throws Exception {
        ObjectSpec rx = bundled("rx");
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            packets.add(KernelDifferentialTest.measured(1, i, 0));
            packets.add(Packets.ether(0x0806, 60));
        }
        Analysis a = Analyzer.builder(rx).cacheSizes(List.of(1, 2)).build().run(packets);
        assertEquals(Set.of(), a.unsupportedHelpers());
        assertEquals(Map.of("branch on the time (bpf_ktime_get_ns)", 20L), a.untraceable());
        assertEquals(1, a.traces().size(), "every non-xdperf frame takes one trace");
        assertEquals("XDP_PASS", a.traces().get(0).verdict());
        assertTrue(a.traces().get(0).condition().toString().contains("bytes[12..13] != 0x0800"), a.toText());

        XdpMachine m = XdpMachine.builder(rx, rx.select(null)).build();
        for (byte[] p : packets) {
            assertEquals(null, m.run(p).fault());
        }
        ByteBuffer totals = ByteBuffer.wrap(m.map("rx_totals").entries(0).get(MapKey.u32(0))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(20, totals.getLong(0), "xdperf frames");
        assertEquals(20, totals.getLong(16), "other frames");
        ByteBuffer flow = ByteBuffer.wrap(m.map("rx_flows").entries(0).get(MapKey.u32(64))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(20, flow.getLong(0), "stream 1, CPU 0: next sequence number");
    }

    @Test
    void transmitterRunsAndDependsOnItsConfiguration() throws Exception {
        ObjectSpec tx = bundled("tx");
        Analysis a = Analyzer.builder(tx).program("xdp_tx").cacheSizes(List.of(1)).build()
                .run(List.of(Packets.ipv4(Packets.UDP, 1, 2, 40), Packets.ipv6(Packets.UDP, 1, 2, 40)));
        assertEquals(Set.of(), a.unsupportedHelpers());
        assertEquals(0, a.faultedPackets(), a.toText());
        // its stop flag and end time are a writable global (.bss) that user space flips during a run:
        // mutable state, so every packet's trace stops there, and the report says so
        assertEquals(Map.of("branch on a global variable in .bss", 2L), a.untraceable(), a.toText());
    }
}
