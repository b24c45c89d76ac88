package dev.xdperf.rx;

/**
 * One stream as the receiver saw it, summed over receiving CPUs and sending CPUs.
 * {@code expected} is the sequence space the senders covered (highest sequence + 1 per
 * sending CPU), so {@code lost} counts gaps even when nobody told the receiver what was sent.
 */
public record StreamStats(int streamId, long packets, long bytes, long expected, long duplicates,
                          long reordered, long late, long latencySumNs, long latencyCount, long jitterNs) {
    /** Distinct packets received. */
    public long unique() {
        return packets - duplicates;
    }

    /** Packets missing from the sequence space seen (tail losses need the sender's count). */
    public long lost() {
        return Math.max(0, expected - unique());
    }

    public long meanLatencyNs() {
        return latencyCount == 0 ? -1 : latencySumNs / latencyCount;
    }
}
