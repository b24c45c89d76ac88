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

/** --reverse and --bidir: each direction's receiver counts exactly what the other end sent. */
class DirectionsTest {
    @RegisterExtension
    static final ServerTopology.PerClass net = new ServerTopology.PerClass();

    static JsonNode run(String... extra) {
        List<String> args = new ArrayList<>(List.of("client", "--dev", CLIENT_IF, "--server", SERVER_IP, "--json"));
        args.addAll(List.of(extra));
        Xdperf.Result r = Xdperf.run(net.topology().client, 90, args.toArray(String[]::new));
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

    @Test
    void ndrSearchReportsEveryTrialAndARateThatPassed() {
        Xdperf.Result r = Xdperf.run(net.topology().client, 120, "ndr", "--dev", CLIENT_IF, "--server", SERVER_IP,
                "--max-pps", "40k", "--trial", "1", "--resolution", "30", "--cpus", "0", "--json");
        assertTrue(r.exit() == 0 || r.exit() == 3, r::toString);
        JsonNode j = r.json();
        JsonNode trials = j.path("trials");
        assertTrue(trials.size() >= 1, r::toString);
        assertEquals(40_000, trials.get(0).path("pps").asLong(), "the first trial is at the maximum rate");
        for (JsonNode t : trials) {
            assertEquals(t.path("sent_packets").asLong() - t.path("received_packets").asLong() <= t.path("lost_packets").asLong(),
                    true, t::toPrettyString);
            boolean pass = t.path("pass").asBoolean();
            assertEquals(pass, t.path("lost_packets").asLong() == 0 && !t.path("sender_limited").asBoolean(), t::toPrettyString);
        }
        long ndr = j.path("ndr_pps").asLong();
        boolean anyPass = false;
        for (JsonNode t : trials) {
            if (t.path("pass").asBoolean()) {
                anyPass = true;
                assertTrue(ndr >= t.path("pps").asLong(), "the result is the highest passing rate");
            }
        }
        assertEquals(anyPass, ndr > 0);
    }
}
