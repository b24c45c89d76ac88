package dev.xdperf.rx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.bpf.Structs;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void bucketsAreContiguousAndCoverEveryValue() {
        long expectedLow = 0;
        for (int i = 0; i < Structs.HIST_BUCKETS; i++) {
            assertEquals(expectedLow, LatencyHistogram.lowerBound(i), "bucket " + i);
            expectedLow += LatencyHistogram.width(i);
        }
        // The top octave (bit 63 set) exists only for the kernel's unsigned values.
        assertEquals(Structs.HIST_BUCKETS - 1 - 64, LatencyHistogram.index(Long.MAX_VALUE));
    }

    @Test
    void everyValueFallsInItsBucketWithinOnePointSixPercent() {
        Random r = new Random(42);
        for (int n = 0; n < 100_000; n++) {
            long v = r.nextLong() >>> (1 + r.nextInt(63));
            int i = LatencyHistogram.index(v);
            long lo = LatencyHistogram.lowerBound(i);
            assertTrue(v >= lo && v - lo < LatencyHistogram.width(i), v + " outside bucket " + i);
            if (v >= 64) {
                assertTrue((double) LatencyHistogram.width(i) / lo <= 1.0 / 64 + 1e-12, "bucket " + i + " too wide");
            }
        }
    }

    @Test
    void percentilesOfAKnownDistribution() {
        long[] counts = new long[Structs.HIST_BUCKETS];
        for (long v = 1000; v < 2000; v++) {
            counts[LatencyHistogram.index(v)]++;
        }
        LatencyHistogram h = new LatencyHistogram(counts);
        assertEquals(1000, h.count());
        assertEquals(1000, h.min());
        assertEquals(1500, h.percentile(50), 1500 * 0.016);
        assertEquals(1990, h.percentile(99), 1990 * 0.016);
        assertTrue(h.max() >= 1999 && h.max() <= 1999 * 1.016);
        assertEquals(-1, LatencyHistogram.empty().percentile(50));
    }
}
