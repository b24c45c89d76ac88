package dev.xdperf.plugins.quic;

import java.util.Arrays;
import java.util.function.Consumer;

/** A growable byte buffer for building packets: big-endian integers, QUIC varints, length prefixes. */
final class Bytes {
    private byte[] b = new byte[256];
    private int n;

    Bytes u8(int v) {
        ensure(1);
        b[n++] = (byte) v;
        return this;
    }

    Bytes u16(int v) {
        return u8(v >>> 8).u8(v);
    }

    Bytes u24(int v) {
        return u8(v >>> 16).u16(v);
    }

    Bytes u32(long v) {
        return u16((int) (v >>> 16)).u16((int) v);
    }

    Bytes bytes(byte[] v) {
        ensure(v.length);
        System.arraycopy(v, 0, b, n, v.length);
        n += v.length;
        return this;
    }

    Bytes zeros(int count) {
        ensure(count);
        n += count;
        return this;
    }

    /** A variable-length integer in its shortest encoding (RFC 9000 §16). */
    Bytes varint(long v) {
        return varint(v, varintLength(v));
    }

    /** A variable-length integer in exactly {@code len} bytes (1, 2, 4 or 8), as long as it fits. */
    Bytes varint(long v, int len) {
        if (v < 0 || len < varintLength(v)) {
            throw new IllegalArgumentException("varint " + v + " does not fit " + len + " bytes");
        }
        int prefix = switch (len) {
            case 1 -> 0;
            case 2 -> 1;
            case 4 -> 2;
            case 8 -> 3;
            default -> throw new IllegalArgumentException("varint length " + len);
        };
        for (int i = len - 1; i >= 0; i--) {
            int octet = (int) (v >>> (8 * i)) & 0xff;
            u8(i == len - 1 ? octet | prefix << 6 : octet);
        }
        return this;
    }

    static int varintLength(long v) {
        if (v < 0 || v >= 1L << 62) {
            throw new IllegalArgumentException("varint " + v + " is out of range");
        }
        return v < 1 << 6 ? 1 : v < 1 << 14 ? 2 : v < 1L << 30 ? 4 : 8;
    }

    /** {@code body} preceded by its length in a {@code width}-byte (1, 2 or 3) big-endian prefix, as TLS writes vectors. */
    Bytes prefixed(int width, Consumer<Bytes> body) {
        Bytes inner = new Bytes();
        body.accept(inner);
        long max = (1L << (8 * width)) - 1;
        if (inner.n > max) {
            throw new IllegalArgumentException("a field of " + inner.n + " bytes does not fit a " + width + "-byte length");
        }
        switch (width) {
            case 1 -> u8(inner.n);
            case 2 -> u16(inner.n);
            case 3 -> u24(inner.n);
            default -> throw new IllegalArgumentException("length prefix width " + width);
        }
        return bytes(inner.toArray());
    }

    int size() {
        return n;
    }

    byte[] toArray() {
        return Arrays.copyOf(b, n);
    }

    private void ensure(int more) {
        if (n + more > b.length) {
            b = Arrays.copyOf(b, Math.max(b.length * 2, n + more));
        }
    }
}
