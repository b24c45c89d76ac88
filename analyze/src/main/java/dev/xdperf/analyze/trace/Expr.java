package dev.xdperf.analyze.trace;

import dev.xdperf.analyze.vm.Alu;
import dev.xdperf.analyze.vm.Opcodes;
import java.util.List;
import java.util.Objects;

/**
 * A value as a function of the input packet: packet bytes at constant offsets, the packet
 * length, constants and the program's arithmetic over them. {@link Opaque} stands for a value
 * that is not a function of the packet (a map value, time, randomness...); it never appears
 * in a path condition. Build expressions through {@link Exprs}, which simplifies them.
 */
public sealed interface Expr permits Expr.Const, Expr.Bytes, Expr.Len, Expr.Opaque, Expr.Bin, Expr.Ext, Expr.Swap, Expr.MapRead {

    /** Number of nodes, to keep expressions from growing without bound. */
    int size();

    /** The value for a concrete packet; throws {@link OutOfPacket} if it reads past the end. */
    long eval(byte[] packet);

    /** The first opaque part, or null if the value is a function of the packet. */
    Opaque opaque();

    /** Whether the value depends on the packet at all. */
    boolean symbolic();

    /** A read of a byte the packet does not have. */
    final class OutOfPacket extends RuntimeException {
        public OutOfPacket() {
            super(null, null, false, false);
        }
    }

    record Const(long value) implements Expr {
        @Override
        public int size() {
            return 1;
        }

        @Override
        public long eval(byte[] p) {
            return value;
        }

        @Override
        public Opaque opaque() {
            return null;
        }

        @Override
        public boolean symbolic() {
            return false;
        }
    }

    /** {@code count} packet bytes from {@code offset}, read as one unsigned number. */
    record Bytes(int offset, int count, boolean bigEndian) implements Expr {
        public Bytes {
            if (count < 1 || count > 8 || offset < 0) {
                throw new IllegalArgumentException("bytes " + offset + "+" + count);
            }
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public long eval(byte[] p) {
            if (offset + count > p.length) {
                throw new OutOfPacket();
            }
            long v = 0;
            for (int i = 0; i < count; i++) {
                int b = p[offset + (bigEndian ? i : count - 1 - i)] & 0xff;
                v = (v << 8) | b;
            }
            return v;
        }

        @Override
        public Opaque opaque() {
            return null;
        }

        @Override
        public boolean symbolic() {
            return true;
        }
    }

    /** The length of the packet as received. */
    record Len() implements Expr {
        @Override
        public int size() {
            return 1;
        }

        @Override
        public long eval(byte[] p) {
            return p.length;
        }

        @Override
        public Opaque opaque() {
            return null;
        }

        @Override
        public boolean symbolic() {
            return true;
        }
    }

    /** A value that is not a function of the packet; {@code reason} says where it comes from. */
    record Opaque(String reason) implements Expr {
        @Override
        public int size() {
            return 1;
        }

        @Override
        public long eval(byte[] p) {
            throw new IllegalStateException("an opaque value (" + reason + ") has no value for a packet");
        }

        @Override
        public Opaque opaque() {
            return this;
        }

        @Override
        public boolean symbolic() {
            return true;
        }
    }

    /** An ALU operation (codes of {@link Opcodes}); 32-bit ones work on the low halves and zero-extend. */
    final class Bin implements Expr {
        public final int code;
        public final boolean is32;
        public final Expr a;
        public final Expr b;
        public final int off;
        private final int size;
        private final int hash;

        Bin(int code, boolean is32, Expr a, Expr b, int off) {
            this.code = code;
            this.is32 = is32;
            this.a = a;
            this.b = b;
            this.off = off;
            this.size = 1 + a.size() + b.size();
            this.hash = Objects.hash(code, is32, a, b, off);
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public long eval(byte[] p) {
            long x = a.eval(p);
            long y = b.eval(p);
            return is32 ? Alu.alu32(code, x, y, off) : Alu.alu64(code, x, y, off);
        }

        @Override
        public Opaque opaque() {
            Opaque o = a.opaque();
            return o != null ? o : b.opaque();
        }

        @Override
        public boolean symbolic() {
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bin x && x.hash == hash && x.code == code && x.is32 == is32 && x.off == off
                    && x.a.equals(a) && x.b.equals(b);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return Render.expr(this);
        }
    }

    /** The low {@code bits} of a value, zero- or sign-extended to {@code to} bits (32 or 64), then zero-extended. */
    final class Ext implements Expr {
        public final Expr a;
        public final int bits;
        public final boolean signed;
        public final int to;
        private final int hash;

