package dev.xdperf.dist;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.stats.Json;
import dev.xdperf.rx.LatencyHistogram;
import dev.xdperf.stats.RunReport;
import dev.xdperf.stats.Units;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * `xdperf merge`: one report from the reports of a run's agents (and sinks). Counters are
 * added; latency histograms are added bucket by bucket and the percentiles computed again
 * from the sum (percentiles of parts cannot be averaged into percentiles of the whole). A
 * shard without a report, or one whose report says it failed, makes the run incomplete.
 */
public final class Merge {
    private Merge() {}

    /** The merged report and what makes the run incomplete (empty: every shard reported success). */
    public record Outcome(ObjectNode report, List<String> problems) {
        public Outcome {
            problems = List.copyOf(problems);
        }

        public boolean complete() {
            return problems.isEmpty();
        }
    }

    /** A report and where it came from. */
    public record Source(String name, JsonNode report) {}

    /**
     * The agent and sink reports in a file: one JSON document, or several (one per line, as
     * `kubectl logs` of the agents prints them among other lines, which are skipped).
     */
    public static List<Source> read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("read " + file + ": " + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file" : e.getMessage()));
        }
        List<Source> out = new ArrayList<>();
        try {
            JsonNode whole = Json.MAPPER.readTree(text);
            if (whole != null && whole.isArray()) {
                whole.forEach(n -> addIfReport(out, file.toString(), n));
            } else if (whole != null) {
                addIfReport(out, file.toString(), whole);
            }
        } catch (JsonProcessingException e) {
            int line = 0;
            for (String l : text.split("\n")) {
                line++;
                String t = l.strip();
                int brace = t.indexOf('{');
                if (brace < 0) {
                    continue;
                }
                try {
                    addIfReport(out, file + ":" + line, Json.MAPPER.readTree(t.substring(brace)));
                } catch (JsonProcessingException notJson) {
                    // a log line, not a report
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("read " + file + ": it holds no xdperf agent or sink report"
                    + " (give the files that xdperf agent --json-out and xdperf sink --json-out wrote, or their logs)");
        }
        return out;
    }

    private static void addIfReport(List<Source> out, String name, JsonNode n) {
        String type = n.path("type").asText("");
        if (type.equals("agent") || type.equals("sink")) {
            out.add(new Source(name, n));
        }
    }

    public static Outcome merge(List<Source> sources) {
        List<ShardReports.Agent> agents = sources.stream().filter(s -> s.report().path("type").asText().equals("agent"))
                .map(s -> ShardReports.Agent.of(s.name(), s.report())).toList();
        List<ShardReports.Sink> sinks = sources.stream().filter(s -> s.report().path("type").asText().equals("sink"))
                .map(s -> ShardReports.Sink.of(s.report())).toList();
        if (agents.isEmpty()) {
            throw new IllegalArgumentException("merge: no agent report among the " + sources.size()
                    + " report(s) (sink reports alone do not say what was sent)");
        }
        Set<String> runs = new LinkedHashSet<>();
        sources.forEach(s -> runs.add(s.report().path("run_id").asText()));
        if (runs.size() > 1) {
            throw new IllegalArgumentException("merge: the reports belong to " + runs.size() + " runs (" + String.join(", ", runs)
                    + "): merge one run at a time");
        }
        Set<Integer> counts = new LinkedHashSet<>();
        agents.forEach(a -> counts.add(a.shardCount()));
        if (counts.size() > 1 || counts.contains(-1) || counts.iterator().next() < 1) {
            throw new IllegalArgumentException("merge: the agents disagree on the shard count (" + counts
                    + "): were they started from the same manifests?");
        }
        int shardCount = counts.iterator().next();
        TreeMap<Integer, ShardReports.Agent> byIndex = new TreeMap<>();
        for (ShardReports.Agent a : agents) {
            int i = a.shardIndex();
            if (i < 0 || i >= shardCount) {
                throw new IllegalArgumentException("merge: " + a.source() + " is shard " + i + ", outside 0.." + (shardCount - 1));
            }
            ShardReports.Agent prev = byIndex.putIfAbsent(i, a);
            if (prev != null) {
                throw new IllegalArgumentException("merge: shard " + i + " reported twice (" + prev.source() + " and " + a.source()
                        + "): give each agent's report once");
            }
        }

        List<String> problems = new ArrayList<>();
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("type", "merged");
        m.put("run_id", runs.iterator().next());
        m.put("shard_count", shardCount);
        ArrayNode missing = m.putArray("missing_shards");
        ArrayNode failed = m.putArray("failed_shards");
        for (int i = 0; i < shardCount; i++) {
            ShardReports.Agent a = byIndex.get(i);
            if (a == null) {
                missing.add(i);
                problems.add("shard " + i + " of " + shardCount + " is missing (no report)");
                continue;
            }
            if (a.failed()) {
                ObjectNode f = failed.addObject();
                f.put("shard", i);
                f.put("node", a.node());
                f.put("exit_status", a.exitStatus());
                f.put("error", a.error() == null ? "no run report" : a.error());
                problems.add("shard " + i + " of " + shardCount + " failed on " + (a.node().isEmpty() ? "?" : a.node()) + ": "
                        + (a.error() == null ? "exit status " + a.exitStatus() : a.error()));
            }
        }
        m.put("complete", problems.isEmpty());

        // Counters of the shards that ran (a failed shard may still have sent part of its share).
        Totals t = new Totals();
        List<Instant> starts = new ArrayList<>();
        long maxLag = 0;
        Long maxOffset = null;
        int unknownClocks = 0;
        ArrayNode warnings = Json.MAPPER.createArrayNode();
        ArrayNode shards = Json.MAPPER.createArrayNode();
        List<ShardPart> parts = new ArrayList<>();
        for (var e : byIndex.entrySet()) {
            ShardReports.Agent a = e.getValue();
            ObjectNode sh = shards.addObject();
            sh.put("shard", e.getKey());
            sh.put("node", a.node());
            sh.put("source", a.source());
            sh.put("exit_status", a.exitStatus());
            if (a.clockOffsetNs() != null) {
                sh.put("clock_offset_ns", a.clockOffsetNs());
                maxOffset = Math.max(maxOffset == null ? 0 : maxOffset, Math.abs(a.clockOffsetNs()));
            } else {
                sh.putNull("clock_offset_ns");
                unknownClocks++;
            }
            ShardReports.Counters c = a.counters();
            if (c == null) {
                continue;
            }
            sh.put("sent_packets", c.sent());
            sh.put("tx_pps", c.txPps());
            sh.set("flows", a.share().flows());
            sh.put("stream_base", a.share().streamBase());
            sh.put("stream_span", a.share().streamSpan());
            sh.put("measured", a.share().measured());
            parts.add(new ShardPart(sh, a.share(), c.sent()));
            if (a.startedAt() != null) {
                sh.put("started_at", a.startedAt().toString());
                starts.add(a.startedAt());
                maxLag = Math.max(maxLag, a.startLagNs());
            }
            t.add(c);
            c.warnings().forEach(w -> warnings.add("shard " + e.getKey() + ": " + w));
        }
        m.put("sent_packets", t.sent);
        m.put("sent_bytes", t.sentBytes);
        m.put("target_pps", t.targetPps);
        m.put("tx_pps", Math.round(t.txPps * 10) / 10.0);
        m.put("tx_bps", Math.round(t.txBps * 10) / 10.0);
        m.put("seconds", t.seconds);
        if (t.anyRx) {
            m.put("received_packets", t.received);
            m.put("received_bytes", t.receivedBytes);
            m.put("lost_packets", t.lost);
            m.put("duplicates", t.duplicates);
            m.put("reordered", t.reordered);
        } else {
            m.putNull("received_packets");
        }
        if (t.anyReturned) {
            m.put("returned_packets", t.returned);
        }
        ObjectNode dev = m.putObject("tx_device");
        for (int i = 0; i < ShardReports.TX_DEVICE.size(); i++) {
            dev.put(ShardReports.TX_DEVICE.get(i), t.txDevice[i]);
        }
        m.put("xdp_xmit_errors", t.txDevice[ShardReports.TX_DEVICE.indexOf("xdp_xmit_errors")]);
        ObjectNode lat = m.putObject("latency_ns");
        if (t.withLatency > 0) {
            lat.put("kind", t.latencyKinds.size() == 1 ? t.latencyKinds.iterator().next() : String.join(" + ", t.latencyKinds));
            lat.put("shards", t.withLatency);
            RunReport.putPercentiles(lat, t.latency);
            m.set("latency_buckets", Json.buckets(t.latency));
            if (t.withLatency < byIndex.size()) {
                warnings.add("latency comes from " + t.withLatency + " of " + byIndex.size() + " shards only");
            }
        } else {
            lat.put("kind", "none: no shard measured latency (agents need --rtt and a reflecting sink, or --server)");
            lat.putNull("p50");
            lat.putNull("p99");
            lat.putNull("max");
        }
        ObjectNode start = m.putObject("start");
        if (!starts.isEmpty()) {
            Instant first = starts.stream().min(Instant::compareTo).get();
            Instant last = starts.stream().max(Instant::compareTo).get();
            start.put("first", StartTime.format(first));
            start.put("spread_ns", java.time.Duration.between(first, last).toNanos());
            start.put("max_lag_ns", maxLag);
        }
        if (maxOffset != null) {
            start.put("max_clock_offset_ns", maxOffset);
        } else {
            start.putNull("max_clock_offset_ns");
        }
        start.put("unknown_clocks", unknownClocks);
        if (unknownClocks > 0) {
            warnings.add(unknownClocks + " shard(s) ran with an unknown clock offset: their start times are not verified");
        }

        if (!sinks.isEmpty()) {
            mergeSinks(m, sinks, t.sent, parts, warnings);
        }
        m.set("shards", shards);
        m.set("warnings", warnings);
        ArrayNode p = m.putArray("problems");
        problems.forEach(p::add);
        return new Outcome(m, problems);
    }

    /** A shard in the merged report with what it sent, so the sinks' counts can be put beside it. */
    private record ShardPart(ObjectNode node, ShardReports.Share share, long sent) {}

    /** The sums over the shards' counters. */
    private static final class Totals {
        long sent;
        long sentBytes;
        double txPps;
        double txBps;
        long targetPps;
        double seconds;
        long received;
        long receivedBytes;
        long lost;
        long duplicates;
        long reordered;
        long returned;
        boolean anyRx;
        boolean anyReturned;
        final long[] txDevice = new long[ShardReports.TX_DEVICE.size()];
        LatencyHistogram latency = LatencyHistogram.empty();
        final Set<String> latencyKinds = new LinkedHashSet<>();
        int withLatency;

        void add(ShardReports.Counters c) {
            sent += c.sent();
            sentBytes += c.sentBytes();
            txPps += c.txPps();
            txBps += c.txBps();
            targetPps += c.targetPps();
            seconds = Math.max(seconds, c.seconds());
            if (c.received() != null) {
                anyRx = true;
                received += c.received();
                receivedBytes += c.receivedBytes();
                lost += c.lost();
                duplicates += c.duplicates();
                reordered += c.reordered();
            }
            if (c.returned() != null) {
                anyReturned = true;
                returned += c.returned();
            }
            for (int i = 0; i < txDevice.length; i++) {
                txDevice[i] += c.txDevice().get(i);
            }
            if (c.latency() != null) {
                latency = latency.plus(c.latency());
                latencyKinds.add(c.latencyKind());
                withLatency++;
            }
        }
    }

    /** What the sinks received, in total, per stream and so per shard, against what the agents sent. */
    private static void mergeSinks(ObjectNode m, List<ShardReports.Sink> sinks, long sent, List<ShardPart> parts, ArrayNode warnings) {
        long packets = 0;
        long bytes = 0;
        long rxDevPackets = 0;
        long dups = 0;
        long lostSeq = 0;
        Map<Integer, Long> perStream = new TreeMap<>();
        for (ShardReports.Sink s : sinks) {
            packets += s.packets();
            bytes += s.bytes();
            rxDevPackets += s.rxDevicePackets();
            s.perStream().forEach((id, n) -> perStream.merge(id, n, Long::sum));
            dups += s.duplicates();
            lostSeq += s.sequenceGaps();
            if (s.error() != null) {
                warnings.add("sink on " + s.node() + " failed: " + s.error());
            }
        }
        ObjectNode k = m.putObject("sinks");
        k.put("count", sinks.size());
        ArrayNode nodes = k.putArray("nodes");
        sinks.forEach(s -> nodes.add(s.node()));
        k.put("received_packets", packets);
        k.put("received_bytes", bytes);
        k.put("rx_device_packets", rxDevPackets);
        k.put("duplicates", dups);
        k.put("sequence_gaps", lostSeq);
        ObjectNode ps = k.putObject("streams");
        perStream.forEach((id, n) -> ps.put(Integer.toString(id), n));
        ObjectNode d = m.putObject("delivery");
        long unmeasured = parts.stream().filter(pt -> !pt.share().measured()).mapToLong(ShardPart::sent).sum();
        d.put("sent_packets", sent);
        if (unmeasured > 0) {
            // xdp_rx counts only frames with the measurement header: the devices' counters are all there is.
            d.put("counted_by", "device");
            d.put("received_packets", rxDevPackets);
            d.put("lost_packets", Math.max(0, sent - rxDevPackets));
            d.put("lost_percent", sent == 0 ? 0 : 100.0 * Math.max(0, sent - rxDevPackets) / sent);
            warnings.add(String.format(Locale.ROOT, "%,d of the frames sent carry no measurement header (e.g. TCP SYNs):"
                    + " the sinks' xdp_rx does not count them, so delivery comes from the sinks' interface counters,"
                    + " which also count any other traffic", unmeasured));
        } else {
            d.put("counted_by", "xdp_rx");
            d.put("received_packets", packets);
            d.put("lost_packets", Math.max(0, sent - (packets - dups)));
            d.put("lost_percent", sent == 0 ? 0 : 100.0 * Math.max(0, sent - (packets - dups)) / sent);
        }
        for (ShardPart pt : parts) {
            if (!pt.share().measured()) {
                continue;
            }
            long got = 0;
            for (int id = pt.share().streamBase(); id < pt.share().streamBase() + pt.share().streamSpan(); id++) {
                got += perStream.getOrDefault(id, 0L);
            }
            pt.node().put("received_at_sinks", got);
        }
    }

    /** The merged report for people. */
    public static String toText(Outcome o) {
        JsonNode m = o.report();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "run %s: %d of %d shards reported%s%n", m.path("run_id").asText(),
                m.path("shard_count").asInt() - m.path("missing_shards").size(), m.path("shard_count").asInt(),
                o.complete() ? "" : " — INCOMPLETE"));
        for (JsonNode sh : m.path("shards")) {
            b.append(String.format(Locale.ROOT, "  shard %-3d %-20s sent %15s  %12s%s%s%n", sh.path("shard").asInt(),
                    sh.path("node").asText(), sh.has("sent_packets") ? Units.count(sh.path("sent_packets").asLong()) : "-",
                    sh.has("tx_pps") ? Units.pps(sh.path("tx_pps").asDouble()) : "",
                    sh.has("received_at_sinks") ? "  received " + Units.count(sh.path("received_at_sinks").asLong()) : "",
                    sh.path("exit_status").asInt() != 0 ? "  FAILED" : ""));
        }
        b.append(String.format(Locale.ROOT, "sent %s packets, %s (sum of the shards), %.2f s%n",
                Units.count(m.path("sent_packets").asLong()), Units.pps(m.path("tx_pps").asDouble()), m.path("seconds").asDouble()));
        if (m.path("received_packets").isNumber()) {
            b.append(String.format(Locale.ROOT, "received (servers) %s, lost %s%n", Units.count(m.path("received_packets").asLong()),
                    Units.count(m.path("lost_packets").asLong())));
        }
        if (m.has("delivery")) {
            JsonNode d = m.path("delivery");
            b.append(String.format(Locale.ROOT, "received at %d sink(s) %s, lost %s (%s)%s%n", m.path("sinks").path("count").asInt(),
                    Units.count(d.path("received_packets").asLong()), Units.count(d.path("lost_packets").asLong()),
                    Units.percent(d.path("lost_percent").asDouble()),
                    d.path("counted_by").asText().equals("device") ? ", by the interfaces' counters" : ""));
        }
        JsonNode lat = m.path("latency_ns");
        if (lat.path("p50").isNumber()) {
            b.append(String.format(Locale.ROOT, "latency (%s, %d shards, merged histograms): min %s  p50 %s  p99 %s  p99.9 %s  max %s%n",
                    lat.path("kind").asText(), lat.path("shards").asInt(), Units.nanos(lat.path("min").asLong()),
                    Units.nanos(lat.path("p50").asLong()), Units.nanos(lat.path("p99").asLong()),
                    Units.nanos(lat.path("p999").asLong()), Units.nanos(lat.path("max").asLong())));
        }
        JsonNode st = m.path("start");
        if (st.has("spread_ns")) {
            b.append(String.format(Locale.ROOT, "start: first %s, spread %s, largest lag %s, largest clock offset %s%n",
                    st.path("first").asText(), Units.nanos(st.path("spread_ns").asLong()), Units.nanos(st.path("max_lag_ns").asLong()),
                    st.path("max_clock_offset_ns").isNumber() ? Units.nanos(st.path("max_clock_offset_ns").asLong()) : "unknown"));
        }
        for (JsonNode w : m.path("warnings")) {
            b.append("warning: ").append(w.asText()).append('\n');
        }
        for (String p : o.problems()) {
            b.append("problem: ").append(p).append('\n');
        }
        return b.toString();
    }
}
