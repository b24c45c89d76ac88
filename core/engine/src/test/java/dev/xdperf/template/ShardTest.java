package dev.xdperf.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShardTest {
    @Test
    void sharesAddUpToTheTotalAndDifferByAtMostOne() {
        long[] totals = {0, 1, 2, 3, 7, 10, 99, 100_000, 2_500_001, 14_880_952, Long.MAX_VALUE / 3, Long.MAX_VALUE};
        for (int n = 1; n <= 17; n++) {
            for (long total : totals) {
                long sum = 0;
                long min = Long.MAX_VALUE;
                long max = 0;
                for (int i = 0; i < n; i++) {
                    long s = new Shard(i, n).share(total);
                    sum += s;
                    min = Math.min(min, s);
                    max = Math.max(max, s);
                }
                assertEquals(total, sum, total + " over " + n + " shards");
                assertTrue(max - min <= 1, total + " over " + n + ": parts " + min + ".." + max);
            }
        }
    }

    @Test
    void flowSlicesAreContiguousDisjointAndCoverEveryFlow() {
        for (int n = 1; n <= 9; n++) {
            for (long flows : new long[] {n, n + 1, 2L * n - 1, 1000, 65_536, 4_294_967_295L}) {
                long next = 0;
                for (int i = 0; i < n; i++) {
                    Shard s = new Shard(i, n);
                    assertEquals(next, s.from(flows), "shard " + i + " of " + n + " starts where the previous ended");
                    assertTrue(s.share(flows) >= 1, "every shard gets a flow when there are at least as many flows as shards");
                    next = s.from(flows) + s.share(flows);
                }
                assertEquals(flows, next, "the slices end at the last flow");
            }
        }
    }

    @Test
    void indexMustLieInsideTheCount() {
        assertThrows(IllegalArgumentException.class, () -> new Shard(2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Shard(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> new Shard(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Shard(0, 2).share(-1));
        assertEquals("1/3", new Shard(1, 3).toString());
    }
}