        Ext(Expr a, int bits, boolean signed, int to) {
            this.a = a;
            this.bits = bits;
            this.signed = signed;
            this.to = to;
            this.hash = Objects.hash(a, bits, signed, to);
        }

        @Override
        public int size() {
            return 1 + a.size();
        }

        @Override
        public long eval(byte[] p) {
            return apply(a.eval(p), bits, signed, to);
        }

        static long apply(long v, int bits, boolean signed, int to) {
            long r;
            if (bits >= 64) {
                r = v;
            } else if (signed) {
                r = (v << (64 - bits)) >> (64 - bits);
            } else {
                r = v & ((1L << bits) - 1);
            }
            return to == 32 ? r & 0xffffffffL : r;
        }

        @Override
        public Opaque opaque() {
            return a.opaque();
        }

        @Override
        public boolean symbolic() {
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ext x && x.bits == bits && x.signed == signed && x.to == to && x.a.equals(a);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return Render.expr(this);
        }
    }

    /** The low {@code width} bits with their bytes reversed, zero-extended. */
    final class Swap implements Expr {
        public final Expr a;
        public final int width;

        Swap(Expr a, int width) {
            this.a = a;
            this.width = width;
        }

        @Override
        public int size() {
            return 1 + a.size();
        }

        @Override
        public long eval(byte[] p) {
            return Alu.endian(a.eval(p), width, true);
        }

        @Override
        public Opaque opaque() {
            return a.opaque();
        }

        @Override
        public boolean symbolic() {
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Swap x && x.width == width && x.a.equals(a);
        }

        @Override
        public int hashCode() {
            return a.hashCode() * 31 + width;
        }

        @Override
        public String toString() {
            return Render.expr(this);
        }
    }

    /** The contents of a map as a trace saw them: a value by key, or null when the key is absent. */
    @FunctionalInterface
    interface Table {
        byte[] value(byte[] key);
    }

    /**
     * An entry of a map at a key made of packet bytes (or constants), in the contents the map had
     * when the trace was built (a trace is valid for those): with {@code size} 0, 1 when the key is
     * present and 0 when it is absent; otherwise {@code size} bytes of its value from {@code offset},
     * little-endian. Equality leaves the contents out: the same read of the same map is the same
     * term whatever the map held.
     *
     * @param key the key, one expression per byte
     * @param keyView the key as one value, for text, when it is one (null otherwise)
     */
    final class MapRead implements Expr {
        public final String map;
        public final Table table;
        public final List<Expr> key;
        public final Expr keyView;
        public final int valueSize;
        public final int offset;
        public final int size;
        private final int nodes;
        private final int hash;

        public MapRead(String map, Table table, List<Expr> key, Expr keyView, int valueSize, int offset, int size) {
            if (size < 0 || size > 8 || offset < 0) {
                throw new IllegalArgumentException("map read " + offset + "+" + size);
            }
            this.map = map;
            this.table = table;
            this.key = List.copyOf(key);
            this.keyView = keyView;
            this.valueSize = valueSize;
            this.offset = offset;
            this.size = size;
            this.nodes = 1 + this.key.stream().mapToInt(Expr::size).sum();
            this.hash = Objects.hash(map, this.key, offset, size);
        }

        /** The same entry's bytes instead of its presence. */
        public MapRead value(int offset, int size) {
            return new MapRead(map, table, key, keyView, valueSize, offset, size);
        }

        public boolean presence() {
            return size == 0;
        }

        /** Whether the key depends on the packet (otherwise it is a constant key). */
        public boolean symbolicKey() {
            return key.stream().anyMatch(Expr::symbolic);
        }

        /** The key for a concrete packet. */
        public byte[] keyOf(byte[] p) {
            byte[] k = new byte[key.size()];
            for (int i = 0; i < k.length; i++) {
                k[i] = (byte) key.get(i).eval(p);
            }
            return k;
        }

        @Override
        public int size() {
            return nodes;
        }

        @Override
        public long eval(byte[] p) {
            byte[] v = table.value(keyOf(p));
            if (size == 0) {
                return v == null ? 0 : 1;
            }
            if (v == null || offset + size > v.length) {
                return 0;
            }
            long r = 0;
            for (int i = size - 1; i >= 0; i--) {
                r = (r << 8) | (v[offset + i] & 0xff);
            }
            return r;
        }

        @Override
        public Opaque opaque() {
            for (Expr e : key) {
                Opaque o = e.opaque();
                if (o != null) {
                    return o;
                }
            }
            return null;
        }

        @Override
        public boolean symbolic() {
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MapRead x && x.hash == hash && x.offset == offset && x.size == size && x.map.equals(map)
                    && x.key.equals(key);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return Render.expr(this);
        }
    }
}
