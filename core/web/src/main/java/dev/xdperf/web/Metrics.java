package dev.xdperf.web;

import dev.xdperf.net.DeviceCounters;
import dev.xdperf.rx.LatencyHistogram;
import dev.xdperf.stats.MetricsSink;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.rx.StreamStats;
import dev.xdperf.tx.TxCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus metrics of a run, served on /metrics (the official Prometheus Java client). The
 * run pushes a {@link View} once a second; scrapes read the latest one. Every series carries
 * the constant labels given at start (run id, and for agents shard and node).
 */
public final class Metrics implements MetricsSink, AutoCloseable {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final HTTPServer server;
    private volatile View view = View.EMPTY;

    private Metrics(Map<String, String> labels, int port, String bind) throws IOException {
        Labels constant = Labels.of(labels.keySet().toArray(String[]::new), labels.values().toArray(String[]::new));
        CounterWithCallback.builder().name("xdperf_sent_packets").help("Frames xdp_tx handed to XDP_TX")
                .constLabels(constant).callback(cb -> {
                    View v = view;
                    if (v.tx() != null) {
                        cb.call(v.tx().sentPackets());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("xdperf_sent_bytes").help("Bytes of the frames sent")
                .constLabels(constant).callback(cb -> {
                    View v = view;
                    if (v.tx() != null) {
                        cb.call(v.tx().sentBytes());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("xdperf_stream_sent_packets").help("Frames sent per stream")
                .constLabels(constant).labelNames("stream").callback(cb -> {
                    for (var e : new TreeMap<>(view.sentPerStream()).entrySet()) {
                        cb.call(e.getValue(), Integer.toString(e.getKey()));
                    }
                }).register(registry);
        streamCounter(constant, "xdperf_received_packets", "xdperf frames received per stream", StreamStats::packets);
        streamCounter(constant, "xdperf_received_bytes", "Bytes of xdperf frames received per stream", StreamStats::bytes);
        streamCounter(constant, "xdperf_lost_packets", "Gaps in the sequence numbers per stream", StreamStats::lost);
        streamCounter(constant, "xdperf_duplicate_packets", "Duplicates per stream", StreamStats::duplicates);
        streamCounter(constant, "xdperf_reordered_packets", "Reordered or late packets per stream", s -> s.reordered() + s.late());
        registry.register(new LatencyCollector(constant));
        GaugeWithCallback.builder().name("xdperf_jitter_seconds").help("RFC 3550 interarrival jitter per stream")
                .constLabels(constant).labelNames("stream").callback(cb -> {
                    RxSnapshot rx = view.rx();
                    if (rx != null) {
                        for (StreamStats s : rx.streams()) {
                            cb.call(s.jitterNs() / 1e9, Integer.toString(s.streamId()));
                        }
                    }
                }).register(registry);
        deviceCounter(constant, "xdperf_device_tx_packets", "The interface's own tx_packets", DeviceCounters::txPackets);
        deviceCounter(constant, "xdperf_device_rx_packets", "The interface's own rx_packets", DeviceCounters::rxPackets);
        deviceCounter(constant, "xdperf_device_tx_dropped", "The interface's own tx_dropped", DeviceCounters::txDropped);
        deviceCounter(constant, "xdperf_device_rx_dropped", "The interface's own rx_dropped", DeviceCounters::rxDropped);
        deviceCounter(constant, "xdperf_device_xdp_xmit", "Frames the driver transmitted for XDP", DeviceCounters::xdpXmit);
        deviceCounter(constant, "xdperf_device_xdp_xmit_errors", "XDP frames the driver failed to transmit", DeviceCounters::xdpXmitErrors);
        HTTPServer.Builder b = HTTPServer.builder().port(port).registry(registry);
        if (bind != null) {
            b.hostname(bind);
        }
        this.server = b.buildAndStart();
    }

    /**
     * Latency as a Prometheus histogram: classic buckets whose bounds are bucket bounds of the
     * receiver's own log-linear histogram (four per power of two from 64 ns to 64 s), so nothing
     * is split between buckets, and the histograms of every sink or agent of a run add up with
     * {@code sum by (le)} to the run's, whose quantiles {@code histogram_quantile} then gives.
     */
    private final class LatencyCollector implements Collector {
        private final Labels constant;

        LatencyCollector(Labels constant) {
            this.constant = constant;
        }

        @Override
        public String getPrometheusName() {
            return "xdperf_latency_seconds";
        }

        @Override
        public MetricSnapshot collect() {
            HistogramSnapshot.Builder b = HistogramSnapshot.builder().name("xdperf_latency_seconds")
                    .help("Latency of the run's frames (one-way, or round-trip in --rtt runs)");
            RxSnapshot rx = view.rx();
            if (rx != null && rx.latency().count() > 0) {
                b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(LATENCY_BOUNDS_SECONDS, bucketCounts(rx.latency())))
                        .sum(sumNanos(rx.latency()) / 1e9).labels(constant).build());
            }
            return b.build();
        }
    }

    /**
     * Upper bounds of the exported buckets in ns: 64·2^k·(1 + j/4) − 1, each the last value of a
     * receiver bucket, so that "le" holds exactly for every receiver bucket.
     */
    static final long[] LATENCY_BOUNDS_NS = latencyBounds();
    static final double[] LATENCY_BOUNDS_SECONDS = java.util.stream.LongStream.of(LATENCY_BOUNDS_NS)
            .mapToDouble(ns -> ns / 1e9).boxed().collect(java.util.stream.Collectors.collectingAndThen(
                    java.util.stream.Collectors.toList(), l -> {
                        l.add(Double.POSITIVE_INFINITY);
                        return l.stream().mapToDouble(Double::doubleValue).toArray();
                    }));

    private static long[] latencyBounds() {
        java.util.List<Long> b = new java.util.ArrayList<>();
        for (long base = 64; base < 64_000_000_000L; base <<= 1) {
            for (int j = 0; j < 4; j++) {
                b.add(base + base * j / 4 - 1);
            }
        }
        return b.stream().mapToLong(Long::longValue).toArray();
    }

    /** Counts per exported bucket (not cumulative): receiver buckets whose values all lie at or below the bound. */
    static long[] bucketCounts(LatencyHistogram h) {
        long[] counts = h.counts();
        long[] out = new long[LATENCY_BOUNDS_NS.length + 1];
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                continue;
            }
            // a receiver bucket [lo, lo + width) lies entirely below the first bound >= lo + width - 1
            long top = LatencyHistogram.lowerBound(i) + LatencyHistogram.width(i) - 1;
            int k = java.util.Arrays.binarySearch(LATENCY_BOUNDS_NS, top);
            k = k >= 0 ? k : -k - 1;
            out[Math.min(k, out.length - 1)] += counts[i];
        }
        return out;
    }

    private static double sumNanos(LatencyHistogram h) {
        long[] counts = h.counts();
        double sum = 0;
        for (int i = 0; i < counts.length; i++) {
            sum += (double) counts[i] * LatencyHistogram.midpoint(i);
        }
        return sum;
    }

    private void streamCounter(Labels constant, String name, String help, java.util.function.ToLongFunction<StreamStats> f) {
        CounterWithCallback.builder().name(name).help(help).constLabels(constant).labelNames("stream").callback(cb -> {
            RxSnapshot rx = view.rx();
            if (rx != null) {
                for (StreamStats s : rx.streams()) {
                    cb.call(f.applyAsLong(s), Integer.toString(s.streamId()));
                }
            }
        }).register(registry);
    }

    private void deviceCounter(Labels constant, String name, String help, java.util.function.ToLongFunction<DeviceCounters> f) {
        CounterWithCallback.builder().name(name).help(help).constLabels(constant).labelNames("dev").callback(cb -> {
            for (var e : new TreeMap<>(view.devices()).entrySet()) {
                cb.call(f.applyAsLong(e.getValue()), e.getKey());
            }
        }).register(registry);
    }

    /** Serves /metrics on {@code port} (0: any free port); "port in use" is one sentence. */
    public static Metrics start(int port, String bind, Map<String, String> labels) {
        try {
            return new Metrics(new LinkedHashMap<>(labels), port, bind);
        } catch (IOException e) {
            throw new IllegalArgumentException("serve metrics on port " + port + ": " + e.getMessage()
                    + " (pick another --metrics-port)");
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void update(View v) {
        view = v;
    }

    @Override
    public void close() {
        server.close();
    }
}
