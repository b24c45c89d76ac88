package dev.xdperf.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The golden vectors of docs/abi.md: bytes on disk that the Java codec (here) and the Go SDK
 * (sdk-tinygo) must both decode to the same structure and encode back byte for byte.
 * Regenerate after a deliberate ABI change with -Dxdperf.golden.write=true.
 */
class GoldenVectorsTest {
    static final Path DIR = Path.of("src/test/resources/golden");
    static final ObjectMapper JSON = new ObjectMapper();

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static Map<String, RunRequest> requests() throws Exception {
        Map<String, RunRequest> m = new LinkedHashMap<>();
        m.put("request-basic", new RunRequest(AbiVersion.HOST, 1500, 2,
                HexFormat.ofDelimiter(":").parseHex("02:00:00:00:00:01"), HexFormat.ofDelimiter(":").parseHex("02:00:00:00:00:02"),
                64, 0, List.of(ip("198.18.0.1"), ip("fd00:5844::1")), List.of(ip("198.18.0.2"), ip("fd00:5844::2")),
                List.of(Map.entry("flows", "100"), Map.entry("payload", "56"))));
        m.put("request-empty", new RunRequest(new AbiVersion(1, 0), 9000, 1, new byte[6], new byte[] {-1, -1, -1, -1, -1, -1},
                0, 7, List.of(), List.of(), List.of()));
        return m;
    }

    /** A 60-byte IPv4/UDP frame with a measurement header; checksums filled by the host rules. */
    static byte[] udpFrame(int len) {
        byte[] f = new byte[len];
        byte[] head = HexFormat.of().parseHex("0200000000020200000000010800" + "45000000000040004011" + "0000c6120001c6120002"
                + "1451145100000000");
        System.arraycopy(head, 0, f, 0, head.length);
        int ipLen = len - 14;
        f[16] = (byte) (ipLen >>> 8);
        f[17] = (byte) ipLen;
        int udpLen = len - 34;
        f[38] = (byte) (udpLen >>> 8);
        f[39] = (byte) udpLen;
        f[42] = 0x58;
        f[43] = (byte) 0xDF;
        f[59] = 1;
        return f;
    }

    static Map<String, TemplateSet> sets() {
        Map<String, TemplateSet> m = new LinkedHashMap<>();
        List<ChecksumRule> v4udp = List.of(ChecksumRule.ipv4Header(14), ChecksumRule.of(ChecksumRule.Kind.UDP, 14, 34));
        PacketTemplate basic = ChecksumFiller.fill(new PacketTemplate(udpFrame(64), 0, 1, 1, 42, List.of(), v4udp));
        m.put("set-basic", new TemplateSet(AbiVersion.HOST, List.of(basic)));
        PacketTemplate small = ChecksumFiller.fill(new PacketTemplate(udpFrame(64), 1, 7, 100, 42, List.of(
                FieldRule.increment(34, 2, FieldRule.Scope.FLOW, 1000, 1099, 1),
                FieldRule.random(26, 4, FieldRule.Scope.PACKET, 0xc6120000L, 0xc612ffffL),
                FieldRule.list(18, 2, FieldRule.Scope.PACKET, List.of(1L, 2L, 65535L))), v4udp));
        PacketTemplate mid = ChecksumFiller.fill(new PacketTemplate(udpFrame(594), 2, 4, 1, 42, List.of(
                FieldRule.decrement(36, 2, FieldRule.Scope.PACKET, 1, 65535, 3),
                FieldRule.increment(60, 4, FieldRule.Scope.FLOW, 0, 0xffffffffL, 0x10001)), v4udp));
        PacketTemplate big = ChecksumFiller.fill(new PacketTemplate(udpFrame(1514), 3, 1, 4294967295L, 0, List.of(
                FieldRule.increment(1000, 8, FieldRule.Scope.PACKET, 0, -1L, -1L),
                FieldRule.random(1010, 1, FieldRule.Scope.FLOW, 0, 255)), v4udp));
        m.put("set-rules", new TemplateSet(AbiVersion.HOST, List.of(small, mid, big)));
        return m;
    }

