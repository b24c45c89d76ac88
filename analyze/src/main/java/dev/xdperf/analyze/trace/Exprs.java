package dev.xdperf.analyze.trace;

import static dev.xdperf.analyze.vm.Opcodes.*;

import dev.xdperf.analyze.vm.Alu;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Builds expressions and simplifies them on the way: constants fold, masks and shifts of
 * packet bytes become narrower packet reads, byte swaps of packet reads become reads in the
 * other byte order, bytes glued together with shifts and ors become one multi-byte read.
 * Every rewrite keeps the value for every packet (checked by tests that evaluate both).
 */
public final class Exprs {
    private Exprs() {}

    /** Larger expressions are given up on: the value becomes opaque with this reason. */
    public static final int MAX_SIZE = 400;
    public static final String TOO_COMPLEX = "a packet-derived value too complex to follow";
    public static final Expr.Len LEN = new Expr.Len();

    public static Expr.Const c(long v) {
        return new Expr.Const(v);
    }

    public static Expr bytes(int offset, int count, boolean bigEndian) {
        return new Expr.Bytes(offset, count, count == 1 || bigEndian);
    }

    public static Expr bin(int code, boolean is32, Expr a, Expr b, int off) {
        Expr.Opaque o = a.opaque();
        if (o == null) {
            o = b.opaque();
        }
        if (o != null) {
            return o;
        }
        if (a instanceof Expr.Const x && b instanceof Expr.Const y) {
            return c(is32 ? Alu.alu32(code, x.value(), y.value(), off) : Alu.alu64(code, x.value(), y.value(), off));
        }
        if (is32) {
            // a 32-bit result depends on the low halves only: fold constants modulo 2^32
            a = low32(a);
            b = low32(b);
            if (code == SUB && b instanceof Expr.Const k) {
                return bin(ADD, true, a, c(-k.value() & 0xffffffffL), 0);
            }
            if (code == ADD && a instanceof Expr.Const && !(b instanceof Expr.Const)) {
                Expr t = a;
                a = b;
                b = t;
            }
            if (code == ADD && b instanceof Expr.Const k) {
                long ca = constPart(a);
                if (ca != 0) {
                    return bin(ADD, true, varPart(a), c((ca + k.value()) & 0xffffffffL), 0);
                }
                if (k.value() == 0) {
                    return ext(a, 32, false, 64);
                }
            }
            if (b instanceof Expr.Const k && (code == LSH || code == RSH || code == ARSH)) {
                b = c(k.value() & 31);  // 32-bit shifts use the low five bits of the amount
            } else if (b instanceof Expr.Const k && k.value() != (k.value() & 0xffffffffL)) {
                b = c(k.value() & 0xffffffffL);
            }
        }
        if (is32 && same64(code, a, b, off)) {
            is32 = false;
            if (code == ARSH) {
                code = RSH;
            }
            if ((code == DIV || code == MOD) && off == 1) {
                off = 0;
            }
        }
        Expr r = is32 ? new Expr.Bin(code, true, a, b, off) : simplify64(code, a, b, off);
        if (r.size() > MAX_SIZE) {
            return new Expr.Opaque(TOO_COMPLEX);
        }
        return r;
    }

    /** For an operand of a 32-bit operation: a zero-extension of the low half is the value itself. */
    private static Expr low32(Expr e) {
        if (e instanceof Expr.Ext x && !x.signed && x.bits == 32) {
            return x.a;
        }
        return e;
    }

