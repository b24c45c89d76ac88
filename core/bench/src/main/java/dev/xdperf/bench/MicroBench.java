package dev.xdperf.bench;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.ChecksumFiller;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.bpf.FreshTestRun;
import dev.xdperf.bpf.RawProgram;
import dev.xdperf.bpf.TestRun;
import dev.xdperf.bpf.VerdictCounter;
import dev.xdperf.net.DemoTopology;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.plugin.PluginLimits;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.plugin.WasmPlugin;
import dev.xdperf.template.TemplateCompiler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Micro mode: BPF_PROG_TEST_RUN (not live) of the program under test on each template of the
 * traffic, {@code repeat} runs per call, {@code rounds} calls per template; the kernel measures
 * the mean time per run itself. No interface is involved, nothing is sent.
 */
public final class MicroBench {
    /** Addresses for the templates when there is no interface to take them from: the demo topology's. */
    static final MacAddress SRC_MAC = MacAddress.parse("02:00:5e:00:00:01");
    static final MacAddress DST_MAC = MacAddress.parse("02:00:5e:00:00:02");
    static final int MTU = 1500;

    private MicroBench() {}

    public static BenchReport run(BenchOptions o) {
        if (o.repeat < 1 || o.rounds < 1) {
            throw new IllegalArgumentException("--repeat and --rounds must be at least 1");
        }
        TemplateSet set = templates(o);
        TemplateCompiler.compile(set, MTU, 0);   // the same validation as a live run
        try (ProgramUnderTest p = ProgramUnderTest.load(o.program, o.section, o.mapContents()); QuietRounds quiet = new QuietRounds()) {
            List<BenchReport.Template> out = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            double weighted = 0;
            long weights = 0;
            for (int i = 0; i < set.templates().size(); i++) {
                PacketTemplate t = ChecksumFiller.fill(set.templates().get(i));
                byte[] frame = t.frame();
                // The kernel's verdict for the template itself, and whether the program rewrites it.
                TestRun.Result once = TestRun.run(p.program(), frame, 1);
                boolean rewrites = !Arrays.equals(once.dataOut(), frame);
                double[] ns = new double[o.rounds];
                int verdict;
                if (!rewrites) {
                    // Every run sees the template: one call of `repeat` runs on the same buffer measures it.
                    // Less an empty program's time in the same round: the test run's own loop, and the clock reads
                    // BPF statistics add to every run while anyone on the machine holds them, cancel out.
                    TestRun run = new TestRun(p.program(), frame);
                    TestRun empty = new TestRun(quiet.pass(), frame);
                    run.run(Math.min(o.repeat, 1000));   // warm caches and branch predictors first
                    verdict = once.retval();
                    int[] v = {verdict};
                    quiet.rounds(ns, () -> {
                        TestRun.Result res = run.run(o.repeat);
                        v[0] = res.retval();
                        return (double) res.durationNs() - empty.run(o.repeat).durationNs();
                    });
                    verdict = v[0];
                } else {
                    // The kernel runs a call's repeats on one buffer, so from the second run on the program would see
                    // its own output: a wrapper restores the frame before every run and tail-calls the program. Its
                    // own cost (the same wrapper around a program that only passes) is taken off, as is the empty
                    // program's for the other templates, so the figures compare.
                    try (FreshTestRun fresh = new FreshTestRun(p.program(), frame)) {
                        fresh.run(Math.min(o.repeat, 1000));
                        int[] v = {once.retval()};
                        quiet.rounds(ns, () -> {
                            TestRun.Result res = fresh.run(o.repeat);
                            v[0] = res.retval();
                            return (double) res.durationNs() - fresh.runEmpty(o.repeat).durationNs();
                        });
                        verdict = v[0];
                    }
                    if (verdict == FreshTestRun.NOT_RUN) {
                        throw new IllegalStateException("run " + p.name() + " on a fresh copy of template t" + i
                                + ": the wrapper could not restore the frame or tail-call the program");
                    }
                }
                // Two means the kernel truncated to whole ns: their true difference is up to 1 ns either side.
                double quantLow = 1;
                double quantHigh = 1;
                double[] mh = Interval.meanAndHalfWidth(fasterHalf(ns));
                double mean = Math.max(0, mh[0] + (quantHigh - quantLow) / 2);
                // a program as cheap as the empty one can come out below it: both ends stay at or above 0
                double low = Math.max(0, mh[0] - mh[1] - quantLow);
                Interval ci = new Interval(low, Math.max(low, mh[0] + mh[1] + quantHigh));
                Arrays.sort(ns);
                out.add(new BenchReport.Template(i, t.streamId(), t.length(), t.weight(), action(verdict), mean, ns[0],
                        ns[ns.length - 1], action(once.retval()), rewrites, ci));
                if (verdict != once.retval()) {
                    warnings.add(String.format("template t%d: the program returned %s under repetition but %s on the template"
                            + " alone (it keeps state between runs)", i, action(verdict), action(once.retval())));
                }
                double median = mean;
                weighted += median * t.weight();
                weights += t.weight();
            }
            BenchReport.Micro micro = new BenchReport.Micro(o.repeat, o.rounds, weights == 0 ? 0 : weighted / weights, out);
            return new BenchReport(o.name != null ? o.name : p.name(), o.program.toString(), p.name(), p.section(), null, null,
                    micro, warnings);
        }
    }

