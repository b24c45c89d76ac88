package dev.xdperf.analyze.trace;

import static dev.xdperf.analyze.vm.Opcodes.*;

import dev.xdperf.analyze.vm.Alu;
import java.util.Objects;

/**
 * One branch decision as a predicate over the packet: {@code a OP b} with a jump code of
 * {@link dev.xdperf.analyze.vm.Opcodes} (or {@link Alu#NSET}), 32-bit when the program
 * compared 32-bit registers. Built normalised: constants on the right, signed and 32-bit
 * comparisons turned into plain ones where ranges allow, constants moved across where
 * nothing can wrap, little-endian packet reads compared for equality turned big-endian.
 */
public final class Cond {
    public final int code;
    public final boolean is32;
    public final Expr a;
    public final Expr b;
    private final int hash;

    private Cond(int code, boolean is32, Expr a, Expr b) {
        this.code = code;
        this.is32 = is32;
        this.a = a;
        this.b = b;
        this.hash = Objects.hash(code, is32, a, b);
    }

    /** The normalised condition "a OP b". */
    public static Cond of(int code, boolean is32, Expr a, Expr b) {
        Cond c = new Cond(code, is32, a, b);
        for (int i = 0; i < 8; i++) {
            Cond n = c.step();
            if (n.equals(c)) {
                return c;
            }
            c = n;
        }
        return c;
    }

    /** Whether the packet satisfies the condition; a read past its end makes it false. */
    public boolean holds(byte[] packet) {
        try {
            return Alu.test(code, a.eval(packet), b.eval(packet), is32);
        } catch (Expr.OutOfPacket e) {
            return false;
        }
    }

    public Cond negate() {
        return new Cond(Alu.negate(code), is32, a, b);
    }

    /** Whether both sides are constants (the condition is always true or always false). */
    public boolean constant() {
        return a instanceof Expr.Const && b instanceof Expr.Const;
    }

    /** Whether the ranges of both sides alone make the condition hold for every packet. */
    public boolean alwaysTrue() {
        if (is32) {
            return false;
        }
        long[] ra = Ranges.of(a);
        long[] rb = Ranges.of(b);
        if (ra == null || rb == null) {
            return false;
        }
        return switch (code) {
            case JEQ -> ra[0] == ra[1] && rb[0] == rb[1] && ra[0] == rb[0];
            case JNE -> ra[1] < rb[0] || rb[1] < ra[0];
            case JGT -> ra[0] > rb[1];
            case JGE -> ra[0] >= rb[1];
            case JLT -> ra[1] < rb[0];
            case JLE -> ra[1] <= rb[0];
            default -> false;
        };
    }

    private static boolean signed(int code) {
        return code == JSGT || code == JSGE || code == JSLT || code == JSLE;
    }

    private static int unsigned(int code) {
        return switch (code) {
            case JSGT -> JGT;
            case JSGE -> JGE;
            case JSLT -> JLT;
            case JSLE -> JLE;
            default -> code;
        };
    }

