package dev.xdperf.abi;

/** RFC 1071 Internet checksums over byte arrays. */
public final class Checksums {
    private Checksums() {}

    /** Ones'-complement sum (not yet complemented) of {@code len} bytes from {@code off}. */
    public static long sum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8;
        }
        return sum;
    }

    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    public static int ipv4Header(byte[] b, int off, int len) {
        return fold(sum(b, off, len, 0));
    }

    /** TCP/UDP checksum with the IPv4 or IPv6 pseudo-header; {@code src}/{@code dst} are 4 or 16 bytes. */
    public static int transport(byte[] src, byte[] dst, int protocol, byte[] b, int off, int len) {
        long s = sum(src, 0, src.length, 0);
        s = sum(dst, 0, dst.length, s);
        s += protocol;
        s += len;
        s = sum(b, off, len, s);
        return fold(s);
    }

    /** True when the whole L4 segment, with its checksum in place, verifies. */
    public static boolean verifyTransport(byte[] src, byte[] dst, int protocol, byte[] b, int off, int len) {
        long s = sum(src, 0, src.length, 0);
        s = sum(dst, 0, dst.length, s);
        s += protocol;
        s += len;
        s = sum(b, off, len, s);
        return fold(s) == 0;
    }
}