    /**
     * Rounds that take turns on the online CPUs (one thread pinned to each), and the empty
     * program every round's figure is taken relative to.
     */
    static final class QuietRounds implements AutoCloseable {
        private final List<java.util.concurrent.ExecutorService> cpus = new ArrayList<>();
        private RawProgram pass;

        interface Round {
            double measure();
        }

        QuietRounds() {
            for (int cpu : dev.xdperf.bpf.Cpus.online()) {
                java.util.concurrent.ExecutorService e = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "xdperf-bench-cpu" + cpu);
                    t.setDaemon(true);
                    return t;
                });
                try {
                    e.submit(() -> dev.xdperf.bpf.Cpus.pinCurrentThread(cpu)).get();
                    cpus.add(e);
                } catch (Exception notAllowed) {
                    e.shutdownNow();   // outside this process's CPU set (taskset): leave it out
                }
            }
        }

        /** A program that only returns XDP_PASS. */
        dev.xdperf.bpf.BpfProgram pass() {
            if (pass == null) {
                pass = RawProgram.loadXdp("xdperf_empty", FreshTestRun.PASS);
            }
            return pass.program();
        }

        void rounds(double[] ns, Round round) {
            for (int r = 0; r < ns.length; r++) {
                ns[r] = on(r, round);
            }
        }

        private double on(int r, Round round) {
            if (cpus.isEmpty()) {
                return round.measure();
            }
            try {
                return cpus.get(r % cpus.size()).submit(round::measure).get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("bench interrupted");
            }
        }

        @Override
        public void close() {
            cpus.forEach(java.util.concurrent.ExecutorService::shutdownNow);
            if (pass != null) {
                pass.close();
            }
        }
    }

    /**
     * The faster half of the rounds (at least two). Other work on the machine only ever adds time
     * to a round — a busy sibling thread, preemption, a CPU another tenant keeps loaded — so the
     * faster rounds are the program's own cost; rounds take turns on the CPUs, so that one loaded
     * CPU lands in the slower half.
     */
    static double[] fasterHalf(double[] ns) {
        double[] sorted = ns.clone();
        Arrays.sort(sorted);
        return Arrays.copyOf(sorted, Math.min(sorted.length, Math.max(2, (sorted.length + 1) / 2)));
    }

    /** BPF_PROG_TEST_RUN of each template's frame, once: the verdict the traffic should get from the program. */
    static List<BenchReport.KernelVerdict> kernelVerdicts(ProgramUnderTest p, TemplateSet set) {
        List<BenchReport.KernelVerdict> out = new ArrayList<>();
        for (int i = 0; i < set.templates().size(); i++) {
            PacketTemplate t = ChecksumFiller.fill(set.templates().get(i));
            out.add(new BenchReport.KernelVerdict(i, t.weight(), action(TestRun.run(p.program(), t.frame(), 1).retval())));
        }
        return out;
    }

    static String action(int retval) {
        return retval >= 0 && retval < VerdictCounter.ACTIONS.size() - 1 ? VerdictCounter.ACTIONS.get(retval) : "other " + retval;
    }

    /** The traffic's templates, as a live run would send them (addresses of the demo topology). */
    static TemplateSet templates(BenchOptions o) {
        InetAddressPair a = new InetAddressPair();
        if (o.plugin != null) {
            dev.xdperf.plugin.LoadedPlugin plugin = new PluginResolver(PluginResolver.defaultInstallDir(), PluginLimits.DEFAULT).load(o.plugin);
            var options = plugin.describe().resolveOptions(PluginResolver.parseOptions(o.pluginOptions));
            RunRequest r = new RunRequest(AbiVersion.HOST, MTU, 1, SRC_MAC.bytes(), DST_MAC.bytes(), o.size == null ? 0 : o.size, 0,
                    List.of(a.src), List.of(a.dst), options);
            return plugin.generate(r);
        }
        if (o.templates != null) {
            return PluginResolver.file(o.templates).generate(null);
        }
        if (o.traffic != null) {
            return CaptureTraffic.read(o.traffic).templates();
        }
        return new UdpStream(SRC_MAC, DST_MAC, a.src, a.dst, o.srcPort, o.dstPort, o.size == null ? UdpStream.MIN_FRAME : o.size,
                0, true).toTemplateSet();
    }

    private static final class InetAddressPair {
        final java.net.InetAddress src = UdpStream.parseIp(DemoTopology.CLIENT_IP);
        final java.net.InetAddress dst = UdpStream.parseIp(DemoTopology.SERVER_IP);
    }
}
