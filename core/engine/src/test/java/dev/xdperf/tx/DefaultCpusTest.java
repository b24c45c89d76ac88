package dev.xdperf.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The CPUs a run sends from when it names none: all flat out, as many as the rate needs when paced. */
class DefaultCpusTest {
    private static final List<Integer> EIGHT = List.of(0, 1, 2, 3, 4, 5, 6, 7);

    @Test
    void flatOutTakesEveryOnlineCpu() {
        assertEquals(EIGHT, Transmitter.defaultCpus(0, EIGHT));
        assertEquals(List.of(0, 1), Transmitter.defaultCpus(0, List.of(0, 1)));
    }

    @Test
    void pacedTakesOneCpuPerMppsFromTheLast() {
        assertEquals(List.of(7), Transmitter.defaultCpus(1_000, EIGHT), "1 kpps");
        assertEquals(List.of(7), Transmitter.defaultCpus(100_000, EIGHT), "100 kpps");
        assertEquals(List.of(7), Transmitter.defaultCpus(1_000_000, EIGHT), "1 Mpps: one CPU's share exactly");
        assertEquals(List.of(6, 7), Transmitter.defaultCpus(1_000_001, EIGHT), "just over 1 Mpps");
        assertEquals(List.of(5, 6, 7), Transmitter.defaultCpus(2_500_000, EIGHT), "2.5 Mpps");
        assertEquals(List.of(1), Transmitter.defaultCpus(100_000, List.of(0, 1)), "a 2-CPU machine keeps CPU 0 free");
    }

    @Test
    void aRateBeyondTheMachineTakesEveryCpu() {
        assertEquals(EIGHT, Transmitter.defaultCpus(50_000_000, EIGHT));
        assertEquals(List.of(0, 1), Transmitter.defaultCpus(3_000_000, List.of(0, 1)));
    }

    @Test
    void onlineCpusWithGapsKeepTheirNumbers() {
        assertEquals(List.of(9, 12), Transmitter.defaultCpus(2_000_000, List.of(2, 5, 9, 12)));
    }
}
