package dev.xdperf.analyze.adversary;

import dev.xdperf.analyze.trace.Cond;
import dev.xdperf.analyze.trace.Expr;
import dev.xdperf.analyze.trace.PathCondition;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Derives new packets from a witness to look for traces the traffic did not take: it flips
 * the bytes a path condition tests (to their complement, to zero, to all ones, one up, one
 * down, and to the constants the program compares them with) and cuts the packet to the
 * lengths the conditions mention.
 */
public final class Mutator {
    private Mutator() {}

    /** Constants compared with packet bytes in a condition, as (offset, bytes) to write. */
    public record Patch(int offset, byte[] bytes) {
    }

    /** Patches and lengths worth trying, collected from every known condition. */
    public static final class Hints {
        private final Set<String> seen = new LinkedHashSet<>();
        private final List<Patch> patches = new ArrayList<>();
        private final Set<Integer> lengths = new LinkedHashSet<>();

        public void learn(PathCondition pc) {
            for (Cond c : pc.conjuncts()) {
                if (c.b instanceof Expr.Const k) {
                    Expr a = c.a;
                    if (a instanceof Expr.Bin m && m.code == dev.xdperf.analyze.vm.Opcodes.AND && m.b instanceof Expr.Const) {
                        a = m.a;
                    }
                    if (a instanceof Expr.Bytes by) {
                        for (long v : new long[] {k.value(), k.value() + 1, k.value() - 1}) {
                            byte[] b = new byte[by.count()];
                            for (int i = 0; i < by.count(); i++) {
                                int shift = by.bigEndian() ? 8 * (by.count() - 1 - i) : 8 * i;
                                b[i] = (byte) (v >>> shift);
                            }
                            if (seen.add(by.offset() + ":" + java.util.HexFormat.of().formatHex(b))) {
                                patches.add(new Patch(by.offset(), b));
                            }
                        }
                    }
                    if (a instanceof Expr.Len && k.value() >= 0 && k.value() <= 4096) {
                        lengths.add((int) k.value());
                        lengths.add((int) k.value() - 1);
                        lengths.add((int) k.value() + 1);
                    }
                }
            }
        }

        public List<Patch> patches() {
            return patches;
        }

        public Set<Integer> lengths() {
            return lengths;
        }
    }

    /** Mutants of one witness: byte flips at the offsets its condition tests, hint patches, and cuts. */
    public static List<byte[]> mutants(byte[] witness, PathCondition condition, Hints hints) {
        List<byte[]> out = new ArrayList<>();
        BitSet tested = condition.bytesTested();
        for (int o = tested.nextSetBit(0); o >= 0 && o < witness.length; o = tested.nextSetBit(o + 1)) {
            int orig = witness[o] & 0xff;
            for (int v : new int[] {orig ^ 0xff, 0, 0xff, (orig + 1) & 0xff, (orig - 1) & 0xff}) {
                if (v != orig) {
                    byte[] m = witness.clone();
                    m[o] = (byte) v;
                    out.add(m);
                }
            }
        }
        for (Patch p : hints.patches()) {
            if (p.offset() + p.bytes().length <= witness.length) {
                byte[] m = witness.clone();
                System.arraycopy(p.bytes(), 0, m, p.offset(), p.bytes().length);
                if (!java.util.Arrays.equals(m, witness)) {
                    out.add(m);
                }
            }
        }
        for (int len : hints.lengths()) {
            if (len >= 0 && len < witness.length) {
                out.add(java.util.Arrays.copyOf(witness, len));
            }
        }
        return out;
    }
}