    static ObjectNode json(RunRequest r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("abi_major", r.abi().major());
        n.put("abi_minor", r.abi().minor());
        n.put("mtu", r.mtu());
        n.put("cpus", r.cpus());
        n.put("src_mac", HexFormat.ofDelimiter(":").formatHex(r.srcMac()));
        n.put("dst_mac", HexFormat.ofDelimiter(":").formatHex(r.dstMac()));
        n.put("frame_size", r.frameSize());
        n.put("stream_base", r.streamBase());
        ArrayNode s = n.putArray("src_addrs");
        r.srcAddrs().forEach(a -> s.add(a.getHostAddress()));
        ArrayNode d = n.putArray("dst_addrs");
        r.dstAddrs().forEach(a -> d.add(a.getHostAddress()));
        ArrayNode o = n.putArray("options");
        r.options().forEach(e -> o.addArray().add(e.getKey()).add(e.getValue()));
        return n;
    }

    static ObjectNode json(TemplateSet set) {
        ObjectNode n = JSON.createObjectNode();
        n.put("abi_major", set.abi().major());
        n.put("abi_minor", set.abi().minor());
        ArrayNode ts = n.putArray("templates");
        for (PacketTemplate t : set.templates()) {
            ObjectNode o = ts.addObject();
            o.put("stream_id", t.streamId());
            o.put("weight", t.weight());
            o.put("flows", t.flows());
            o.put("mh_offset", t.mhOffset());
            o.put("bytes", HexFormat.of().formatHex(t.frame()));
            ArrayNode fs = o.putArray("fields");
            for (FieldRule f : t.fields()) {
                ObjectNode fo = fs.addObject();
                fo.put("offset", f.offset());
                fo.put("width", f.width());
                fo.put("op", f.op().code);
                fo.put("scope", f.scope().code);
                fo.put("min", Long.toUnsignedString(f.min()));
                fo.put("max", Long.toUnsignedString(f.max()));
                fo.put("step", Long.toUnsignedString(f.step()));
                ArrayNode vs = fo.putArray("values");
                f.values().forEach(v -> vs.add(Long.toUnsignedString(v)));
            }
            ArrayNode cs = o.putArray("checksums");
            for (ChecksumRule c : t.checksums()) {
                cs.addObject().put("kind", c.kind().code).put("l3", c.l3Offset()).put("l4", c.l4Offset());
            }
        }
        return n;
    }

    static void check(String name, byte[] encoded, ObjectNode json) throws Exception {
        Path bin = DIR.resolve(name + ".bin");
        Path js = DIR.resolve(name + ".json");
        if (Boolean.getBoolean("xdperf.golden.write")) {
            Files.createDirectories(DIR);
            Files.write(bin, encoded);
            Files.writeString(js, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        }
        assertTrue(Files.exists(bin), "golden vector missing: " + bin);
        assertArrayEquals(Files.readAllBytes(bin), encoded, name + ": encoding differs from the golden bytes");
        assertEquals(JSON.readTree(Files.readString(js)), JSON.readTree(json.toString()), name + ": structure differs from the golden JSON");
    }

    @Test
    void runRequestsMatchTheGoldenBytesBothWays() throws Exception {
        for (var e : requests().entrySet()) {
            byte[] bytes = AbiCodec.encode(e.getValue());
            check(e.getKey(), bytes, json(e.getValue()));
            assertEquals(e.getValue(), AbiCodec.decodeRequest(Files.readAllBytes(DIR.resolve(e.getKey() + ".bin"))));
        }
    }

    @Test
    void templateSetsMatchTheGoldenBytesBothWays() throws Exception {
        for (var e : sets().entrySet()) {
            TemplateValidator.validate(e.getValue(), 1500);
            byte[] bytes = AbiCodec.encode(e.getValue());
            check(e.getKey(), bytes, json(e.getValue()));
            TemplateSet back = AbiCodec.decodeSet(Files.readAllBytes(DIR.resolve(e.getKey() + ".bin")));
            assertEquals(e.getValue(), back);
            for (PacketTemplate t : back.templates()) {
                assertTrue(ChecksumFiller.verifies(t, t.frame()), "golden template checksums verify");
            }
        }
    }
}
