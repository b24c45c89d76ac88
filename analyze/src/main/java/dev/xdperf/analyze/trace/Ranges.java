package dev.xdperf.analyze.trace;

import static dev.xdperf.analyze.vm.Opcodes.*;

/**
 * Unsigned value ranges of expressions, [lo, hi] within [0, 2^63), or null when unknown.
 * The simplifier uses them to drop redundant masks and to move constants across a comparison
 * only where no wrap-around can happen, so a simplified condition means the same thing.
 */
final class Ranges {
    private Ranges() {}

    /** Packets are never longer than a page. */
    static final long MAX_LEN = 4096;
    private static final long LIMIT = 1L << 62;
    private static final long[] FULL32 = {0, 0xffffffffL};

    static long[] of(Expr e) {
        if (e instanceof Expr.Const c) {
            return c.value() >= 0 ? new long[] {c.value(), c.value()} : null;
        }
        if (e instanceof Expr.Bytes b) {
            return b.count() < 8 ? new long[] {0, (1L << (8 * b.count())) - 1} : null;
        }
        if (e instanceof Expr.Len) {
            return new long[] {0, MAX_LEN};
        }
        if (e instanceof Expr.MapRead m) {
            return m.presence() ? new long[] {0, 1} : m.size < 8 ? new long[] {0, (1L << (8 * m.size)) - 1} : null;
        }
        if (e instanceof Expr.Ext x) {
            long[] r = of(x.a);
            if (x.bits >= 64) {
                return r;
            }
            if (!x.signed) {
                if (r != null && r[1] < (1L << x.bits)) {
                    return r;
                }
                return new long[] {0, (1L << x.bits) - 1};
            }
            if (r != null && r[1] < (1L << (x.bits - 1))) {
                return r;
            }
            return x.to == 32 ? FULL32.clone() : null;
        }
        if (e instanceof Expr.Swap s) {
            return s.width < 64 ? new long[] {0, (1L << s.width) - 1} : null;
        }
        if (e instanceof Expr.Bin b) {
            long[] r = bin(b);
            if (b.is32) {
                if (r == null || r[1] > 0xffffffffL) {
                    return FULL32.clone();
                }
            }
            return r;
        }
        return null;
    }

    private static long[] bin(Expr.Bin e) {
        long[] ra = of(e.a);
        long[] rb = of(e.b);
        if (e.is32 && ((ra != null && ra[1] > 0xffffffffL) || (rb != null && rb[1] > 0xffffffffL))) {
            return null;  // the low halves of wider values: anything
        }
        if ((e.code == DIV || e.code == MOD) && e.off == 1) {
            long limit = e.is32 ? 0x80000000L : Long.MAX_VALUE;
            if (ra == null || rb == null || ra[1] >= limit || rb[1] >= limit) {
                return null;  // signed operands that may be negative
            }
        }
        switch (e.code) {
            case ADD -> {
                if (ra != null && rb != null && ra[1] < LIMIT && rb[1] < LIMIT) {
                    return new long[] {ra[0] + rb[0], ra[1] + rb[1]};
                }
            }
            case SUB -> {
                if (ra != null && rb != null && ra[0] >= rb[1]) {
                    return new long[] {ra[0] - rb[1], ra[1] - rb[0]};
                }
            }
            case MUL -> {
                if (ra != null && rb != null && (ra[1] == 0 || rb[1] <= LIMIT / ra[1])) {
                    return new long[] {ra[0] * rb[0], ra[1] * rb[1]};
                }
            }
            case DIV -> {
                if (ra != null && rb != null) {
                    return rb[0] > 0 ? new long[] {ra[0] / rb[1], ra[1] / rb[0]} : new long[] {0, ra[1]};
                }
            }
            case MOD -> {
                if (ra != null && (e.off == 0 || rb != null)) {
                    return new long[] {0, ra[1]};
                }
            }
            case AND -> {
                if (ra != null || rb != null) {
                    long hi = Math.min(ra == null ? Long.MAX_VALUE : ra[1], rb == null ? Long.MAX_VALUE : rb[1]);
                    return new long[] {0, hi};
                }
            }
            case OR, XOR -> {
                if (ra != null && rb != null) {
                    long m = Math.max(ra[1], rb[1]);
                    long hi = m == 0 ? 0 : (Long.highestOneBit(m) << 1) - 1;
                    return new long[] {e.code == OR ? Math.max(ra[0], rb[0]) : 0, hi};
                }
            }
            case LSH -> {
                if (ra != null && e.b instanceof Expr.Const k) {
                    int s = (int) (k.value() & (e.is32 ? 31 : 63));
                    if (ra[1] < (LIMIT >>> s)) {
                        return new long[] {ra[0] << s, ra[1] << s};
                    }
                }
            }
            case RSH, ARSH -> {
                if (e.code == ARSH && ra != null && ra[1] >= (e.is32 ? 0x80000000L : Long.MAX_VALUE)) {
                    return null;  // the sign bit may be set: the shift fills with ones
                }
                if (e.b instanceof Expr.Const k) {
                    int s = (int) (k.value() & (e.is32 ? 31 : 63));
                    if (ra != null) {
                        return new long[] {ra[0] >>> s, ra[1] >>> s};
                    }
                    if (e.code == RSH && s > 0) {
                        return new long[] {0, e.is32 ? 0xffffffffL >>> s : -1L >>> s};
                    }
                }
            }
            default -> {
                return null;
            }
        }
        return null;
    }
}
