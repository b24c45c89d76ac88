package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.testing.Pcap;
import dev.xdperf.testing.ServerTopology;
import dev.xdperf.testing.TestCapture;
import dev.xdperf.testing.TestCapture.Record;
import dev.xdperf.testing.Xdperf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** --replay over veth: the far side captures the file's frames byte for byte (after the MAC rewrite), in order, --loop times. */
class ReplayTest {
    @RegisterExtension
    static final ServerTopology.PerClass net = new ServerTopology.PerClass("--verdict", "pass");

    static final MacAddress SRC = MacAddress.parse("02:00:00:00:0a:0a");
    static final MacAddress DST = MacAddress.parse("02:00:00:00:0b:0b");

    @Test
    void theFarSideSeesTheCapturesFramesInOrderThreeTimes(@TempDir Path dir) throws Exception {
        List<byte[]> good = TestCapture.mixed();
        List<Record> records = new ArrayList<>();
        good.forEach(f -> records.add(Record.of(f)));
        records.add(3, new Record(1, Arrays.copyOf(good.get(5), 128), 1514));   // truncated by the snaplen
        records.add(5, Record.of(Arrays.copyOf(good.get(5), 1700)));             // longer than the MTU
        Path pcap = dir.resolve("mixed.pcap");
        TestCapture.writePcap(pcap, 1, records);

        int expected = good.size() * 3;
        Path seen = dir.resolve("seen.pcap");
        Process dump = new ProcessBuilder("ip", "netns", "exec", net.topology().server, "tcpdump", "-i", SERVER_IF, "-n",
                "-U", "-c", Integer.toString(expected), "-w", seen.toString(), "ether src " + SRC)
                .redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(dump.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.contains("listening on"), "tcpdump did not start: " + line);

        Xdperf.Result r = Xdperf.run(net.topology().client, 120, "client", "--dev", CLIENT_IF, "--server", SERVER_IP,
                "--replay", pcap.toString(), "--loop", "3", "--src-mac", SRC.toString(), "--dst-mac", DST.toString(),
                "--cpus", "0", "--pps", "1000", "--json");
        assertEquals(0, r.exit(), r::toString);
        JsonNode j = r.json();
        assertEquals(expected, j.path("sent_packets").asLong(), j::toPrettyString);
        String warnings = j.path("warnings").toString();
        assertTrue(warnings.contains("skipped 1 frame longer than the interface MTU + 14"), warnings);
        assertTrue(warnings.contains("skipped 1 truncated frame"), warnings);

        assertTrue(dump.waitFor(30, TimeUnit.SECONDS), "tcpdump did not see " + expected + " frames");
        List<byte[]> frames = Pcap.frames(seen);
        assertEquals(expected, frames.size());
        for (int k = 0; k < expected; k++) {
            byte[] want = good.get(k % good.size()).clone();
            System.arraycopy(DST.bytes(), 0, want, 0, 6);
            System.arraycopy(SRC.bytes(), 0, want, 6, 6);
            assertArrayEquals(want, frames.get(k), "frame " + k + " (capture frame " + (k % good.size()) + ")");
        }
    }

    @Test
    void measuredUdpFramesAreCountedByTheServer(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("mixed.pcap");
        TestCapture.writePcap(pcap, 1, TestCapture.mixed().stream().map(Record::of).toList());
        Xdperf.Result r = Xdperf.run(net.topology().client, 120, "client", "--dev", CLIENT_IF, "--server", SERVER_IP,
                "--replay", pcap.toString(), "--loop", "2", "--measure", "--dst-mac", DST.toString(), "--json");
        assertEquals(0, r.exit(), r::toString);
        JsonNode j = r.json();
        assertEquals(14, j.path("sent_packets").asLong(), j::toPrettyString);
        // three of the seven frames are UDP with room for the header: 61 bytes (IPv4), 1001 (VLAN), 777 (IPv6)
        assertEquals(6, j.path("received_packets").asLong(), j::toPrettyString);
        assertEquals(0, j.path("duplicates").asLong(), j::toPrettyString);
    }

    @Test
    void badCapturesAreOneSentenceAndSendNothing(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.pcap");
        Files.writeString(text, "hello, this is text");
        Xdperf.Result r = Xdperf.run(net.topology().client, 60, "client", "--dev", CLIENT_IF, "--replay", text.toString(),
                "--loop", "1");
        assertEquals(1, r.exit(), r::toString);
        assertEquals("xdperf: " + text + ": not a pcap or pcapng capture (starts with 0x68656c6c)", r.stderr().strip());
        Path cooked = dir.resolve("cooked.pcap");
        TestCapture.writePcap(cooked, 113, List.of(Record.of(new byte[60])));
        r = Xdperf.run(net.topology().client, 60, "client", "--dev", CLIENT_IF, "--replay", cooked.toString());
        assertEquals(1, r.exit(), r::toString);
        assertEquals("xdperf: " + cooked + ": link type 113 is not Ethernet (1): xdperf replays Ethernet captures",
                r.stderr().strip());
        r = Xdperf.run(net.topology().client, 60, "client", "--dev", CLIENT_IF, "--loop", "3");
        assertEquals(1, r.exit(), r::toString);
        assertEquals("xdperf: --loop, --rewrite-ip and --measure go with --replay FILE", r.stderr().strip());
    }
}
