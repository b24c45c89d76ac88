package dev.xdperf.cli;

import dev.xdperf.bpf.XdpMode;
import dev.xdperf.features.FeatureFormat;
import dev.xdperf.features.FeatureReport;
import dev.xdperf.features.FeatureRun;
import dev.xdperf.features.FeatureTier;
import dev.xdperf.net.Interfaces;
import dev.xdperf.probe.Privileges;
import dev.xdperf.rx.Verdict;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Option;

/** `xdperf server --features`: the options of a packet-features run, and the run (docs/features.md). */
final class ServerFeatures {
    @Option(names = "--features", paramLabel = "TIER",
            description = "Export packet features: flows (per 5-tuple, in the kernel), sampled:N (1 record per N packets) or full (every packet).")
    String tier;

    @Option(names = "--features-out", paramLabel = "FILE|udp://HOST:PORT",
            description = "Where records go: a file, - for standard output, or an IPFIX collector (default xdperf-features.EXT).")
    String featuresOut;

    @Option(names = "--features-format", paramLabel = "FMT",
            description = "csv, jsonl, arrow or ipfix (default: from the output's extension; udp:// is ipfix; else csv, ipfix for flows).")
    String featuresFormat;

    @Option(names = "--baseline", paramLabel = "RX",
            description = "af_packet: extract the same features in user space from an AF_PACKET TPACKET_V3 ring instead of XDP.")
    String baseline;

    @Option(names = {"-t", "--duration"}, paramLabel = "TIME", converter = Converters.Time.class,
            description = "With --features: how long to receive (default: until interrupted).")
    Duration duration;

    @Option(names = "--features-interval", paramLabel = "TIME", converter = Converters.Time.class,
            description = "With --features: export flows and flush outputs this often (default 10 s).")
    Duration featuresInterval;

    @Option(names = "--features-ring", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "Ring buffer size: per CPU for XDP (power of two, default 16M), the whole ring for af_packet (default 32M).")
    Long featuresRing;

    @Option(names = "--features-max-flows", paramLabel = "N",
            description = "Flow table capacity of the flows tier (default 65536; the least recently used flow is evicted, and counted).")
    Integer featuresMaxFlows;

    @Option(names = "--no-pass-prog",
            description = "With --baseline af_packet: do not attach xdp_pass (veth needs it to deliver frames sent with XDP_TX).")
    boolean noPassProg;

    @Option(names = "--json", description = "With --features: the final report as JSON on standard output (live lines go to standard error).")
    boolean json;

    boolean requested() {
        return tier != null;
    }

    /** A server that counts xdperf runs takes none of these. */
    void refuseWithoutFeatures() {
        for (Object[] o : new Object[][] {{"--features-out", featuresOut}, {"--features-format", featuresFormat},
                {"--baseline", baseline}, {"--duration", duration}, {"--features-interval", featuresInterval},
                {"--features-ring", featuresRing}, {"--features-max-flows", featuresMaxFlows}}) {
            if (o[1] != null) {
                throw new IllegalArgumentException(o[0] + " needs --features (example: --features flows)");
            }
        }
        if (json) {
            throw new IllegalArgumentException("--json needs --features (a client prints the run's report)");
        }
    }

    /** Runs until --duration ends or a signal, then reports; the exit code. */
    int run(String dev, Verdict verdict, XdpMode xdpMode) throws Exception {
        FeatureTier t = FeatureTier.parse(tier);
        boolean afPacket = false;
        if (baseline != null) {
            if (!baseline.equalsIgnoreCase("af_packet")) {
                throw new IllegalArgumentException("--baseline " + baseline + " is not af_packet");
            }
            afPacket = true;
        }
        FeatureFormat format = featuresFormat == null ? null : FeatureFormat.parse(featuresFormat);
        Privileges.requireXdp("server");
        Interfaces.requireExists(dev);
        FeatureRun.Builder b = FeatureRun.builder(dev, t).out(featuresOut).afPacket(afPacket).verdict(verdict).xdpMode(xdpMode)
                .duration(duration).attachPass(!noPassProg)
                .log(json ? line -> {
                    System.err.println(line);
                    System.err.flush();
                } : line -> {
                    System.out.println(line);
                    System.out.flush();
                });
        if (format != null) {
            b.format(format);
        }
        if (featuresInterval != null) {
            b.exportInterval(featuresInterval);
        }
        if (featuresRing != null) {
            b.ringBytes(featuresRing);
        } else if (afPacket) {
            b.ringBytes(32L << 20);
        }
        if (featuresMaxFlows != null) {
            b.maxFlows(featuresMaxFlows);
        }
        return runUntilStopped(b.build());
    }

    /** Ctrl-C or SIGTERM ends the run cleanly: the last records and the report still get written. */
    private int runUntilStopped(FeatureRun run) throws java.io.IOException {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger exit = new AtomicInteger(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                if (done.await(20, TimeUnit.SECONDS)) {
                    // The run ended and reported: leave with its exit code, not the signal's 143.
                    Runtime.getRuntime().halt(exit.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "xdperf-features-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            FeatureReport report = run.run(stop::get);
            if (json) {
                System.out.println(report.toJson().toPrettyString());
            } else {
                report.toText().forEach(System.out::println);
            }
            System.out.flush();
            System.err.flush();
            exit.set(0);
            return 0;
        } finally {
            done.countDown();
            if (!stop.get()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
        }
    }
}
