package dev.xdperf.features;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns cumulative per-flow counters into export rows: each export writes, for every flow
 * that saw packets since the previous export, the packets and bytes since then. The rows of
 * one flow therefore add up to its totals, whichever receiver counted it.
 */
final class FlowTable {
    /** A flow's counters since it was first seen; times are CLOCK_REALTIME nanoseconds. */
    record Cumulative(long packets, long bytes, long firstNs, long lastNs, int tcpFlags) {}

    private final Map<FlowKey, long[]> exported = new HashMap<>();
    private long packetsExported;
    private long rows;

    /** Writes the deltas of {@code current}; returns the rows written. */
    long export(Map<FlowKey, Cumulative> current, FeatureWriter w) throws IOException {
        long n = 0;
        for (var e : current.entrySet()) {
            Cumulative c = e.getValue();
            long[] last = exported.computeIfAbsent(e.getKey(), k -> new long[2]);
            long dp = c.packets() - last[0];
            long db = c.bytes() - last[1];
            if (dp <= 0) {
                continue;
            }
            w.flow(new FlowRecord(e.getKey(), dp, db, c.firstNs(), c.lastNs(), c.tcpFlags()));
            last[0] = c.packets();
            last[1] = c.bytes();
            packetsExported += dp;
            n++;
        }
        rows += n;
        return n;
    }

    /** Packets in every row written so far. */
    long packetsExported() {
        return packetsExported;
    }

    long rows() {
        return rows;
    }

    /** Flows exported at least once. */
    int flows() {
        return exported.size();
    }
}
