package dev.xdperf.analyze.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.adversary.Adversary;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheSimulatorTest {
    static CacheStats sim(Policy p, int size, int... seq) {
        return CacheSimulator.simulate(seq, p, size, 1);
    }

    @Test
    void lruFifoAndLfuOnSmallSequences() {
        int[] cyclic = {1, 2, 3, 1, 2, 3, 1, 2, 3};
        assertEquals(0, sim(Policy.LRU, 2, cyclic).hits());
        assertEquals(6, sim(Policy.LRU, 3, cyclic).hits());
        CacheStats s = sim(Policy.LRU, 2, cyclic);
        assertEquals(3, s.compulsory());
        assertEquals(6, s.capacity());
        // LRU keeps the recently used 1; FIFO evicts it because it came first
        int[] seq = {1, 2, 1, 3, 1};
        assertEquals(2, sim(Policy.LRU, 2, seq).hits());
        assertEquals(1, sim(Policy.FIFO, 2, seq).hits());
        // LFU keeps the frequent 1 through a scan of new traces
        int[] scan = {1, 1, 1, 2, 3, 4, 5, 1};
        assertEquals(3, sim(Policy.LFU, 2, scan).hits());
        assertEquals(2, sim(Policy.LRU, 2, scan).hits());
    }

    /** A map update drops the traces that read the changed entry: their next packet is a re-trace, not a hit. */
    @Test
    void invalidationsDropTracesAndCountReTraces() {
        int[] seq = {1, 2, 1, 2, 1, 2, 1, 2};
        java.util.Map<Integer, int[]> drops = java.util.Map.of(4, new int[] {1}, 6, new int[] {1, 2, 3});
        for (Policy p : List.of(Policy.LRU, Policy.FIFO, Policy.LFU, Policy.OPTIMAL, Policy.INFINITE)) {
            CacheStats s = CacheSimulator.simulate(seq, p, 2, 1, drops);
            CacheStats before = CacheSimulator.simulate(seq, p, 2, 1);
            assertEquals(6, before.hits(), p.label());
            // packet 4 (trace 1) and packets 6, 7 (traces 1 and 2) miss: 3 drops of cached traces, 3 re-traces
            assertEquals(3, s.hits(), p.label());
            assertEquals(3, s.invalidated(), p.label() + ": trace 3 was never cached, dropping it costs nothing");
            assertEquals(3, s.retraces(), p.label());
            assertEquals(2, s.compulsory(), p.label());
            assertEquals(0, s.capacity(), p.label());
            assertEquals(s.lookups(), s.hits() + s.misses(), p.label());
        }
    }

    @Test
    void untraceablePacketsBypassTheCache() {
        CacheStats s = sim(Policy.LRU, 1, 1, -1, 1, -1, 1);
        assertEquals(5, s.packets());
        assertEquals(3, s.lookups());
        assertEquals(2, s.bypassed());
        assertEquals(2, s.hits());
        assertEquals(0.4, s.hitRate(), 1e-9);
        assertEquals(2.0 / 3, s.hitRateOfTraceable(), 1e-9);
    }

    @Test
    void beladyIsABoundForTheOthers() {
        int[] seq = new int[5000];
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < seq.length; i++) {
            seq[i] = r.nextInt(10) < 7 ? r.nextInt(4) : r.nextInt(40);
        }
        for (int size : new int[] {1, 2, 4, 8, 16}) {
            long opt = sim(Policy.OPTIMAL, size, seq).hits();
            for (Policy p : List.of(Policy.LRU, Policy.LFU, Policy.FIFO, Policy.RANDOM)) {
                assertTrue(sim(p, size, seq).hits() <= opt, p + " beat Belady at size " + size);
            }
            assertTrue(opt <= sim(Policy.INFINITE, 0, seq).hits());
        }
        assertEquals(3, sim(Policy.OPTIMAL, 2, 1, 2, 3, 1, 2, 3).lookups() - sim(Policy.OPTIMAL, 2, 1, 2, 3, 1, 2, 3).hits() - 1);
    }

    @Test
    void coverageOfTheMostFrequentTraces() {
        assertArrayEquals(new double[] {0.5, 0.8, 1.0}, CacheSimulator.coverage(new long[] {3, 5, 2}, 10), 1e-9);
    }

    @Test
    void adversaryMakesOnlinePoliciesMissEveryTime() {
        for (Policy p : List.of(Policy.LRU, Policy.FIFO, Policy.LFU, Policy.RANDOM)) {
            for (int size : new int[] {1, 2, 4, 8}) {
                Adversary.Order o = Adversary.thrash(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), p, size, 200, 1);
                assertEquals(0, o.check().hits(), p + " size " + size);
                assertEquals(200, o.traces().size());
            }
        }
        assertEquals(List.of(1, 2, 3, 1, 2, 3), Adversary.thrash(List.of(1, 2, 3), Policy.LRU, 2, 6, 1).traces());
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
                () -> Adversary.thrash(List.of(1, 2), Policy.LRU, 2, 10, 1));
        assertEquals("cannot make a 2-entry cache miss on every packet with 2 traces: it needs at least 3"
                + " (more traffic, or --mutate to find more traces)", few.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Adversary.thrash(List.of(1, 2, 3), Policy.OPTIMAL, 2, 10, 1));
    }

    @Test
    void policyNames() {
        assertEquals(Policy.OPTIMAL, Policy.parse("belady"));
        assertEquals(Policy.LRU, Policy.parse(" LRU "));
        assertEquals("'mru' is not a cache policy (lru, lfu, fifo, random, optimal, infinite)",
                assertThrows(IllegalArgumentException.class, () -> Policy.parse("mru")).getMessage());
    }
}
