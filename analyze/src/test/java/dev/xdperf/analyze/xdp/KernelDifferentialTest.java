package dev.xdperf.analyze.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.maps.MapKey;
import dev.xdperf.analyze.maps.MapState;
import dev.xdperf.analyze.object.MapSpec;
import dev.xdperf.analyze.object.MapType;
import dev.xdperf.analyze.object.ObjectLoader;
import dev.xdperf.analyze.object.ObjectSpec;
import dev.xdperf.analyze.testing.Kernel;
import dev.xdperf.analyze.testing.Packets;
import dev.xdperf.analyze.testing.Traffic;
import dev.xdperf.bpf.BpfMap;
import dev.xdperf.bpf.BpfObject;
import dev.xdperf.bpf.TestRun;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same objects and packets through the kernel (BPF_PROG_TEST_RUN) and through the
 * interpreter: the same verdicts, the same output bytes, the same map contents afterwards.
 * Per-CPU values are summed over CPUs (the kernel runs the test on whichever CPU it likes).
 */
class KernelDifferentialTest {
    /** What a run over all packets left behind. */
    record Outcome(List<Integer> verdicts, List<String> outputs, Map<String, Map<String, String>> maps) {
    }

    @BeforeEach
    void kernel() {
        Kernel.require();
    }

    static Outcome inKernel(String name, byte[] elf, ObjectSpec spec, String program, List<byte[]> packets,
                            Map<String, Map<Integer, byte[]>> init, Set<String> compare) {
        List<String> all = spec.programs().stream().map(p -> p.name()).toList();
        try (BpfObject o = BpfObject.load(name, elf, all)) {
            init.forEach((map, entries) -> entries.forEach((k, v) -> o.map(map).updateBytes(MapKey.u32(k).bytes(), v)));
            List<Integer> verdicts = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            for (byte[] p : packets) {
                TestRun.Result r = TestRun.run(o.program(program), p, 1);
                verdicts.add(r.retval());
                outputs.add(HexFormat.of().formatHex(r.dataOut()));
            }
            Map<String, Map<String, String>> maps = new TreeMap<>();
            for (MapSpec m : spec.maps()) {
                if (compare.contains(m.name())) {
                    maps.put(m.name(), kernelMap(o.map(m.name()), m));
                }
            }
            return new Outcome(verdicts, outputs, maps);
        }
    }

    static Map<String, String> kernelMap(BpfMap map, MapSpec spec) {
        List<byte[]> keys = new ArrayList<>();
        if (spec.type() == MapType.ARRAY || spec.type() == MapType.PERCPU_ARRAY) {
            for (int i = 0; i < spec.maxEntries(); i++) {
                keys.add(MapKey.u32(i).bytes());
            }
        } else {
            keys.addAll(map.keys());
        }
        Map<String, String> out = new TreeMap<>();
        for (byte[] k : keys) {
            byte[] v = map.lookupBytes(k);
            if (v == null) {
                continue;
            }
            if (map.perCpu()) {
                v = sumPerCpu(v, map.perCpuStride(), spec.valueSize());
            }
            out.put(HexFormat.of().formatHex(k), HexFormat.of().formatHex(v));
        }
        return out;
    }

    /** Sums the u64 words of every CPU's copy. */
    static byte[] sumPerCpu(byte[] all, int stride, int valueSize) {
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(valueSize).order(ByteOrder.LITTLE_ENDIAN);
        for (int w = 0; w + 8 <= valueSize; w += 8) {
            long sum = 0;
            for (int cpu = 0; cpu < all.length / stride; cpu++) {
                sum += in.getLong(cpu * stride + w);
            }
            out.putLong(w, sum);
        }
        return out.array();
    }

    static Outcome inInterpreter(ObjectSpec spec, String program, List<byte[]> packets, Map<String, Map<Integer, byte[]>> init,
                                 Set<String> compare) {
        XdpMachine m = XdpMachine.builder(spec, spec.select(program)).build();
        init.forEach((map, entries) -> entries.forEach((k, v) -> m.map(map).put(MapKey.u32(k).bytes(), v)));
        List<Integer> verdicts = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        for (byte[] p : packets) {
            XdpResult r = m.run(p, true);
            assertEquals(null, r.fault(), "packet " + HexFormat.of().formatHex(p));
            verdicts.add(r.action());
            outputs.add(HexFormat.of().formatHex(r.output()));
        }
        Map<String, Map<String, String>> maps = new TreeMap<>();
        for (MapState s : m.maps()) {
            if (compare.contains(s.name())) {
                Map<String, String> entries = new TreeMap<>();
                s.entries(0).forEach((k, v) -> entries.put(k.toString(), HexFormat.of().formatHex(v)));
                maps.put(s.name(), entries);
            }
        }
        return new Outcome(verdicts, outputs, maps);
    }

    static void same(String object, String program, List<byte[]> packets, Map<String, Map<Integer, byte[]>> init,
                     Set<String> compare) {
        byte[] elf = Packets.object(object);
        same(object, elf, program, packets, init, compare);
    }

