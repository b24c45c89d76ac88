package dev.xdperf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.run.RunSpec;
import dev.xdperf.control.ControlServer;
import dev.xdperf.dist.Agent;
import dev.xdperf.dist.ClockCheck;
import dev.xdperf.template.Shard;
import dev.xdperf.dist.StartTime;
import dev.xdperf.plugin.LoadedPlugin;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.probe.Privileges;
import dev.xdperf.stats.Json;
import dev.xdperf.stats.LiveSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send one shard of a distributed run: rate/N and a disjoint slice of the flows,",
                "from a wall-clock start time every agent was given, for --duration. Agents never talk to each other;",
                "'xdperf merge' puts their reports together, Prometheus their metrics (labels run, shard, node)."})
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--run-id", required = true, paramLabel = "ID", description = "The run this shard belongs to (label run in metrics).")
    String runId;

    @Option(names = "--shard-index", paramLabel = "I",
            description = "This shard, 0..N-1 (default: the JOB_COMPLETION_INDEX environment variable of an Indexed Job).")
    Integer shardIndex;

    @Option(names = "--shard-count", required = true, paramLabel = "N", description = "How many shards the run has.")
    int shardCount;

    @Option(names = "--start-at", required = true, paramLabel = "TIME",
            description = "When to start: RFC 3339 (2025-01-31T12:00:00Z) or seconds since the epoch. Refused once passed.")
    String startAt;

    @Option(names = {"-t", "--duration"}, required = true, paramLabel = "TIME", converter = Converters.Time.class,
            description = "How long to send; the agent stops by itself.")
    Duration duration;

    @Option(names = "--max-clock-offset", paramLabel = "TIME", converter = Converters.Time.class,
            description = "Refuse to start when chrony or PTP says the clock is further off (default 1ms).")
    Duration maxClockOffset = Agent.DEFAULT_MAX_CLOCK_OFFSET;

    @Option(names = "--allow-unknown-clock", description = "Start even when neither chrony nor PTP reports the clock's offset.")
    boolean allowUnknownClock;

    @Option(names = "--node", paramLabel = "NAME", description = "Node name in reports and metrics (default: NODE_NAME, else the host name).")
    String node;

    @Option(names = "--dev", required = true, paramLabel = "IF", description = "Interface to send on.")
    String dev;

    @Mixin
    FrameOptions frame = new FrameOptions();

    @Option(names = {"-c", "--server"}, paramLabel = "HOST",
            description = "An xdperf server of this shard's own (a server serves one client at a time); usually a sink counts instead.")
    String server;

    @Option(names = "--port", paramLabel = "P", description = "Server's control port (default ${DEFAULT-VALUE}).")
    int port = ControlServer.DEFAULT_PORT;

    @Option(names = "--cpus", paramLabel = "LIST", converter = Converters.CpuList.class,
            description = "Sending CPUs (default: the CPUs this process may run on, e.g. a Guaranteed pod's).")
    List<Integer> cpus;

    @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Target rate of the WHOLE run; this shard sends its 1/N share (default: flat out).")
    Long pps;

    @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class,
            description = "Packets of the WHOLE run; this shard sends its 1/N share.")
    Long count;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size without FCS (default ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--flows", paramLabel = "F",
            description = "Flows of the built-in UDP stream in the whole run: source ports --src-port .. +F-1, split over the shards (default: the shard count).")
    Long flows;

    @Option(names = "--src-port", description = "First UDP source port (default ${DEFAULT-VALUE}).")
    int srcPort = RunSpec.DEFAULT_UDP_PORT;

    @Option(names = "--stream-id", paramLabel = "ID", description = "First stream id of the run; shard i uses the block after i others (default 0).")
    int stream;

    @Option(names = "--rtt", description = "Count frames a reflecting sink (or server) sends back, with their round-trip latency.")
    boolean rtt;

    @Option(names = "--no-measure", description = "Send frames without the xdperf measurement header.")
    boolean noMeasure;

    @Option(names = {"-P", "--plugin"}, paramLabel = "NAME|PATH", description = "Protocol plugin that makes the templates.")
    String plugin;

    @Option(names = {"-O", "--plugin-opt"}, paramLabel = "KEY=VALUE", description = "A plugin option (repeatable).")
    List<String> pluginOpts = new ArrayList<>();

    @Option(names = "--stream", paramLabel = "SPEC", description = "A stream of a mixed run (repeatable), as for xdperf client.")
    List<String> streamSpecs = new ArrayList<>();

    @Option(names = "--templates", paramLabel = "FILE", description = "Send an encoded template set from a file.")
    Path templateFile;

    @Option(names = "--metrics-port", paramLabel = "P", description = "Serve Prometheus metrics on port P (/metrics), labelled run, shard, node.")
    Integer metricsPort;

    @Option(names = "--metrics-linger", paramLabel = "TIME", converter = Converters.Time.class,
            description = "Keep /metrics up this long after the run, for a last scrape (default: none).")
    Duration metricsLinger;

    @Option(names = "--json-out", paramLabel = "FILE", description = "Also write the shard's report (JSON) to FILE, failed or not.")
    Path jsonOut;

    @Option(names = {"-q", "--quiet"}, description = "No live lines (they go to stderr).")
    boolean quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Agent.Options o = new Agent.Options();
        o.runId = runId;
        o.node = node != null ? node : Agent.defaultNode();
        o.maxClockOffset = maxClockOffset;
        o.allowUnknownClock = allowUnknownClock;
        ClockCheck.Offset clock = null;
        java.util.concurrent.CountDownLatch emitted = new java.util.concurrent.CountDownLatch(1);
        try {
            o.shard = new Shard(shardIndex(), shardCount);
            o.startAt = StartTime.parse(startAt);
            Agent.checkRun(prepare(o), Instant.now());
            clock = ClockCheck.measure();
            Agent.checkClock(o, clock);
            System.err.println("agent: run " + runId + " shard " + o.shard + " on " + o.node + ", clock offset "
                    + clock.describe() + ", starts at " + StartTime.format(o.startAt));
            Privileges.requireXdp("agent");
            clientOptions(o);
            Consumer<LiveSample> live = quiet ? s -> { } : s -> System.err.println(s.toText());
            o.onReport = r -> {
                try {
                    emit(r);
                } catch (IOException e) {
                    throw new IllegalArgumentException("write " + jsonOut + ": " + e.getMessage());
                } finally {
                    emitted.countDown();
                }
            };
            // SIGTERM (the Job failed, kubectl delete) or Ctrl-C: the run stops (the engine's own hook), and the
            // report, marked as stopped, still gets out before the JVM ends.
            Thread hook = new Thread(() -> {
                o.terminated.countDown();
                try {
                    emitted.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "xdperf-agent-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            ObjectNode report = Agent.run(o, clock, live);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs: it waited for the report, which is out
            }
            return report.path("exit_status").asInt();
        } catch (RuntimeException e) {
            // A shard that does not run still leaves a report: merge must see it failed, not that it is missing.
            try {
                if (emitted.getCount() > 0) {
                    emit(Agent.failure(o, clock, Main.describe(e), 1));
                }
            } catch (IOException | RuntimeException writeFailed) {
                e.addSuppressed(writeFailed);
            } finally {
                emitted.countDown();
            }
            throw e;
        }
    }

    private int shardIndex() {
        if (shardIndex != null) {
            return shardIndex;
        }
        String env = System.getenv("JOB_COMPLETION_INDEX");
        if (env == null || env.isBlank()) {
            throw new IllegalArgumentException("no shard index: give --shard-index, or run as an Indexed Job (JOB_COMPLETION_INDEX)");
        }
        try {
            return Integer.parseInt(env.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("JOB_COMPLETION_INDEX '" + env + "' is not a shard index");
        }
    }

    /** What the first checks need: the run's totals. */
    private Agent.Options prepare(Agent.Options o) {
        if (pps != null && pps <= 0) {
            throw new IllegalArgumentException("--pps must be a positive rate");
        }
        o.totalPps = pps == null ? 0 : pps;
        o.totalCount = count == null ? 0 : count;
        o.metricsPort = metricsPort;
        o.metricsLinger = metricsLinger == null ? Duration.ZERO : metricsLinger;
        return o;
    }

    private void clientOptions(Agent.Options a) {
        if (plugin != null && templateFile != null) {
            throw new IllegalArgumentException("give --plugin or --templates, not both");
        }
        boolean udp = plugin == null && templateFile == null && streamSpecs.stream().allMatch(s -> s.startsWith("udp"));
        if (flows != null && !udp) {
            throw new IllegalArgumentException("--flows shapes the built-in UDP stream; a plugin's flows are its own option (--plugin-opt)");
        }
        RunSpec.Builder b = RunSpec.builder(dev).server(server, port).cpus(cpus).duration(duration).pps(a.totalPps)
                .count(a.totalCount).size(spec != null && spec.commandLine().getParseResult().hasMatchedOption("--size") ? size : null)
                .srcPort(srcPort).streamId(stream).measurement(!noMeasure).rtt(rtt).flows(flows != null ? flows : shardCount)
                .plugin(plugin).templates(templateFile).pluginOptions(PluginResolver.parseOptions(pluginOpts))
                .streams(ClientCommand.parseStreams(streamSpecs));
        frame.applyTo(b);
        a.client = b.build();
        a.totalPps = a.client.pps();
        a.plugins = PluginCommand.resolver();
    }

    /** The report: one line of JSON on stdout (logs stay greppable), and the file when asked. */
    private void emit(ObjectNode report) throws IOException {
        System.out.println(report.toString());
        System.out.flush();
        if (jsonOut != null) {
            Files.writeString(jsonOut, report.toPrettyString() + "\n");
        }
    }
}
