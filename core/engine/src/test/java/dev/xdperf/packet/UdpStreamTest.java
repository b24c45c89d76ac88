package dev.xdperf.packet;
import dev.xdperf.abi.Checksums;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UdpStreamTest {
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:02");

    static UdpStream v4(int size) {
        return new UdpStream(A, B, UdpStream.parseIp("198.18.0.1"), UdpStream.parseIp("198.18.0.2"), 5201, 9, size, 7, true);
    }

    @Test
    void ipv4FrameHasValidChecksumsAndHeader() {
        dev.xdperf.abi.PacketTemplate t = v4(64).toTemplate();
        byte[] f = t.frame();
        assertEquals(64, f.length);
        assertEquals(0x0800, ((f[12] & 0xff) << 8) | (f[13] & 0xff));
        assertEquals(0, Checksums.ipv4Header(f, 14, 20), "IPv4 header checksum verifies to 0");
        byte[] src = Arrays.copyOfRange(f, 26, 30);
        byte[] dst = Arrays.copyOfRange(f, 30, 34);
        assertTrue(Checksums.verifyTransport(src, dst, 17, f, 34, 30), "UDP checksum verifies");
        assertEquals(42, t.mhOffset());
        assertEquals(40, t.checksums().get(1).checksumOffset());
        MeasurementHeader mh = MeasurementHeader.read(f, t.mhOffset());
        assertNotNull(mh);
        assertEquals(7, mh.streamId());
        assertEquals(0, mh.seq());
    }

    @Test
    void ipv6FrameHasValidChecksum() {
        UdpStream s = new UdpStream(A, B, UdpStream.parseIp("fd00::1"), UdpStream.parseIp("fd00::2"), 1, 2, 128, 0, true);
        byte[] f = s.toTemplate().frame();
        assertEquals(0x86DD, ((f[12] & 0xff) << 8) | (f[13] & 0xff));
        byte[] src = Arrays.copyOfRange(f, 22, 38);
        byte[] dst = Arrays.copyOfRange(f, 38, 54);
        assertTrue(Checksums.verifyTransport(src, dst, 17, f, 54, 128 - 54));
        assertEquals(128 - 54, ((f[18] & 0xff) << 8) | (f[19] & 0xff), "payload length");
    }

    @Test
    void sizesOutsideTheRangeAreRefusedWithTheRange() {
        // 60 is Ethernet's minimum without FCS (the 64-byte frames of IMIX); IPv4/UDP with the header fits exactly
        assertEquals(60, v4(60).toTemplate().length());
        var e = assertThrows(IllegalArgumentException.class, () -> v4(59));
        assertTrue(e.getMessage().contains("60..1514"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v4(1515));
        var v6 = assertThrows(IllegalArgumentException.class, () -> new UdpStream(A, B,
                UdpStream.parseIp("fd00::1"), UdpStream.parseIp("fd00::2"), 1, 2, 64, 0, true));
        assertTrue(v6.getMessage().contains("80..1514"), v6.getMessage());
    }

    @Test
    void mixedFamiliesAndBadAddressesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new UdpStream(A, B,
                UdpStream.parseIp("198.18.0.1"), UdpStream.parseIp("fd00::2"), 1, 2, 128, 0, true));
        assertThrows(IllegalArgumentException.class, () -> UdpStream.parseIp("1.2.3"));
        assertThrows(IllegalArgumentException.class, () -> UdpStream.parseIp("example.org"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:00:00:00:00"));
    }

    @Test
    void checksumMatchesRfc1071Example() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (before complement).
        byte[] data = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertEquals(~0xddf2 & 0xffff, Checksums.fold(Checksums.sum(data, 0, data.length, 0)));
    }

    static int u16(byte[] f, int o) {
        return ((f[o] & 0xff) << 8) | (f[o + 1] & 0xff);
    }

    @Test
    void rangesAddOnePerPacketRuleEachAndTheChecksumsFollow() {
        FieldRanges r = new FieldRanges(FieldRanges.AddressRange.parse("10.0.0.1-10.0.0.3"),
                FieldRanges.AddressRange.parse("10.0.1.250-10.0.2.1"), FieldRanges.PortRange.parse("1000-1001"),
                FieldRanges.PortRange.parse("7"));
        dev.xdperf.abi.TemplateSet set = v4(64).toTemplateSet(1, r);
        assertEquals(4, set.templates().get(0).fields().size());
        dev.xdperf.template.FieldEngine engine = new dev.xdperf.template.FieldEngine(set, 0);
        for (long k = 0; k < 12; k++) {
            byte[] f = engine.frame(k);
            byte[] src = Arrays.copyOfRange(f, 26, 30);
            byte[] dst = Arrays.copyOfRange(f, 30, 34);
            assertEquals(1 + k % 3, src[3] & 0xff, "source address of packet " + k);
            long d = 250 + k % 8;   // 10.0.1.250 .. 10.0.2.1 is 8 addresses
            assertEquals(d < 256 ? 1 : 2, dst[2] & 0xff);
            assertEquals(d % 256, dst[3] & 0xff);
            assertEquals(1000 + k % 2, u16(f, 34));
            assertEquals(7, u16(f, 36));
            assertEquals(0, Checksums.ipv4Header(f, 14, 20), "IPv4 checksum of packet " + k);
            assertTrue(Checksums.verifyTransport(src, dst, 17, f, 34, 30), "UDP checksum of packet " + k);
        }
    }

    @Test
    void ipv6RangesVaryTheLast32BitsOnly() {
        UdpStream s = new UdpStream(A, B, UdpStream.parseIp("fd00::1"), UdpStream.parseIp("fd00::2"), 1, 2, 128, 0, true);
        var set = s.toTemplateSet(1, new FieldRanges(null, FieldRanges.AddressRange.parse("fd00::10-fd00::1f"), null, null));
        assertEquals(22 + 16 + 12, set.templates().get(0).fields().get(0).offset());
        var e = assertThrows(IllegalArgumentException.class,
                () -> FieldRanges.AddressRange.parse("fd00::1-fd01::1"));
        assertTrue(e.getMessage().contains("last 32 bits"), e.getMessage());
        var other = assertThrows(IllegalArgumentException.class, () -> s.toTemplateSet(1,
                new FieldRanges(FieldRanges.AddressRange.parse("fd01::1-fd01::2"), null, null, null)));
        assertTrue(other.getMessage().contains("first 96 bits"), other.getMessage());
    }

    @Test
    void badRangesAreRefusedInOneSentence() {
        assertThrows(IllegalArgumentException.class, () -> FieldRanges.PortRange.parse("2000-1000"));
        assertThrows(IllegalArgumentException.class, () -> FieldRanges.PortRange.parse("x-1"));
        assertThrows(IllegalArgumentException.class, () -> FieldRanges.AddressRange.parse("10.0.0.9-10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> v4(64).toTemplateSet(1,
                new FieldRanges(FieldRanges.AddressRange.parse("fd00::1-fd00::2"), null, null, null)));
        var both = assertThrows(IllegalArgumentException.class, () -> v4(64).toTemplateSet(4,
                new FieldRanges(null, null, FieldRanges.PortRange.parse("1-2"), null)));
        assertTrue(both.getMessage().contains("--flows"), both.getMessage());
    }
}
