package dev.xdperf.cli;

import dev.xdperf.web.Metrics;
import dev.xdperf.web.Dashboard;

import dev.xdperf.bpf.XdpMode;
import dev.xdperf.control.ControlServer;
import dev.xdperf.net.Interfaces;
import dev.xdperf.probe.Privileges;
import dev.xdperf.rx.Receiver;
import dev.xdperf.rx.Verdict;
import dev.xdperf.features.FeatureFormat;
import dev.xdperf.features.FeatureReport;
import dev.xdperf.features.FeatureRun;
import dev.xdperf.features.FeatureTier;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Count xdperf traffic at XDP speed on an interface, per stream:",
                "packets, bytes, loss, duplicates, reordering, latency. Serves one client run after another.",
                "With --features: export packet features of any traffic on the interface instead (receive only,",
                "no control channel) until --duration ends or Ctrl-C; see docs/features.md."})
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--dev", required = true, paramLabel = "IF", description = "Interface to receive on.")
    String dev;

    @Option(names = {"-B", "--bind"}, paramLabel = "ADDR", description = "Control address to listen on (default: all).")
    String bind;

    @Option(names = {"-p", "--port"}, paramLabel = "P", description = "Control port (default ${DEFAULT-VALUE}).")
    int port = ControlServer.DEFAULT_PORT;

    @Option(names = "--verdict", paramLabel = "V", description = "What happens to xdperf frames after counting: drop (default) or pass.")
    String verdict = "drop";

    @Option(names = "--xdp-mode", converter = Converters.Mode.class, paramLabel = "MODE",
            description = "native (default) or generic.")
    XdpMode xdpMode = XdpMode.NATIVE;

    @Option(names = "--runs", paramLabel = "N", description = "Exit after N runs (default: serve forever).")
    int runs;

    @Option(names = "--metrics-port", paramLabel = "P", description = "Serve Prometheus metrics of the runs on port P (/metrics).")
    Integer metricsPort;

    @Option(names = "--run-id", paramLabel = "ID", description = "Label of this server in metrics (default: the host name).")
    String runId;

    @Option(names = "--features", paramLabel = "TIER",
            description = "Export packet features: flows (per 5-tuple, in the kernel), sampled:N (1 record per N packets) or full (every packet).")
    String features;

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

    @Override
    public Integer call() throws Exception {
        if (features != null) {
            return features();
        }
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
        Verdict v = switch (verdict.toLowerCase(Locale.ROOT)) {
            case "drop" -> Verdict.DROP;
            case "pass" -> Verdict.PASS;
            default -> throw new IllegalArgumentException("--verdict " + verdict + " is not drop or pass");
        };
        if (runs < 0) {
            throw new IllegalArgumentException("--runs must be positive");
        }
        Privileges.requireXdp("server");
        Interfaces.requireExists(dev);
        // Fail now, not at the first client, when the receiver cannot load or attach here.
        try (Receiver check = Receiver.attach(dev, v, xdpMode)) {
            check.totals();
        }
        try (ControlServer server = ControlServer.bind(dev, bind, port, v, xdpMode, runs, line -> {
            System.out.println(line);
            System.out.flush();
        })) {
            Metrics metrics = metricsPort == null ? null : Metrics.start(metricsPort, bind,
                    java.util.Map.of("run", runId != null ? runId : java.net.InetAddress.getLocalHost().getHostName(), "role", "server"));
            try {
                server.metrics(metrics);
                server.serve();
            } finally {
                if (metrics != null) {
                    metrics.close();
                }
            }
        }
        return 0;
    }

    private Integer features() throws Exception {
        FeatureTier tier = FeatureTier.parse(features);
        Verdict v = switch (verdict.toLowerCase(Locale.ROOT)) {
            case "drop" -> Verdict.DROP;
            case "pass" -> Verdict.PASS;
            default -> throw new IllegalArgumentException("--verdict " + verdict + " is not drop or pass");
        };
        boolean afPacket = false;
        if (baseline != null) {
            if (!baseline.equalsIgnoreCase("af_packet")) {
                throw new IllegalArgumentException("--baseline " + baseline + " is not af_packet");
            }
            afPacket = true;
        }
        if (runs != 0 || metricsPort != null) {
            throw new IllegalArgumentException((runs != 0 ? "--runs" : "--metrics-port") + " does not apply with --features "
                    + "(a features run serves no clients)");
        }
        FeatureFormat format = featuresFormat == null ? null : FeatureFormat.parse(featuresFormat);
        Privileges.requireXdp("server");
        Interfaces.requireExists(dev);
        FeatureRun.Builder b = FeatureRun.builder(dev, tier).out(featuresOut).afPacket(afPacket).verdict(v).xdpMode(xdpMode)
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
        FeatureRun run = b.build();
        // Ctrl-C or SIGTERM ends the run cleanly: the last records and the report still get written.
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
