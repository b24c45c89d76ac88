package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.testing.ServerTopology;
import dev.xdperf.testing.Xdperf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Latency against a ground truth. This kernel has neither netem nor fq (CONFIG_NET_SCH_NETEM
 * and CONFIG_NET_SCH_FQ are off), so the known delay is injected by a test-only knob of
 * xdp_tx that stamps every send time 5 ms early: the path's own few microseconds ride on top.
 * The reported one-way and round-trip p50 must lie within a few percent of 5 ms.
 */
class LatencyTruthTest {
    static final long DELAY_NS = 5_000_000;
    @RegisterExtension
    static final ServerTopology.PerClass net = new ServerTopology.PerClass();

    static JsonNode run(String... extra) {
        List<String> args = new ArrayList<>(List.of("client", "--dev", CLIENT_IF, "--server", SERVER_IP, "--pps", "20k",
                "--duration", "2", "--cpus", "0", "--json", "--test-latency-offset", "5ms"));
        args.addAll(List.of(extra));
        Xdperf.Result r = Xdperf.run(net.topology().client, 60, args.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        return r.json();
    }

    @Test
    void oneWayLatencyMatchesTheKnownDelay() {
        JsonNode r = run();
        assertEquals("one-way", r.path("latency_ns").path("kind").asText(), r::toPrettyString);
        long p50 = r.path("latency_ns").path("p50").asLong();
        assertTrue(p50 >= DELAY_NS * 0.99 && p50 <= DELAY_NS * 1.03, "one-way p50 " + p50 + " ns for a 5 ms delay");
        long min = r.path("latency_ns").path("min").asLong();
        assertTrue(min >= DELAY_NS * 0.99, "nothing arrives faster than the delay: min " + min);
    }

    @Test
    void roundTripLatencyMatchesTheKnownDelay() {
        JsonNode r = run("--rtt");
        assertEquals("round-trip", r.path("latency_ns").path("kind").asText(), r::toPrettyString);
        assertEquals(r.path("sent_packets").asLong(), r.path("returned_packets").asLong(), "every frame came back");
        long p50 = r.path("latency_ns").path("p50").asLong();
        assertTrue(p50 >= DELAY_NS * 0.99 && p50 <= DELAY_NS * 1.03, "round-trip p50 " + p50 + " ns for a 5 ms delay");
        assertTrue(r.path("latency_ns").path("jitter").asLong() >= 0);
        assertTrue(r.path("rate").path("send_gap_p50_ns").asLong() > 0, "departure gaps are measured");
    }
}
