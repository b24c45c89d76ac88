package dev.xdperf.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The live-frames batch of paced runs: short enough to spread frames, long enough to keep up. */
class PacedBatchTest {
    @Test
    void batchFollowsTheIntervalPerCpu() {
        assertEquals(64, Transmitter.pacedBatch(1_000_000), "1 kpps per CPU");
        assertEquals(64, Transmitter.pacedBatch(10_000), "100 kpps per CPU");
        assertEquals(16, Transmitter.pacedBatch(2_000), "500 kpps: a batch lasts about one interval");
        assertEquals(4, Transmitter.pacedBatch(1_000), "1 Mpps: the smallest batch");
        assertEquals(16, Transmitter.pacedBatch(333), "3 Mpps: large enough that the setup stays under a quarter");
        assertEquals(32, Transmitter.pacedBatch(200), "5 Mpps");
        assertEquals(64, Transmitter.pacedBatch(100), "beyond what a CPU sends: as flat out");
    }

    @Test
    void everyBatchIsAPowerOfTwoBetween4And64() {
        for (long interval = 1; interval < 2_000_000; interval = interval * 5 / 4 + 1) {
            int b = Transmitter.pacedBatch(interval);
            assertEquals(1, Integer.bitCount(b), "interval " + interval + ": " + b);
            assertEquals(true, b >= 4 && b <= 64, "interval " + interval + ": " + b);
        }
    }
}
