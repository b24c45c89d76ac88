package dev.xdperf.analyze.trace;

import static dev.xdperf.analyze.vm.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.vm.Alu;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The simplifier may rewrite an expression or a condition in any way as long as its value
 * stays the same for every packet: random expressions, built once as the program computed
 * them and once through the simplifier, evaluated on random packets.
 */
class SimplifierTest {
    static final int[] CODES = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, ARSH};
    static final int[] JUMPS = {JEQ, JNE, JGT, JGE, JLT, JLE, JSGT, JSGE, JSLT, JSLE, JSET, Alu.NSET};
    static final long[] CONSTS = {0, 1, 2, 3, 4, 7, 8, 14, 0xff, 0xffff, 0x86dd, 0xdd86, 0xffffffffL, 0x100000000L, -1, -14,
            Long.MIN_VALUE, 0xd00000104L};

    /** A pair: the expression as computed (raw nodes) and as the simplifier builds it. */
    record Pair(Expr raw, Expr simple) {
    }

    static Pair random(SplittableRandom r, int depth) {
        int k = depth <= 0 ? r.nextInt(3) : r.nextInt(7);
        switch (k) {
            case 0 -> {
                long c = r.nextBoolean() ? CONSTS[r.nextInt(CONSTS.length)] : r.nextLong();
                return new Pair(new Expr.Const(c), Exprs.c(c));
            }
            case 1 -> {
                int n = new int[] {1, 2, 4, 8}[r.nextInt(4)];
                int off = r.nextInt(16 - n + 1);
                boolean be = r.nextBoolean();
                return new Pair(new Expr.Bytes(off, n, n == 1 || be), Exprs.bytes(off, n, be));
            }
            case 2 -> {
                return new Pair(Exprs.LEN, Exprs.LEN);
            }
            case 3 -> {
                Pair a = random(r, depth - 1);
                int bits = new int[] {8, 16, 32}[r.nextInt(3)];
                boolean signed = r.nextBoolean();
                int to = signed && bits < 32 && r.nextBoolean() ? 32 : 64;
                return new Pair(new Expr.Ext(a.raw, bits, signed, to), Exprs.ext(a.simple, bits, signed, to));
            }
            case 4 -> {
                Pair a = random(r, depth - 1);
                int w = new int[] {16, 32, 64}[r.nextInt(3)];
                return new Pair(new Expr.Swap(a.raw, w), Exprs.swap(a.simple, w));
            }
            default -> {
                Pair a = random(r, depth - 1);
                Pair b = random(r, depth - 1);
                int code = CODES[r.nextInt(CODES.length)];
                boolean is32 = r.nextInt(3) == 0;
                int off = (code == DIV || code == MOD) && r.nextInt(4) == 0 ? 1 : 0;
                return new Pair(new Expr.Bin(code, is32, a.raw, b.raw, off), Exprs.bin(code, is32, a.simple, b.simple, off));
            }
        }
    }

    static byte[] packet(SplittableRandom r) {
        byte[] p = new byte[16 + r.nextInt(9)];
        for (int i = 0; i < p.length; i++) {
            int pick = r.nextInt(4);
            p[i] = (byte) (pick == 0 ? 0 : pick == 1 ? 0xff : r.nextInt(256));
        }
        return p;
    }

    @Test
    void simplifiedExpressionsKeepTheirValue() {
        SplittableRandom r = new SplittableRandom(42);
        int compared = 0;
        for (int i = 0; i < 20000; i++) {
            Pair e = random(r, 3);
            if (e.simple.opaque() != null) {
                continue;
            }
            for (int j = 0; j < 8; j++) {
                byte[] p = packet(r);
                assertEquals(e.raw.eval(p), e.simple.eval(p), () -> "raw " + Render.expr(e.raw) + " simplified "
                        + Render.expr(e.simple) + " on " + java.util.HexFormat.of().formatHex(p));
                compared++;
            }
        }
        assertTrue(compared > 100000);
    }

    @Test
    void normalisedConditionsKeepTheirTruth() {
        SplittableRandom r = new SplittableRandom(7);
        int changed = 0;
        for (int i = 0; i < 20000; i++) {
            Pair a = random(r, 2);
            Pair b = r.nextBoolean() ? random(r, 0) : random(r, 2);
            int code = JUMPS[r.nextInt(JUMPS.length)];
            boolean is32 = r.nextInt(3) == 0;
            Cond c = Cond.of(code, is32, a.simple, b.simple);
            if (c.a.opaque() != null || c.b.opaque() != null) {
                continue;
            }
            if (!(c.a.equals(a.simple) && c.b.equals(b.simple) && c.code == code && c.is32 == is32)) {
                changed++;
            }
            for (int j = 0; j < 8; j++) {
                byte[] p = packet(r);
                boolean want = Alu.test(code, a.raw.eval(p), b.raw.eval(p), is32);
                assertEquals(want, c.holds(p), () -> "condition " + c + " from " + Render.expr(a.raw) + " ? " + Render.expr(b.raw)
                        + " on " + java.util.HexFormat.of().formatHex(p));
                if (c.alwaysTrue()) {
                    assertTrue(want, () -> c + " claims to be always true");
                }
            }
        }
        assertTrue(changed > 1000, "normalisation did something: " + changed);
    }

    @Test
    void rangesMergeIntoTheTightestBounds() {
        List<Cond> decisions = new ArrayList<>();
        decisions.add(Cond.of(JGE, false, Exprs.LEN, Exprs.c(14)));
        decisions.add(Cond.of(JNE, false, Exprs.bytes(12, 2, true), Exprs.c(0x86dd)));
        decisions.add(Cond.of(JGT, false, Exprs.LEN, Exprs.c(33)));
        decisions.add(Cond.of(JLT, false, Exprs.LEN, Exprs.c(1500)));
        decisions.add(Cond.of(JNE, false, Exprs.bytes(12, 2, true), Exprs.c(0x86dd)));
        decisions.add(Cond.of(JLT, false, Exprs.bytes(23, 1, true), Exprs.c(256)));
        assertEquals("len >= 34 && len < 1500 && bytes[12..13] != 0x86dd", PathCondition.of(decisions).toString());
        assertEquals("bytes[12..13] == 0x86dd",
                PathCondition.of(List.of(Cond.of(JEQ, false, Exprs.bytes(12, 2, false), Exprs.c(0xdd86)))).toString());
        assertEquals("len >= 14", PathCondition.of(List.of(Cond.of(JLE, false,
                Exprs.bin(ADD, false, Exprs.LEN, Exprs.c(0xd00000100L), 0), Exprs.c(0xd00000100L + 13)).negate())).toString());
    }
}
