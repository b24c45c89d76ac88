package dev.xdperf.bench;

import dev.xdperf.bpf.BpfStats;
import dev.xdperf.bpf.ProgramInfo;
import dev.xdperf.bpf.XdpLink;
import dev.xdperf.bpf.XdpMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The program under test attached to an interface in this process's network namespace,
 * with the kernel's run-time statistics on and a verdict probe beside it. Samples the run
 * count every {@value #SAMPLE_MS} ms to find when traffic really flowed; {@link #finish()}
 * turns the totals into a {@link BenchReport.Live}.
 */
public final class LiveSession implements AutoCloseable {
    static final int SAMPLE_MS = 50;

    private final ProgramUnderTest program;
    private final String ifname;
    private final List<String> warnings = new ArrayList<>();
    private XdpLink link;
    private BpfStats stats;
    private VerdictProbe probe;
    private ProgramInfo first;
    private long probeFirstNs;
    private long[] verdictsFirst;
    private final List<long[]> samples = new ArrayList<>();   // {nanos, run count, run time ns}

    private LiveSession(ProgramUnderTest program, String ifname) {
        this.program = program;
        this.ifname = ifname;
    }

    /** Attaches {@code program} to {@code ifname}, turns statistics on and starts counting verdicts. */
    public static LiveSession start(ProgramUnderTest program, String ifname, XdpMode mode, String verdicts) {
        LiveSession s = new LiveSession(program, ifname);
        try {
            s.link = XdpLink.attach(program.program(), ifname, mode);
            s.stats = BpfStats.enableRunTime();
            s.probe = VerdictProbe.open(program, ifname, VerdictProbe.Choice.parse(verdicts), s.warnings);
            ProgramInfo[] info = new ProgramInfo[1];
            s.verdictsFirst = quiet(program, s.probe, info);
            s.probeFirstNs = s.probe.ownRunTimeNs();
            s.first = info[0];
            s.samples.add(new long[] {System.nanoTime(), s.first.runCount(), s.first.runTimeNs()});
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Samples until {@code done} says so (checked every sample). */
    public void measure(BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            Thread.sleep(SAMPLE_MS);
            ProgramInfo i = program.info();
            samples.add(new long[] {System.nanoTime(), i.runCount(), i.runTimeNs()});
        }
    }

    /**
     * The verdict counts, with the program's run count in {@code info[0]}, read so that no packet
     * ran between them: a stray packet (neighbour discovery) between two reads would make the mix
     * and the run count disagree. Reads again while either moved, a few times.
     */
    private static long[] quiet(ProgramUnderTest program, VerdictProbe probe, ProgramInfo[] info) {
        long[] counts = probe.counts();
        for (int attempt = 0; ; attempt++) {
            info[0] = program.info();
            long[] again = probe.counts();
            if (java.util.Arrays.equals(counts, again) && program.info().runCount() == info[0].runCount() || attempt == 10) {
                return again;
            }
            counts = again;
        }
    }

    /** The totals since {@link #start}: cost per packet, handled rate and verdict mix. */
    public BenchReport.Live finish() {
        ProgramInfo[] info = new ProgramInfo[1];
        long[] verdicts = quiet(program, probe, info);
        ProgramInfo last = info[0];
        long probeNs = probe.ownRunTimeNs() - probeFirstNs;
        samples.add(new long[] {System.nanoTime(), last.runCount(), last.runTimeNs()});
        long packets = last.runCount() - first.runCount();
        long runTime = last.runTimeNs() - first.runTimeNs();
        long[] mix = new long[verdicts.length];
        for (int i = 0; i < mix.length; i++) {
            mix[i] = verdicts[i] - verdictsFirst[i];
        }
        double[] busy = busyWindow(samples);
        List<String> w = new ArrayList<>(warnings);
        if (packets == 0) {
            w.add("the program did not run: no packet reached it on " + ifname);
        } else if (probe.complete()) {
            long counted = java.util.Arrays.stream(mix).sum();
            if (counted != packets) {
                w.add(String.format("the verdict mix counts %,d packets but the program ran %,d times", counted, packets));
            }
        }
        double ns = packets == 0 ? 0 : Math.max(0, runTime - probeNs) / (double) packets;
        double ownShare = runTime <= 0 ? 1 : Math.max(0, runTime - probeNs) / (double) runTime;
        return new BenchReport.Live(ifname, packets, runTime, probeNs, ns, busy[1] > 0 ? busy[0] / busy[1] : 0, busy[1],
                probe.source(), probe.complete(), mix, w, interval(samples, ns, ownShare));
    }

    /**
     * {packets, seconds} over the sampling intervals in which the program was busy: at least 1%
     * of the busiest interval's runs, so that stray packets before and after the traffic (neighbour
     * discovery, for instance) do not stretch the window.
     */
    static double[] busyWindow(List<long[]> samples) {
        long peak = 0;
        for (int i = 1; i < samples.size(); i++) {
            peak = Math.max(peak, samples.get(i)[1] - samples.get(i - 1)[1]);
        }
        long packets = 0;
        long nanos = 0;
        for (int i = 1; i < samples.size(); i++) {
            long d = samples.get(i)[1] - samples.get(i - 1)[1];
            if (d > 0 && d * 100 >= peak) {
                packets += d;
                nanos += samples.get(i)[0] - samples.get(i - 1)[0];
            }
        }
        return new double[] {packets, nanos / 1e9};
    }

    /**
     * The 95% interval of the cost per packet from its spread over the busy sampling intervals
     * (each interval's run time over its runs, weighted by its runs), centred on the whole run's figure.
     */
    static Interval interval(List<long[]> samples, double ns, double ownShare) {
        long peak = 0;
        for (int i = 1; i < samples.size(); i++) {
            peak = Math.max(peak, samples.get(i)[1] - samples.get(i - 1)[1]);
        }
        List<double[]> xw = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++) {
            long d = samples.get(i)[1] - samples.get(i - 1)[1];
            if (d > 0 && d * 100 >= peak) {
                xw.add(new double[] {(samples.get(i)[2] - samples.get(i - 1)[2]) * ownShare / d, d});
            }
        }
        if (xw.size() < 2) {
            return Interval.point(ns);
        }
        double[] mh = Interval.weightedMeanAndHalfWidth(xw.stream().mapToDouble(a -> a[0]).toArray(),
                xw.stream().mapToDouble(a -> a[1]).toArray());
        double low = Math.max(0, ns - mh[1]);
        return new Interval(low, Math.max(low, ns + mh[1]));
    }

    @Override
    public void close() {
        if (probe != null) {
            probe.close();
            probe = null;
        }
        if (link != null) {
            link.close();
            link = null;
        }
        if (stats != null) {
            stats.close();
            stats = null;
        }
    }
}
