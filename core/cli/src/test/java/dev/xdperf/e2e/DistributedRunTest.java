package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.dist.ClockCheck;
import dev.xdperf.k8s.Manifests;
import dev.xdperf.net.Commands;
import dev.xdperf.packet.MeasurementHeader;
import dev.xdperf.stats.Json;
import dev.xdperf.rx.LatencyHistogram;
import dev.xdperf.stats.RunReport;
import dev.xdperf.testing.Bridge;
import dev.xdperf.testing.Pcap;
import dev.xdperf.testing.Topology;
import dev.xdperf.testing.Xdperf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed runs for real, with network namespaces as nodes: agents started by the clock
 * (no messages between them), a sink counting every shard, and `xdperf merge` putting the
 * reports together. Every process is the real xdperf command.
 */
class DistributedRunTest {
    /** Time for several JVMs to start and load their programs on a busy two-core machine. */
    static final int START_MARGIN_S = 20;
    static final ExecutorService POOL = Executors.newCachedThreadPool();

    @AfterAll
    static void stopPool() {
        POOL.shutdownNow();
    }

    static String startAt(int seconds) {
        return Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** Clock options: this machine may have no chrony (then the offset is unknown), and the tests are not about precision. */
    static List<String> clockArgs() {
        List<String> a = new ArrayList<>(List.of("--max-clock-offset", "100ms"));
        if (!ClockCheck.measure().known()) {
            a.add("--allow-unknown-clock");
        }
        return a;
    }

    static CompletableFuture<Xdperf.Result> async(String ns, List<String> args) {
        return CompletableFuture.supplyAsync(() -> Xdperf.run(ns, 180, args.toArray(String[]::new)), POOL);
    }

    static JsonNode read(Path p) throws Exception {
        return Json.MAPPER.readTree(p.toFile());
    }

    static String mac(String ns, String ifname) {
        return Commands.check(List.of("ip", "netns", "exec", ns, "cat", "/sys/class/net/" + ifname + "/address")).trim();
    }

    static Map<Integer, Long> streams(JsonNode sink) {
        Map<Integer, Long> m = new HashMap<>();
        sink.path("rx").path("streams").forEach(s -> m.put(s.path("stream").asInt(), s.path("packets").asLong()));
        return m;
    }

    /** /metrics of a process in {@code ns}, fetched once its report is out (it lingers for the last scrape). */
    static CompletableFuture<String> scrapeOnceReported(String ns, int port, Path report) {
        return CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (!java.nio.file.Files.exists(report) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "";
                }
            }
            return Commands.run(List.of("ip", "netns", "exec", ns, "curl", "-sf", "http://127.0.0.1:" + port + "/metrics")).stdout();
        }, POOL);
    }

    static Xdperf.Result merge(Path... files) {
        List<String> args = new ArrayList<>(List.of("merge", "--json"));
        for (Path f : files) {
            args.add(f.toString());
        }
        return Xdperf.run(null, 60, args.toArray(String[]::new));
    }

    /** The brief's case: two agents on the client's interface of one topology, a sink on the server's. */
    @Test
    void twoAgentsTogetherSendExactlyTheWholeRunOnDisjointFlows(@TempDir Path dir) throws Exception {
        try (Topology t = Topology.create()) {
            // 100k/s in all: the sink passes every frame up to the stack (and tcpdump), and a
            // receiving veth that falls behind drops frames from its ring (rx_dropped).
            long total = 200_000;
            String at = startAt(START_MARGIN_S);
            Path pcap = dir.resolve("wire.pcap");
            Process dump = new ProcessBuilder("ip", "netns", "exec", t.server, "tcpdump", "-i", SERVER_IF, "-n", "-U",
                    "-s", "96", "-c", "50000", "-w", pcap.toString(), "udp and dst port 5201").redirectErrorStream(true).start();
            String line = new BufferedReader(new InputStreamReader(dump.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(line != null && line.contains("listening on"), "tcpdump did not start: " + line);
            Xdperf.Result[] agents = new Xdperf.Result[2];
            List<CompletableFuture<String>> scrapes = new ArrayList<>();
            try (Xdperf.Background sink = Xdperf.Background.start(t.server, "sink: receiving on", "sink", "--dev", SERVER_IF,
                    "--run-id", "two", "--start-at", at, "--duration", "4", "--verdict", "pass", "--json-out",
                    dir.resolve("sink.json").toString(), "--metrics-port", "9470", "--metrics-linger", "5s", "-q")) {
                List<CompletableFuture<Xdperf.Result>> running = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    List<String> args = new ArrayList<>(List.of("agent", "--run-id", "two", "--shard-index", Integer.toString(i),
                            "--shard-count", "2", "--start-at", at, "--duration", "4", "--count", Long.toString(total),
                            "--pps", "100k", "--dev", CLIENT_IF, "--dst-ip", SERVER_IP, "--dst-mac", mac(t.server, SERVER_IF),
                            // two agents on one interface: neither may claim it with the pass-through program
                            "--no-pass-prog", "--json-out", dir.resolve("a" + i + ".json").toString(), "-q", "--seed", "42",
                            "--metrics-port", Integer.toString(9460 + i), "--metrics-linger", "5s"));
                    args.addAll(clockArgs());
                    running.add(async(t.client, args));
                    scrapes.add(scrapeOnceReported(t.client, 9460 + i, dir.resolve("a" + i + ".json")));
                }
                scrapes.add(scrapeOnceReported(t.server, 9470, dir.resolve("sink.json")));
                for (int i = 0; i < 2; i++) {
                    agents[i] = running.get(i).get(180, TimeUnit.SECONDS);
                    assertEquals(0, agents[i].exit(), agents[i]::toString);
                }
                assertEquals(0, sink.waitFor(60), sink::output);
            }
            long sent = 0;
            for (int i = 0; i < 2; i++) {
                JsonNode a = read(dir.resolve("a" + i + ".json"));
                assertEquals(a, Json.MAPPER.readTree(agents[i].stdout()), "the report on stdout is the one in the file");
                assertEquals(i, a.path("shard_index").asInt());
                assertEquals(total / 2, a.path("share").path("count").asLong());
                assertEquals(50_000, a.path("share").path("pps").asLong(), "rate/N");
                assertEquals(total / 2, a.path("report").path("sent_packets").asLong(), a::toPrettyString);
                assertEquals(i, a.path("share").path("stream_base").asInt(), "a shard's own stream");
                assertEquals(42, a.path("report").path("seed").asLong(), "every shard keyed by the --seed given");
                assertEquals("[{\"template\":0,\"of\":2,\"from\":" + i + ",\"to\":" + (i + 1) + "}]",
                        a.path("share").path("flows").toString(), "one of the two flows (source ports) each");
                sent += a.path("report").path("sent_packets").asLong();
            }
            assertEquals(total, sent, "the shards together sent the whole run");
            JsonNode sink = read(dir.resolve("sink.json"));
            assertEquals(total, sink.path("received_packets").asLong(), sink::toPrettyString);
            assertEquals(Map.of(0, total / 2, 1, total / 2), streams(sink), "each shard's frames, counted apart");

            // On the wire: shard 0 (stream 0) sends from port 5201 only, shard 1 (stream 1) from 5202 only.
            // 50,000 frames: a quarter of the run, so both shards are in it even if one started a little later.
            assertTrue(dump.waitFor(30, TimeUnit.SECONDS), "tcpdump did not see 50,000 frames");
            Map<Integer, Set<Integer>> ports = new HashMap<>();
            for (byte[] f : Pcap.frames(pcap)) {
                MeasurementHeader mh = MeasurementHeader.read(f, 42);
                assertNotNull(mh, "an xdperf frame");
                ports.computeIfAbsent(mh.streamId(), k -> new TreeSet<>()).add(((f[34] & 0xff) << 8) | (f[35] & 0xff));
            }
            assertEquals(Map.of(0, Set.of(5201), 1, Set.of(5202)), ports);

            // Each agent's final counters on its /metrics, labelled so that Prometheus can add up the run.
            String node = read(dir.resolve("a0.json")).path("node").asText();
            for (int i = 0; i < 2; i++) {
                String metrics = scrapes.get(i).get(10, TimeUnit.SECONDS);
                String series = "xdperf_sent_packets_total{node=\"" + node + "\",role=\"agent\",run=\"two\",shard=\"" + i + "\"} ";
                assertTrue(metrics.contains(series + (total / 2) + ".0"), series + "in:\n" + metrics);
            }
            String sinkMetrics = scrapes.get(2).get(10, TimeUnit.SECONDS);
            assertTrue(sinkMetrics.contains("xdperf_received_packets_total{node=\"" + node + "\",role=\"sink\",run=\"two\",stream=\"1\"} "
                    + (total / 2) + ".0"), sinkMetrics);

            Xdperf.Result m = merge(dir.resolve("a0.json"), dir.resolve("a1.json"), dir.resolve("sink.json"));
            assertEquals(0, m.exit(), m::toString);
            JsonNode merged = m.json();
            assertTrue(merged.path("complete").asBoolean());
            assertEquals(total, merged.path("sent_packets").asLong());
            assertEquals(total, merged.path("delivery").path("received_packets").asLong());
            assertEquals(0, merged.path("delivery").path("lost_packets").asLong());

            Xdperf.Result missing = merge(dir.resolve("a0.json"), dir.resolve("sink.json"));
            assertEquals(3, missing.exit(), missing::toString);
            assertEquals("xdperf: merge run two: shard 1 of 2 is missing (no report)", missing.stderr().strip());
        }
    }

    /**
     * The case: three agent nodes and a sink node on a bridge. The sink reflects and
     * the agents measure round trips, so merge has real histograms to merge; a late agent
     * refuses, and merge flags it as failed, or as missing without its report.
     */
    @Test
    void threeNodesOnABridgeMergeToTheWholeRunAndALateOrMissingShardIsFlagged(@TempDir Path dir) throws Exception {
        try (Bridge b = Bridge.create(4)) {
            // Low rates: the bridge forwards through the kernel's stack, whose backlog must not overflow on a busy machine.
            long total = 30_000;
            String sinkNs = b.nodes.get(3);
            String at = startAt(START_MARGIN_S);
            List<List<String>> argv = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                List<String> args = new ArrayList<>(List.of("agent", "--run-id", "three", "--shard-index", Integer.toString(i),
                        "--shard-count", "3", "--start-at", at, "--duration", "5", "--count", Long.toString(total), "--pps", "15k",
                        "--dev", Bridge.IF, "--dst-ip", b.ips.get(3), "--dst-mac", b.macs.get(3), "--rtt", "--node", "node-" + i,
                        "--json-out", dir.resolve("a" + i + ".json").toString(), "-q"));
                args.addAll(clockArgs());
                argv.add(args);
            }
            try (Xdperf.Background sink = Xdperf.Background.start(sinkNs, "sink: receiving on", "sink", "--dev", Bridge.IF,
                    "--run-id", "three", "--node", "sink-0", "--start-at", at, "--duration", "5", "--verdict", "reflect",
                    "--json-out", dir.resolve("sink.json").toString(), "-q")) {
                List<CompletableFuture<Xdperf.Result>> running = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    running.add(async(b.nodes.get(i), argv.get(i)));
                }
                for (CompletableFuture<Xdperf.Result> r : running) {
                    Xdperf.Result res = r.get(180, TimeUnit.SECONDS);
                    assertEquals(0, res.exit(), res::toString);
                }
                assertEquals(0, sink.waitFor(60), sink::output);
            }
            LatencyHistogram union = LatencyHistogram.empty();
            long returned = 0;
            java.util.Set<String> seeds = new java.util.HashSet<>();
            for (int i = 0; i < 3; i++) {
                JsonNode a = read(dir.resolve("a" + i + ".json"));
                JsonNode r = a.path("report");
                assertTrue(r.path("seed").isIntegralNumber(), r::toPrettyString);
                seeds.add(r.path("seed").asText());
                assertEquals(total / 3, r.path("sent_packets").asLong(), a::toPrettyString);
                // The way back crosses the bridge's stack a second time; what came back is what is measured.
                long back = r.path("returned_packets").asLong();
                assertTrue(back > total / 3 * 0.99 && back <= total / 3, "returned " + back + ": " + r.toPrettyString());
                returned += back;
                assertEquals("round-trip", r.path("latency_ns").path("kind").asText());
                assertTrue(r.path("latency_buckets").size() > 0, "raw buckets in the report");
                // Departures begin at the start time: never before it, and shortly after it.
                long lag = a.path("start_lag_ns").asLong();
                assertTrue(lag >= 0 && lag < 100_000_000L, "shard " + i + " began " + lag + " ns after the start time");
                assertEquals(Instant.parse(at), Instant.parse(a.path("start_at").asText()));
                union = union.plus(Json.buckets(r.path("latency_buckets")));
            }
            assertEquals(1, seeds.size(), "without --seed, the shards of a run share one derived from the start time: " + seeds);
            JsonNode sink = read(dir.resolve("sink.json"));
            assertEquals(total, sink.path("received_packets").asLong(), sink::toPrettyString);
            assertEquals(Map.of(0, total / 3, 1, total / 3, 2, total / 3), streams(sink));

            Xdperf.Result m = merge(dir.resolve("a0.json"), dir.resolve("a1.json"), dir.resolve("a2.json"), dir.resolve("sink.json"));
            assertEquals(0, m.exit(), m::toString);
            JsonNode merged = m.json();
            assertEquals(total, merged.path("sent_packets").asLong());
            assertEquals(returned, merged.path("returned_packets").asLong());
            assertEquals(total, merged.path("sinks").path("received_packets").asLong());
            assertEquals(3, merged.path("latency_ns").path("shards").asInt());
            ObjectNode expected = Json.MAPPER.createObjectNode();
            RunReport.putPercentiles(expected, union);
            for (String k : List.of("count", "min", "mean", "p50", "p90", "p99", "p999", "p9999", "max")) {
                assertEquals(expected.path(k).asLong(), merged.path("latency_ns").path(k).asLong(), "merged " + k);
            }
            assertEquals(returned, merged.path("latency_ns").path("count").asLong(), "one latency per frame that came back");
            for (int i = 0; i < 3; i++) {
                assertEquals(total / 3, merged.path("shards").get(i).path("received_at_sinks").asLong());
            }

            Xdperf.Result missing = merge(dir.resolve("a0.json"), dir.resolve("a1.json"), dir.resolve("sink.json"));
            assertEquals(3, missing.exit(), missing::toString);
            assertTrue(missing.stderr().contains("shard 2 of 3 is missing (no report)"), missing::toString);

            // Shard 2 once more, now that its start time has passed: it refuses, in one sentence, and says so in its report.
            List<String> late = new ArrayList<>(argv.get(2));
            late.set(late.indexOf(dir.resolve("a2.json").toString()), dir.resolve("late.json").toString());
            Xdperf.Result refused = Xdperf.run(b.nodes.get(2), 60, late.toArray(String[]::new));
            assertEquals(1, refused.exit(), refused::toString);
            List<String> err = refused.stderr().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, err.size(), refused::toString);
            assertTrue(err.get(0).startsWith("xdperf: start shard 2/3: the start time " + at + " passed "), err.get(0));
            Xdperf.Result failed = merge(dir.resolve("a0.json"), dir.resolve("a1.json"), dir.resolve("late.json"), dir.resolve("sink.json"));
            assertEquals(3, failed.exit(), failed::toString);
            assertTrue(failed.stderr().contains("shard 2 of 3 failed on node-2: start shard 2/3: the start time"), failed::toString);
            assertEquals(2, failed.json().path("failed_shards").get(0).path("shard").asInt());
        }
    }

    /** The capabilities the manifests give a pod are enough for an agent and a sink, and none of them is spare. */
    @Test
    void theRenderedCapabilitiesAreExactlyWhatXdpNeeds(@TempDir Path dir) throws Exception {
        try (Topology t = Topology.create()) {
            List<String> exact = setpriv(Manifests.CAPABILITIES);
            String at = startAt(START_MARGIN_S - 5);
            List<String> agent = new ArrayList<>(List.of("agent", "--run-id", "caps", "--shard-index", "0", "--shard-count", "1",
                    "--start-at", at, "--duration", "3", "--count", "10000", "--pps", "20k", "--dev", CLIENT_IF,
                    "--dst-ip", SERVER_IP, "--dst-mac", mac(t.server, SERVER_IF), "-q"));
            agent.addAll(clockArgs());
            try (Xdperf.Background sink = Xdperf.Background.start(t.server, exact, "sink: receiving on", "sink", "--dev", SERVER_IF,
                    "--run-id", "caps", "--start-at", at, "--duration", "3", "--json-out", dir.resolve("sink.json").toString(), "-q")) {
                Xdperf.Result a = Xdperf.runWrapped(t.client, exact, 120, agent.toArray(String[]::new));
                assertEquals(0, a.exit(), a::toString);
                assertEquals(10_000, a.json().path("report").path("sent_packets").asLong());
                assertEquals(0, sink.waitFor(60), sink::output);
            }
            assertEquals(10_000, read(dir.resolve("sink.json")).path("received_packets").asLong());

            for (String spare : Manifests.CAPABILITIES) {
                List<String> fewer = new ArrayList<>(Manifests.CAPABILITIES);
                fewer.remove(spare);
                List<String> late = new ArrayList<>(agent);
                late.set(late.indexOf(at), startAt(30));
                Xdperf.Result r = Xdperf.runWrapped(t.client, setpriv(fewer), 120, late.toArray(String[]::new));
                assertEquals(1, r.exit(), "without " + spare + ": " + r);
                assertEquals("xdperf: xdperf agent needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (run it with sudo)",
                        r.stderr().lines().filter(l -> l.startsWith("xdperf:")).findFirst().orElse(r.stderr()), "without " + spare);
            }
            t.assertNothingAttached();
        }
    }

    /** Runs the command as root with only these capabilities left (bounding set; none inheritable). */
    static List<String> setpriv(List<String> caps) {
        String set = "-all," + String.join(",", caps.stream().map(c -> "+" + c.toLowerCase(Locale.ROOT)).toList());
        return List.of("setpriv", "--bounding-set", set, "--inh-caps", "-all");
    }
}
