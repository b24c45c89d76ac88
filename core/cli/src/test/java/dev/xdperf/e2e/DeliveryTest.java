package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.net.Commands;
import dev.xdperf.testing.Privileged;
import dev.xdperf.testing.ServerTopology;
import dev.xdperf.testing.Topology;
import dev.xdperf.testing.Xdperf;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Delivery is checked end to end: what xdp_tx sent, what the device transmitted, what the
 * receiver counted. Frames that vanish fail the run with exit 4 and their cause; the device's
 * count is read once it has settled, so it matches what was sent to the frame.
 */
class DeliveryTest {
    @Test
    void framesThatVanishAtAVethPeerWithoutXdpFailTheRunWithTheirCause() {
        Privileged.require();
        try (Topology t = Topology.create()) {
            String mac = Commands.check(List.of("ip", "netns", "exec", t.server, "cat", "/sys/class/net/" + SERVER_IF + "/address")).strip();
            // the usual mistake on veth: nothing attached at the peer, so XDP_TX frames are dropped there uncounted
            Commands.run(List.of("ip", "netns", "exec", t.server, "ethtool", "-K", SERVER_IF, "gro", "off"));
            Xdperf.Result r = Xdperf.run(t.client, 60, "client", "--dev", CLIENT_IF, "--dst-ip", SERVER_IP, "--dst-mac", mac,
                    "--count", "20000", "--json", "--quiet");
            assertEquals(4, r.exit(), r::toString);
            String err = r.stderr().strip();
            assertEquals(1, err.lines().count(), "one sentence: " + err);
            assertTrue(err.startsWith("xdperf: 20,000 of 20,000 frames vanished on the way out of " + CLIENT_IF), err);
            assertTrue(err.contains("the veth peer has no XDP program"), err);
            JsonNode j = r.json();
            assertEquals(20_000, j.path("sent_packets").asLong(), r::toString);
            assertEquals(20_000, j.path("vanished_packets").asLong(), r::toString);
            assertEquals(20_000, j.path("delivery").path("sent").asLong());
            assertEquals(0, j.path("delivery").path("device").asLong());
            assertTrue(j.path("delivery").path("received").isNull(), "no receiver in this run");
            assertTrue(j.path("tx_device").path("xdp_counters").asBoolean(), "veth reports XDP transmit counters");

            // a device-under-test run may accept the loss on purpose
            Xdperf.Result ok = Xdperf.run(t.client, 60, "client", "--dev", CLIENT_IF, "--dst-ip", SERVER_IP, "--dst-mac", mac,
                    "--count", "1000", "--json", "--quiet", "--max-loss", "100");
            assertEquals(0, ok.exit(), ok::toString);
            assertEquals(1000, ok.json().path("vanished_packets").asLong(), ok::toString);
            t.assertNothingAttached();
        }
    }

    @Test
    void theDeviceCountsEveryFrameOfAShortPacedRun() {
        Privileged.require();
        try (ServerTopology net = ServerTopology.start()) {
            for (int round = 0; round < 2; round++) {
                Xdperf.Result r = Xdperf.run(net.topology.client, 60, "client", "--dev", CLIENT_IF, "--server", SERVER_IP,
                        "--count", "2000", "--pps", "1k", "--json", "--quiet");
                assertEquals(0, r.exit(), r::toString);
                JsonNode j = r.json();
                assertEquals(2000, j.path("sent_packets").asLong(), r::toString);
                assertEquals(2000, j.path("tx_device").path("xdp_xmit").asLong(), "the device's count, read once it settled: " + r);
                assertEquals(2000, j.path("delivery").path("device").asLong(), r::toString);
                assertEquals(2000, j.path("delivery").path("received").asLong(), r::toString);
                assertEquals(0, j.path("vanished_packets").asLong(), r::toString);
                assertTrue(j.path("target_missed").isNull(), r::toString);
            }
        }
    }

    @Test
    void badMaxLossIsOneSentence() {
        Xdperf.Result r = Xdperf.run(null, 30, "client", "--dev", "lo", "--max-loss", "120");
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.stderr().strip().startsWith("xdperf: ") && r.stderr().contains("'120' is outside 0..100"), r::toString);
    }

    @Test
    void aSeedThatIsNotANumberIsOneSentence() {
        for (String bad : new String[] {"abc", "-1", "18446744073709551616", "0xZZ"}) {
            Xdperf.Result r = Xdperf.run(null, 30, "client", "--dev", "lo", "--seed", bad);
            assertEquals(2, r.exit(), r::toString);
            assertTrue(r.stderr().strip().startsWith("xdperf: ") && r.stderr().contains("'" + bad + "' is not a seed")
                    && r.stderr().strip().lines().count() == 1, r::toString);
        }
    }
}
