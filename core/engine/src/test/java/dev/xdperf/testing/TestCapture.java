package dev.xdperf.testing;

import dev.xdperf.abi.Checksums;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Frames for replay tests: IPv4/IPv6, TCP/UDP/ICMP, a VLAN tag, odd sizes; written as pcap or pcapng. */
public final class TestCapture {
    public static final byte[] DST = {0x02, 0, 0, 0, 0x0d, 0x01};
    public static final byte[] SRC = {0x02, 0, 0, 0, 0x0c, 0x01};

    private TestCapture() {}

    /** A record: the bytes kept and the length on the wire. */
    public record Record(int linkType, byte[] data, int wireLength) {
        public static Record of(byte[] frame) {
            return new Record(1, frame, frame.length);
        }
    }

    /** Seven frames that replay as they are: mixed families, protocols, a VLAN tag, sizes 61..1514. */
    public static List<byte[]> mixed() throws IOException {
        List<byte[]> f = new ArrayList<>();
        f.add(ipv4(17, "10.1.0.1", "10.2.0.1", udp(1000, 2000, 61 - 42), 0));          // 61 bytes
        f.add(ipv6(6, "fd00:1::1", "fd00:2::1", tcp(40000, 80, 333 - 74), 0));        // 333
        f.add(ipv4(1, "10.1.0.1", "10.2.0.2", icmpEcho(100 - 42), 0));                // 100
        f.add(ipv4(17, "10.1.0.3", "10.2.0.3", udp(53, 53, 1001 - 46), 42));          // 1001, VLAN 42
        f.add(ipv6(58, "fd00:1::1", "fd00:2::2", icmpEcho(127 - 62), 0));             // 127, ICMPv6 echo
        f.add(ipv4(6, "10.1.0.1", "10.2.0.1", tcp(1234, 443, 1514 - 54), 0));         // 1514
        f.add(ipv6(17, "fd00:1::3", "fd00:2::3", udp(5000, 5001, 777 - 62), 0));      // 777
        return f;
    }

    public static byte[] ipv4(int proto, String src, String dst, byte[] l4, int vlan) throws IOException {
        byte[] s = InetAddress.getByName(src).getAddress();
        byte[] d = InetAddress.getByName(dst).getAddress();
        int l3 = vlan > 0 ? 18 : 14;
        byte[] f = new byte[l3 + 20 + l4.length];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.put(DST).put(SRC);
        if (vlan > 0) {
            b.putShort((short) 0x8100).putShort((short) vlan);
        }
        b.putShort((short) 0x0800).put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) 7)
                .putShort((short) 0x4000).put((byte) 64).put((byte) proto).putShort((short) 0).put(s).put(d).put(l4);
        b.putShort(l3 + 10, (short) Checksums.ipv4Header(f, l3, 20));
        l4sum(f, proto, s, d, l3 + 20);
        return f;
    }

    public static byte[] ipv6(int next, String src, String dst, byte[] l4, int vlan) throws IOException {
        byte[] s = InetAddress.getByName(src).getAddress();
        byte[] d = InetAddress.getByName(dst).getAddress();
        byte[] f = new byte[14 + 40 + l4.length];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.put(DST).put(SRC).putShort((short) 0x86DD).putInt(0x60000000).putShort((short) l4.length).put((byte) next)
                .put((byte) 64).put(s).put(d).put(l4);
        if (next == 58) {
            f[54] = (byte) 128;   // ICMPv6 echo request
        }
        l4sum(f, next, s, d, 54);
        return f;
    }

    private static void l4sum(byte[] f, int proto, byte[] s, byte[] d, int l4) {
        int at = proto == 6 ? l4 + 16 : proto == 17 ? l4 + 6 : l4 + 2;
        f[at] = 0;
        f[at + 1] = 0;
        int sum = proto == 1 ? Checksums.fold(Checksums.sum(f, l4, f.length - l4, 0))
                : Checksums.transport(s, d, proto, f, l4, f.length - l4);
        if (proto == 17 && sum == 0) {
            sum = 0xffff;
        }
        f[at] = (byte) (sum >>> 8);
        f[at + 1] = (byte) sum;
    }

    public static byte[] udp(int sport, int dport, int payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload)).putShort((short) 0);
        for (int i = 0; i < payload; i++) {
            b.put((byte) (i * 7 + 3));
        }
        return b.array();
    }

    public static byte[] tcp(int sport, int dport, int payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload);
        b.putShort((short) sport).putShort((short) dport).putInt(1000).putInt(0).put((byte) 0x50).put((byte) 0x18)
                .putShort((short) 65535).putInt(0);
        for (int i = 0; i < payload; i++) {
            b.put((byte) (i * 13 + 1));
        }
        return b.array();
    }

    public static byte[] icmpEcho(int payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload);
        b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 77).putShort((short) 1);
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    /** A classic pcap, little-endian, microseconds, link type {@code linkType}. */
    public static void writePcap(Path file, int linkType, List<Record> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        out.write(h.array());
        int t = 0;
        for (Record r : records) {
            ByteBuffer rh = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            rh.putInt(1).putInt(t++).putInt(r.data().length).putInt(r.wireLength());
            out.write(rh.array());
            out.write(r.data());
        }
        Files.write(file, out.toByteArray());
    }

    /** A pcapng, big-endian, with interfaces of the given link types; records name theirs by link type. */
    public static void writePcapng(Path file, List<Integer> interfaceLinkTypes, List<Record> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(block(0x0A0D0D0A, ByteBuffer.allocate(16).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0)
                .putLong(-1).array()));
        for (int lt : interfaceLinkTypes) {
            out.write(block(1, ByteBuffer.allocate(8).putShort((short) lt).putShort((short) 0).putInt(0).array()));
        }
        for (Record r : records) {
            int pad = (4 - r.data().length % 4) % 4;
            ByteBuffer b = ByteBuffer.allocate(20 + r.data().length + pad);
            b.putInt(interfaceLinkTypes.indexOf(r.linkType())).putInt(0).putInt(0).putInt(r.data().length).putInt(r.wireLength())
                    .put(r.data());
            out.write(block(6, b.array()));
        }
        Files.write(file, out.toByteArray());
    }

    private static byte[] block(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(12 + body.length);
        b.putInt(type).putInt(12 + body.length).put(body).putInt(12 + body.length);
        return b.array();
    }
}
