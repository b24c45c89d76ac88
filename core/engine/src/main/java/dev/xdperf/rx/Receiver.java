package dev.xdperf.rx;

import dev.xdperf.bpf.BpfMap;
import dev.xdperf.bpf.BpfObject;
import dev.xdperf.bpf.Structs;
import dev.xdperf.bpf.XdpLink;
import dev.xdperf.bpf.XdpMode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * xdp_rx attached to an interface through a BPF link, and the reading of its counters.
 * Each receiver loads its own object, so a new run starts from zero.
 */
public final class Receiver implements AutoCloseable {
    private final String ifname;
    private BpfObject object;
    private XdpLink link;

    private final long burstIntervalNs;

    private Receiver(String ifname, BpfObject object, XdpLink link, long burstIntervalNs) {
        this.ifname = ifname;
        this.object = object;
        this.link = link;
        this.burstIntervalNs = burstIntervalNs;
    }

    public static Receiver attach(String ifname, Verdict verdict, XdpMode mode) {
        return attach(ifname, verdict, mode, 0);
    }

    /**
     * A receiver that also measures the largest burst of a sender paced at one frame every
     * {@code burstIntervalNs} per CPU (0: not paced, not measured), with the arithmetic of a
     * token bucket at that rate over the arrival times.
     */
    public static Receiver attach(String ifname, Verdict verdict, XdpMode mode, long burstIntervalNs) {
        BpfObject o = BpfObject.loadBundled("rx", List.of("xdp_rx"));
        try {
            ByteBuffer cfg = BpfMap.allocate(Structs.RxConfig.SIZE);
            cfg.putInt(Structs.RxConfig.VERDICT, verdict.code);
            cfg.putLong(Structs.RxConfig.BURST_INTERVAL_NS, Math.max(0, burstIntervalNs));
            o.map("rx_config").update(0, cfg);
            XdpLink l = XdpLink.attach(o.program("xdp_rx"), ifname, mode);
            return new Receiver(ifname, o, l, Math.max(0, burstIntervalNs));
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    public String ifname() {
        return ifname;
    }

    /** Totals only: cheap enough for a live line every second. */
    public synchronized RxSnapshot totals() {
        requireOpen();
        BpfMap t = object.map("rx_totals");
        ByteBuffer[] cpus = t.lookupPerCpu(0);
        long packets = 0;
        long bytes = 0;
        long other = 0;
        long bad = 0;
        for (ByteBuffer b : cpus) {
            packets += b.getLong(Structs.RxTotals.PACKETS);
            bytes += b.getLong(Structs.RxTotals.BYTES);
            other += b.getLong(Structs.RxTotals.OTHER_PACKETS);
            bad += b.getLong(Structs.RxTotals.BAD_STREAM);
        }
        return new RxSnapshot(packets, bytes, other, bad, List.of(), LatencyHistogram.empty(), LatencyHistogram.empty(),
                LatencyHistogram.empty(), System.nanoTime());
    }

    /** Totals, every stream that received something, its sequence tracking, and the latency histogram. */
    public synchronized RxSnapshot full() {
        RxSnapshot totals = totals();
        BpfMap streams = object.map("rx_streams");
        BpfMap flows = object.map("rx_flows");
        List<StreamStats> out = new ArrayList<>();
        for (int id = 0; id < Structs.MAX_STREAMS; id++) {
            long packets = 0;
            long bytes = 0;
            long latSum = 0;
            long latCount = 0;
            for (ByteBuffer b : streams.lookupPerCpu(id)) {
                packets += b.getLong(Structs.RxStream.PACKETS);
                bytes += b.getLong(Structs.RxStream.BYTES);
                latSum += b.getLong(Structs.RxStream.LAT_SUM_NS);
                latCount += b.getLong(Structs.RxStream.LAT_COUNT);
            }
            if (packets == 0) {
                continue;
            }
            long expected = 0;
            long dups = 0;
            long reordered = 0;
            long late = 0;
            long jitter = 0;
            long active = 0;
            for (int cpu = 0; cpu < Structs.MAX_CPUS; cpu++) {
                ByteBuffer f = flows.lookup(id * Structs.MAX_CPUS + cpu);
                long next = f.getLong(Structs.RxFlow.NEXT_SEQ);
                expected += next;
                dups += f.getLong(Structs.RxFlow.DUPLICATES);
                reordered += f.getLong(Structs.RxFlow.REORDERED);
                late += f.getLong(Structs.RxFlow.LATE);
                if (next > 0) {
                    jitter += f.getLong(Structs.RxFlow.JITTER_X16) / 16;
                    active++;
                }
            }
            out.add(new StreamStats(id, packets, bytes, expected, dups, reordered, late, latSum, latCount,
                    active == 0 ? 0 : jitter / active));
        }
        return new RxSnapshot(totals.packets(), totals.bytes(), totals.otherPackets(), totals.badStream(),
                out, histogram("rx_latency"), histogram("rx_gaps"), histogram("rx_send_gaps"), totals.nanos(), largestBurst());
    }

    /** The depth a token bucket at the sender's rate needs to pass every sending CPU's arrivals; 0 when not measured. */
    private long largestBurst() {
        if (burstIntervalNs == 0) {
            return 0;
        }
        BpfMap bursts = object.map("rx_bursts");
        long excess = -1;
        for (int cpu = 0; cpu < Structs.MAX_CPUS; cpu++) {
            for (ByteBuffer b : bursts.lookupPerCpu(cpu)) {
                if (b.getLong(Structs.RxBurst.TAT) != 0) {
                    excess = Math.max(excess, b.getLong(Structs.RxBurst.MAX_EXCESS_NS));
                }
            }
        }
        return excess < 0 ? 0 : excess / burstIntervalNs + 1;
    }

    private LatencyHistogram histogram(String map) {
        BpfMap m = object.map(map);
        long[] counts = new long[Structs.HIST_BUCKETS];
        for (int i = 0; i < counts.length; i++) {
            for (ByteBuffer b : m.lookupPerCpu(i)) {
                counts[i] += b.getLong(0);
            }
        }
        return new LatencyHistogram(counts);
    }

    private void requireOpen() {
        if (object == null) {
            throw new IllegalStateException("receiver on " + ifname + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (link != null) {
            link.close();
            link = null;
        }
        if (object != null) {
            object.close();
            object = null;
        }
    }
}