    /** Whether a 32-bit operation gives what the 64-bit one gives: no operand or result beyond 32 bits. */
    private static boolean same64(int code, Expr a, Expr b, int off) {
        long[] ra = Ranges.of(a);
        long[] rb = Ranges.of(b);
        if (ra == null || rb == null || ra[1] > 0xffffffffL || rb[1] > 0xffffffffL) {
            return false;
        }
        if (code == ARSH && ra[1] >= 0x80000000L) {
            return false;
        }
        if ((code == DIV || code == MOD) && off == 1 && (ra[1] >= 0x80000000L || rb[1] >= 0x80000000L)) {
            return false;
        }
        boolean shift = code == LSH || code == RSH || code == ARSH;
        if (code == NEG || shift && !(b instanceof Expr.Const k && k.value() >= 0 && k.value() < 32)) {
            return false;
        }
        long[] r = Ranges.of(new Expr.Bin(code, false, a, b, off));
        return r != null && r[1] <= 0xffffffffL;
    }

    private static boolean commutative(int code) {
        return code == ADD || code == MUL || code == AND || code == OR || code == XOR;
    }

    private static Expr simplify64(int code, Expr a, Expr b, int off) {
        if (commutative(code) && a instanceof Expr.Const && !(b instanceof Expr.Const)) {
            Expr t = a;
            a = b;
            b = t;
        }
        long k = b instanceof Expr.Const kc ? kc.value() : 0;
        boolean kb = b instanceof Expr.Const;
        switch (code) {
            case ADD -> {
                if (kb && k == 0) {
                    return a;
                }
                long ca = constPart(a);
                Expr xa = varPart(a);
                if (kb) {
                    return ca == 0 ? new Expr.Bin(ADD, false, a, b, 0) : bin(ADD, false, xa, c(ca + k), 0);
                }
                long cb = constPart(b);
                if (ca != 0 || cb != 0) {
                    return bin(ADD, false, new Expr.Bin(ADD, false, xa, varPart(b), 0), c(ca + cb), 0);
                }
            }
            case SUB -> {
                if (kb) {
                    return bin(ADD, false, a, c(-k), 0);
                }
                if (a.equals(b)) {
                    return c(0);
                }
                long ca = constPart(a);
                long cb = constPart(b);
                Expr xa = varPart(a);
                Expr xb = varPart(b);
                if (xa.equals(xb)) {
                    return c(ca - cb);
                }
                if (ca != 0 || cb != 0) {
                    return bin(ADD, false, new Expr.Bin(SUB, false, xa, xb, 0), c(ca - cb), 0);
                }
            }
            case MUL -> {
                if (kb && k == 1) {
                    return a;
                }
                if (kb && k == 0) {
                    return c(0);
                }
            }
            case AND -> {
                if (kb) {
                    if (k == 0) {
                        return c(0);
                    }
                    if (k == -1) {
                        return a;
                    }
                    long[] r = Ranges.of(a);
                    if (r != null && lowMask(k) && r[1] <= k) {
                        return a;
                    }
                    if (a instanceof Expr.Bin ab && ab.code == AND && !ab.is32 && ab.b instanceof Expr.Const m) {
                        return bin(AND, false, ab.a, c(m.value() & k), 0);
                    }
                    // (bytes >> s) & mask where the bits lie in one byte: that byte, shifted
                    if (lowMask(k) && a instanceof Expr.Bin sh && sh.code == RSH && !sh.is32 && sh.a instanceof Expr.Bytes by
                            && sh.b instanceof Expr.Const sc && sc.value() > 0 && sc.value() < 8L * by.count()) {
                        int shift = (int) sc.value();
                        int bits = 64 - Long.numberOfLeadingZeros(k);
                        if (by.count() > 1 && shift % 8 + bits <= 8) {
                            int idx = shift / 8;
                            int at = by.bigEndian() ? by.offset() + by.count() - 1 - idx : by.offset() + idx;
                            Expr one = bytes(at, 1, true);
                            return bin(AND, false, shift % 8 == 0 ? one : bin(RSH, false, one, c(shift % 8), 0), b, 0);
                        }
                    }
                    if (a instanceof Expr.Bytes by && lowMask(k)) {
                        int bits = 64 - Long.numberOfLeadingZeros(k);
                        if (bits % 8 == 0 && bits / 8 < by.count()) {
                            return narrow(by, bits / 8);
                        }
                    }
                }
            }
            case OR, XOR -> {
                if (kb && k == 0) {
                    return a;
                }
                if (code == OR) {
                    Expr glued = glue(a, b);
                    if (glued != null) {
                        return glued;
                    }
                }
            }
            case LSH, RSH, ARSH -> {
                int s = (int) (k & 63);
                if (kb && s == 0) {
                    return a;
                }
                if (kb && code != LSH) {
                    long[] r = Ranges.of(a);
                    if (r != null && (r[1] >>> s) == 0) {
                        return c(0);
                    }
                    if (a instanceof Expr.Bytes by && s % 8 == 0 && s / 8 < by.count() && code == RSH) {
                        int keep = by.count() - s / 8;
                        return by.bigEndian() ? bytes(by.offset(), keep, true) : bytes(by.offset() + s / 8, keep, false);
                    }
                    if (code == ARSH && r != null) {
                        return bin(RSH, false, a, b, 0);
                    }
                }
            }
            default -> { }
        }
        return new Expr.Bin(code, false, a, b, off);
    }

