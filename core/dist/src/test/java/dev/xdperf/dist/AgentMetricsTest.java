package dev.xdperf.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.net.DeviceCounters;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.rx.StreamStats;
import dev.xdperf.rx.LatencyHistogram;
import dev.xdperf.web.Metrics;
import dev.xdperf.template.Shard;
import dev.xdperf.tx.TxCounters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every series of an agent or a sink carries run, node (and shard): what `sum by (run)` adds up. */
class AgentMetricsTest {
    static String scrape(Metrics m) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    @Test
    void agentSeriesAreLabelledRunShardAndNode() throws Exception {
        Agent.Options o = new Agent.Options();
        o.runId = "r7";
        o.shard = new Shard(2, 3);
        o.node = "worker-2";
        assertEquals(Map.of("run", "r7", "shard", "2", "node", "worker-2", "role", "agent"), Agent.labels(o));
        try (Metrics m = Metrics.start(0, "127.0.0.1", Agent.labels(o))) {
            m.update(new Metrics.View(new TxCounters(123_456, 123_456 * 64, 0, 0, 0, 0), Map.of(2, 123_456L), null,
                    Map.of("eth1", new DeviceCounters(123_456, 0, 0, 0, 123_456, 0, 0))));
            String text = scrape(m);
            assertTrue(text.contains("xdperf_sent_packets_total{node=\"worker-2\",role=\"agent\",run=\"r7\",shard=\"2\"} 123456.0"), text);
            assertTrue(text.contains("xdperf_stream_sent_packets_total{node=\"worker-2\",role=\"agent\",run=\"r7\",shard=\"2\",stream=\"2\"} 123456.0"), text);
            assertTrue(text.contains("xdperf_device_xdp_xmit_total{dev=\"eth1\",node=\"worker-2\",role=\"agent\",run=\"r7\",shard=\"2\"} 123456.0"), text);
        }
    }

    @Test
    void sinkSeriesAreLabelledRunAndNode() throws Exception {
        Sink.Options o = new Sink.Options();
        o.runId = "r7";
        o.node = "rx-1";
        Sink sink = new Sink(o);
        assertEquals(Map.of("run", "r7", "node", "rx-1", "role", "sink"), sink.labels());
        LatencyHistogram none = LatencyHistogram.empty();
        try (Metrics m = Metrics.start(0, "127.0.0.1", sink.labels())) {
            m.update(new Metrics.View(null, Map.of(), new RxSnapshot(10, 640, 0, 0,
                    List.of(new StreamStats(1, 10, 640, 10, 0, 0, 0, 0, 0, 0)), none, none, none, 0), Map.of()));
            String text = scrape(m);
            assertTrue(text.contains("xdperf_received_packets_total{node=\"rx-1\",role=\"sink\",run=\"r7\",stream=\"1\"} 10.0"), text);
        }
    }
}
