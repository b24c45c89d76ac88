package dev.xdperf.analyze.maps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.object.MapSpec;
import dev.xdperf.analyze.object.MapType;
import dev.xdperf.analyze.object.ObjectSpec;
import dev.xdperf.analyze.testing.Packets;
import dev.xdperf.analyze.vm.Memory;
import dev.xdperf.analyze.xdp.XdpMachine;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Map semantics the differential tests do not reach: flags, full maps, LRU eviction, per-CPU copies, legacy maps. */
class MapStateTest {
    static MapState map(MapType type, int keySize, int valueSize, int max, int cpus) {
        return MapState.create(new MapSpec("m", type, keySize, valueSize, max, 0, null, false, "btf"), 0, new Memory(), cpus);
    }

    static byte[] k(int v) {
        return MapKey.u32(v).bytes();
    }

    @Test
    void hashUpdateFlagsAndCapacity() {
        MapState h = map(MapType.HASH, 4, 8, 2, 1);
        assertEquals(-MapState.ENOENT, h.update(k(1), new byte[8], MapState.BPF_EXIST, 0));
        assertEquals(0, h.update(k(1), new byte[8], MapState.BPF_NOEXIST, 0));
        assertEquals(-MapState.EEXIST, h.update(k(1), new byte[8], MapState.BPF_NOEXIST, 0));
        assertEquals(0, h.update(k(2), new byte[8], MapState.BPF_ANY, 0));
        assertEquals(-MapState.E2BIG, h.update(k(3), new byte[8], MapState.BPF_ANY, 0), "full");
        assertEquals(-MapState.EINVAL, h.update(k(1), new byte[8], 7, 0));
        assertEquals(0, h.delete(k(1)));
        assertEquals(-MapState.ENOENT, h.delete(k(1)));
        assertEquals(0, h.lookup(k(1), 0));
    }

    @Test
    void anUpdateReplacesTheElementAndOldPointersSeeTheOldValue() {
        Memory mem = new Memory();
        MapState h = MapState.create(new MapSpec("h", MapType.HASH, 4, 8, 4, 0, null, false, "btf"), 0, mem, 1);
        h.update(k(1), new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, 0, 0);
        long before = h.lookup(k(1), 0);
        h.update(k(1), new byte[] {2, 0, 0, 0, 0, 0, 0, 0}, 0, 0);
        assertNotEquals(before, h.lookup(k(1), 0));
        assertEquals(1, mem.load(0, before, 1), "the old element lives until the run ends");
        assertEquals(2, mem.load(0, h.lookup(k(1), 0), 1));
    }

    @Test
    void lruEvictsTheLeastRecentlyUsed() {
        MapState l = map(MapType.LRU_HASH, 4, 8, 2, 1);
        l.update(k(1), new byte[8], 0, 0);
        l.update(k(2), new byte[8], 0, 0);
        l.lookup(k(1), 0);
        assertEquals(0, l.update(k(3), new byte[8], 0, 0));
        assertEquals(0, l.lookup(k(2), 0), "2 was evicted");
        assertTrue(l.lookup(k(1), 0) != 0 && l.lookup(k(3), 0) != 0);
    }

    @Test
    void arraysAndPerCpuCopies() {
        MapState a = map(MapType.PERCPU_ARRAY, 4, 8, 2, 4);
        assertEquals(0, a.lookup(k(2), 0), "index beyond max_entries");
        assertEquals(-MapState.E2BIG, a.update(k(2), new byte[8], 0, 0));
        assertEquals(-MapState.EEXIST, a.update(k(0), new byte[8], MapState.BPF_NOEXIST, 0));
        assertEquals(-MapState.EINVAL, a.delete(k(0)));
        assertEquals(0, a.update(k(1), new byte[] {9, 0, 0, 0, 0, 0, 0, 0}, 0, 3));
        assertEquals(9, a.entries(3).get(MapKey.u32(1))[0]);
        assertEquals(0, a.entries(0).get(MapKey.u32(1))[0], "other CPUs keep their copies");
        a.put(k(0), new byte[] {5});
        for (int cpu = 0; cpu < 4; cpu++) {
            assertEquals(5, a.entries(cpu).get(MapKey.u32(0))[0]);
        }
        assertThrows(IllegalArgumentException.class, () -> a.put(k(5), new byte[8]));
    }

    @Test
    void legacyMapsWorkInTheInterpreter() {
        ObjectSpec o = Packets.spec("legacy_maps");
        XdpMachine m = XdpMachine.builder(o, o.select(null)).build();
        for (int len : new int[] {14, 15, 16, 17, 18, 14}) {
            assertEquals(null, m.run(new byte[len]).fault());
        }
        Map<MapKey, byte[]> counts = m.map("counts").entries(0);
        assertArrayEquals(new long[] {1, 1, 3, 1},
                new long[] {counts.get(MapKey.u32(0))[0], counts.get(MapKey.u32(1))[0], counts.get(MapKey.u32(2))[0],
                        counts.get(MapKey.u32(3))[0]});
        assertEquals(5, m.map("seen").entries(0).size());
    }

    @Test
    void packetsLongerThanAFrameAreRefused() {
        ObjectSpec o = Packets.spec("ipv6_filter");
        XdpMachine m = XdpMachine.builder(o, o.select(null)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.run(new byte[4000]));
        assertEquals("run ipv6_filter: a packet of 4000 bytes is longer than the 3520 bytes an XDP frame holds", e.getMessage());
    }
}
