package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.testing.Pcap;
import dev.xdperf.testing.ServerTopology;
import dev.xdperf.testing.Xdperf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** --size imix over veth: the receiver counts 7 : 4 : 1 exactly, and the frames come interleaved. */
class ImixTest {
    @RegisterExtension
    static final ServerTopology.PerClass net = new ServerTopology.PerClass("--verdict", "pass");

    @Test
    void imixArrivesSevenFourOneAndEveryTwelveFramesHoldTheMix(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("imix.pcap");
        int captured = 60;
        Process dump = new ProcessBuilder("ip", "netns", "exec", net.topology().server, "tcpdump", "-i", SERVER_IF, "-n",
                "-U", "-c", Integer.toString(captured), "-w", pcap.toString(), "udp and dst port 5201")
                .redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(dump.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.contains("listening on"), "tcpdump did not start: " + line);

        long n = 120_000;
        Xdperf.Result r = Xdperf.run(net.topology().client, 120, "client", "--dev", CLIENT_IF, "--server", SERVER_IP,
                "--cpus", "0", "--count", Long.toString(n), "--pps", "200k", "--size", "imix", "--json");
        assertEquals(0, r.exit(), r::toString);
        JsonNode j = r.json();
        assertEquals(n, j.path("sent_packets").asLong(), j::toPrettyString);
        assertEquals(n, j.path("received_packets").asLong(), j::toPrettyString);
        JsonNode sizes = j.path("sizes");
        assertEquals(3, sizes.size(), j::toPrettyString);
        int[][] expected = {{64, 60, 7}, {594, 590, 4}, {1518, 1514, 1}};
        for (int i = 0; i < 3; i++) {
            JsonNode s = sizes.path(i);
            assertEquals(expected[i][0], s.path("size").asInt());
            assertEquals(expected[i][1], s.path("frame_bytes").asInt());
            assertEquals(n / 12 * expected[i][2], s.path("sent_packets").asLong(), j::toPrettyString);
            assertEquals(n / 12 * expected[i][2], s.path("received_packets").asLong(), j::toPrettyString);
        }
        double avg = (60 * 7 + 590 * 4 + 1514) / 12.0;
        assertEquals(avg, j.path("avg_frame_size").asDouble(), 0.1);
        assertEquals(n / 12 * (60 * 7 + 590 * 4 + 1514), j.path("received_bytes").asLong());
        assertTrue(j.path("tx_wire_bps").asDouble() > j.path("tx_bps").asDouble(), j::toPrettyString);

        assertTrue(dump.waitFor(30, TimeUnit.SECONDS), "tcpdump did not see " + captured + " frames");
        List<byte[]> frames = Pcap.frames(pcap);
        assertEquals(captured, frames.size());
        for (int start = 0; start + 12 <= frames.size(); start++) {
            Map<Integer, Integer> mix = new HashMap<>();
            for (int k = start; k < start + 12; k++) {
                mix.merge(frames.get(k).length, 1, Integer::sum);
            }
            assertEquals(Map.of(60, 7, 590, 4, 1514, 1), mix, "frames " + start + ".." + (start + 11));
        }
    }

    @Test
    void theTextReportCountsPerSize() {
        Xdperf.Result r = Xdperf.run(net.topology().client, 120, "client", "--dev", CLIENT_IF, "--server", SERVER_IP,
                "--cpus", "0", "--count", "1200", "--size", "64:1,1518:2", "-q");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.stdout().contains("wire rate"), r::toString);
        assertTrue(r.stdout().matches("(?s).*size 64 \\(60\\+FCS\\) +400 +400\\n.*"), r::toString);
        assertTrue(r.stdout().matches("(?s).*size 1518 \\(1514\\+FCS\\) +800 +800\\n.*"), r::toString);
        assertTrue(r.stdout().contains("average frame 1029.3 bytes without FCS"), r::toString);
        assertTrue(r.stdout().contains("1 CPU [0], frames of up to 1514 bytes (mean 1029.3), "), r::toString);
    }

    @Test
    void badMixesAreOneSentenceAndSendNothing() {
        Xdperf.Result r = Xdperf.run(net.topology().client, 60, "client", "--dev", CLIENT_IF, "--server", SERVER_IP,
                "--count", "12", "--size", "64:7,594:0");
        assertEquals(1, r.exit(), r::toString);
        assertEquals("xdperf: --size 64:7,594:0: size 594 has weight 0: a weight is at least 1", r.stderr().strip());
        r = Xdperf.run(net.topology().client, 60, "client", "--dev", CLIENT_IF, "--count", "12", "--stream", "udp,size=63:1,594:4");
        assertEquals(1, r.exit(), r::toString);
        assertEquals("xdperf: --stream 'udp,size=63:1,594:4': size 63:1,594:4: size 63 is outside 64..1518 (Ethernet frame"
                + " bytes with the FCS)", r.stderr().strip());
    }
}
