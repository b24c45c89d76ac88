package dev.xdperf.tx;

/** What xdp_tx counted, summed over the sending CPUs. */
public record TxCounters(long sentPackets, long sentBytes, long slots, long pacedSkips, long testDrops, long nanos) {
    public static final TxCounters ZERO = new TxCounters(0, 0, 0, 0, 0, 0);

    public TxCounters minus(TxCounters before) {
        return new TxCounters(sentPackets - before.sentPackets, sentBytes - before.sentBytes, slots - before.slots,
                pacedSkips - before.pacedSkips, testDrops - before.testDrops, nanos - before.nanos);
    }
}
