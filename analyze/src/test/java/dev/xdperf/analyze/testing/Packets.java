package dev.xdperf.analyze.testing;

import dev.xdperf.analyze.object.ObjectLoader;
import dev.xdperf.analyze.object.ObjectSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** Test frames: Ethernet with IPv4 or IPv6 and UDP or TCP, and the test programs built from src/test/c. */
public final class Packets {
    private Packets() {}

    public static final int ETH_IP = 0x0800;
    public static final int ETH_IPV6 = 0x86dd;
    public static final int UDP = 17;
    public static final int TCP = 6;

    /** The ELF bytes of a test program (src/test/c/NAME.bpf.c, or another object build.sh makes). */
    public static byte[] object(String name) {
        String file = Packets.class.getResource("/xdp/" + name + ".bpf.o") != null ? name + ".bpf.o" : name + ".o";
        try (InputStream in = Packets.class.getResourceAsStream("/xdp/" + file)) {
            if (in == null) {
                throw new IllegalStateException("test program " + name + " was not built (src/test/c/build.sh)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectSpec spec(String name) {
        return ObjectLoader.load(name, object(name));
    }

    public static byte[] ipv4(int proto, int srcPort, int dstPort, int payload) {
        return ipv4(proto, 0xc6120001, 0xc6120002, srcPort, dstPort, payload, 5);
    }

    /** Ethernet + IPv4 (ihl words of header, options zero) + UDP or TCP + payload bytes 0, 1, 2... */
    public static byte[] ipv4(int proto, int src, int dst, int srcPort, int dstPort, int payload, int ihl) {
        int l4 = proto == TCP ? 20 : 8;
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * ihl + l4 + payload);
        eth(b, ETH_IP);
        b.put((byte) (0x40 | ihl)).put((byte) 0).putShort((short) (4 * ihl + l4 + payload)).putInt(0)
                .put((byte) 64).put((byte) proto).putShort((short) 0).putInt(src).putInt(dst);
        for (int i = 5; i < ihl; i++) {
            b.putInt(0x01010101);
        }
        l4(b, proto, srcPort, dstPort, payload);
        return b.array();
    }

    public static byte[] ipv6(int proto, int srcPort, int dstPort, int payload) {
        int l4 = proto == TCP ? 20 : 8;
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + l4 + payload);
        eth(b, ETH_IPV6);
        b.putInt(0x60000000).putShort((short) (l4 + payload)).put((byte) proto).put((byte) 64);
        b.putLong(0xfd00584400000000L).putLong(1).putLong(0xfd00584400000000L).putLong(2);
        l4(b, proto, srcPort, dstPort, payload);
        return b.array();
    }

    /** A frame of the given EtherType and length, bytes after the header 0, 1, 2... */
    public static byte[] ether(int type, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        if (length >= 14) {
            eth(b, type);
        }
        while (b.hasRemaining()) {
            b.put((byte) b.position());
        }
        return b.array();
    }

    private static void eth(ByteBuffer b, int type) {
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) type);
    }

    private static void l4(ByteBuffer b, int proto, int srcPort, int dstPort, int payload) {
        b.putShort((short) srcPort).putShort((short) dstPort);
        if (proto == TCP) {
            b.putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x02).putShort((short) 1024).putInt(0);
        } else {
            b.putShort((short) (8 + payload)).putShort((short) 0);
        }
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
    }
}
