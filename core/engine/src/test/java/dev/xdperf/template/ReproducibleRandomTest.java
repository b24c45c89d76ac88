package dev.xdperf.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.FieldRule;
import org.junit.jupiter.api.Test;

/**
 * The random field rules' generator (FieldEngine.ruleKey and value, which xdp_tx computes the
 * same way): uniform over the declared range, a function of (seed, rule, packet or flow) only,
 * and different for different seeds, rules and shards.
 */
class ReproducibleRandomTest {
    private static final FieldRule.Scope PACKET = FieldRule.Scope.PACKET;
    private static final FieldRule.Scope FLOW = FieldRule.Scope.FLOW;

    /** Pearson's statistic of {@code n} draws of a rule over [0, range) against the uniform distribution. */
    private static double chiSquare(FieldRule r, long key, int range, int n) {
        long[] counts = new long[range];
        for (int j = 0; j < n; j++) {
            counts[(int) (FieldEngine.value(r, key, j, 0) - r.min())]++;
        }
        double expected = (double) n / range, x2 = 0;
        for (long c : counts) {
            x2 += (c - expected) * (c - expected) / expected;
        }
        return x2;
    }

    @Test
    void valuesAreUniformOverTheDeclaredRange() {
        // 999 degrees of freedom: the statistic's mean is 999 and its standard deviation about 44.7;
        // 5 standard deviations above the mean is far beyond chance for a fixed seed (deterministic).
        int range = 1000;
        FieldRule r = FieldRule.random(34, 2, PACKET, 5000, 5000 + range - 1);
        for (long seed : new long[] {0, 1, 42, 0xDEADBEEFL, -1L}) {
            double x2 = chiSquare(r, FieldEngine.ruleKey(seed, 0, 0, 0, PACKET), range, 1_000_000);
            assertTrue(x2 < 999 + 5 * Math.sqrt(2 * 999), "seed " + seed + ": chi-square " + x2);
            assertTrue(x2 > 999 - 5 * Math.sqrt(2 * 999), "seed " + seed + ": too even to be random, chi-square " + x2);
        }
        // a power-of-two range takes the low bits: uniform too
        FieldRule low = FieldRule.random(34, 1, PACKET, 0, 255);
        double x2 = chiSquare(low, FieldEngine.ruleKey(7, 0, 0, 0, PACKET), 256, 500_000);
        assertTrue(x2 < 255 + 5 * Math.sqrt(2 * 255), "chi-square " + x2);
    }

    @Test
    void everyValueLiesInTheRangeAtEveryWidth() {
        FieldRule r = FieldRule.random(0, 8, PACKET, 10, 20);
        FieldRule full = FieldRule.random(0, 8, PACKET, 0, -1L);   // all of 2^64
        long key = FieldEngine.ruleKey(3, 1, 2, 3, PACKET);
        boolean high = false;
        for (int j = 0; j < 100_000; j++) {
            long v = FieldEngine.value(r, key, j, 0);
            assertTrue(v >= 10 && v <= 20, "value " + v);
            high |= FieldEngine.value(full, key, j, 0) < 0;   // the top bit is drawn too
        }
        assertTrue(high);
    }

    @Test
    void theSeedAloneDecidesAndDifferentSeedsDiffer() {
        FieldRule r = FieldRule.random(34, 2, PACKET, 0, 65535);
        long a = FieldEngine.ruleKey(42, 0, 0, 0, PACKET);
        assertEquals(a, FieldEngine.ruleKey(42, 0, 0, 0, PACKET));
        int same = 0;
        long b = FieldEngine.ruleKey(43, 0, 0, 0, PACKET);
        for (int j = 0; j < 10_000; j++) {
            same += FieldEngine.value(r, a, j, 0) == FieldEngine.value(r, b, j, 0) ? 1 : 0;
        }
        assertTrue(same < 10, "seeds 42 and 43 agree on " + same + " of 10,000 values");
    }

    @Test
    void keysSeparateRulesTemplatesAndShardsButNotAFlowsShard() {
        long seed = 9;
        assertNotEquals(FieldEngine.ruleKey(seed, 0, 0, 0, PACKET), FieldEngine.ruleKey(seed, 0, 0, 1, PACKET), "rules");
        assertNotEquals(FieldEngine.ruleKey(seed, 0, 0, 0, PACKET), FieldEngine.ruleKey(seed, 0, 1, 0, PACKET), "templates");
        // a shard sends its template under another stream id: per-packet values differ, a flow stays the same flow
        assertNotEquals(FieldEngine.ruleKey(seed, 0, 0, 0, PACKET), FieldEngine.ruleKey(seed, 4, 0, 0, PACKET), "shards");
        assertEquals(FieldEngine.ruleKey(seed, 0, 0, 0, FLOW), FieldEngine.ruleKey(seed, 4, 0, 0, FLOW), "flows");
        assertNotEquals(FieldEngine.ruleKey(seed, 0, 0, 0, FLOW), FieldEngine.ruleKey(seed, 0, 0, 0, PACKET), "scopes");
    }
}
