package dev.xdperf.tx;

/**
 * What xdp_tx counted, summed over the sending CPUs; {@code deficit}: departures of a paced run
 * given up after gaps in sending, because catching up would have burst beyond --max-burst.
 */
public record TxCounters(long sentPackets, long sentBytes, long slots, long pacedSkips, long testDrops, long nanos,
                         long deficit) {
    public static final TxCounters ZERO = new TxCounters(0, 0, 0, 0, 0, 0, 0);

    /** Counters of a run without a deficit. */
    public TxCounters(long sentPackets, long sentBytes, long slots, long pacedSkips, long testDrops, long nanos) {
        this(sentPackets, sentBytes, slots, pacedSkips, testDrops, nanos, 0);
    }

    public TxCounters minus(TxCounters before) {
        return new TxCounters(sentPackets - before.sentPackets, sentBytes - before.sentBytes, slots - before.slots,
                pacedSkips - before.pacedSkips, testDrops - before.testDrops, nanos - before.nanos, deficit - before.deficit);
    }
}
