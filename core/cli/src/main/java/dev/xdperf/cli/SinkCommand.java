package dev.xdperf.cli;

import dev.xdperf.bpf.XdpMode;
import dev.xdperf.dist.Agent;
import dev.xdperf.dist.Sink;
import dev.xdperf.dist.StartTime;
import dev.xdperf.probe.Privileges;
import dev.xdperf.rx.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sink", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Count the xdperf frames of every agent of a distributed run, per stream, with no control channel:",
                "from now until the run's end (--start-at + --duration + --drain), or until stopped."})
final class SinkCommand implements Callable<Integer> {
    @Option(names = "--dev", required = true, paramLabel = "IF", description = "Interface to receive on.")
    String dev;

    @Option(names = "--run-id", required = true, paramLabel = "ID", description = "The run (label run in metrics).")
    String runId;

    @Option(names = "--node", paramLabel = "NAME", description = "Node name in the report and metrics (default: NODE_NAME, else the host name).")
    String node;

    @Option(names = "--start-at", paramLabel = "TIME", description = "The run's start time (with --duration: when the run ends).")
    String startAt;

    @Option(names = {"-t", "--duration"}, paramLabel = "TIME", converter = Converters.Time.class,
            description = "The run's duration; without it the sink counts until stopped (Ctrl-C, SIGTERM).")
    Duration duration;

    @Option(names = "--drain", paramLabel = "TIME", converter = Converters.Time.class,
            description = "Keep counting this long after the run's end, for frames still on the way (default 1s).")
    Duration drain = Sink.DEFAULT_DRAIN;

    @Option(names = "--verdict", paramLabel = "V", description = "drop (default), pass, or reflect (send frames back: agents with --rtt measure round trips).")
    String verdict = "drop";

    @Option(names = "--xdp-mode", converter = Converters.Mode.class, paramLabel = "MODE", description = "native (default) or generic.")
    XdpMode xdpMode = XdpMode.NATIVE;

    @Option(names = "--metrics-port", paramLabel = "P", description = "Serve Prometheus metrics on port P (/metrics), labelled run, node.")
    Integer metricsPort;

    @Option(names = "--metrics-linger", paramLabel = "TIME", converter = Converters.Time.class,
            description = "After the report, keep serving the final counters this long (default: none).")
    Duration metricsLinger;

    @Option(names = "--json-out", paramLabel = "FILE", description = "Also write the report (JSON) to FILE.")
    Path jsonOut;

    @Option(names = {"-q", "--quiet"}, description = "No live lines.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Sink.Options o = new Sink.Options();
        o.dev = dev;
        o.runId = runId;
        o.node = node != null ? node : Agent.defaultNode();
        o.verdict = switch (verdict.toLowerCase(Locale.ROOT)) {
            case "drop" -> Verdict.DROP;
            case "pass" -> Verdict.PASS;
            case "reflect" -> Verdict.REFLECT;
            default -> throw new IllegalArgumentException("--verdict " + verdict + " is not drop, pass or reflect");
        };
        o.mode = xdpMode;
        o.startAt = startAt == null ? null : StartTime.parse(startAt);
        if (o.startAt != null && duration == null) {
            throw new IllegalArgumentException("--start-at needs --duration: together they say when the run ends");
        }
        o.duration = duration;
        o.drain = drain;
        o.metricsPort = metricsPort;
        o.metricsLinger = metricsLinger == null ? Duration.ZERO : metricsLinger;
        Privileges.requireXdp("sink");
        java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
        Sink sink = new Sink(o);
        // SIGTERM (kubectl delete) or Ctrl-C: stop counting, but let the report out first.
        Thread hook = new Thread(() -> {
            sink.stop();
            try {
                written.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "xdperf-sink-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        o.onReport = report -> {
            try {
                System.out.println(report.toString());
                System.out.flush();
                if (jsonOut != null) {
                    Files.writeString(jsonOut, report.toPrettyString() + "\n");
                }
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("write " + jsonOut + ": " + e.getMessage());
            } finally {
                written.countDown();
            }
        };
        try {
            sink.run(line -> {
                if (!quiet || line.startsWith("sink:")) {
                    System.err.println(line);
                }
            });
        } finally {
            written.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it waits for this report
        }
        return 0;
    }
}
