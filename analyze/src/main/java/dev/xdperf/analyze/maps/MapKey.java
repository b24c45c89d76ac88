package dev.xdperf.analyze.maps;

import java.util.Arrays;
import java.util.HexFormat;

/** Map key bytes with value equality. */
public record MapKey(byte[] bytes) {
    public MapKey {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public static MapKey u32(int v) {
        return new MapKey(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
    }

    /** The key read as a little-endian u32 (the first four bytes). */
    public int asU32() {
        int v = 0;
        for (int i = Math.min(4, bytes.length) - 1; i >= 0; i--) {
            v = (v << 8) | (bytes[i] & 0xff);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
