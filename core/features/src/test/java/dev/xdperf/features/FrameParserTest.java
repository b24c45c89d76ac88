package dev.xdperf.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The user-space parser on hand-made frames (FeaturesProgramTest runs the same frames through xdp_features). */
class FrameParserTest {
    /** Frames the parser and the XDP program are both held to. */
    static final class Frames {
        static byte[] udp4(int vlanTags, boolean mh) throws Exception {
            ByteBuffer b = ByteBuffer.allocate(128);
            b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
            for (int i = 0; i < vlanTags; i++) {
                b.putShort((short) (i == 0 ? 0x88A8 : 0x8100)).putShort((short) (0x2000 | (100 + i)));
            }
            b.putShort((short) 0x0800);
            b.put((byte) 0x45).put((byte) 0).putShort((short) 46).putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0);
            b.put(InetAddress.getByName("198.18.0.1").getAddress()).put(InetAddress.getByName("198.18.0.2").getAddress());
            b.putShort((short) 1234).putShort((short) 5201).putShort((short) 26).putShort((short) 0);
            if (mh) {
                b.putShort((short) 0x58DF).putShort((short) 9).putInt(0x89abcdef).putLong(0).put((byte) 3).put((byte) 1);
            } else {
                b.put(new byte[18]);
            }
            return java.util.Arrays.copyOf(b.array(), b.position());
        }

        static byte[] tcp6(int flags) throws Exception {
            ByteBuffer b = ByteBuffer.allocate(128);
            b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x86DD);
            b.putInt(0x60000000).putShort((short) 20).put((byte) 6).put((byte) 64);
            b.put(InetAddress.getByName("fd00:5844::1").getAddress()).put(InetAddress.getByName("fd00:5844::2").getAddress());
            b.putShort((short) 40000).putShort((short) 443).putInt(1).putInt(0).put((byte) 0x50).put((byte) flags)
                    .putShort((short) 1024).putInt(0);
            return java.util.Arrays.copyOf(b.array(), b.position());
        }

        static byte[] laterFragment() throws Exception {
            byte[] f = udp4(0, true);
            f[14 + 6] = 0x00;
            f[14 + 7] = 0x10;   // fragment offset 16 (x8 bytes)
            return f;
        }

        static byte[] arp() {
            byte[] f = new byte[60];
            f[12] = 0x08;
            f[13] = 0x06;
            return f;
        }
    }

    @Test
    void ipv4UdpWithMeasurementHeader() throws Exception {
        byte[] f = Frames.udp4(0, true);
        PacketRecord r = new PacketRecord();
        assertTrue(FrameParser.parse(f, f.length, f.length, -1, r));
        assertEquals(4, r.family);
        assertEquals("198.18.0.1", r.srcText());
        assertEquals(1234, r.sport);
        assertEquals(5201, r.dport);
        assertEquals(17, r.proto);
        assertEquals(-1, r.vlan);
        assertTrue(r.xdperf);
        assertEquals(9, r.stream);
        assertEquals(0x89abcdefL, r.seq);
        assertEquals(3, r.txCpu);
        assertEquals(f.length, r.len);
    }

    @Test
    void twoVlanTagsTheOuterIdIsKept() throws Exception {
        byte[] f = Frames.udp4(2, false);
        PacketRecord r = new PacketRecord();
        assertTrue(FrameParser.parse(f, f.length, f.length, -1, r));
        assertEquals(100, r.vlan);
        assertFalse(r.xdperf);
        assertEquals(5201, r.dport);
    }

    @Test
    void aTagTheKernelStrippedCountsAsOnTheWire() throws Exception {
        byte[] f = Frames.udp4(0, true);
        PacketRecord r = new PacketRecord();
        assertTrue(FrameParser.parse(f, f.length, f.length, 0x2000 | 300, r));
        assertEquals(300, r.vlan);
        assertEquals(f.length + 4, r.len);
    }

    @Test
    void ipv6TcpFlags() throws Exception {
        byte[] f = Frames.tcp6(0x12);
        PacketRecord r = new PacketRecord();
        assertTrue(FrameParser.parse(f, f.length, f.length, -1, r));
        assertEquals(6, r.family);
        assertEquals("fd00:5844::2", Addresses.text(r.dst, 6));
        assertEquals(0x12, r.tcpFlags);
        assertEquals(443, r.dport);
    }

    @Test
    void laterFragmentsHaveNoPorts() throws Exception {
        byte[] f = Frames.laterFragment();
        PacketRecord r = new PacketRecord();
        assertTrue(FrameParser.parse(f, f.length, f.length, -1, r));
        assertEquals(0, r.sport);
        assertFalse(r.xdperf);
    }

    @Test
    void nonIpFramesGetNoFeatures() {
        byte[] f = Frames.arp();
        assertFalse(FrameParser.parse(f, f.length, f.length, -1, new PacketRecord()));
    }

    @Test
    void ipv6TextIsRfc5952() throws Exception {
        for (String s : new String[] {"::", "::1", "fe80::1:2", "2001:db8::1:0:0:1", "2001:db8:0:1:1:1:1:1", "1::", "ff02::2"}) {
            assertEquals(s, Addresses.text(InetAddress.getByName(s).getAddress(), 6));
        }
    }

    @Test
    void tiersParse() {
        assertEquals(FeatureTier.sampled(100), FeatureTier.parse("sampled:100"));
        assertEquals(FeatureTier.FLOWS, FeatureTier.parse("flows"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeatureTier.parse("sampled:x")).getMessage()
                .contains("not a whole number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeatureTier.parse("sampled:0")).getMessage()
                .contains("positive"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeatureTier.parse("packets")).getMessage()
                .contains("not flows, sampled:N or full"));
    }
}