    /** The low {@code n} bytes of a packet read, as a narrower read. */
    private static Expr narrow(Expr.Bytes by, int n) {
        return by.bigEndian() ? bytes(by.offset() + by.count() - n, n, true) : bytes(by.offset(), n, false);
    }

    private static boolean lowMask(long m) {
        return m > 0 && (m & (m + 1)) == 0;
    }

    private static long constPart(Expr e) {
        return e instanceof Expr.Bin b && b.code == ADD && !b.is32 && b.b instanceof Expr.Const c ? c.value() : 0;
    }

    private static Expr varPart(Expr e) {
        return e instanceof Expr.Bin b && b.code == ADD && !b.is32 && b.b instanceof Expr.Const ? b.a : e;
    }

    /**
     * Recognises packet bytes assembled with shifts and ors, e.g. (bytes[12] << 8) | bytes[13],
     * and returns them as one read, or null.
     */
    private static Expr glue(Expr a, Expr b) {
        TreeMap<Integer, Integer> byteAt = new TreeMap<>();  // bit position -> packet offset
        if (!collect(a, 0, byteAt) || !collect(b, 0, byteAt)) {
            return null;
        }
        int n = byteAt.size();
        if (n < 2 || n > 8 || byteAt.firstKey() != 0 || byteAt.lastKey() != 8 * (n - 1)) {
            return null;
        }
        List<Integer> offs = new ArrayList<>(byteAt.values());
        boolean le = true;
        boolean be = true;
        for (int i = 0; i < n; i++) {
            le &= offs.get(i) == offs.get(0) + i;
            be &= offs.get(i) == offs.get(0) - i;
        }
        if (le) {
            return bytes(offs.get(0), n, false);
        }
        if (be) {
            return bytes(offs.get(n - 1), n, true);
        }
        return null;
    }

    private static boolean collect(Expr e, int shift, TreeMap<Integer, Integer> out) {
        if (e instanceof Expr.Bytes by) {
            for (int j = 0; j < by.count(); j++) {
                int pos = shift + 8 * j;
                int off = by.bigEndian() ? by.offset() + by.count() - 1 - j : by.offset() + j;
                if (pos >= 64 || out.put(pos, off) != null) {
                    return false;
                }
            }
            return true;
        }
        if (e instanceof Expr.Bin b && !b.is32) {
            if (b.code == OR) {
                return collect(b.a, shift, out) && collect(b.b, shift, out);
            }
            if (b.code == LSH && b.b instanceof Expr.Const k && k.value() % 8 == 0 && k.value() < 64) {
                return collect(b.a, shift + (int) k.value(), out);
            }
        }
        return false;
    }