    private Cond step() {
        long[] ra = Ranges.of(a);
        long[] rb = Ranges.of(b);
        // 32-bit and signed comparisons of values known to be small are plain comparisons
        if (is32 && ra != null && rb != null && ra[1] <= 0xffffffffL && rb[1] <= 0xffffffffL) {
            if (!signed(code)) {
                return new Cond(code, false, a, b);
            }
            if (ra[1] < 0x80000000L && rb[1] < 0x80000000L) {
                return new Cond(unsigned(code), false, a, b);
            }
        }
        if (!is32 && signed(code) && ra != null && rb != null) {
            return new Cond(unsigned(code), false, a, b);
        }
        if (a instanceof Expr.Const && !(b instanceof Expr.Const)) {
            return new Cond(Alu.mirror(code), is32, b, a);
        }
        if (is32 || signed(code) || code == JSET || code == Alu.NSET) {
            return jsetBigEndian();
        }
        // move constants: X + c1 OP Y + c2 when neither side can wrap
        long ca = addend(a);
        long cb = addend(b);
        if (ca != 0 || (cb != 0 && !(b instanceof Expr.Const))) {
            Expr xa = base(a);
            Expr xb = b instanceof Expr.Const ? null : base(b);
            long[] rxa = Ranges.of(xa);
            long[] rxb = xb == null ? null : Ranges.of(xb);
            boolean safeA = rxa != null && noWrap(rxa, ca);
            boolean safeB = xb == null ? rb != null : rxb != null && noWrap(rxb, cb);
            if (safeA && safeB) {
                long cRight = xb == null ? ((Expr.Const) b).value() : cb;
                long diff = cRight - ca;
                Expr right = xb == null ? Exprs.c(0) : xb;
                if (diff >= 0) {
                    return new Cond(code, false, xa, Exprs.bin(ADD, false, right, Exprs.c(diff), 0));
                }
                if (xb != null) {
                    return new Cond(code, false, Exprs.bin(ADD, false, xa, Exprs.c(-diff), 0), right);
                }
            }
        }
        // X << k OP c and X * m OP c, when nothing overflows: compare X with c scaled down
        if (!is32 && b instanceof Expr.Const kc && kc.value() >= 0 && a instanceof Expr.Bin s && !s.is32
                && s.b instanceof Expr.Const f && (s.code == LSH || s.code == MUL)) {
            long m = s.code == LSH ? (f.value() >= 0 && f.value() < 62 ? 1L << f.value() : 0) : f.value();
            long[] rx = Ranges.of(s.a);
            if (m > 0 && rx != null && rx[1] <= (1L << 62) / m) {
                long v = kc.value();
                long floor = v / m;
                long ceil = (v + m - 1) / m;
                switch (code) {
                    case JEQ, JNE -> {
                        if (v % m == 0) {
                            return new Cond(code, false, s.a, Exprs.c(floor));
                        }
                    }
                    case JGE -> {
                        return new Cond(JGE, false, s.a, Exprs.c(ceil));
                    }
                    case JLT -> {
                        return new Cond(JLT, false, s.a, Exprs.c(ceil));
                    }
                    case JGT -> {
                        return new Cond(JGT, false, s.a, Exprs.c(floor));
                    }
                    case JLE -> {
                        return new Cond(JLE, false, s.a, Exprs.c(floor));
                    }
                    default -> { }
                }
            }
        }
        // equality of little-endian packet reads: compare the big-endian bytes instead
        if ((code == JEQ || code == JNE) && b instanceof Expr.Const k) {
            if (a instanceof Expr.Bytes by && !by.bigEndian()) {
                return new Cond(code, false, Exprs.bytes(by.offset(), by.count(), true), Exprs.c(swapN(k.value(), by.count())));
            }
            if (a instanceof Expr.Bin m && m.code == AND && !m.is32 && m.a instanceof Expr.Bytes by && !by.bigEndian()
                    && m.b instanceof Expr.Const mask) {
                Expr be = Exprs.bin(AND, false, Exprs.bytes(by.offset(), by.count(), true),
                        Exprs.c(swapN(low(mask.value(), by.count()), by.count())), 0);
                return new Cond(code, false, be, Exprs.c(swapN(k.value(), by.count())));
            }
        }
        return jsetBigEndian();
    }

    private Cond jsetBigEndian() {
        if ((code == JSET || code == Alu.NSET) && !is32 && a instanceof Expr.Bytes by && !by.bigEndian()
                && b instanceof Expr.Const mask) {
            return new Cond(code, false, Exprs.bytes(by.offset(), by.count(), true),
                    Exprs.c(swapN(low(mask.value(), by.count()), by.count())));
        }
        return this;
    }

    /** The low n bytes of v: the bits of a mask above a value's width do not matter. */
    private static long low(long v, int n) {
        return n >= 8 ? v : v & ((1L << (8 * n)) - 1);
    }

    /** Reverses the low n bytes of v; bits above them must be zero for the result to mean the same. */
    private static long swapN(long v, int n) {
        if (n < 8 && (v >>> (8 * n)) != 0) {
            return v;
        }
        long r = 0;
        for (int i = 0; i < n; i++) {
            r = (r << 8) | ((v >>> (8 * i)) & 0xff);
        }
        return r;
    }

    private static boolean noWrap(long[] r, long c) {
        if (c >= 0) {
            return r[1] < (1L << 62) && c < (1L << 62);
        }
        return r[0] + c >= 0;
    }

    private static long addend(Expr e) {
        return e instanceof Expr.Bin b && b.code == ADD && !b.is32 && b.b instanceof Expr.Const c ? c.value() : 0;
    }

    private static Expr base(Expr e) {
        return e instanceof Expr.Bin b && b.code == ADD && !b.is32 && b.b instanceof Expr.Const ? b.a : e;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cond c && c.hash == hash && c.code == code && c.is32 == is32 && c.a.equals(a) && c.b.equals(b);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return Render.cond(this);
    }
}
