package dev.xdperf.dist;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.stats.Json;
import dev.xdperf.stats.LatencyHistogram;
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
    private static final List<String> TX_DEVICE = List.of("tx_packets", "rx_packets", "tx_dropped", "rx_dropped",
            "xdp_xmit", "xdp_xmit_errors");

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
        List<Source> agents = sources.stream().filter(s -> s.report().path("type").asText().equals("agent")).toList();
        List<Source> sinks = sources.stream().filter(s -> s.report().path("type").asText().equals("sink")).toList();
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
        agents.forEach(s -> counts.add(s.report().path("shard_count").asInt(-1)));
        if (counts.size() > 1 || counts.contains(-1) || counts.iterator().next() < 1) {
            throw new IllegalArgumentException("merge: the agents disagree on the shard count (" + counts
                    + "): were they started from the same manifests?");
        }
        int shardCount = counts.iterator().next();
        TreeMap<Integer, Source> byIndex = new TreeMap<>();
        for (Source s : agents) {
            int i = s.report().path("shard_index").asInt(-1);
            if (i < 0 || i >= shardCount) {
                throw new IllegalArgumentException("merge: " + s.name() + " is shard " + i + ", outside 0.." + (shardCount - 1));
            }
            Source prev = byIndex.putIfAbsent(i, s);
            if (prev != null) {
                throw new IllegalArgumentException("merge: shard " + i + " reported twice (" + prev.name() + " and " + s.name()
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
            Source s = byIndex.get(i);
            if (s == null) {
                missing.add(i);
                problems.add("shard " + i + " of " + shardCount + " is missing (no report)");
                continue;
            }
            JsonNode r = s.report();
            int exit = r.path("exit_status").asInt(0);
            String error = r.path("error").isTextual() ? r.path("error").asText() : null;
            if (exit != 0 || error != null || !r.path("report").isObject()) {
                ObjectNode f = failed.addObject();
                f.put("shard", i);
                f.put("node", r.path("node").asText());
                f.put("exit_status", exit);
                f.put("error", error == null ? "no run report" : error);
                problems.add("shard " + i + " of " + shardCount + " failed on " + r.path("node").asText("?") + ": "
                        + (error == null ? "exit status " + exit : error));
            }
        }
        m.put("complete", problems.isEmpty());

        // Counters of the shards that ran (a failed shard may still have sent part of its share).
        long sent = 0;
        long sentBytes = 0;
        double txPps = 0;
        double txBps = 0;
        long targetPps = 0;
        double seconds = 0;
        long received = 0;
        long receivedBytes = 0;
        long lost = 0;
        long duplicates = 0;
        long reordered = 0;
        long returned = 0;
        boolean anyRx = false;
        boolean anyReturned = false;
        long[] txDev = new long[TX_DEVICE.size()];
        LatencyHistogram latency = LatencyHistogram.empty();
        Set<String> latencyKinds = new LinkedHashSet<>();
        int withLatency = 0;
        List<Instant> starts = new ArrayList<>();
        long maxLag = 0;
        Long maxOffset = null;
        int unknownClocks = 0;
        ArrayNode warnings = Json.MAPPER.createArrayNode();
        ArrayNode shards = Json.MAPPER.createArrayNode();
        for (var e : byIndex.entrySet()) {
            JsonNode a = e.getValue().report();
            JsonNode r = a.path("report");
            ObjectNode sh = shards.addObject();
            sh.put("shard", e.getKey());
            sh.put("node", a.path("node").asText());
            sh.put("source", e.getValue().name());
            sh.put("exit_status", a.path("exit_status").asInt(0));
            JsonNode off = a.path("clock").path("offset_ns");
            if (off.isNumber()) {
                sh.put("clock_offset_ns", off.asLong());
                maxOffset = Math.max(maxOffset == null ? 0 : maxOffset, Math.abs(off.asLong()));
            } else {
                sh.putNull("clock_offset_ns");
                unknownClocks++;
            }
            if (!r.isObject()) {
                continue;
            }
            long s = r.path("sent_packets").asLong();
            sh.put("sent_packets", s);
            sh.put("tx_pps", r.path("tx_pps").asDouble());
            sh.set("flows", a.path("share").path("flows"));
            sh.put("stream_base", a.path("share").path("stream_base").asInt());
            sh.put("stream_span", a.path("share").path("stream_span").asInt(1));
            sh.put("measured", a.path("share").path("measured").asBoolean(true));
            if (a.hasNonNull("started_at")) {
                sh.put("started_at", a.path("started_at").asText());
                starts.add(Instant.parse(a.path("started_at").asText()));
                maxLag = Math.max(maxLag, a.path("start_lag_ns").asLong());
            }
            sent += s;
            sentBytes += r.path("sent_bytes").asLong();
            txPps += r.path("tx_pps").asDouble();
            txBps += r.path("tx_bps").asDouble();
            targetPps += r.path("target_pps").asLong(0);
            seconds = Math.max(seconds, r.path("seconds").asDouble());
            if (r.path("received_packets").isNumber()) {
                anyRx = true;
                received += r.path("received_packets").asLong();
                receivedBytes += r.path("received_bytes").asLong();
                lost += r.path("lost_packets").asLong();
                duplicates += r.path("duplicates").asLong();
                reordered += r.path("reordered").asLong();
            }
            if (r.path("returned_packets").isNumber()) {
                anyReturned = true;
                returned += r.path("returned_packets").asLong();
            }
            for (int i = 0; i < TX_DEVICE.size(); i++) {
                txDev[i] += r.path("tx_device").path(TX_DEVICE.get(i)).asLong();
            }
            if (r.path("latency_buckets").isObject()) {
                latency = latency.plus(Json.buckets(r.path("latency_buckets")));
                latencyKinds.add(r.path("latency_ns").path("kind").asText());
                withLatency++;
            }
            for (JsonNode w : r.path("warnings")) {
                warnings.add("shard " + e.getKey() + ": " + w.asText());
            }
        }
        m.put("sent_packets", sent);
        m.put("sent_bytes", sentBytes);
        m.put("target_pps", targetPps);
        m.put("tx_pps", Math.round(txPps * 10) / 10.0);
        m.put("tx_bps", Math.round(txBps * 10) / 10.0);
        m.put("seconds", seconds);
        if (anyRx) {
            m.put("received_packets", received);
            m.put("received_bytes", receivedBytes);
            m.put("lost_packets", lost);
            m.put("duplicates", duplicates);
            m.put("reordered", reordered);
        } else {
            m.putNull("received_packets");
        }
        if (anyReturned) {
            m.put("returned_packets", returned);
        }
        ObjectNode dev = m.putObject("tx_device");
        for (int i = 0; i < TX_DEVICE.size(); i++) {
            dev.put(TX_DEVICE.get(i), txDev[i]);
        }
        m.put("xdp_xmit_errors", txDev[TX_DEVICE.indexOf("xdp_xmit_errors")]);
        ObjectNode lat = m.putObject("latency_ns");
        if (withLatency > 0) {
            lat.put("kind", latencyKinds.size() == 1 ? latencyKinds.iterator().next() : String.join(" + ", latencyKinds));
            lat.put("shards", withLatency);
            RunReport.putPercentiles(lat, latency);
            m.set("latency_buckets", Json.buckets(latency));
            if (withLatency < byIndex.size()) {
                warnings.add("latency comes from " + withLatency + " of " + byIndex.size() + " shards only");
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
            mergeSinks(m, sinks, sent, shards, warnings);
        }
        m.set("shards", shards);
        m.set("warnings", warnings);
        ArrayNode p = m.putArray("problems");
        problems.forEach(p::add);
        return new Outcome(m, problems);
    }

    /** What the sinks received, in total, per stream and so per shard, against what the agents sent. */
    private static void mergeSinks(ObjectNode m, List<Source> sinks, long sent, ArrayNode shards, ArrayNode warnings) {
        long packets = 0;
        long bytes = 0;
        long rxDevPackets = 0;
        long dups = 0;
        long lostSeq = 0;
        Map<Integer, Long> perStream = new TreeMap<>();
        for (Source s : sinks) {
            JsonNode rx = s.report().path("rx");
            packets += rx.path("packets").asLong();
            bytes += rx.path("bytes").asLong();
            rxDevPackets += s.report().path("rx_device").path("rx_packets").asLong();
            for (JsonNode st : rx.path("streams")) {
                perStream.merge(st.path("stream").asInt(), st.path("packets").asLong(), Long::sum);
                dups += st.path("duplicates").asLong();
                long expected = st.path("expected").asLong();
                long unique = st.path("packets").asLong() - st.path("duplicates").asLong();
                lostSeq += Math.max(0, expected - unique);
            }
            if (s.report().path("error").isTextual()) {
                warnings.add("sink on " + s.report().path("node").asText() + " failed: " + s.report().path("error").asText());
            }
        }
        ObjectNode k = m.putObject("sinks");
        k.put("count", sinks.size());
        ArrayNode nodes = k.putArray("nodes");
        sinks.forEach(s -> nodes.add(s.report().path("node").asText()));
        k.put("received_packets", packets);
        k.put("received_bytes", bytes);
        k.put("rx_device_packets", rxDevPackets);
        k.put("duplicates", dups);
        k.put("sequence_gaps", lostSeq);
        ObjectNode ps = k.putObject("streams");
        perStream.forEach((id, n) -> ps.put(Integer.toString(id), n));
        ObjectNode d = m.putObject("delivery");
        long unmeasured = 0;
        for (JsonNode sh : shards) {
            if (!sh.path("measured").asBoolean(true)) {
                unmeasured += sh.path("sent_packets").asLong();
            }
        }
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
        for (JsonNode sh : shards) {
            if (!sh.has("stream_base") || !sh.path("measured").asBoolean(true)) {
                continue;
            }
            int base = sh.path("stream_base").asInt();
            int span = sh.path("stream_span").asInt(1);
            long got = 0;
            for (int id = base; id < base + span; id++) {
                got += perStream.getOrDefault(id, 0L);
            }
            ((ObjectNode) sh).put("received_at_sinks", got);
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
