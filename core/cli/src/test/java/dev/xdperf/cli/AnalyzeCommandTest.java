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

    /** The kernel as the reference: every packet, including one it refuses (too short for Ethernet), agrees with the interpreter. */
    @Test
    void checkKernelAgreesWithTheKernelPacketByPacket() throws Exception {
        dev.xdperf.testing.Privileged.require();
        Path p = dir.resolve("mixed.pcap");
        try (PcapWriter w = new PcapWriter(p)) {
            Files.readAllBytes(pcap());  // the four kinds above
            byte[] arp = frame(0x0806, 60);
            byte[] v6 = frame(0x86dd, 80);
            v6[20] = 59;
            for (int i = 0; i < 10; i++) {
                w.write(arp, i);
                w.write(v6, i);
            }
            w.write(new byte[10], 99);
        }
        MainTest.Run r = MainTest.run("analyze", "--prog", rxObject().toString(), "--pcap", p.toString(), "--check-kernel",
                "--cache-sizes", "1");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("check against the kernel (BPF_PROG_TEST_RUN, same map contents): 21 packets, 21 agree"
                + " (verdict and bytes) of which 1 refused by both (shorter than 14 bytes), 0 differ"), r.out());
        MainTest.Run json = MainTest.run("analyze", "--prog", rxObject().toString(), "--pcap", p.toString(), "--check-kernel",
                "--cache-sizes", "1", "--json");
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().contains("\"check_kernel\""), json.out());
    }

    @Test
    void analysesAPcap() throws Exception {
        MainTest.Run r = MainTest.run("analyze", "--prog", rxObject().toString(), "--pcap", pcap().toString(), "--cache-sizes",
                "1..4");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("program xdp_rx (section xdp) of rx.bpf.o: "), r.out());
        assertTrue(r.out().contains("100 packets: 100 traceable in 4 traces, 0 untraceable, 0 failed"), r.out());
        // the IPv6 frames without UDP, TCP or ICMPv6: the branch condition xdp_rx's shared parser (parse.h) compiles to,
        // read as header fields, and as raw bytes with --raw
        assertTrue(r.out().contains("len >= 54 && eth.type == 0x86dd && ipv6.nexthdr >= 17 && ipv6.nexthdr != 0x11"
                + " && ipv6.nexthdr != 0x3a"), r.out());
        MainTest.Run raw = MainTest.run("analyze", "--prog", rxObject().toString(), "--pcap", pcap().toString(), "--raw");
        assertEquals(0, raw.exit(), raw.err());
        assertTrue(raw.out().contains("len >= 54 && bytes[12..13] == 0x86dd && bytes[20] >= 17 && bytes[20] != 0x11"
                + " && bytes[20] != 0x3a"), raw.out());
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

    /** A rule filter of analyze's tests (pinned maps, a legacy section), built as a user builds it. */
    Path portRules() throws Exception {
        Path src = Path.of("../../analyze/src/test/c/port_rules.bpf.c").toAbsolutePath().normalize();
        Path obj = dir.resolve("port_rules.bpf.o");
        Process p = new ProcessBuilder("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                src.toString(), "-o", obj.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return obj;
    }

    /** Port 53 denied for UDP, 22 for TCP, as bpftool map dump -j prints them; and two updates. */
    Path[] rulesAndUpdates() throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, "[{\"key\": [\"0x35\", \"0x00\", \"0x00\", \"0x00\"], \"value\": [\"0x01\", \"0x00\","
                + " \"0x00\", \"0x00\"]}, {\"key\": [22, 0, 0, 0], \"value\": [2, 0, 0, 0]}]");
        Path updates = dir.resolve("updates.json");
        Files.writeString(updates, "[{\"packet\": 20, \"map\": \"port_rules\", \"key\": [53, 0, 0, 0], \"delete\": true},"
                + " {\"time\": 0.5, \"map\": \"port_rules\", \"key\": [53, 0, 0, 0], \"value\": [1, 0, 0, 0]}]");
        return new Path[] {rules, updates};
    }

    /** UDP to port 53, one packet every 10 ms: the update at 0.5 s lands on packet 50. */
    Path dnsPcap() throws Exception {
        Path p = dir.resolve("dns.pcap");
        try (PcapWriter w = new PcapWriter(p)) {
            for (int i = 0; i < 80; i++) {
                byte[] f = frame(0x0800, 60);
                f[14] = 0x45;
                f[22] = 64;
                f[23] = 17;
                f[36] = 0;
                f[37] = 53;
                w.write(f, i * 10_000_000L);
            }
        }
        return p;
    }

    @Test
    void mapsFromFilesUpdatesAndTheirCost() throws Exception {
        Path obj = portRules();
        Path[] ru = rulesAndUpdates();
        MainTest.Run r = MainTest.run("analyze", "--prog", obj.toString(), "--pcap", dnsPcap().toString(), "--map",
                "port_rules=" + ru[0], "--map-updates", ru[1].toString(), "--cache-sizes", "2", "--policy", "lru");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("state: port_rules: 2 entries from " + ru[0]), r.out());
        assertTrue(r.out().contains("80 packets: 80 traceable in 2 traces, 0 untraceable"), r.out());
        assertTrue(r.out().contains("verdicts: XDP_DROP 50, XDP_PASS 30"), "dropped but from packet 20 to 49: " + r.out());
        assertTrue(r.out().contains("port_rules[udp.dport] present && (port_rules[udp.dport].value & 0x00000001) != 0x00000000"),
                r.out());
        assertTrue(r.out().contains("map updates: 2 applied, 2 changed an entry; 2 traces read a changed entry"), r.out());
        assertTrue(r.out().contains("LRU, 2 entries:        2 invalidations, 1 re-trace, hit rate 97.5% -> 96.3%"), r.out());
        MainTest.Run j = MainTest.run("analyze", "--prog", obj.toString(), "--pcap", dnsPcap().toString(), "--map",
                "port_rules=" + ru[0], "--map-updates", ru[1].toString(), "--cache-sizes", "2", "--policy", "lru", "--json");
        JsonNode n = new ObjectMapper().readTree(j.out());
        assertEquals(2, n.path("map_updates").path("changed").asInt());
        assertEquals(2, n.path("cache").path("lru").get(0).path("invalidated").asInt());
    }

    /** The same rules loaded into the kernel, the same updates at the same packets; and a pinned map's snapshot. */
    @Test
    void checkKernelWithMapsAndUpdatesAndPinnedMaps() throws Exception {
        dev.xdperf.testing.Privileged.require();
        Path obj = portRules();
        Path[] ru = rulesAndUpdates();
        MainTest.Run r = MainTest.run("analyze", "--prog", obj.toString(), "--pcap", dnsPcap().toString(), "--map",
                "port_rules=" + ru[0], "--map-updates", ru[1].toString(), "--cache-sizes", "1", "--check-kernel");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("80 packets, 80 agree (verdict and bytes), 0 differ"), r.out());
        try (dev.xdperf.bpf.PrivateBpfFs pins = dev.xdperf.bpf.PrivateBpfFs.create().mount();
             dev.xdperf.bpf.BpfObject.Opened o = dev.xdperf.bpf.BpfObject.open("port_rules.bpf.o", Files.readAllBytes(obj),
                     pins.dir())) {
            o.setType("port_rules_prog", 6);
            try (dev.xdperf.bpf.BpfObject loaded = o.load()) {
                loaded.map("port_rules").updateBytes(new byte[] {53, 0, 0, 0}, new byte[] {1, 0, 0, 0});
                Path pinned = pins.dir().resolve("port_rules");
                assertTrue(Files.exists(pinned), "pinned by name in the private bpffs");
                MainTest.Run p = MainTest.run("analyze", "--prog", obj.toString(), "--pcap", dnsPcap().toString(), "--map",
                        "port_rules=pinned:" + pinned, "--cache-sizes", "1");
                assertEquals(0, p.exit(), p.out() + p.err());
                assertTrue(p.out().contains("state: port_rules: 1 entry from " + pinned), p.out());
                assertTrue(p.out().contains("verdicts: XDP_DROP 80"), p.out());
            }
        }
    }

    @Test
    void mapAndFibErrorsAreOneSentence() throws Exception {
        String obj = portRules().toString();
        Path[] ru = rulesAndUpdates();
        String pcap = dnsPcap().toString();
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", obj, "--map", "nosuch=" + ru[0]), 1,
                "fill map nosuch of port_rules.bpf.o: no such map (it has verdict_counters, port_rules)");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", obj, "--map", "port_rules=/nonexistent.json"), 1,
                "read map file /nonexistent.json: no such file");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", obj, "--map", "port_rules"), 1,
                "--map 'port_rules': give NAME=FILE.json");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", obj, "--map", "port_rules=pinned:/nonexistent/map"), 1,
                "no pinned map at /nonexistent/map");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", obj, "--fib", "/nonexistent.json"), 1,
                "read fib file /nonexistent.json: no such file");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", obj, "--map-updates", ru[1].toString()), 1,
                "is placed by time, which needs the timestamps of one --pcap file");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", obj, "--pcap", pcap, "-n", "10", "--map-updates",
                ru[1].toString()), 1, "an update of port_rules at packet 20, but the traffic has 10 packets");
        Path badKey = dir.resolve("bad.json");
        Files.writeString(badKey, "[{\"packet\": 1, \"map\": \"port_rules\", \"key\": [1, 0], \"value\": [1, 0, 0, 0]}]");
        MainTest.assertOneSentence(MainTest.run("analyze", "--prog", obj, "--pcap", pcap, "--map-updates", badKey.toString()), 1,
                "update map port_rules before packet 1: a 2-byte key and a 4-byte value, the map takes 4 and 4");
    }

    @Test
    void cacheSizeLists() {
        assertEquals(List.of(1, 2, 3, 4, 8, 16), dev.xdperf.analyze.cache.CacheSizes.parse("1..4,8,16,4"));
    }
}
