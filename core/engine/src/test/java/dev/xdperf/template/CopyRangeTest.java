package dev.xdperf.template;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.bpf.Structs;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What xdp_tx copies into a frame with several templates (TemplateCompiler.copyRange): the
 * bytes where the templates could leave different things in a page, and the whole template
 * where that range is not inside the shortest one.
 */
class CopyRangeTest {
    private static final MacAddress SRC = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress DST = MacAddress.parse("02:00:00:00:00:02");

    private static PacketTemplate udp(int size, int stream, List<FieldRule> rules) {
        PacketTemplate t = new UdpStream(SRC, DST, UdpStream.parseIp("198.18.0.1"), UdpStream.parseIp("198.18.0.2"),
                5201, 5201, size, stream, true).toTemplate();
        return new PacketTemplate(t.frame(), stream, 1, 1, t.mhOffset(), rules, t.checksums());
    }

    private static CompiledSet compile(PacketTemplate... ts) {
        return TemplateCompiler.compile(new TemplateSet(AbiVersion.HOST, List.of(ts)), 1500, 42);
    }

    @Test
    void sizesOfOneStreamDifferInTheLengthsAndChecksumsOnly() {
        // 60-, 590- and 1514-byte frames: IPv4 total length (16) and checksum (24), UDP length
        // (38). Each writes the UDP checksum (40) and the header's stamps; the payload is zeros.
        CompiledSet c = compile(udp(60, 0, List.of()), udp(590, 0, List.of()), udp(1514, 0, List.of()));
        assertEquals(Structs.COPY_RANGE, c.copy());
        assertEquals(16, c.copyFrom());
        assertEquals(3, c.copyWords(), "bytes 16..39 in whole words");
        // --size imix gives each size a stream of its own: the stream id's low byte (45) differs too
        CompiledSet own = compile(udp(60, 0, List.of()), udp(590, 1, List.of()), udp(1514, 2, List.of()));
        assertEquals(16, own.copyFrom());
        assertEquals(4, own.copyWords(), "bytes 16..45 in whole words");
        // the pages start as the longest template, checksums filled
        assertEquals(1514, c.seedFrame().length);
        assertArrayEquals(dev.xdperf.abi.ChecksumFiller.fill(udp(1514, 0, List.of())).frame(), c.seedFrame());
    }

    @Test
    void streamsDifferInTheirStreamIdAndRulesWriteTheirOwnBytes() {
        FieldRule port = FieldRule.random(34, 2, FieldRule.Scope.PACKET, 1024, 65535);
        // The same size in two streams: the stream id (44, 45) differs, and the source port (34) is
        // written by one template and not the other. Both write the UDP checksum; their IPv4
        // headers are the same.
        CompiledSet c = compile(udp(128, 0, List.of(port)), udp(128, 1, List.of()));
        assertEquals(Structs.COPY_RANGE, c.copy());
        assertEquals(34, c.copyFrom());
        assertEquals(2, c.copyWords(), "bytes 34..45");
        // Both write the port: it is no longer a difference, the stream id's low byte still is.
        c = compile(udp(128, 0, List.of(port)), udp(128, 1, List.of(port)));
        assertEquals(45, c.copyFrom());
        assertEquals(1, c.copyWords());
    }

    @Test
    void identicalTemplatesCopyNothing() {
        CompiledSet c = compile(udp(128, 0, List.of()), udp(128, 0, List.of()));
        assertEquals(Structs.COPY_RANGE, c.copy());
        assertEquals(0, c.copyWords());
    }

    @Test
    void aDifferencePastTheShortestTemplateCopiesEverything() {
        // a rule at 100 in the 200-byte template, where the 128-byte one has a static byte
        FieldRule far = FieldRule.random(100, 8, FieldRule.Scope.PACKET, 0, -1L);
        CompiledSet c = compile(udp(96, 0, List.of()), udp(200, 0, List.of(far)), udp(128, 0, List.of()));
        assertEquals(Structs.COPY_ALL, c.copy());
        assertEquals(200, c.seedFrame().length, "the longest frame's room, as before");
    }

    @Test
    void aNonZeroBytePastTheShortestTemplateCopiesEverything() {
        // a frame grows with zeros (bpf_xdp_adjust_tail): the longer templates must have zeros there
        PacketTemplate shortT = udp(60, 0, List.of());
        PacketTemplate longT = udp(256, 0, List.of());
        byte[] f = longT.frame();
        f[200] = 7;
        PacketTemplate patterned = new PacketTemplate(f, 0, 1, 1, longT.mhOffset(), List.of(), longT.checksums());
        assertEquals(Structs.COPY_ALL, compile(shortT, patterned).copy());
        assertEquals(Structs.COPY_RANGE, compile(shortT, longT).copy());
    }

    @Test
    void oneTemplateCopiesNothingAndSeedsItsOwnFrame() {
        CompiledSet c = compile(udp(128, 0, List.of()));
        assertEquals(0, c.copy());
        assertArrayEquals(dev.xdperf.abi.ChecksumFiller.fill(udp(128, 0, List.of())).frame(), c.seedFrame());
    }

    @Test
    void aRangeLongerThanTheCopyLoopCopiesEverything() {
        // rules spread over 200 bytes in one template and not in the other: more than 16 words
        FieldRule a = FieldRule.random(30, 2, FieldRule.Scope.PACKET, 0, 65535);
        FieldRule b = FieldRule.random(230, 2, FieldRule.Scope.PACKET, 0, 65535);
        CompiledSet c = compile(udp(256, 0, List.of(a, b)), udp(256, 0, List.of()));
        assertEquals(Structs.COPY_ALL, c.copy());
        assertNull(TemplateCompiler.copyRange(List.of(dev.xdperf.abi.ChecksumFiller.fill(udp(256, 0, List.of(a, b))),
                dev.xdperf.abi.ChecksumFiller.fill(udp(256, 0, List.of())))));
    }
}
