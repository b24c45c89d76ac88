package dev.xdperf.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.net.Commands;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.rx.StreamStats;
import dev.xdperf.rx.LatencyHistogram;
import dev.xdperf.stats.MetricsSink;
import dev.xdperf.tx.TxCounters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint: latency is a histogram whose buckets hold exactly the receiver's
 * counts, so the histograms of several sinks add up to the run's; promtool accepts the page.
 */
class MetricsTest {
    @Test
    void latencyIsAHistogramThatAddsUpAcrossSinksAndPromtoolAcceptsThePage(@TempDir Path dir) throws Exception {
        long[] a = new long[LatencyHistogram.empty().counts().length];
        long[] b = a.clone();
        for (long v = 100; v < 2_000_000; v = v * 11 / 10 + 1) {
            a[LatencyHistogram.index(v)]++;
            b[LatencyHistogram.index(v * 3)] += 2;
        }
        List<Map<Double, Long>> scraped = new ArrayList<>();
        for (long[] counts : List.of(a, b)) {
            try (Metrics m = Metrics.start(0, "127.0.0.1", Map.of("run", "r1", "role", "sink"))) {
                LatencyHistogram h = new LatencyHistogram(counts);
                m.update(new MetricsSink.View(new TxCounters(10, 640, 10, 0, 0, 1), Map.of(0, 10L),
                        new RxSnapshot(h.count(), 64 * h.count(), 0, 0, List.of(new StreamStats(0, h.count(), 64 * h.count(),
                                h.count(), 0, 0, 0, 0, 0, 0)), h, LatencyHistogram.empty(), LatencyHistogram.empty(), 1),
                        Map.of("eth1", new DeviceCounters(1, 2, 0, 0, 1, 0, 1))));
                String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(page.contains("# TYPE xdperf_latency_seconds histogram"), page);
                assertTrue(!page.contains("quantile="), "no gauges with a quantile label: " + page);
                Map<Double, Long> buckets = buckets(page);
                assertEquals(h.count(), buckets.get(Double.POSITIVE_INFINITY), page);
                // every value counted at or below a bound is exactly the receiver's count up to that bound
                for (var e : buckets.entrySet()) {
                    if (!e.getKey().isInfinite()) {
                        long ns = Math.round(e.getKey() * 1e9);
                        long expected = 0;
                        for (int i = 0; i < counts.length; i++) {
                            if (LatencyHistogram.lowerBound(i) + LatencyHistogram.width(i) - 1 <= ns) {
                                expected += counts[i];
                            }
                        }
                        assertEquals(expected, e.getValue(), "le " + e.getKey());
                    }
                }
                scraped.add(buckets);
                Path file = dir.resolve("metrics" + scraped.size() + ".txt");
                Files.writeString(file, page);
                promtoolAccepts(file);
            }
        }
        // sum by (le) of two sinks is the histogram of the two runs together
        LatencyHistogram both = new LatencyHistogram(a).plus(new LatencyHistogram(b));
        long[] merged = Metrics.bucketCounts(both);
        long cumulative = 0;
        int k = 0;
        for (var e : scraped.get(0).entrySet()) {
            cumulative += merged[k++];
            assertEquals(cumulative, e.getValue() + scraped.get(1).get(e.getKey()), "le " + e.getKey());
        }
    }

    /** Buckets of the latency histogram in the text format, cumulative as Prometheus shows them. */
    private static Map<Double, Long> buckets(String page) {
        Map<Double, Long> out = new java.util.TreeMap<>();
        Matcher m = Pattern.compile("xdperf_latency_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*\\} (\\d+)").matcher(page);
        while (m.find()) {
            out.put(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)), Long.parseLong(m.group(2)));
        }
        assertTrue(out.size() > 100, "the exported buckets: " + out.size());
        return out;
    }

    /** promtool's own check, where Debian's prometheus package is installed (scripts/setup.sh installs it); under CI it must be. */
    static void promtoolAccepts(Path file) {
        if (!Files.isExecutable(Path.of("/usr/bin/promtool"))) {
            assertTrue(System.getenv("CI") == null, "promtool is missing under CI (scripts/setup.sh installs prometheus)");
            System.err.println("skipped: promtool check metrics (install Debian's prometheus package)");
            return;
        }
        Commands.Output o = Commands.run(List.of("sh", "-c", "promtool check metrics < " + file));
        assertEquals("", (o.stdout() + o.stderr()).strip(), "promtool check metrics");
        assertTrue(o.ok(), "promtool check metrics failed: " + o.stdout() + o.stderr());
    }
}
