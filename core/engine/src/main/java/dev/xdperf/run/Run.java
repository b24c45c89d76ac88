package dev.xdperf.run;

import dev.xdperf.spec.RunSpec;

import dev.xdperf.XdperfException;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.net.Interfaces;
import dev.xdperf.template.CaptureTemplates;
import dev.xdperf.plugin.LoadedPlugin;
import dev.xdperf.plugin.PluginLimits;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.stats.LiveSample;
import dev.xdperf.stats.MetricsSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A running {@link RunSpec}: a live sample every second to whoever subscribed, {@link #stop()}
 * to end it early, and {@link #await()} for the typed result. Everything the `xdperf client`
 * command does goes through here:
 * <pre>{@code
 * RunSpec spec = RunSpec.builder("eth1").server("192.0.2.2").pps(2_000_000).duration(Duration.ofSeconds(10)).build();
 * try (Run run = Run.start(spec)) {
 *     run.subscribe(s -> System.out.println(s.toText()));
 *     RunReport report = run.await().primary();
 * }
 * }</pre>
 */
public final class Run implements AutoCloseable {
    private final RunSpec spec;
    private final List<Consumer<LiveSample>> subscribers = new CopyOnWriteArrayList<>();
    private final ClientRun client;
    private final FutureTask<RunResult> task;

    private Run(RunSpec spec, ClientRun.Sources sources, MetricsSink metrics, List<Consumer<LiveSample>> initial,
                List<String> notes) {
        this.spec = spec.withSeedSettled();
        this.subscribers.addAll(initial);
        this.client = new ClientRun(this.spec, sources, this::publish, metrics);
        this.task = new FutureTask<>(() -> withNotes(withSizes(client.run(), client.streamSizes()), notes));
    }

    /** Starts the spec with the bundled and installed plugins, no metrics, no subscribers yet. */
    public static Run start(RunSpec spec) {
        return with(spec).start();
    }

    /** A run with more than the defaults: where plugins come from, where metrics go, who sees samples from the first. */
    public static Starter with(RunSpec spec) {
        return new Starter(spec);
    }

    public RunSpec spec() {
        return spec;
    }

    /** Gets every live sample from now on (about one a second), on the run's own thread: keep it short. */
    public Run subscribe(Consumer<LiveSample> subscriber) {
        subscribers.add(subscriber);
        return this;
    }

    /** Ends the run early; {@link #await()} still returns both sides' reports. */
    public void stop() {
        client.stop();
    }

    /** Waits for the end of the run. Failures come as they were thrown ({@link XdperfException} and friends). */
    public RunResult await() {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.stop();
            throw new IllegalStateException("interrupted while waiting for the run");
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /** The result if the run ended within {@code timeout}, else null. */
    public RunResult await(Duration timeout) {
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the run");
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    @Override
    public void close() {
        if (!task.isDone()) {
            client.stop();
            try {
                task.get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // closing: the failure, if any, was for await() to report
            }
        }
    }

    /**
     * Writes the first {@code count} packets the spec would send to a pcap file, computed by the
     * reference engine; sends nothing.
     */
    public static long writePcap(RunSpec spec, Path file, long count) throws IOException {
        return writePcap(spec, file, count, n -> { });
    }

    /**
     * As {@link #writePcap(RunSpec, Path, long)}, for a spec that may name no device
     * ({@link #NO_DEVICE}) and leave out addresses: what neither the spec nor the device gives is
     * taken from the documentation ranges (RFC 5737, RFC 3849, locally administered MACs), and
     * {@code notes} hears which ones in a line.
     */
    public static long writePcap(RunSpec spec, Path file, long count, java.util.function.Consumer<String> notes) throws IOException {
        return writePcap(spec, defaultResolver(), file, count, notes);
    }

    /** As above, with the plugins found by {@code plugins} (the CLI's, which prints its notices). */
    public static long writePcap(RunSpec spec, PluginResolver plugins, Path file, long count, java.util.function.Consumer<String> notes)
            throws IOException {
        return new ClientRun(spec, resolve(spec, plugins), s -> { }, null).writePcap(file, count, notes);
    }

    /** The device of a spec that only writes a pcap: no interface is looked at (no interface name has a space). */
    public static final String NO_DEVICE = "(no device)";

    /** What the run's input left out (a replay's skipped frames) goes with the forward report's warnings. */
    private static RunResult withNotes(RunResult r, List<String> notes) {
        if (notes.isEmpty() || r.forward() == null) {
            return r;
        }
        return new RunResult(r.forward().withWarnings(notes), r.reverse(), r.shardPlan(), r.scheduledStartNs(), r.firstCallNs());
    }

    /** The templates of a replay: the capture read, rewritten, its unsendable frames counted (nothing is sent yet). */
    public static CaptureTemplates.Plan replayPlan(RunSpec spec) {
        RunSpec.Replay r = spec.replay();
        return CaptureTemplates.plan(r.file(), new CaptureTemplates.Rewrite(spec.srcMac(), spec.dstMac(), r.rewriteAddresses(),
                r.measure()), Interfaces.mtu(spec.dev()));
    }

    /**
     * A replay as the transmitter runs it: one CPU unless the spec names more (each then replays
     * the capture on its own), and loop N as a count of N times the frames on every CPU.
     */
    static RunSpec forReplay(RunSpec spec, CaptureTemplates.Plan plan) {
        RunSpec.Builder b = spec.toBuilder();
        List<Integer> cpus = spec.cpus().isEmpty() ? List.of(dev.xdperf.bpf.Cpus.online().get(0)) : spec.cpus();
        b.cpus(cpus);
        if (spec.replay().loop() > 0) {
            b.replay(spec.replay().withLoop(0)).count(spec.replay().loop() * plan.frames() * cpus.size());
        }
        return b.build();
    }

    /** A size mix's reports count per size: each size has its own stream ids. */
    private static RunResult withSizes(RunResult r, Map<Integer, Integer> sizes) {
        if (sizes.isEmpty() || r.forward() == null) {
            return r;
        }
        return new RunResult(r.forward().withStreamSizes(sizes), r.reverse(), r.shardPlan(), r.scheduledStartNs(), r.firstCallNs());
    }

    private void publish(LiveSample s) {
        for (Consumer<LiveSample> c : subscribers) {
            c.accept(s);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t.getMessage(), t);
    }

    /** The bundled plugins and those `xdperf plugin install` put into the user's plugin directory. */
    public static PluginResolver defaultResolver() {
        return new PluginResolver(PluginResolver.defaultInstallDir(), PluginLimits.DEFAULT);
    }

    /** Loads the spec's plugins and checks their options against what each declares. */
    static ClientRun.Sources resolve(RunSpec spec, PluginResolver plugins) {
        if (spec.replay() != null) {
            return new ClientRun.Sources(replayPlan(spec).source(), List.of(), List.of());
        }
        if (!spec.streams().isEmpty()) {
            List<ClientRun.Resolved> streams = new ArrayList<>();
            for (RunSpec.Stream s : spec.streams()) {
                if (s.plugin() == null) {
                    streams.add(new ClientRun.Resolved(s.name(), null, List.of(), s.share(), s.size(), s.sizeMix()));
                } else {
                    LoadedPlugin p = plugins.load(s.plugin());
                    streams.add(new ClientRun.Resolved(s.name(), PluginResolver.source(p), options(p.describe(), s.options()),
                            s.share(), s.size(), s.sizeMix()));
                }
            }
            return new ClientRun.Sources(null, List.of(), streams);
        }
        RunSpec.Source source = spec.source();
        if (source == null) {
            return ClientRun.Sources.BUILT_IN;
        }
        if (source.templates() != null) {
            return new ClientRun.Sources(PluginResolver.file(source.templates()), List.of(), List.of());
        }
        LoadedPlugin p = plugins.load(source.plugin());
        return new ClientRun.Sources(PluginResolver.source(p), options(p.describe(), spec.pluginOptions()), List.of());
    }

    private static List<Map.Entry<String, String>> options(PluginDescription d, Map<String, String> given) {
        return d.resolveOptions(given);
    }

    /** Options of {@link #with(RunSpec)}. */
    public static final class Starter {
        private final RunSpec spec;
        private PluginResolver plugins;
        private MetricsSink metrics;
        private final List<Consumer<LiveSample>> subscribers = new ArrayList<>();

        private Starter(RunSpec spec) {
            this.spec = spec;
        }

        public Starter plugins(PluginResolver resolver) {
            this.plugins = resolver;
            return this;
        }

        public Starter metrics(MetricsSink sink) {
            this.metrics = sink;
            return this;
        }

        public Starter subscribe(Consumer<LiveSample> subscriber) {
            subscribers.add(subscriber);
            return this;
        }

        /** Loads the plugins (failing here, in the caller's thread, when one is bad) and starts the run. */
        public Run start() {
            RunSpec effective = spec;
            List<String> notes = List.of();
            ClientRun.Sources sources;
            if (spec.replay() != null) {
                CaptureTemplates.Plan plan = replayPlan(spec);
                effective = forReplay(spec, plan);
                notes = plan.warnings();
                sources = new ClientRun.Sources(plan.source(), List.of(), List.of());
            } else {
                sources = resolve(spec, plugins != null ? plugins : defaultResolver());
            }
            Run run = new Run(effective, sources, metrics, subscribers, notes);
            Thread t = new Thread(run.task, "xdperf-run");
            t.setDaemon(false);
            t.start();
            return run;
        }

        /** Starts and waits: the common case of a command. */
        public RunResult run() {
            try (Run r = start()) {
                return r.await();
            }
        }
    }
}
