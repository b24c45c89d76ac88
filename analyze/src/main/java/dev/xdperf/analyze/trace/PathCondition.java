package dev.xdperf.analyze.trace;

import static dev.xdperf.analyze.vm.Opcodes.*;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The conjunction of a trace's branch decisions. Comparisons of the same expression with
 * constants are merged into one range (so {@code len >= 14 && len >= 34} reads {@code len >= 34}),
 * which keeps the meaning: every decision was taken, so every bound holds.
 */
public final class PathCondition {
    private final List<Cond> conjuncts;

    private PathCondition(List<Cond> conjuncts) {
        this.conjuncts = List.copyOf(conjuncts);
    }

    public static final PathCondition TRUE = new PathCondition(List.of());

    public static PathCondition of(Collection<Cond> decisions) {
        List<Cond> cur = dropImplied(merge(decisions));
        for (int round = 0; round < 4; round++) {
            List<Cond> next = dropImplied(merge(substitutePins(cur)));
            if (next.equals(cur)) {
                break;
            }
            cur = next;
        }
        return new PathCondition(cur);
    }

    /**
     * Where a conjunct pins an expression to a constant ("(bytes[14] & 0x0f) == 5"), the others
     * use the constant instead ("((bytes[14] & 0x0f) << 2) + 18 <= len" becomes "len >= 38").
     */
    private static List<Cond> substitutePins(List<Cond> conds) {
        Map<Expr, Expr.Const> pins = new java.util.HashMap<>();
        for (Cond c : conds) {
            if (c.code == JEQ && !c.is32 && c.b instanceof Expr.Const k && !(c.a instanceof Expr.Const)) {
                pins.putIfAbsent(c.a, k);
            }
        }
        if (pins.isEmpty()) {
            return conds;
        }
        List<Cond> out = new ArrayList<>();
        for (Cond c : conds) {
            if (c.code == JEQ && !c.is32 && c.b instanceof Expr.Const k && k.equals(pins.get(c.a))) {
                out.add(c);
                continue;
            }
            Cond n = Cond.of(c.code, c.is32, Exprs.substitute(c.a, pins), Exprs.substitute(c.b, pins));
            if (!n.constant()) {
                out.add(n);
            }
        }
        return out;
    }

    private static List<Cond> merge(Collection<Cond> decisions) {
        Map<Expr, Bounds> groups = new LinkedHashMap<>();
        List<Object> order = new ArrayList<>();  // a Cond, or the Expr of a merged group
        java.util.Set<Cond> seen = new LinkedHashSet<>();
        for (Cond c : decisions) {
            if (c.constant() || c.alwaysTrue()) {
                continue;
            }
            if (mergeable(c)) {
                Bounds b = groups.get(c.a);
                if (b == null) {
                    b = new Bounds();
                    groups.put(c.a, b);
                    order.add(c.a);
                }
                b.add(c.code, ((Expr.Const) c.b).value());
            } else if (seen.add(c)) {
                order.add(c);
            }
        }
        List<Cond> out = new ArrayList<>();
        for (Object o : order) {
            if (o instanceof Cond c) {
                out.add(c);
            } else {
                Expr e = (Expr) o;
                groups.get(e).emit(e, out);
            }
        }
        return out;
    }

    /**
     * Drops conjuncts that only test bytes another conjunct pins to a value ("bytes[12..13] ==
     * 0x86dd" makes "le16(bytes[12..13]) >= 0xa888" redundant): evaluated with those bytes, they hold.
     */
    private static List<Cond> dropImplied(List<Cond> conds) {
        Map<Integer, Byte> fixed = new java.util.HashMap<>();
        List<Cond> pins = new ArrayList<>();
        for (Cond c : conds) {
            if (c.code == JEQ && !c.is32 && c.a instanceof Expr.Bytes by && c.b instanceof Expr.Const k) {
                for (int i = 0; i < by.count(); i++) {
                    int shift = by.bigEndian() ? 8 * (by.count() - 1 - i) : 8 * i;
                    fixed.put(by.offset() + i, (byte) (k.value() >>> shift));
                }
                pins.add(c);
            }
        }
        if (fixed.isEmpty()) {
            return conds;
        }
        int size = fixed.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        byte[] packet = new byte[size];
        fixed.forEach((o, b) -> packet[o] = b);
        List<Cond> out = new ArrayList<>();
        for (Cond c : conds) {
            if (!pins.contains(c) && !mentionsLen(c.a) && !mentionsLen(c.b)) {
                java.util.BitSet used = new java.util.BitSet();
                collect(c.a, used);
                collect(c.b, used);
                boolean allFixed = !used.isEmpty() && used.stream().allMatch(fixed::containsKey);
                if (allFixed && c.holds(packet)) {
                    continue;
                }
            }
            out.add(c);
        }
        return out;
    }

