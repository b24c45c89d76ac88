package dev.xdperf.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.xdperf.net.DeviceCounters;
import dev.xdperf.tx.TxCounters;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The report's delivery arithmetic: vanished frames, missed targets, streams that cannot be measured. */
class RunReportTest {
    static RunReport report(long target, double seconds, long sent, DeviceCounters dev, Map<Integer, Long> perStream, Set<Integer> unmeasured) {
        return new RunReport("eth1", List.of(0), 64, target, seconds, new TxCounters(sent, sent * 64, sent, 0, 0, 1), dev,
                null, null, null, false, null, List.of(), perStream, Map.of(), unmeasured);
    }

    @Test
    void aMissedTargetIsOneOutsideTheRunsEdges() {
        DeviceCounters dev = new DeviceCounters(0, 0, 0, 0, 8_600_000, 0, 1);
        assertEquals(57.0, report(2_000_000, 10, 8_600_000, dev, Map.of(), Set.of()).targetShortfallPercent(), 0.01);
        // 2,000 frames at 1 kpps take a little more than 2 s from first call to the end: not a missed target
        DeviceCounters small = new DeviceCounters(0, 0, 0, 0, 2000, 0, 1);
        assertEquals(0, report(1000, 2.04, 2000, small, Map.of(), Set.of()).targetShortfallPercent());
        assertEquals(0, report(0, 10, 5, small, Map.of(), Set.of()).targetShortfallPercent(), "flat out has no target");
    }

    @Test
    void vanishedIsSentMinusWhatTheDeviceTransmittedAndUnknownWithoutCounters() {
        assertEquals(300L, report(0, 1, 1000, new DeviceCounters(0, 0, 0, 0, 700, 40, 1), Map.of(), Set.of()).vanished());
        assertNull(report(0, 1, 1000, new DeviceCounters(0, 0, 0, 0, 0, 0, 1, false), Map.of(), Set.of()).vanished());
        assertEquals(30.0, report(0, 1, 1000, new DeviceCounters(0, 0, 0, 0, 700, 0, 1), Map.of(), Set.of()).vanishedPercent(), 1e-9);
    }

    @Test
    void unmeasuredStreamsAreLeftOutOfWhatTheReceiverCouldCount() {
        RunReport r = report(0, 1, 1000, new DeviceCounters(0, 0, 0, 0, 1000, 0, 1), Map.of(0, 600L, 1, 400L), Set.of(1));
        assertEquals(600, r.sentMeasured());
        RunReport none = report(0, 1, 1000, new DeviceCounters(0, 0, 0, 0, 1000, 0, 1), Map.of(0, 1000L), Set.of(0));
        assertEquals(false, none.measured());
        assertEquals(0, none.lost());
    }
}
