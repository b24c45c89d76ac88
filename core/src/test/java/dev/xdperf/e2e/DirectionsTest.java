package dev.xdperf.e2e;

import static dev.xdperf.demo.DemoTopology.CLIENT_IF;
import static dev.xdperf.demo.DemoTopology.SERVER_IF;
import static dev.xdperf.demo.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.testing.Topology;
import dev.xdperf.testing.Xdperf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** --reverse and --bidir: each direction's receiver counts exactly what the other end sent. */
class DirectionsTest {
    static Topology topology;
    static Xdperf.Background server;

    @BeforeAll
    static void start() {
        topology = Topology.create();
        server = Xdperf.Background.start(topology.server, "listening on port", "server", "--dev", SERVER_IF, "--bind", SERVER_IP);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (topology != null) {
            topology.assertNothingAttached();
            topology.close();
        }
    }

    static JsonNode run(String... extra) {
        List<String> args = new ArrayList<>(List.of("client", "--dev", CLIENT_IF, "--server", SERVER_IP, "--json"));
        args.addAll(List.of(extra));
        Xdperf.Result r = Xdperf.run(topology.client, 90, args.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        return r.json();
    }

    static void assertDelivered(JsonNode d, long expected) {
        assertEquals(expected, d.path("sent_packets").asLong(), d::toPrettyString);
        assertEquals(expected, d.path("received_packets").asLong(), d::toPrettyString);
        assertEquals(0, d.path("lost_packets").asLong());
    }

    @Test
    void reverseMakesTheServerTheSender() {
        JsonNode r = run("--reverse", "--count", "30000", "--pps", "100k");
        assertEquals("reverse", r.path("direction").asText());
        assertEquals(SERVER_IF, r.path("dev").asText(), "the sender is the server's interface");
        assertDelivered(r, 30_000);
    }

    @Test
    void bidirCountsEachDirectionOnItsOwn() {
        JsonNode r = run("--bidir", "--pps", "100k", "--reverse-pps", "50k", "--duration", "2");
        assertEquals("bidir", r.path("direction").asText());
        JsonNode fwd = r.path("forward");
        JsonNode rev = r.path("reverse");
        long f = fwd.path("sent_packets").asLong();
        long b = rev.path("sent_packets").asLong();
        assertEquals(f, fwd.path("received_packets").asLong(), fwd::toPrettyString);
        assertEquals(b, rev.path("received_packets").asLong(), rev::toPrettyString);
        // Each direction ran at its own rate (never above it); how close to it is the pacing test's business.
        assertTrue(f > 0 && f <= 200_000, "forward at 100 kpps for 2 s: " + f);
        assertTrue(b > 0 && b <= 100_000, "reverse at 50 kpps for 2 s: " + b);
        assertTrue(f > b, "the forward direction was asked for twice the rate: " + f + " vs " + b);
        assertEquals(CLIENT_IF, fwd.path("dev").asText());
        assertEquals(SERVER_IF, rev.path("dev").asText());
    }
}
