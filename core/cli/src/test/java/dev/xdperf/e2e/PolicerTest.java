package dev.xdperf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.net.Commands;
import dev.xdperf.testing.Bridge;
import dev.xdperf.testing.Xdperf;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pacing that a policer cannot tell from a smooth stream. Between client and server sits a
 * token-bucket policer (src/test/bpf/policer.bpf.c: 300,000 frames/s per CPU, a 64-frame
 * bucket) on the client's port of a bridge in a middle namespace. Paced runs below its rate
 * must lose nothing there, however the sender's calls, teardowns and the receive work on its
 * CPU interrupt it: catching up after a gap is bounded by --max-burst (32 by default), and what
 * cannot be sent in time is the deficit, never a burst. And `xdperf ndr` must find the
 * policer's rate, which bursts made it underestimate by two thirds.
 */
class PolicerTest {
    static final long RATE = 300_000;
    static Bridge net;
    static Xdperf.Background server;

    @BeforeAll
    static void up() {
        net = Bridge.create(2);
        net.onPortOf(0, Bridge.testObject("policer.bpf.o"), "xdp");
        server = Xdperf.Background.start(net.nodes.get(1), "listening on port", "server", "--dev", Bridge.IF);
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
        if (net != null) {
            net.close();
        }
    }

    /** Sets the policer's rate (frames per second per CPU) and bucket depth (frames). */
    static void police(long rate, long bucket) {
        for (long[] kv : new long[][] {{0, rate}, {1, bucket}}) {
            List<String> cmd = new java.util.ArrayList<>(List.of("bpftool", "map", "update", "name", "policer_cfg", "key"));
            for (int i = 0; i < 4; i++) {
                cmd.add(Long.toString((kv[0] >>> (8 * i)) & 0xff));
            }
            cmd.add("value");
            for (int i = 0; i < 8; i++) {
                cmd.add(Long.toString((kv[1] >>> (8 * i)) & 0xff));
            }
            Commands.check(cmd);
        }
    }

    /** The policer's counters: frames passed and dropped so far. */
    static long[] policed() throws Exception {
        JsonNode dump = new ObjectMapper().readTree(Commands.check(List.of("bpftool", "map", "dump", "name", "policer_stats", "-j")));
        long[] out = new long[2];
        for (JsonNode e : dump) {
            JsonNode key = e.path("key");
            int k = key.isArray() ? Integer.decode(key.get(0).asText()) : key.asInt();
            JsonNode v = e.path("value");
            long value = 0;
            if (v.isArray()) {   // the raw bytes, little-endian
                for (int i = v.size() - 1; i >= 0; i--) {
                    value = (value << 8) | Integer.decode(v.get(i).asText());
                }
            } else {
                value = v.asLong();
            }
            out[k] = value;
        }
        return out;
    }

    static JsonNode client(long pps) {
        Xdperf.Result r = Xdperf.run(net.nodes.get(0), 60, "client", "--dev", Bridge.IF, "--server", net.ips.get(1),
                "--dst-mac", net.macs.get(1), "--cpus", "0", "--pps", Long.toString(pps), "--duration", "2", "--json", "-q");
        assertEquals(0, r.exit(), r::toString);
        return r.json();
    }

    @Test
    void pacedRunsBelowThePolicersRateLoseNothingThere() throws Exception {
        police(RATE, 64);
        for (int percent : new int[] {50, 90, 99}) {
            long pps = RATE * percent / 100;
            long[] before = policed();
            JsonNode r = client(pps);
            long[] after = policed();
            long passed = after[0] - before[0];
            long dropped = after[1] - before[1];
            long sent = r.path("sent_packets").asLong();
            // a busy CPU sends less (the deficit), never in bursts: at least half a second's worth must have gone
            assertTrue(sent > pps / 2, percent + " %: sent " + sent + " in 2 s at " + pps + " pps: " + r);
            assertEquals(0, dropped, percent + " % of the policer's rate: it dropped " + dropped + " of " + (passed + dropped)
                    + " frames; the stream burst beyond its bucket. Report: " + r);
            assertEquals(sent, passed, "every frame sent met the policer: " + r);
            assertEquals(0, r.path("lost_packets").asLong(), r::toPrettyString);
            assertTrue(r.path("rate").has("deficit_packets"), r::toPrettyString);
            // the receiver's own token-bucket arithmetic over arrival times: bursts stay near --max-burst
            // (after the bridge, whose receive batching can bunch a few more frames than the policer saw)
            long burst = r.path("rate").path("largest_burst").asLong();
            assertTrue(burst >= 1 && burst <= 2 * 64, "largest burst " + burst + ": " + r.path("rate"));
        }
    }

    /**
     * At 100,000 frames/s, a rate this 2-core machine's sender reaches through the bridge with room
     * to spare (at 300,000 the bridge's work on the sending CPU limits the sender, and ndr does
     * not count a sender-limited trial).
     */
    @Test
    void ndrFindsThePolicersRate() throws Exception {
        long rate = 100_000;
        police(rate, 64);
        try {
            Xdperf.Result r = Xdperf.run(net.nodes.get(0), 180, "ndr", "--dev", Bridge.IF, "--server", net.ips.get(1),
                    "--max-pps", "400k", "--trial", "1", "--resolution", "1", "--cpus", "0", "--json");
            assertEquals(0, r.exit(), r::toString);
            long ndr = r.json().path("ndr_pps").asLong();
            // the bracket ends narrower than 1 % of 400 kpps: the answer lies within 4 kpps below the policer's rate
            assertTrue(ndr <= rate && ndr >= rate - 4_000, "ndr found " + ndr + " pps for a policer at " + rate + ": " + r.stdout());
        } finally {
            police(RATE, 64);
        }
    }
}