    private static boolean mergeable(Cond c) {
        return !c.is32 && c.b instanceof Expr.Const k && k.value() >= 0 && !(c.a instanceof Expr.Const)
                && (c.code == JEQ || c.code == JNE || c.code == JGT || c.code == JGE || c.code == JLT || c.code == JLE);
    }

    /** What the comparisons with one expression allow: [lo, hi], minus some values, or exactly one. */
    private static final class Bounds {
        long lo = 0;
        long hi = Long.MAX_VALUE;
        Long eq;
        final TreeSet<Long> ne = new TreeSet<>();

        void add(int code, long v) {
            switch (code) {
                case JEQ -> eq = v;
                case JNE -> ne.add(v);
                case JGT -> lo = Math.max(lo, v == Long.MAX_VALUE ? v : v + 1);
                case JGE -> lo = Math.max(lo, v);
                case JLT -> hi = Math.min(hi, v - 1);
                case JLE -> hi = Math.min(hi, v);
                default -> throw new IllegalArgumentException("code " + code);
            }
        }

        void emit(Expr e, List<Cond> out) {
            if (eq != null) {
                out.add(Cond.of(JEQ, false, e, Exprs.c(eq)));
                return;
            }
            if (lo == hi) {
                out.add(Cond.of(JEQ, false, e, Exprs.c(lo)));
                return;
            }
            long[] r = Ranges.of(e);
            if (lo > 0 && (r == null || lo > r[0])) {
                out.add(Cond.of(JGE, false, e, Exprs.c(lo)));
            }
            if (hi < Long.MAX_VALUE && (r == null || hi < r[1])) {
                out.add(Cond.of(JLT, false, e, Exprs.c(hi + 1)));
            }
            for (long v : ne) {
                if (v >= lo && v <= hi) {
                    out.add(Cond.of(JNE, false, e, Exprs.c(v)));
                }
            }
        }
    }

    public List<Cond> conjuncts() {
        return conjuncts;
    }

    /** Whether a packet satisfies every conjunct. */
    public boolean holds(byte[] packet) {
        for (Cond c : conjuncts) {
            if (!c.holds(packet)) {
                return false;
            }
        }
        return true;
    }

    /** The packet offsets the condition reads. */
    public java.util.BitSet bytesTested() {
        java.util.BitSet out = new java.util.BitSet();
        for (Cond c : conjuncts) {
            collect(c.a, out);
            collect(c.b, out);
        }
        return out;
    }

    /** Whether the condition mentions the packet length. */
    public boolean testsLength() {
        for (Cond c : conjuncts) {
            if (mentionsLen(c.a) || mentionsLen(c.b)) {
                return true;
            }
        }
        return false;
    }

    static void collect(Expr e, java.util.BitSet out) {
        if (e instanceof Expr.Bytes b) {
            out.set(b.offset(), b.offset() + b.count());
        } else if (e instanceof Expr.Bin b) {
            collect(b.a, out);
            collect(b.b, out);
        } else if (e instanceof Expr.Ext x) {
            collect(x.a, out);
        } else if (e instanceof Expr.Swap s) {
            collect(s.a, out);
        } else if (e instanceof Expr.MapRead m) {
            m.key.forEach(k -> collect(k, out));
        }
    }

    static boolean mentionsLen(Expr e) {
        if (e instanceof Expr.Len) {
            return true;
        }
        if (e instanceof Expr.Bin b) {
            return mentionsLen(b.a) || mentionsLen(b.b);
        }
        if (e instanceof Expr.Ext x) {
            return mentionsLen(x.a);
        }
        if (e instanceof Expr.Swap s) {
            return mentionsLen(s.a);
        }
        if (e instanceof Expr.MapRead m) {
            return m.key.stream().anyMatch(PathCondition::mentionsLen);
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathCondition p && p.conjuncts.equals(conjuncts);
    }

    @Override
    public int hashCode() {
        return conjuncts.hashCode();
    }

    /** The condition with header field names where it lays the headers out itself ({@code eth.type == 0x0800}). */
    public String toNamedString() {
        if (conjuncts.isEmpty()) {
            return "true";
        }
        Headers h = Headers.of(this);
        StringBuilder sb = new StringBuilder();
        for (Cond c : conjuncts) {
            if (sb.length() > 0) {
                sb.append(" && ");
            }
            sb.append(Render.cond(c, h));
        }
        return sb.toString();
    }

    /** Each conjunct, named as in {@link #toNamedString()}. */
    public List<String> namedConjuncts() {
        Headers h = Headers.of(this);
        return conjuncts.stream().map(c -> Render.cond(c, h)).toList();
    }

    @Override
    public String toString() {
        if (conjuncts.isEmpty()) {
            return "true";
        }
        StringBuilder sb = new StringBuilder();
        for (Cond c : conjuncts) {
            if (sb.length() > 0) {
                sb.append(" && ");
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
