package dev.xdperf.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.stats.Json;
import dev.xdperf.rx.LatencyHistogram;
import dev.xdperf.testing.Xdperf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The distributed commands as a user runs them, without privileges: refusals, merge's exit status, rendering. */
class DistributedCliTest {
    static List<String> errorLines(Xdperf.Result r) {
        return r.stderr().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void anAgentWhoseStartTimeHasPassedRefusesInOneSentenceAndReportsWhy(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("late.json");
        Xdperf.Result r = Xdperf.run(Map.of("JOB_COMPLETION_INDEX", "1"), null, 60, "agent", "--run-id", "late",
                "--shard-count", "2", "--start-at", "2025-01-31T12:00:00Z", "--duration", "5", "--dev", "lo", "--json-out", out.toString());
        assertEquals(1, r.exit(), r::toString);
        List<String> err = errorLines(r);
        assertEquals(1, err.size(), r::toString);
        assertTrue(err.get(0).matches("xdperf: start shard 1/2: the start time 2025-01-31T12:00:00Z passed [0-9.]+ s ago"
                + " \\(start every agent with a time in the future, e\\.g\\. render the manifests again\\)"), err.get(0));
        JsonNode report = Json.MAPPER.readTree(out.toFile());
        assertEquals(report, r.json(), "the same report on stdout and in --json-out");
        assertEquals("agent", report.path("type").asText());
        assertEquals(1, report.path("shard_index").asInt(), "from JOB_COMPLETION_INDEX");
        assertEquals(2, report.path("shard_count").asInt());
        assertEquals(1, report.path("exit_status").asInt());
        assertTrue(report.path("error").asText().startsWith("start shard 1/2: the start time"));
        assertTrue(report.path("report").isNull());

        Xdperf.Result epoch = Xdperf.run(null, 60, "agent", "--run-id", "late", "--shard-index", "0", "--shard-count", "2",
                "--start-at", "1738324800", "--duration", "5", "--dev", "lo");
        assertEquals(1, epoch.exit());
        assertTrue(errorLines(epoch).get(0).startsWith("xdperf: start shard 0/2: the start time 2025-01-31T12:00:00Z passed"), epoch::toString);
    }

    @Test
    void anAgentWithoutAShardIndexOrWithAnUnknownClockRefuses() {
        String future = Instant.now().plus(Duration.ofHours(1)).toString();
        Xdperf.Result noIndex = Xdperf.run(null, 60, "agent", "--run-id", "r", "--shard-count", "2", "--start-at", future,
                "--duration", "5", "--dev", "lo");
        assertEquals(1, noIndex.exit());
        assertEquals(List.of("xdperf: no shard index: give --shard-index, or run as an Indexed Job (JOB_COMPLETION_INDEX)"),
                errorLines(noIndex));
        Xdperf.Result bad = Xdperf.run(null, 60, "agent", "--run-id", "r", "--shard-index", "2", "--shard-count", "2",
                "--start-at", future, "--duration", "5", "--dev", "lo");
        assertEquals(List.of("xdperf: shard index 2 is outside 0..1 (indices start at 0, as JOB_COMPLETION_INDEX does)"), errorLines(bad));
        if (!ClockCheck.measure().known()) {
            Xdperf.Result clock = Xdperf.run(null, 60, "agent", "--run-id", "r", "--shard-index", "0", "--shard-count", "2",
                    "--start-at", future, "--duration", "5", "--dev", "lo");
            assertEquals(1, clock.exit());
            assertEquals(List.of("xdperf: check the clock: its offset is unknown, neither chronyc tracking nor pmc (linuxptp)"
                    + " reported an offset (run chrony or linuxptp, or give --allow-unknown-clock)"), errorLines(clock));
            assertEquals("unknown", clock.json().path("clock").path("source").asText(), "the report says what was measured");
        }
    }

    @Test
    void mergeExitsThreeWhenAShardIsMissing(@TempDir Path dir) throws Exception {
        LatencyHistogram lat = MergeTest.latencies(7, 1000, 10_000, 500);
        Path a0 = dir.resolve("a0.json");
        Path a1 = dir.resolve("a1.json");
        Files.writeString(a0, MergeTest.agent("r9", 0, 3, MergeTest.report(1000, lat)).toString());
        Files.writeString(a1, MergeTest.agent("r9", 1, 3, MergeTest.report(1000, lat)).toString());
        Xdperf.Result r = Xdperf.run(null, 60, "merge", a0.toString(), a1.toString());
        assertEquals(3, r.exit(), r::toString);
        assertEquals(List.of("xdperf: merge run r9: shard 2 of 3 is missing (no report)"), errorLines(r));
        assertTrue(r.stdout().startsWith("run r9: 2 of 3 shards reported — INCOMPLETE"), r.stdout());
        assertTrue(r.stdout().contains("latency (round-trip, 2 shards, merged histograms)"), r.stdout());

        Files.writeString(dir.resolve("a2.json"), MergeTest.agent("r9", 2, 3, MergeTest.report(1000, lat)).toString());
        Path merged = dir.resolve("merged.json");
        Xdperf.Result ok = Xdperf.run(null, 60, "merge", a0.toString(), a1.toString(), dir.resolve("a2.json").toString(),
                "--out", merged.toString());
        assertEquals(0, ok.exit(), ok::toString);
        assertEquals(3000, Json.MAPPER.readTree(merged.toFile()).path("sent_packets").asLong());

        Xdperf.Result none = Xdperf.run(null, 60, "merge", dir.resolve("nothing.json").toString());
        assertEquals(List.of("xdperf: read " + dir.resolve("nothing.json") + ": no such file"), errorLines(none));
    }

    @Test
    @SuppressWarnings("unchecked")
    void k8sRenderWritesManifestsThatStartAMarginFromNow(@TempDir Path dir) throws Exception {
        Instant before = Instant.now();
        Xdperf.Result r = Xdperf.run(null, 60, "k8s", "render", "--run-id", "cli", "--shards", "4", "--image", "xdperf:test",
                "--dev", "eth1", "--pps", "10M", "--duration", "30s", "--start-margin", "90s", "--server-mode", "deployment",
                "--namespace", "load", "--out", dir.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.stdout().contains("kubectl apply -f " + dir), r.stdout());
        for (String f : List.of("agents.yaml", "receivers.yaml", "metrics.yaml", "servicemonitor.yaml", "prometheus/scrape-config.yaml")) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        Map<String, Object> job = new Yaml().load(Files.readString(dir.resolve("agents.yaml")));
        Map<String, Object> spec = (Map<String, Object>) job.get("spec");
        assertEquals(4, spec.get("parallelism"));
        List<String> args = (List<String>) ((List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                spec.get("template")).get("spec")).get("containers")).get(0).get("args");
        Instant start = Instant.parse(args.get(args.indexOf("--start-at") + 1));
        assertTrue(!start.isBefore(before.plusSeconds(89)) && !start.isAfter(Instant.now().plusSeconds(90)), start + " is now + 90 s");
        assertEquals("10000000", args.get(args.indexOf("--pps") + 1));
        Map<String, Object> receivers = new Yaml().load(Files.readString(dir.resolve("receivers.yaml")));
        assertEquals("Deployment", receivers.get("kind"));

        Xdperf.Result bad = Xdperf.run(null, 60, "k8s", "render", "--run-id", "cli", "--shards", "4", "--image", "x",
                "--dev", "eth1", "--duration", "30s", "--server-mode", "statefulset", "--out", dir.toString());
        assertEquals(List.of("xdperf: --server-mode statefulset is not daemonset or deployment"), errorLines(bad));
    }
}
