package dev.xdperf.dist;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.run.Run;
import dev.xdperf.run.RunResult;
import dev.xdperf.spec.RunSpec;
import dev.xdperf.run.ShardPlan;
import dev.xdperf.stats.Json;
import dev.xdperf.stats.LiveSample;
import dev.xdperf.web.Metrics;
import dev.xdperf.stats.RunReport;
import dev.xdperf.template.FlowSlicer;
import dev.xdperf.template.Shard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One shard of a distributed run (`xdperf agent`): it sends its share of the rate and its
 * slice of the flows, starting at a wall-clock time that every agent was given, and stops by
 * itself. Agents never talk to each other; a run is put together afterwards from their
 * reports ({@link Merge}) and, while it runs, by Prometheus from their metrics.
 */
public final class Agent {
    /** The clock offset an agent accepts by default: a millisecond, far below a run's second-long samples. */
    public static final Duration DEFAULT_MAX_CLOCK_OFFSET = Duration.ofMillis(1);

    /** Exit status of a shard stopped by a signal, as a shell reports SIGTERM. */
    public static final int TERMINATED = 143;

    private Agent() {}

    public static final class Options {
        public String runId;
        public Shard shard;
        public Instant startAt;
        public String node;
        public Duration maxClockOffset = DEFAULT_MAX_CLOCK_OFFSET;
        public boolean allowUnknownClock;
        /** The whole run's rate and packet count (0: flat out / no count); each shard sends its share. */
        public long totalPps;
        public long totalCount;
        /** Everything else of the run, as for `xdperf client`; pps, count, shard and start are filled in here. */
        public RunSpec client;
        /** Where plugins come from; null: the bundled and installed ones. */
        public PluginResolver plugins;
        public Integer metricsPort;
        public String metricsBind;
        /** Keep /metrics up this long after the run, so that the last values get scraped. */
        public Duration metricsLinger = Duration.ZERO;
        /** Gets the report as soon as it exists, before the metrics linger. */
        public Consumer<ObjectNode> onReport = n -> { };
        /** Counted down on SIGTERM or Ctrl-C: the run was cut short, and the linger ends at once. */
        public final java.util.concurrent.CountDownLatch terminated = new java.util.concurrent.CountDownLatch(1);
    }

