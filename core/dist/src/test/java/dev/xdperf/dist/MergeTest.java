package dev.xdperf.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.bpf.Structs;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.rx.StreamStats;
import dev.xdperf.stats.Json;
import dev.xdperf.rx.LatencyHistogram;
import dev.xdperf.stats.RunReport;
import dev.xdperf.template.Shard;
import dev.xdperf.tx.TxCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeTest {
    static final List<String> PERCENTILES = List.of("count", "min", "mean", "p50", "p90", "p99", "p999", "p9999", "max");

    /** Round-trip latencies around {@code centreNs}, as the kernel histogram would file them. */
    static LatencyHistogram latencies(long seed, int n, long centreNs, long spreadNs) {
        Random r = new Random(seed);
        long[] counts = new long[Structs.HIST_BUCKETS];
        for (int i = 0; i < n; i++) {
            long v = Math.max(0, centreNs + (long) (r.nextGaussian() * spreadNs));
            counts[LatencyHistogram.index(v)]++;
        }
        return new LatencyHistogram(counts);
    }

    /** A shard's run report: what it sent, and what came back with which round-trip latency. */
    static RunReport report(long sent, LatencyHistogram latency) {
        LatencyHistogram none = LatencyHistogram.empty();
        RxSnapshot returned = new RxSnapshot(latency.count(), latency.count() * 64, 0, 0,
                List.of(new StreamStats(0, latency.count(), latency.count() * 64, latency.count(), 0, 0, 0, 0, latency.count(), 0)),
                latency, none, none, 0);
        return new RunReport("eth1", List.of(0, 1), 64, 1_000_000, 2.0, new TxCounters(sent, sent * 64, sent, 0, 0, 0),
                new DeviceCounters(sent, 0, 0, 0, sent, 0, 0), null, null, null, false, returned, List.of(), Map.of(0, sent), Map.of());
    }

    static ObjectNode agent(String run, int index, int count, RunReport r) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", "agent");
        n.put("run_id", run);
        n.put("shard_index", index);
        n.put("shard_count", count);
        n.put("node", "node-" + index);
        n.put("start_at", "2025-01-01T00:00:00Z");
        n.put("started_at", "2025-01-01T00:00:00.000" + (100 + index) + "Z");
        n.put("start_lag_ns", 100_000 + index * 1000);
        n.putObject("clock").put("source", "chrony").put("offset_ns", (index % 2 == 0 ? 1 : -1) * 20_000L * (index + 1));
        n.putObject("share").put("stream_base", index).put("stream_span", 1);
        n.put("exit_status", 0);
        n.putNull("error");
        n.set("report", r.toJson());
        return n;
    }

    static List<Merge.Source> sources(JsonNode... reports) {
        List<Merge.Source> out = new ArrayList<>();
        for (int i = 0; i < reports.length; i++) {
            out.add(new Merge.Source("report" + i, reports[i]));
        }
        return out;
    }

    @Test
    void countersAddAndHistogramsMergeToTheHistogramOfTheUnion() {
        LatencyHistogram a = latencies(1, 50_000, 8_000, 1_000);
        LatencyHistogram b = latencies(2, 10_000, 120_000, 30_000);
        LatencyHistogram c = latencies(3, 30_000, 40_000, 20_000);
        Merge.Outcome o = Merge.merge(sources(agent("r1", 0, 3, report(50_000, a)), agent("r1", 1, 3, report(10_000, b)),
                agent("r1", 2, 3, report(30_000, c))));
        assertTrue(o.complete(), o.problems()::toString);
        JsonNode m = o.report();
        assertEquals(90_000, m.path("sent_packets").asLong());
        assertEquals(90_000L * 64, m.path("sent_bytes").asLong());
        assertEquals(90_000, m.path("returned_packets").asLong());
        assertEquals(3_000_000, m.path("target_pps").asLong());
        assertEquals(90_000, m.path("tx_device").path("xdp_xmit").asLong());
        assertEquals(2.0, m.path("seconds").asDouble());

        // One histogram of every latency the three shards measured: the single-machine truth.
        JsonNode union = report(90_000, a.plus(b).plus(c)).toJson().path("latency_ns");
        JsonNode merged = m.path("latency_ns");
        for (String k : PERCENTILES) {
            assertEquals(union.path(k).asLong(), merged.path(k).asLong(), k);
        }
        assertEquals("round-trip", merged.path("kind").asText());
        assertEquals(3, merged.path("shards").asInt());
        assertEquals(Json.buckets(a.plus(b).plus(c)), m.path("latency_buckets"), "the merged raw buckets travel on");

        // What averaging would have said instead: far from the truth for shards of different sizes.
        double averagedP99 = (a.percentile(99) + b.percentile(99) + c.percentile(99)) / 3.0;
        assertNotEquals(Math.round(averagedP99), merged.path("p99").asLong());

        assertEquals(2000, m.path("start").path("spread_ns").asLong(), "started at .000100, .000101, .000102");
        assertEquals(60_000, m.path("start").path("max_clock_offset_ns").asLong());
    }

    @Test
    void aMissingShardIsFlagged() {
        LatencyHistogram a = latencies(1, 1000, 8_000, 1_000);
        Merge.Outcome o = Merge.merge(sources(agent("r1", 0, 3, report(1000, a)), agent("r1", 2, 3, report(1000, a))));
        assertFalse(o.complete());
        assertEquals(List.of("shard 1 of 3 is missing (no report)"), o.problems());
        assertEquals("[1]", o.report().path("missing_shards").toString());
        assertFalse(o.report().path("complete").asBoolean());
        assertEquals(2000, o.report().path("sent_packets").asLong(), "the shards that reported still add up");
        assertTrue(Merge.toText(o).contains("INCOMPLETE"));
    }

    @Test
    void aFailedShardIsFlaggedWithItsReason() {
        Agent.Options failedOptions = new Agent.Options();
        failedOptions.runId = "r1";
        failedOptions.shard = new Shard(1, 2);
        failedOptions.node = "node-1";
        ObjectNode failed = Agent.failure(failedOptions, ClockCheck.Offset.unknown("no chrony"),
                "start shard 1/2: the start time 2025-01-01T00:00:00Z passed 3.000 s ago", 1);
        Merge.Outcome o = Merge.merge(sources(agent("r1", 0, 2, report(1000, latencies(1, 1000, 8_000, 1_000))), failed));
        assertFalse(o.complete());
        assertEquals(List.of("shard 1 of 2 failed on node-1: start shard 1/2: the start time 2025-01-01T00:00:00Z passed 3.000 s ago"),
                o.problems());
        assertEquals(1, o.report().path("failed_shards").size());
        assertEquals(1, o.report().path("failed_shards").get(0).path("exit_status").asInt());

        ObjectNode sentNothing = agent("r1", 1, 2, report(0, LatencyHistogram.empty()));
        sentNothing.put("exit_status", 3);
        sentNothing.put("error", "shard 1/2 sent nothing");
        assertFalse(Merge.merge(sources(agent("r1", 0, 2, report(5, LatencyHistogram.empty())), sentNothing)).complete());
    }

    @Test
    void reportsOfDifferentRunsOrTheSameShardTwiceAreRefused() {
        LatencyHistogram a = latencies(1, 100, 8_000, 1_000);
        IllegalArgumentException runs = assertThrows(IllegalArgumentException.class,
                () -> Merge.merge(sources(agent("r1", 0, 2, report(1, a)), agent("r2", 1, 2, report(1, a)))));
        assertEquals("merge: the reports belong to 2 runs (r1, r2): merge one run at a time", runs.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> Merge.merge(sources(agent("r1", 0, 2, report(1, a)), agent("r1", 0, 2, report(1, a)))));
        assertTrue(twice.getMessage().startsWith("merge: shard 0 reported twice"), twice.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Merge.merge(sources(agent("r1", 0, 2, report(1, a)), agent("r1", 1, 3, report(1, a)))));
    }

    @Test
    void sinksCountWhatArrivedPerShard() {
        LatencyHistogram none = LatencyHistogram.empty();
        ObjectNode sink = Json.MAPPER.createObjectNode();
        sink.put("type", "sink");
        sink.put("run_id", "r1");
        sink.put("node", "rx-0");
        sink.set("rx", Json.rx(new RxSnapshot(1990, 1990 * 64, 0, 0, List.of(
                new StreamStats(0, 1000, 64_000, 1000, 0, 0, 0, 0, 0, 0),
                new StreamStats(1, 990, 990 * 64, 1000, 0, 0, 0, 0, 0, 0)), none, none, none, 0)));
        Merge.Outcome o = Merge.merge(sources(agent("r1", 0, 2, report(1000, none)), agent("r1", 1, 2, report(1000, none)), sink));
        assertTrue(o.complete());
        JsonNode m = o.report();
        assertEquals(1990, m.path("sinks").path("received_packets").asLong());
        assertEquals(10, m.path("delivery").path("lost_packets").asLong());
        assertEquals(10, m.path("sinks").path("sequence_gaps").asLong());
        assertEquals(1000, m.path("shards").get(0).path("received_at_sinks").asLong());
        assertEquals(990, m.path("shards").get(1).path("received_at_sinks").asLong());
    }

    @Test
    void framesWithoutTheMeasurementHeaderAreCountedByTheSinksInterfaces() {
        LatencyHistogram none = LatencyHistogram.empty();
        ObjectNode sink = Json.MAPPER.createObjectNode();
        sink.put("type", "sink");
        sink.put("run_id", "r1");
        sink.put("node", "rx-0");
        sink.set("rx", Json.rx(new RxSnapshot(1000, 64_000, 0, 0,
                List.of(new StreamStats(1, 1000, 64_000, 1000, 0, 0, 0, 0, 0, 0)), none, none, none, 0)));
        sink.set("rx_device", Json.device("eth1", new DeviceCounters(0, 2003, 0, 0, 0, 0, 0)));
        ObjectNode syn = agent("r1", 0, 2, report(1000, none));
        ((ObjectNode) syn.path("share")).put("measured", false);
        Merge.Outcome o = Merge.merge(sources(syn, agent("r1", 1, 2, report(1000, none)), sink));
        JsonNode d = o.report().path("delivery");
        assertEquals("device", d.path("counted_by").asText());
        assertEquals(2003, d.path("received_packets").asLong(), "the interface saw both shards (and 3 other frames)");
        assertEquals(0, d.path("lost_packets").asLong());
        assertTrue(o.report().path("warnings").toString().contains("1,000 of the frames sent carry no measurement header"));
        assertTrue(o.report().path("shards").get(0).path("received_at_sinks").isMissingNode(), "no per-stream count for shard 0");
        assertEquals(1000, o.report().path("shards").get(1).path("received_at_sinks").asLong());
    }

    @Test
    void reportsAreReadFromFilesAndFromLogsWithOtherLines(@TempDir Path dir) throws Exception {
        LatencyHistogram a = latencies(1, 100, 8_000, 1_000);
        Path json = dir.resolve("shard-0.json");
        Files.writeString(json, agent("r1", 0, 2, report(100, a)).toPrettyString());
        Path logs = dir.resolve("logs.txt");
        Files.writeString(logs, "agent: run r1 shard 1/2 on node-1, clock offset +0.020 ms (chrony)\n"
                + "[   1.0s] tx 100 pps\n" + agent("r1", 1, 2, report(100, a)) + "\n{not json\n");
        List<Merge.Source> all = new ArrayList<>(Merge.read(json));
        all.addAll(Merge.read(logs));
        assertEquals(2, all.size());
        assertTrue(Merge.merge(all).complete());
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "nothing here\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Merge.read(empty));
        assertTrue(e.getMessage().startsWith("read " + empty + ": it holds no xdperf agent or sink report"), e.getMessage());
        assertEquals("read " + dir.resolve("gone.json") + ": no such file",
                assertThrows(IllegalArgumentException.class, () -> Merge.read(dir.resolve("gone.json"))).getMessage());
    }
}