    /** The low {@code bits} of {@code a}, zero- or sign-extended to {@code to} bits. */
    public static Expr ext(Expr a, int bits, boolean signed, int to) {
        if (a.opaque() != null) {
            return a.opaque();
        }
        if (bits >= 64) {
            return a;
        }
        if (a instanceof Expr.Const c) {
            return c(Expr.Ext.apply(c.value(), bits, signed, to));
        }
        long[] r = Ranges.of(a);
        if (r != null && r[1] < (1L << (signed ? bits - 1 : bits))) {
            return a;
        }
        if (!signed) {
            if (a instanceof Expr.Bytes by && bits % 8 == 0 && bits / 8 < by.count()) {
                return narrow(by, bits / 8);
            }
            if (a instanceof Expr.Ext x && !x.signed && x.to == 64) {
                return ext(x.a, Math.min(bits, x.bits), false, 64);
            }
            if (a instanceof Expr.Ext x && x.bits >= bits) {
                return ext(x.a, bits, false, 64);
            }
            return new Expr.Ext(a, bits, false, 64);
        }
        if (a instanceof Expr.Ext x && x.signed && x.bits <= bits && to == 64 && x.to == 64) {
            return a;
        }
        return new Expr.Ext(a, bits, true, to);
    }

    /** The low {@code width} bits of {@code a} with their bytes reversed. */
    public static Expr swap(Expr a, int width) {
        if (a.opaque() != null) {
            return a.opaque();
        }
        if (a instanceof Expr.Const c) {
            return c(Alu.endian(c.value(), width, true));
        }
        if (a instanceof Expr.Bytes by && by.count() * 8 == width) {
            return bytes(by.offset(), by.count(), !by.bigEndian());
        }
        if (a instanceof Expr.Bytes by && by.count() * 8 > width) {
            return swap(narrow(by, width / 8), width);
        }
        if (a instanceof Expr.Swap s && s.width == width) {
            long[] r = Ranges.of(s.a);
            if (width == 64 || (r != null && r[1] < (1L << width))) {
                return s.a;
            }
        }
        return new Expr.Swap(a, width);
    }

    /** {@code e} with every occurrence of a key of {@code values} replaced by its constant, simplified again. */
    public static Expr substitute(Expr e, java.util.Map<Expr, Expr.Const> values) {
        Expr.Const v = values.get(e);
        if (v != null) {
            return v;
        }
        if (e instanceof Expr.Bin b) {
            Expr a = substitute(b.a, values);
            Expr c = substitute(b.b, values);
            return a == b.a && c == b.b ? e : bin(b.code, b.is32, a, c, b.off);
        }
        if (e instanceof Expr.Ext x) {
            Expr a = substitute(x.a, values);
            return a == x.a ? e : ext(a, x.bits, x.signed, x.to);
        }
        if (e instanceof Expr.Swap w) {
            Expr a = substitute(w.a, values);
            return a == w.a ? e : swap(a, w.width);
        }
        return e;
    }

    /** Byte {@code i} (0 = least significant) of a value. */
    public static Expr byteOf(Expr e, int i) {
        if (e.opaque() != null) {
            return e.opaque();
        }
        if (e instanceof Expr.Bytes by) {
            if (i >= by.count()) {
                return c(0);
            }
            return bytes(by.bigEndian() ? by.offset() + by.count() - 1 - i : by.offset() + i, 1, true);
        }
        return ext(bin(RSH, false, e, c(8L * i), 0), 8, false, 64);
    }

    /** Bytes (least significant first) glued into one value. */
    public static Expr compose(List<Expr> bytes) {
        Expr acc = null;
        for (int i = 0; i < bytes.size(); i++) {
            Expr b = bytes.get(i);
            if (b instanceof Expr.Const c && c.value() == 0) {
                continue;
            }
            Expr shifted = i == 0 ? b : bin(LSH, false, b, c(8L * i), 0);
            acc = acc == null ? shifted : bin(OR, false, acc, shifted, 0);
        }
        return acc == null ? c(0) : acc;
    }
}
