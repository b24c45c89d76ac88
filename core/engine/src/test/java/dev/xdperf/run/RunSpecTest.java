package dev.xdperf.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.XdperfException;
import dev.xdperf.packet.FieldRanges;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.template.Shard;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one place of a run's defaults and checks, and its JSON form (the control protocol's start message). */
class RunSpecTest {
    @Test
    void defaultsAreFilledInAtBuild() {
        RunSpec s = RunSpec.builder("eth1").build();
        assertEquals(Duration.ofSeconds(10), s.duration());
        assertEquals(0, s.pps());
        assertEquals(List.of(), s.cpus());
        assertEquals(RunSpec.DEFAULT_SERVER_PORT, s.serverPort());
        assertEquals(RunSpec.DEFAULT_UDP_PORT, s.srcPort());
        assertEquals(RunSpec.DEFAULT_CALLERS_PER_CPU, s.callersPerCpu());
        assertEquals(64, s.frameSize());
        assertTrue(s.measurement());
        assertEquals(RunSpec.Direction.FORWARD, s.direction());
        // a count alone ends the run: no default duration then
        assertEquals(null, RunSpec.builder("eth1").count(1000).build().duration());
        // the reverse direction takes the forward rate unless told
        assertEquals(5000, RunSpec.builder("eth1").server("h").pps(5000).direction(RunSpec.Direction.BIDIR).build().reversePps());
    }

    @Test
    void errorsNameTheFieldNotAFlag() {
        assertMessage("pps must be positive", RunSpec.builder("eth1").pps(-1));
        assertMessage("duration must be positive", RunSpec.builder("eth1").duration(Duration.ZERO));
        assertMessage("size 40 is outside 64..1514", RunSpec.builder("eth1").size(40));
        assertMessage("callers_per_cpu 9 is outside 1..4", RunSpec.builder("eth1").callersPerCpu(9));
        assertMessage("dev is required", RunSpec.builder(null));
        assertMessage("direction reverse needs a server", RunSpec.builder("eth1").direction(RunSpec.Direction.REVERSE));
        assertMessage("flows and ranges.src_port both set the source port", RunSpec.builder("eth1").flows(4)
                .ranges(new FieldRanges(null, null, FieldRanges.PortRange.parse("1-9"), null)));
        assertMessage("streams[1].share must be positive", RunSpec.builder("eth1").stream(RunSpec.Stream.udp(1))
                .stream(RunSpec.Stream.plugin("icmp", Map.of(), 0)));
        assertMessage("streams: give every stream a pps, or none", RunSpec.builder("eth1")
                .stream(RunSpec.Stream.udp(1).withPps(10)).stream(RunSpec.Stream.udp(1)));
        assertMessage("rtt needs the measurement header", RunSpec.builder("eth1").rtt(true).measurement(false));
        assertMessage("plugin_options need a plugin source", RunSpec.builder("eth1").pluginOption("flows", "3"));
        assertMessage("stream udp takes share, pps and size, not flows", null,
                () -> new RunSpec.Stream("udp", null, Map.of("flows", "3"), 1, null, 0));
    }

    @Test
    void perStreamRatesBecomeSharesOfTheirSum() {
        RunSpec s = RunSpec.builder("eth1").stream(RunSpec.Stream.udp(1).withPps(300_000))
                .stream(RunSpec.Stream.plugin("icmp", Map.of("flows", "8"), 1).withPps(100_000)).build();
        assertEquals(400_000, s.pps());
        assertEquals(300_000, s.streams().get(0).share());
        assertEquals(null, s.streams().get(1).pps());
        // built again (an agent's shard), the spec stays valid
        assertEquals(200_000, s.toBuilder().pps(200_000).build().pps());
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        RunSpec s = RunSpec.builder("eth1").server("192.0.2.2", 6000).cpus(List.of(0, 2)).pps(2_500_000)
                .duration(Duration.ofMillis(1500)).count(9).size(512).srcMac(MacAddress.parse("02:00:00:00:00:01"))
                .dstMac(MacAddress.parse("02:00:00:00:00:02")).srcIp(UdpStream.parseIp("192.0.2.1"))
                .dstIp(UdpStream.parseIp("192.0.2.2")).srcPort(1000).dstPort(2000).flows(1)
                .ranges(new FieldRanges(FieldRanges.AddressRange.parse("10.0.0.1-10.0.0.9"), null, null,
                        FieldRanges.PortRange.parse("53-54")))
                .streamId(7).measurement(true).direction(RunSpec.Direction.BIDIR).reversePps(1000L)
                .callersPerCpu(1).shard(new Shard(1, 3)).startAt(Instant.parse("2026-12-04T18:00:00Z"))
                .testHooks(List.of("drop:5")).build();
        RunSpec back = SpecJson.fromJson(SpecJson.toJson(s));
        assertEquals(SpecJson.toString(s), SpecJson.toString(back));
        assertEquals(s.ranges(), back.ranges());
        assertEquals(s.srcMac().toString(), back.srcMac().toString());
        assertEquals(s.shard(), back.shard());
        assertTrue(SpecJson.toString(s).contains("\"dst_port\":2000"), SpecJson.toString(s));

        RunSpec plugin = RunSpec.builder("eth1").plugin("netauthor/dns").pluginOption("qname", "example.org")
                .build();
        assertEquals(plugin, SpecJson.fromJson(SpecJson.toJson(plugin)));
        RunSpec file = RunSpec.builder("eth1").templates(Path.of("/tmp/set.bin")).build();
        assertEquals(file, SpecJson.fromJson(SpecJson.toJson(file)));
    }

    @Test
    void aBadSpecFromTheWireIsRefusedWithItsField() {
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) SpecJson.toJson(RunSpec.builder("eth1").build());
        json.put("pps", -5);
        XdperfException e = assertThrows(XdperfException.class, () -> SpecJson.fromJson(json));
        assertTrue(e.getMessage().startsWith("pps must be positive"), e.getMessage());
        json.put("pps", 0);
        json.put("src_ip", "not-an-address");
        e = assertThrows(XdperfException.class, () -> SpecJson.fromJson(json));
        assertTrue(e.getMessage().contains("src_ip"), e.getMessage());
        assertEquals("config", e.phase());
    }

    private static void assertMessage(String start, RunSpec.Builder b) {
        assertMessage(start, b, null);
    }

    private static void assertMessage(String start, RunSpec.Builder b, Runnable r) {
        XdperfException e = assertThrows(XdperfException.ConfigException.class, r != null ? r::run : b::build);
        assertTrue(e.getMessage().startsWith(start), "expected '" + start + "…', got: " + e.getMessage());
    }
}
