package dev.xdperf.stats;

import dev.xdperf.rx.LatencyHistogram;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.net.Interfaces;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.rx.StreamStats;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** JSON shapes shared by the control channel and the reports. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    public static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** Who the server is: its interface, MAC, addresses, and the boot id that tells whether clocks are shared. */
    public static ObjectNode hostInfo(String ifname) {
        ObjectNode h = MAPPER.createObjectNode();
        h.put("dev", ifname);
        h.put("mac", Interfaces.mac(ifname).toString());
        ArrayNode v4 = h.putArray("ipv4");
        Interfaces.addresses(ifname, false).forEach(a -> v4.add(a.getHostAddress()));
        ArrayNode v6 = h.putArray("ipv6");
        Interfaces.addresses(ifname, true).forEach(a -> v6.add(a.getHostAddress()));
        h.put("boot_id", bootId());
        h.put("mtu", Interfaces.mtu(ifname));
        return h;
    }

    public static ObjectNode device(String ifname, DeviceCounters d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("dev", ifname);
        n.put("tx_packets", d.txPackets());
        n.put("rx_packets", d.rxPackets());
        n.put("tx_dropped", d.txDropped());
        n.put("rx_dropped", d.rxDropped());
        n.put("xdp_xmit", d.xdpXmit());
        n.put("xdp_xmit_errors", d.xdpXmitErrors());
        n.put("xdp_counters", d.xdpCounters());
        return n;
    }

    public static DeviceCounters device(JsonNode n) {
        return new DeviceCounters(n.path("tx_packets").asLong(), n.path("rx_packets").asLong(),
                n.path("tx_dropped").asLong(), n.path("rx_dropped").asLong(),
                n.path("xdp_xmit").asLong(), n.path("xdp_xmit_errors").asLong(), 0, n.path("xdp_counters").asBoolean(true));
    }

    /** A receive snapshot, including the raw latency histogram (non-empty buckets only). */
    public static ObjectNode rx(RxSnapshot s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("packets", s.packets());
        n.put("bytes", s.bytes());
        n.put("other_packets", s.otherPackets());
        n.put("bad_stream", s.badStream());
        ArrayNode streams = n.putArray("streams");
        for (StreamStats st : s.streams()) {
            ObjectNode o = streams.addObject();
            o.put("stream", st.streamId());
            o.put("packets", st.packets());
            o.put("bytes", st.bytes());
            o.put("expected", st.expected());
            o.put("duplicates", st.duplicates());
            o.put("reordered", st.reordered());
            o.put("late", st.late());
            o.put("latency_sum_ns", st.latencySumNs());
            o.put("latency_count", st.latencyCount());
            o.put("jitter_ns", st.jitterNs());
        }
        n.set("latency_buckets", buckets(s.latency()));
        n.set("gap_buckets", buckets(s.gaps()));
        n.set("send_gap_buckets", buckets(s.sendGaps()));
        n.put("nanos", s.nanos());
        if (s.largestBurst() > 0) {
            n.put("largest_burst", s.largestBurst());
        }
        return n;
    }

    /** A histogram's non-empty buckets as {"index": count}. */
    public static ObjectNode buckets(LatencyHistogram h) {
        ObjectNode hist = MAPPER.createObjectNode();
        long[] counts = h.counts();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                hist.put(Integer.toString(i), counts[i]);
            }
        }
        return hist;
    }

    public static LatencyHistogram buckets(JsonNode n) {
        long[] counts = new long[dev.xdperf.bpf.Structs.HIST_BUCKETS];
        n.fields().forEachRemaining(e -> {
            int i = Integer.parseInt(e.getKey());
            if (i >= 0 && i < counts.length) {
                counts[i] = e.getValue().asLong();
            }
        });
        return new LatencyHistogram(counts);
    }

    public static RxSnapshot rx(JsonNode n) {
        List<StreamStats> streams = new ArrayList<>();
        for (JsonNode o : n.path("streams")) {
            streams.add(new StreamStats(o.path("stream").asInt(), o.path("packets").asLong(), o.path("bytes").asLong(),
                    o.path("expected").asLong(), o.path("duplicates").asLong(), o.path("reordered").asLong(),
                    o.path("late").asLong(), o.path("latency_sum_ns").asLong(), o.path("latency_count").asLong(),
                    o.path("jitter_ns").asLong()));
        }
        return new RxSnapshot(n.path("packets").asLong(), n.path("bytes").asLong(), n.path("other_packets").asLong(),
                n.path("bad_stream").asLong(), streams, buckets(n.path("latency_buckets")), buckets(n.path("gap_buckets")),
                buckets(n.path("send_gap_buckets")),
                n.path("nanos").asLong(), n.path("largest_burst").asLong(0));
    }

    public static ObjectNode tx(dev.xdperf.tx.TxCounters t) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("sent_packets", t.sentPackets());
        n.put("sent_bytes", t.sentBytes());
        n.put("slots", t.slots());
        n.put("paced_skips", t.pacedSkips());
        n.put("deficit_packets", t.deficit());
        n.put("test_drops", t.testDrops());
        return n;
    }

    public static dev.xdperf.tx.TxCounters tx(JsonNode n) {
        return new dev.xdperf.tx.TxCounters(n.path("sent_packets").asLong(), n.path("sent_bytes").asLong(),
                n.path("slots").asLong(), n.path("paced_skips").asLong(), n.path("test_drops").asLong(), 0);
    }

    public static List<InetAddress> addresses(JsonNode array) {
        List<InetAddress> out = new ArrayList<>();
        for (JsonNode a : array) {
            out.add(dev.xdperf.packet.UdpStream.parseIp(a.asText()));
        }
        return out;
    }
}
