package dev.xdperf.rx;

import java.util.List;

/** The receiver's counters at one moment. Streams and latency are present only in full snapshots. */
public record RxSnapshot(long packets, long bytes, long otherPackets, long badStream,
                         List<StreamStats> streams, LatencyHistogram latency, LatencyHistogram gaps,
                         LatencyHistogram sendGaps, long nanos, long largestBurst) {
    public RxSnapshot {
        streams = List.copyOf(streams);
    }

    /** A snapshot without a burst measurement (a sender that was not paced, or not told). */
    public RxSnapshot(long packets, long bytes, long otherPackets, long badStream, List<StreamStats> streams, LatencyHistogram latency,
                      LatencyHistogram gaps, LatencyHistogram sendGaps, long nanos) {
        this(packets, bytes, otherPackets, badStream, streams, latency, gaps, sendGaps, nanos, 0);
    }

    public long duplicates() {
        return streams.stream().mapToLong(StreamStats::duplicates).sum();
    }

    public long reordered() {
        return streams.stream().mapToLong(s -> s.reordered() + s.late()).sum();
    }

    public long expected() {
        return streams.stream().mapToLong(StreamStats::expected).sum();
    }

    public long seqLost() {
        return streams.stream().mapToLong(StreamStats::lost).sum();
    }
}
