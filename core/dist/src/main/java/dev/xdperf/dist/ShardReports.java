package dev.xdperf.dist;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.stats.Json;
import dev.xdperf.rx.LatencyHistogram;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The reports `xdperf merge` reads, parsed once into values: what an agent ran and counted, what a sink received. */
final class ShardReports {
    private ShardReports() {}

    /** The interface counters of a shard's sending device, in the order the merged report writes them. */
    static final List<String> TX_DEVICE = List.of("tx_packets", "rx_packets", "tx_dropped", "rx_dropped", "xdp_xmit", "xdp_xmit_errors");

    /** An agent's report: who ran which shard, how it ended, its share of the run, and its run's counters (null if it has none). */
    record Agent(String source, String runId, int shardIndex, int shardCount, String node, int exitStatus, String error,
                 Long clockOffsetNs, Instant startedAt, long startLagNs, Share share, Counters counters) {
        static Agent of(String source, JsonNode a) {
            JsonNode off = a.path("clock").path("offset_ns");
            JsonNode r = a.path("report");
            return new Agent(source, a.path("run_id").asText(), a.path("shard_index").asInt(-1), a.path("shard_count").asInt(-1),
                    a.path("node").asText(), a.path("exit_status").asInt(0), a.path("error").isTextual() ? a.path("error").asText() : null,
                    off.isNumber() ? off.asLong() : null,
                    a.hasNonNull("started_at") ? Instant.parse(a.path("started_at").asText()) : null, a.path("start_lag_ns").asLong(),
                    Share.of(a.path("share")), r.isObject() ? Counters.of(r) : null);
        }

        boolean failed() {
            return exitStatus != 0 || error != null || counters == null;
        }
    }

    /** A shard's part of the run: its flows, its block of stream ids, whether its frames carry the measurement header. */
    record Share(JsonNode flows, int streamBase, int streamSpan, boolean measured) {
        static Share of(JsonNode s) {
            return new Share(s.path("flows"), s.path("stream_base").asInt(), s.path("stream_span").asInt(1), s.path("measured").asBoolean(true));
        }
    }

    /** One shard's run report, as the counters merge needs them. */
    record Counters(long sent, long sentBytes, double txPps, double txBps, long targetPps, double seconds, Long received,
                    long receivedBytes, long lost, long duplicates, long reordered, Long returned, List<Long> txDevice,
                    LatencyHistogram latency, String latencyKind, List<String> warnings) {
        Counters {
            txDevice = List.copyOf(txDevice);
            warnings = List.copyOf(warnings);
        }

        static Counters of(JsonNode r) {
            List<Long> dev = TX_DEVICE.stream().map(k -> r.path("tx_device").path(k).asLong()).toList();
            List<String> warnings = new ArrayList<>();
            r.path("warnings").forEach(w -> warnings.add(w.asText()));
            boolean rx = r.path("received_packets").isNumber();
            boolean lat = r.path("latency_buckets").isObject();
            return new Counters(r.path("sent_packets").asLong(), r.path("sent_bytes").asLong(), r.path("tx_pps").asDouble(),
                    r.path("tx_bps").asDouble(), r.path("target_pps").asLong(0), r.path("seconds").asDouble(),
                    rx ? r.path("received_packets").asLong() : null, r.path("received_bytes").asLong(), r.path("lost_packets").asLong(),
                    r.path("duplicates").asLong(), r.path("reordered").asLong(),
                    r.path("returned_packets").isNumber() ? r.path("returned_packets").asLong() : null, dev,
                    lat ? Json.buckets(r.path("latency_buckets")) : null, lat ? r.path("latency_ns").path("kind").asText() : null, warnings);
        }
    }

    /** A sink's report: what its xdp_rx counted, in total and per stream, and its interface's own count. */
    record Sink(String node, long packets, long bytes, long rxDevicePackets, Map<Integer, Long> perStream, long duplicates,
                long sequenceGaps, String error) {
        static Sink of(JsonNode s) {
            JsonNode rx = s.path("rx");
            Map<Integer, Long> perStream = new TreeMap<>();
            long dups = 0;
            long gaps = 0;
            for (JsonNode st : rx.path("streams")) {
                perStream.merge(st.path("stream").asInt(), st.path("packets").asLong(), Long::sum);
                dups += st.path("duplicates").asLong();
                long unique = st.path("packets").asLong() - st.path("duplicates").asLong();
                gaps += Math.max(0, st.path("expected").asLong() - unique);
            }
            return new Sink(s.path("node").asText(), rx.path("packets").asLong(), rx.path("bytes").asLong(),
                    s.path("rx_device").path("rx_packets").asLong(), perStream, dups, gaps,
                    s.path("error").isTextual() ? s.path("error").asText() : null);
        }
    }
}
