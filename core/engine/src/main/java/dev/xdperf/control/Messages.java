package dev.xdperf.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.net.Interfaces;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.stats.Json;
import dev.xdperf.tx.TxCounters;
import java.net.InetAddress;
import java.util.List;

/**
 * The control protocol's messages other than start ({@link Start}), as records: hello (both
 * ways), interval (server, once a second), stop (client), result (server). One JSON object per
 * line, each with its "type" ({@link Wire}).
 */
public final class Messages {
    static final ObjectMapper MAPPER = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Messages() {}

    /** Who an end is: its interface, MAC, addresses, MTU, and the boot id that tells whether clocks are shared. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Host(String dev, String mac, List<String> ipv4, List<String> ipv6, String bootId, int mtu) {
        public Host {
            ipv4 = ipv4 == null ? List.of() : List.copyOf(ipv4);
            ipv6 = ipv6 == null ? List.of() : List.copyOf(ipv6);
        }

        public static Host of(String ifname) {
            return new Host(ifname, Interfaces.mac(ifname).toString(),
                    Interfaces.addresses(ifname, false).stream().map(InetAddress::getHostAddress).toList(),
                    Interfaces.addresses(ifname, true).stream().map(InetAddress::getHostAddress).toList(), Json.bootId(),
                    Interfaces.mtu(ifname));
        }

        public List<String> addresses(boolean v6) {
            return v6 ? ipv6 : ipv4;
        }

        /** Whether this end runs on the same boot of the same machine as the caller: one clock for both. */
        public boolean sharesClock() {
            return bootId != null && bootId.equals(Json.bootId());
        }
    }

    /** Both ends say hello first; the versions must match. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hello(int version, Host host) {
        static final String TYPE = "hello";
    }

    /** The server's counters once a second while a run is on; a part that does not run is null. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Interval(long nanos, Long latP50Ns, Long latP99Ns, Long lost, Long rxPackets, Long rxBytes,
                           Long txPackets, Long txBytes, Long txNanos, Boolean txFinished, long devRxPackets, long devRxDropped,
                           Long rxStartNanos, List<StreamCount> streams) {
        static final String TYPE = "interval";

        public Interval {
            streams = streams == null ? List.of() : List.copyOf(streams);
        }

        public boolean txDone() {
            return Boolean.TRUE.equals(txFinished);
        }
    }

    /** One stream as the server's receiver counts it so far. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StreamCount(int stream, long packets, long lost) {}

    /** The client's end of the run, with what it sent (for the server's log). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Stop(long sentPackets) {
        static final String TYPE = "stop";
    }

    /**
     * The server's side of a finished run: what its receiver counted ({@code rx}, null when it
     * did not receive), its device's counters, and in reverse runs what it sent.
     */
    public record Result(RxSnapshot rx, String dev, DeviceCounters device, Sent sent) {
        static final String TYPE = "result";

        /** The server's own direction of a reverse or bidirectional run. */
        public record Sent(TxCounters tx, double seconds, int frameSize, long targetPps, List<Integer> cpus) {
            public Sent {
                cpus = List.copyOf(cpus);
            }
        }

        ObjectNode toMessage() {
            ObjectNode m = Wire.message(TYPE);
            if (sent != null) {
                m.set("tx", Json.tx(sent.tx()));
                m.put("tx_seconds", sent.seconds());
                m.put("tx_frame_size", sent.frameSize());
                m.put("tx_pps_target", sent.targetPps());
                var cpus = m.putArray("tx_cpus");
                sent.cpus().forEach(cpus::add);
            }
            m.set("device", Json.device(dev, device));
            if (rx != null) {
                m.set("rx", Json.rx(rx));
            }
            return m;
        }

        static Result fromMessage(JsonNode m) {
            Sent sent = null;
            if (m.has("tx")) {
                List<Integer> cpus = new java.util.ArrayList<>();
                m.path("tx_cpus").forEach(c -> cpus.add(c.asInt()));
                sent = new Sent(Json.tx(m.path("tx")), m.path("tx_seconds").asDouble(), m.path("tx_frame_size").asInt(),
                        m.path("tx_pps_target").asLong(), cpus);
            }
            RxSnapshot rx = m.path("rx").isObject() ? Json.rx(m.path("rx")) : null;
            return new Result(rx, m.path("device").path("dev").asText(null), Json.device(m.path("device")), sent);
        }
    }

    static ObjectNode toMessage(String type, Record body) {
        ObjectNode m = Wire.message(type);
        m.setAll((ObjectNode) MAPPER.valueToTree(body));
        return m;
    }

    static <T extends Record> T fromMessage(JsonNode m, Class<T> type) throws Wire.ProtocolException {
        try {
            return MAPPER.treeToValue(m, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Wire.ProtocolException("bad '" + m.path("type").asText() + "' message from peer: " + e.getOriginalMessage());
        }
    }
}