    static void same(String object, byte[] elf, String program, List<byte[]> packets, Map<String, Map<Integer, byte[]>> init,
                     Set<String> compare) {
        ObjectSpec spec = ObjectLoader.load(object, elf);
        Outcome k = inKernel(object, elf, spec, program, packets, init, compare);
        Outcome i = inInterpreter(spec, program, packets, init, compare);
        for (int n = 0; n < packets.size(); n++) {
            String p = HexFormat.of().formatHex(packets.get(n));
            assertEquals(k.verdicts().get(n), i.verdicts().get(n), program + ": verdict for packet " + n + " " + p);
            assertEquals(k.outputs().get(n), i.outputs().get(n), program + ": output for packet " + n + " " + p);
        }
        assertEquals(k.maps(), i.maps(), program + ": maps");
        assertEquals(compare.size(), k.maps().size(), "every map compared");
    }

    static List<byte[]> traffic(long seed, int n) {
        return Traffic.mixed(seed, n, 14);
    }

    @Test
    void ipv6FilterAndPortFilter() {
        same("ipv6_filter", "ipv6_filter", traffic(1, 300), Map.of(), Set.of());
        same("port_filter", "port_filter", traffic(2, 300), Map.of(), Set.of());
    }

    @Test
    void arrayCounterCountsAsTheKernelDoes() {
        same("array_counter", "array_counter", traffic(3, 300), Map.of(), Set.of("per_proto"));
    }

    @Test
    void hashFilterWithABlocklist() {
        byte[] hit = new byte[8];
        Map<Integer, byte[]> block = new LinkedHashMap<>();
        // keys are the source address as it sits in the packet (network order) read as a u32
        block.put(Integer.reverseBytes(0xc6120001), hit);
        block.put(Integer.reverseBytes(0xc6120003), hit);
        same("hash_filter", "hash_filter", traffic(4, 300), Map.of("blocklist", block), Set.of("blocklist"));
    }

    @Test
    void featuresSubprogramsGlobalsAndMaps() {
        same("features", "features", traffic(5, 400), Map.of(),
                Set.of("stats", "percpu", "flows", "ports", ".bss", ".data", ".rodata"));
    }

    @Test
    void tailCallsIntoAnEmptyProgramArrayFallThrough() {
        same("tail_call", "tail_call", traffic(9, 50), Map.of(), Set.of());
    }

    @Test
    void atomicsOnMapValues() {
        same("features", "atomics", traffic(6, 200), Map.of(), Set.of("stats"));
    }

    @Test
    void frameBoundariesMoveAsInTheKernel() {
        List<byte[]> packets = new ArrayList<>(traffic(7, 200));
        packets.add(new byte[14]);
        packets.add(new byte[3000]);
        packets.add(new byte[XdpMachine.MAX_PACKET - 8]);
        packets.add(new byte[XdpMachine.MAX_PACKET - 2]);
        same("features", "reshape", packets, Map.of(), Set.of());
    }

    @Test
    void redirectsThroughTheDeviceMap() {
        byte[] lo = {1, 0, 0, 0};
        Map<Integer, byte[]> slots = Map.of(0, lo, 1, lo, 2, lo);
        List<byte[]> packets = new ArrayList<>();
        for (int b = 0; b < 256; b += 7) {
            byte[] p = Packets.ether(0x0800, 20);
            p[0] = (byte) b;
            packets.add(p);
        }
        same("features", "redirect", packets, Map.of("targets", slots), Set.of("targets"));
    }

    @Test
    void theProjectsReceiverCountsAsInTheKernel() throws Exception {
        byte[] elf;
        try (var in = BpfObject.class.getResourceAsStream("/bpf/rx.bpf.o")) {
            elf = in.readAllBytes();
        }
        List<byte[]> packets = new ArrayList<>(traffic(8, 100));
        for (int i = 0; i < 200; i++) {
            // UDP with the measurement header: stream i % 3, sequence numbers with a gap, a duplicate and a reorder
            int seq = i < 100 ? i : i == 150 ? 149 : i == 160 ? 158 : i + 1;
            packets.add(measured(i % 3, seq, i % 2));
        }
        ByteBuffer cfg = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1);
        same("rx", elf, "xdp_rx", packets, Map.of("rx_config", Map.of(0, cfg.array())), Set.of("rx_totals", "rx_config"));
        // latencies come from the clock, so only the counters of rx_streams and rx_flows are compared
        ObjectSpec spec = ObjectLoader.load("rx", elf);
        Outcome k = inKernel("rx", elf, spec, "xdp_rx", packets, Map.of(), Set.of("rx_streams"));
        Outcome i = inInterpreter(spec, "xdp_rx", packets, Map.of(), Set.of("rx_streams"));
        assertEquals(firstWords(k.maps().get("rx_streams"), 2), firstWords(i.maps().get("rx_streams"), 2));
        assertTrue(firstWords(i.maps().get("rx_streams"), 2).values().stream().anyMatch(v -> !v.matches("0+")),
                "the streams counted something");
    }

    /** The first n u64 words of every value, as hex. */
    static Map<String, String> firstWords(Map<String, String> values, int n) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, v.substring(0, 16 * n)));
        return out;
    }

    static byte[] measured(int stream, int seq, int cpu) {
        byte[] p = Packets.ipv4(Packets.UDP, 1234, 5201, 40);
        ByteBuffer b = ByteBuffer.wrap(p);
        int mh = 14 + 20 + 8;
        b.putShort(mh, (short) 0x58DF).putShort(mh + 2, (short) stream).putInt(mh + 4, seq).putLong(mh + 8, 0);
        p[mh + 16] = (byte) cpu;
        p[mh + 17] = 1;
        return p;
    }
}