    /**
     * The checks that come before anything is measured or loaded, each a one-sentence refusal:
     * a usable run id, a start time ahead, a share that is not empty.
     */
    public static void checkRun(Options o, Instant now) {
        if (o.runId == null || !o.runId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("--run-id '" + o.runId + "' is not 1..63 letters, digits, '.', '_' or '-'"
                    + " (it becomes a Prometheus label and a Kubernetes name)");
        }
        if (!o.startAt.isAfter(now)) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "start shard %s: the start time %s passed %.3f s ago (start every agent with a time in the future,"
                            + " e.g. render the manifests again)",
                    o.shard, StartTime.format(o.startAt), Duration.between(o.startAt, now).toNanos() / 1e9));
        }
        if (o.totalPps > 0 && o.shard.share(o.totalPps) == 0) {
            throw new IllegalArgumentException("--pps " + o.totalPps + " split over " + o.shard.count()
                    + " shards leaves shard " + o.shard.index() + " nothing to send (give at least one packet per second per shard)");
        }
        if (o.totalCount > 0 && o.shard.share(o.totalCount) == 0) {
            throw new IllegalArgumentException("--count " + o.totalCount + " split over " + o.shard.count()
                    + " shards leaves shard " + o.shard.index() + " nothing to send");
        }
    }

    /** The clock's offset, refused (one sentence) when beyond the tolerance or unknown and not allowed. */
    public static void checkClock(Options o, ClockCheck.Offset clock) {
        ClockCheck.require(clock, o.maxClockOffset, o.allowUnknownClock);
    }

    /**
     * What this shard runs: the whole run's spec with its shard, start time, its share of the rate
     * and count, its CPUs (those it may run on: all flat out; paced, one per 1 Mpps of its share,
     * as {@link dev.xdperf.tx.Transmitter#defaultCpus} picks), and its seed settled as every run's is ({@link RunSpec#withSeedSettled}):
     * the one given, else one derived from the start time that every shard of the run shares.
     */
    public static RunSpec shardSpec(Options o) {
        long pps = o.totalPps == 0 ? 0 : o.shard.share(o.totalPps);
        return o.client.toBuilder().shard(o.shard).startAt(o.startAt)
                .pps(pps)
                .count(o.totalCount == 0 ? 0 : o.shard.share(o.totalCount))
                .cpus(o.client.cpus().isEmpty() ? dev.xdperf.tx.Transmitter.defaultCpus(pps, allowedCpus()) : o.client.cpus())
                .build().withSeedSettled();
    }

    /**
     * A shard from its first check to its report, the way `xdperf agent` runs one: {@code setup}
     * fills in the shard, start time and totals; the run, the clock and the privileges are checked;
     * {@code spec} gives the whole run's spec ({@link Options#client}); then the shard runs. The
     * report goes to {@link Options#onReport} exactly once, also when the shard fails before it runs
     * (merge must see it failed, not missing; the failure is then rethrown) or is stopped by SIGTERM
     * or Ctrl-C (the report, marked as stopped, gets out before the JVM ends).
     *
     * @param describe the one sentence a failure report gives for an exception
     * @return the shard's exit status, as its report gives it
     */
    public static int execute(Options o, Consumer<Options> setup, java.util.function.Function<Options, RunSpec> spec,
                              Consumer<LiveSample> live, java.util.function.Function<RuntimeException, String> describe,
                              java.io.PrintStream log) {
        java.util.concurrent.CountDownLatch emitted = new java.util.concurrent.CountDownLatch(1);
        Consumer<ObjectNode> out = o.onReport;
        o.onReport = r -> {
            try {
                out.accept(r);
            } finally {
                emitted.countDown();
            }
        };
        ClockCheck.Offset clock = null;
        try {
            setup.accept(o);
            checkRun(o, Instant.now());
            clock = ClockCheck.measure();
            checkClock(o, clock);
            log.println("agent: run " + o.runId + " shard " + o.shard + " on " + o.node + ", clock offset "
                    + clock.describe() + ", starts at " + StartTime.format(o.startAt));
            dev.xdperf.probe.Privileges.requireXdp("agent");
            o.client = spec.apply(o);
            Thread hook = new Thread(() -> {
                o.terminated.countDown();
                try {
                    emitted.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "xdperf-agent-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            ObjectNode report = run(o, clock, live);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs: it waited for the report, which is out
            }
            return report.path("exit_status").asInt();
        } catch (RuntimeException e) {
            try {
                if (emitted.getCount() > 0) {
                    o.onReport.accept(failure(o, clock, describe.apply(e), 1));
                }
            } catch (RuntimeException writeFailed) {
                e.addSuppressed(writeFailed);
            } finally {
                emitted.countDown();
            }
            throw e;
        }
    }

    /** Runs the shard and returns its report (type "agent"). Call {@link #checkRun} and {@link #checkClock} first. */
    public static ObjectNode run(Options o, ClockCheck.Offset clock, Consumer<LiveSample> live) {
        RunSpec c = shardSpec(o);
        Metrics metrics = null;
        if (o.metricsPort != null) {
            metrics = Metrics.start(o.metricsPort, o.metricsBind, labels(o));
        }
        try {
            RunResult run = Run.with(c).plugins(o.plugins).metrics(metrics).subscribe(live).run();
            RunReport report = run.primary();
            ObjectNode n = header(o, clock);
            long lagNs = run.firstCallNs() == 0 ? 0 : run.firstCallNs() - run.scheduledStartNs();
            n.put("started_at", o.startAt.plusNanos(lagNs).toString());
            n.put("start_lag_ns", lagNs);
            n.set("share", share(o, c, run.shardPlan()));
            if (o.terminated.getCount() == 0) {
                n.put("exit_status", TERMINATED);
                n.put("error", "shard " + o.shard + " was stopped (SIGTERM or Ctrl-C) before its run ended");
            } else if (report.sent() == 0) {
                n.put("exit_status", 3);
                n.put("error", "shard " + o.shard + " sent nothing" + (report.warnings().isEmpty() ? "" : ": " + report.warnings().get(0)));
            } else {
                n.put("exit_status", 0);
                n.putNull("error");
            }
            n.set("report", report.toJson());
            o.onReport.accept(n);
            if (metrics != null && !o.metricsLinger.isZero()) {
                o.terminated.await(o.metricsLinger.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
    }

    /** The report of a shard that did not run: what it was, and the one sentence that says why. */
    public static ObjectNode failure(Options o, ClockCheck.Offset clock, String error, int exitStatus) {
        ObjectNode n = header(o, clock);
        n.put("exit_status", exitStatus);
        n.put("error", error);
        n.putNull("report");
        return n;
    }

    /** Prometheus labels of every series an agent serves: sum by (run) adds up the shards. */
    public static Map<String, String> labels(Options o) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("run", o.runId);
        m.put("shard", Integer.toString(o.shard.index()));
        m.put("node", o.node);
        m.put("role", "agent");
        return m;
    }

    private static ObjectNode header(Options o, ClockCheck.Offset clock) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", "agent");
        n.put("xdperf", dev.xdperf.Version.XDPERF);
        n.put("run_id", o.runId);
        if (o.shard != null) {
            n.put("shard_index", o.shard.index());
            n.put("shard_count", o.shard.count());
        }
        n.put("node", o.node);
        if (o.startAt != null) {
            n.put("start_at", StartTime.format(o.startAt));
        }
        ObjectNode cl = n.putObject("clock");
        if (clock == null) {
            cl.put("source", "not checked");
            cl.putNull("offset_ns");
        } else {
            cl.put("source", clock.source());
            if (clock.known()) {
                cl.put("offset_ns", clock.offsetNs());
            } else {
                cl.putNull("offset_ns");
            }
            cl.put("detail", clock.detail());
        }
        cl.put("max_offset_ns", o.maxClockOffset.toNanos());
        cl.put("unknown_allowed", o.allowUnknownClock);
        return n;
    }

    private static ObjectNode share(Options o, RunSpec c, ShardPlan plan) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("total_pps", o.totalPps);
        s.put("pps", c.pps());
        s.put("total_count", o.totalCount);
        s.put("count", c.count());
        if (plan != null) {
            s.put("stream_base", plan.streamBase());
            s.put("stream_span", plan.streamSpan());
            s.put("measured", plan.measured());
            ArrayNode f = s.putArray("flows");
            for (FlowSlicer.Slice sl : plan.slices()) {
                ObjectNode x = f.addObject();
                x.put("template", sl.template());
                x.put("of", sl.flows());
                x.put("from", sl.from());
                x.put("to", sl.to());
            }
        }
        return s;
    }

    /** The node name: NODE_NAME (the Kubernetes downward API), else the host name. */
    public static String defaultNode() {
        String env = System.getenv("NODE_NAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * The CPUs this process may run on (its affinity, e.g. the exclusive CPUs a Kubernetes
     * static CPU manager gave a Guaranteed pod), among the online ones.
     */
    public static List<Integer> allowedCpus() {
        List<Integer> online = dev.xdperf.bpf.Cpus.online();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    List<Integer> allowed = new ArrayList<>(dev.xdperf.bpf.Cpus.parseList(line.substring(18).trim()));
                    allowed.retainAll(online);
                    return allowed.isEmpty() ? online : allowed;
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // fall back to every online CPU
        }
        return online;
    }
}
