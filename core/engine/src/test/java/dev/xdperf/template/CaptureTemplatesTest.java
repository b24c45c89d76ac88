package dev.xdperf.template;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.XdperfException;
import dev.xdperf.abi.ChecksumFiller;
import dev.xdperf.abi.Checksums;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.packet.Capture;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.MeasurementHeader;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.testing.TestCapture;
import dev.xdperf.testing.TestCapture.Record;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Captures as templates: order, skipped frames by kind, rewrites with checksums, the measurement header, refusals. */
class CaptureTemplatesTest {
    static final CaptureTemplates.Rewrite NONE = new CaptureTemplates.Rewrite(null, null, Map.of(), false);

    @Test
    void pcapAndPcapngGiveTheFramesInOrderAndSkipWhatCannotGo(@TempDir Path dir) throws Exception {
        List<byte[]> good = TestCapture.mixed();
        List<Record> records = new ArrayList<>();
        for (byte[] f : good) {
            records.add(Record.of(f));
        }
        records.add(2, new Record(1, Arrays.copyOf(good.get(5), 200), 1514));                  // snaplen cut it
        records.add(4, Record.of(new byte[1600]));                                           // longer than MTU + 14
        records.add(new Record(1, new byte[10], 10));                                        // no Ethernet header
        Path pcap = dir.resolve("c.pcap");
        TestCapture.writePcap(pcap, 1, records);
        List<Record> ng = new ArrayList<>(records);
        ng.add(1, new Record(113, new byte[40], 40));                                        // Linux cooked capture
        Path pcapng = dir.resolve("c.pcapng");
        TestCapture.writePcapng(pcapng, List.of(1, 113), ng);

        for (Path file : List.of(pcap, pcapng)) {
            CaptureTemplates.Plan p = CaptureTemplates.plan(file, NONE, 1500);
            assertEquals(good.size(), p.frames());
            for (int i = 0; i < good.size(); i++) {
                PacketTemplate t = p.set().templates().get(i);
                assertArrayEquals(good.get(i), t.frame(), "frame " + i);
                assertEquals(1, t.weight());
                assertEquals(0, t.mhOffset());
            }
            assertEquals(1, p.tooLong());
            assertEquals(1, p.truncated());
            assertEquals(1, p.runts());
            assertEquals(file == pcapng ? 1 : 0, p.notEthernet());
            // the cycle sends them in file order, and compiling keeps every byte
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), Schedule.of(p.set().templates().stream().map(PacketTemplate::weight)
                    .toList()).cycle());
            CompiledSet c = TemplateCompiler.compile(p.source().generate(request(0)), 1500, 0);
            for (int i = 0; i < good.size(); i++) {
                assertArrayEquals(good.get(i), ChecksumFiller.fill(c.set().templates().get(i)).frame());
            }
            String w = String.join("\n", p.warnings());
            assertTrue(w.contains("skipped 1 frame longer than the interface MTU + 14"), w);
            assertTrue(w.contains("skipped 1 truncated frame (the capture's snaplen cut them)"), w);
            assertTrue(w.contains("shorter than an Ethernet header"), w);
            assertEquals(file == pcapng, w.contains("skipped 1 frame of a non-Ethernet link type"), w);
        }
        assertEquals("pcapng", Capture.read(pcapng).format());
    }

    @Test
    void macsAndAddressesAreRewrittenWithValidChecksums(@TempDir Path dir) throws Exception {
        List<byte[]> good = TestCapture.mixed();
        Path pcap = dir.resolve("c.pcap");
        TestCapture.writePcap(pcap, 1, good.stream().map(Record::of).toList());
        MacAddress src = MacAddress.parse("02:aa:00:00:00:01");
        MacAddress dst = MacAddress.parse("02:bb:00:00:00:02");
        Map<InetAddress, InetAddress> ips = Map.of(UdpStream.parseIp("10.2.0.1"), UdpStream.parseIp("192.0.2.9"),
                UdpStream.parseIp("10.1.0.3"), UdpStream.parseIp("198.51.100.3"),
                UdpStream.parseIp("fd00:2::2"), UdpStream.parseIp("2001:db8::22"),
                UdpStream.parseIp("fd00:1::1"), UdpStream.parseIp("2001:db8::11"));
        CaptureTemplates.Plan p = CaptureTemplates.plan(pcap, new CaptureTemplates.Rewrite(src, dst, ips, false), 1500);
        for (int i = 0; i < good.size(); i++) {
            byte[] f = p.set().templates().get(i).frame();
            assertArrayEquals(dst.bytes(), Arrays.copyOfRange(f, 0, 6));
            assertArrayEquals(src.bytes(), Arrays.copyOfRange(f, 6, 12));
            assertEquals(good.get(i).length, f.length);
            assertChecksumsValid(f, "frame " + i);
        }
        byte[] udp4 = p.set().templates().get(0).frame();
        assertArrayEquals(UdpStream.parseIp("192.0.2.9").getAddress(), Arrays.copyOfRange(udp4, 30, 34));
        byte[] vlan = p.set().templates().get(3).frame();
        assertArrayEquals(UdpStream.parseIp("198.51.100.3").getAddress(), Arrays.copyOfRange(vlan, 30, 34));
        byte[] icmp6 = p.set().templates().get(4).frame();
        assertArrayEquals(UdpStream.parseIp("2001:db8::11").getAddress(), Arrays.copyOfRange(icmp6, 22, 38));
        assertArrayEquals(UdpStream.parseIp("2001:db8::22").getAddress(), Arrays.copyOfRange(icmp6, 38, 54));
    }

    @Test
    void theMeasurementHeaderGoesIntoUdpFramesWithRoom(@TempDir Path dir) throws Exception {
        List<byte[]> good = TestCapture.mixed();
        Path pcap = dir.resolve("c.pcap");
        TestCapture.writePcap(pcap, 1, good.stream().map(Record::of).toList());
        CaptureTemplates.Plan p = CaptureTemplates.plan(pcap, new CaptureTemplates.Rewrite(null, null, Map.of(), true), 1500);
        // the 61-byte UDP frame has 19 bytes of payload: room for the 18-byte header; TCP and ICMP frames get none
        assertEquals(3, p.measured());
        TemplateSet set = p.source().generate(request(5));
        assertEquals(42, set.templates().get(0).mhOffset());
        assertEquals(46, set.templates().get(3).mhOffset());
        assertEquals(62, set.templates().get(6).mhOffset());
        assertEquals(0, set.templates().get(1).mhOffset());
        assertEquals(5, MeasurementHeader.read(set.templates().get(6).frame(), 62).streamId());
        TemplateCompiler.compile(set, 1500, 0);
    }

    @Test
    void badCapturesAreOneSentenceNamingTheFile(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.pcap");
        Files.writeString(text, "hello, this is text");
        assertEquals(text + ": not a pcap or pcapng capture (starts with 0x68656c6c)", error(text));
        Path empty = dir.resolve("empty.pcap");
        TestCapture.writePcap(empty, 1, List.of());
        assertEquals(empty + ": the capture holds no frames", error(empty));
        Path cooked = dir.resolve("cooked.pcap");
        TestCapture.writePcap(cooked, 113, List.of(Record.of(new byte[60])));
        assertEquals(cooked + ": link type 113 is not Ethernet (1): xdperf replays Ethernet captures", error(cooked));
        Path cut = dir.resolve("cut.pcap");
        TestCapture.writePcap(cut, 1, List.of(Record.of(new byte[60])));
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(cut), 24 + 16 + 30));
        assertEquals(cut + ": record 1 at byte 24 claims 60 bytes, 30 are left", error(cut));
        Path big = dir.resolve("big.pcap");
        List<Record> many = new ArrayList<>();
        for (int i = 0; i < TemplateSet.MAX_TEMPLATES + 1; i++) {
            many.add(Record.of(new byte[60]));
        }
        TestCapture.writePcap(big, 1, many);
        assertEquals(big + ": 1025 frames to send, more than the 1024 templates xdp_tx holds; replay at most 1024 frames at a"
                + " time (editcap -r big.pcap part.pcap 1-1024)", error(big));
        assertEquals("read capture " + dir.resolve("none.pcap") + ": no such file", error(dir.resolve("none.pcap")));
    }

    private static String error(Path file) {
        return assertThrows(XdperfException.ConfigException.class, () -> CaptureTemplates.plan(file, NONE, 1500)).getMessage();
    }

    private static dev.xdperf.abi.RunRequest request(int base) {
        return new dev.xdperf.abi.RunRequest(dev.xdperf.abi.AbiVersion.HOST, 1500, 1, new byte[6], new byte[6], 0, base,
                List.of(), List.of(), List.of());
    }

    /** IPv4 header and TCP/UDP/ICMPv6 checksums verify (ICMPv4 has no pseudo-header and is not touched). */
    static void assertChecksumsValid(byte[] f, String what) {
        int l3 = ((f[12] & 0xff) << 8 | (f[13] & 0xff)) == 0x8100 ? 18 : 14;
        int type = (f[l3 - 2] & 0xff) << 8 | (f[l3 - 1] & 0xff);
        if (type == 0x0800) {
            assertEquals(0, Checksums.fold(Checksums.sum(f, l3, 20, 0)), what + ": IPv4 header");
            int proto = f[l3 + 9] & 0xff;
            if (proto == 6 || proto == 17) {
                assertTrue(Checksums.verifyTransport(Arrays.copyOfRange(f, l3 + 12, l3 + 16), Arrays.copyOfRange(f, l3 + 16, l3 + 20),
                        proto, f, l3 + 20, f.length - l3 - 20), what);
            }
        } else {
            int next = f[l3 + 6] & 0xff;
            assertTrue(Checksums.verifyTransport(Arrays.copyOfRange(f, l3 + 8, l3 + 24), Arrays.copyOfRange(f, l3 + 24, l3 + 40),
                    next, f, l3 + 40, f.length - l3 - 40), what);
        }
    }
}
