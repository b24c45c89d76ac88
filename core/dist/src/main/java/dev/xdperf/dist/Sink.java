package dev.xdperf.dist;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.net.Interfaces;
import dev.xdperf.rx.Receiver;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.rx.Verdict;
import dev.xdperf.stats.Json;
import dev.xdperf.web.Metrics;
import dev.xdperf.stats.Units;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The receiving end of a distributed run (`xdperf sink`): xdp_rx on an interface, counting
 * every xdperf frame from every agent, per stream (a shard's streams are its own), with no
 * control channel. It ends at the run's end (start time + duration + a drain), when stopped,
 * or never; its report has the same receive counters as a server's, raw histograms included.
 */
public final class Sink {
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(1);

    public static final class Options {
        public String dev;
        public Verdict verdict = Verdict.DROP;
        public XdpMode mode = XdpMode.NATIVE;
        public String runId;
        public String node;
        /** With a duration: the run's start; the sink stops at start + duration + drain. */
        public Instant startAt;
        public Duration duration;
        public Duration drain = DEFAULT_DRAIN;
        public Integer metricsPort;
        public String metricsBind;
        public Duration metricsLinger = Duration.ZERO;
        /** Gets the report as soon as it exists, before the metrics linger (logs must not wait for it). */
        public java.util.function.Consumer<ObjectNode> onReport = n -> { };
    }

    private final Options o;
    private final CountDownLatch stopped = new CountDownLatch(1);

    public Sink(Options o) {
        this.o = o;
    }

    /** Ends the run early (Ctrl-C, SIGTERM); the report is still written. */
    public void stop() {
        stopped.countDown();
    }

    /** When the sink stops by itself, or null when it runs until stopped. */
    public Instant end(Instant now) {
        if (o.duration == null) {
            return null;
        }
        return (o.startAt != null ? o.startAt : now).plus(o.duration).plus(o.drain);
    }

    public ObjectNode run(Consumer<String> log) {
        try {
            Interfaces.requireExists(o.dev);
            Instant now = Instant.now();
            Instant end = end(now);
            if (end != null && !end.isAfter(now)) {
                throw new IllegalStateException("start the sink: run " + o.runId + " ended at " + StartTime.format(end)
                        + " already (give the run's --start-at and --duration, or none to count until stopped)");
            }
            Metrics metrics = o.metricsPort == null ? null : Metrics.start(o.metricsPort, o.metricsBind, labels());
            try (Receiver rx = Receiver.attach(o.dev, o.verdict, o.mode)) {
                long t0 = System.nanoTime();
                DeviceCounters before = Interfaces.counters(o.dev);
                log.accept("sink: receiving on " + o.dev + " for run " + o.runId
                        + (end == null ? " until stopped" : " until " + StartTime.format(end))
                        + (metrics == null ? "" : ", metrics on port " + metrics.port()));
                long lastPackets = 0;
                long lastNanos = t0;
                while (true) {
                    long waitMs = 1000;
                    if (end != null) {
                        waitMs = Math.min(waitMs, Math.max(0, Duration.between(Instant.now(), end).toMillis()));
                    }
                    boolean stop = stopped.await(waitMs, TimeUnit.MILLISECONDS)
                            || (end != null && !Instant.now().isBefore(end));
                    RxSnapshot s = rx.full();
                    DeviceCounters dev = Interfaces.counters(o.dev).minus(before);
                    if (metrics != null) {
                        metrics.update(new Metrics.View(null, Map.of(), s, Map.of(o.dev, dev)));
                    }
                    double pps = (s.packets() - lastPackets) * 1e9 / Math.max(1, s.nanos() - lastNanos);
                    log.accept(String.format(Locale.ROOT, "[%6.1fs] rx %12s | received %s | streams %d",
                            (s.nanos() - t0) / 1e9, Units.pps(pps), Units.count(s.packets()), s.streams().size()));
                    lastPackets = s.packets();
                    lastNanos = s.nanos();
                    if (stop) {
                        ObjectNode n = report(s, dev, (s.nanos() - t0) / 1e9);
                        o.onReport.accept(n);
                        if (metrics != null && !o.metricsLinger.isZero()) {
                            stopped.await(o.metricsLinger.toMillis(), TimeUnit.MILLISECONDS);
                        }
                        return n;
                    }
                }
            } finally {
                if (metrics != null) {
                    metrics.close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private ObjectNode report(RxSnapshot s, DeviceCounters device, double seconds) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", "sink");
        n.put("xdperf", dev.xdperf.Version.XDPERF);
        n.put("run_id", o.runId);
        n.put("node", o.node);
        n.put("dev", o.dev);
        n.put("seconds", seconds);
        n.put("received_packets", s.packets());
        n.put("received_bytes", s.bytes());
        n.put("exit_status", 0);
        n.putNull("error");
        n.set("rx", Json.rx(s));
        n.set("rx_device", Json.device(o.dev, device));
        return n;
    }

    public Map<String, String> labels() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("run", o.runId);
        m.put("node", o.node);
        m.put("role", "sink");
        return m;
    }
}
