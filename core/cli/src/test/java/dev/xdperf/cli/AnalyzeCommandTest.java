package dev.xdperf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.abi.AbiCodec;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.analyze.pcap.PcapReader;
import dev.xdperf.packet.PcapWriter;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `xdperf analyze` end to end, without privileges: xdperf's own receive program over a pcap
 * and over a bundled plugin's traffic, JSON, adversarial orders written as pcap and as a
 * template set, and the one-sentence errors.
 */
class AnalyzeCommandTest {
    @TempDir
    Path dir;

    Path rxObject() throws Exception {
        Path p = dir.resolve("rx.bpf.o");
        try (InputStream in = AnalyzeCommandTest.class.getResourceAsStream("/bpf/rx.bpf.o")) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    /** Frames xdp_rx passes on different paths: ARP, an IPv4 fragment, IPv6 with no transport it knows, and VLAN-tagged ARP. */
    Path pcap() throws Exception {
        Path p = dir.resolve("in.pcap");
        byte[] arp = frame(0x0806, 60);
        byte[] fragment = frame(0x0800, 60);
        fragment[14] = 0x45;
        fragment[20] = 0x20;   // more fragments
        byte[] v6 = frame(0x86dd, 80);
        v6[20] = 59;            // no next header
        byte[] vlan = frame(0x8100, 64);
        vlan[16] = 0x08;
        vlan[17] = 0x06;
        try (PcapWriter w = new PcapWriter(p)) {
            for (int i = 0; i < 25; i++) {
                w.write(arp, i);
                w.write(fragment, i);
                w.write(v6, i);
                w.write(vlan, i);
            }
        }
        return p;
    }

    static byte[] frame(int type, int len) {
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) type);
        return b.array();
    }

    @Test
    void analysesAPcap() throws Exception {
        MainTest.Run r = MainTest.run("analyze", "--prog", rxObject().toString(), "--pcap", pcap().toString(), "--cache-sizes",
                "1..4");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("program xdp_rx (section xdp) of rx.bpf.o: "), r.out());
        assertTrue(r.out().contains("100 packets: 100 traceable in 4 traces, 0 untraceable, 0 failed"), r.out());
        // the IPv6 frames without UDP, TCP or ICMPv6: the branch condition xdp_rx's shared parser (parse.h) compiles to
        assertTrue(r.out().contains("len >= 54 && bytes[12..13] == 0x86dd && bytes[20] >= 17 && bytes[20] != 0x11 && bytes[20] != 0x3a"), r.out());
        assertTrue(r.out().contains("trace cache hit rate"), r.out());
        assertTrue(r.out().contains("\n      4   "), "a row for size 4: " + r.out());
    }

    @Test
    void jsonAndAdversarialOrders() throws Exception {
        Path pcapOut = dir.resolve("thrash.pcap");
        MainTest.Run r = MainTest.run("analyze", "--prog", rxObject().toString(), "--pcap", pcap().toString(), "--json",
                "--cache-sizes", "2,3", "--policy", "lru,optimal", "--adversary-size", "3", "--adversary-count", "40",
                "--adversary-out", pcapOut.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("xdp_rx", j.path("program").path("name").asText());
        assertEquals(4, j.path("traces").size());
        assertEquals(2, j.path("cache").path("lru").size());
        assertEquals(3, j.path("cache").path("lru").get(1).path("size").asInt());
        assertEquals(0.0, j.path("adversary").path("hit_rate").asDouble());
        assertTrue(r.err().contains("wrote 40 packets to " + pcapOut), r.err());
        assertEquals(40, PcapReader.read(pcapOut, -1).size());

        // the written order, analysed again: the 3-entry LRU cache misses on every packet
        MainTest.Run again = MainTest.run("analyze", "--prog", rxObject().toString(), "--pcap", pcapOut.toString(), "--json",
                "--cache-sizes", "3", "--policy", "lru");
        JsonNode k = new ObjectMapper().readTree(again.out());
        assertEquals(0, k.path("cache").path("lru").get(0).path("hits").asInt());

        Path set = dir.resolve("thrash.set");
        MainTest.Run t = MainTest.run("analyze", "--prog", rxObject().toString(), "--pcap", pcap().toString(),
                "--adversary-size", "3", "--adversary-out", set.toString());
        assertEquals(0, t.exit(), t.err());
        TemplateSet ts = AbiCodec.decodeSet(Files.readAllBytes(set));
        assertEquals(4, ts.templates().size(), "one template per trace in the cycle");
    }

    @Test
    void analysesAPluginsTraffic() throws Exception {
        MainTest.Run r = MainTest.run("analyze", "--prog", rxObject().toString(), "--plugin", "icmp", "-n", "50",
                "--cache-sizes", "1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("50 packets: 0 traceable in 0 traces, 50 untraceable"), r.out());
        assertTrue(r.out().contains("branch on the time (bpf_ktime_get_ns)"), r.out());
    }

    @Test
    void userErrorsAreOneSentence() throws Exception {
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", "/nonexistent.o"), 1, "read /nonexistent.o: no such file");
        Path junk = dir.resolve("junk.o");
        Files.writeString(junk, "not an object");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", junk.toString()), 1, "load object junk.o: not an ELF file");
        String rx = rxObject().toString();
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", rx, "--section", "nope"), 1,
                "select program nope in rx.bpf.o: no such program or section");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", rx, "--cache-sizes", "a..b"), 1,
                "is not a list of cache sizes");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", rx, "--policy", "mru"), 1, "'mru' is not a cache policy");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", rx, "--pcap", junk.toString()), 1, "not a pcap file");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", rx, "--pcap", pcap().toString(), "--adversary-size", "8"), 1,
                "cannot make a 8-entry cache miss on every packet with 4 traces");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", rx, "--plugin", "tcp", "--pcap", "x"), 1,
                "give one of --plugin, --templates or --pcap");
        MainTest.assertOneSentence(MainTest.run("analyze"), 2, "missing required option: '--prog=OBJ.o'");
    }

    @Test
    void cacheSizeLists() {
        assertEquals(List.of(1, 2, 3, 4, 8, 16), AnalyzeCommand.parseSizes("1..4,8,16,4"));
    }
}
