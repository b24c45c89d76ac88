package dev.xdperf.tx;

import dev.xdperf.bpf.Structs;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Counting rules that xdp_tx advances without dividing. With one template, CPU r of n sends
 * packets k = slot x n + r, so an inc or dec rule counted per packet or per stream moves by
 * (n x step) mod range every slot. xdp_tx keeps each such rule's (k x step) mod range in its
 * per-CPU state (tx_state.cursor) and adds that, instead of computing a remainder per frame.
 * Test hooks drop slots before the rules run, so a run with hooks divides as before. A rule
 * counted per flow takes a cursor too where its value is the same as per packet (below).
 *
 * xdp_tx's value is (k x step mod 2^64) mod range. With a range that divides 2^64 that is
 * (k x step) mod range for every k; otherwise only while k x step stays below 2^64, so other
 * ranges count with a cursor only for steps below 2^16: exact for the first 2^48 packets,
 * a month at 100 Mpps.
 */
final class Cursors {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private Cursors() {}

    /** Bit i: rule i of the laid-out template counts with a cursor. */
    static int mask(ByteBuffer laidOut, boolean testHooks) {
        if (testHooks) {
            return 0;
        }
        ByteBuffer t = laidOut.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int mask = 0;
        int n = t.get(Structs.Template.N_FIELDS) & 0xff;
        long flows = Math.max(1, t.getInt(Structs.Template.FLOWS) & 0xffffffffL);
        for (int i = 0; i < n; i++) {
            int at = Structs.Template.FIELDS + i * Structs.Field.SIZE;
            int op = t.get(at + Structs.Field.OP);
            int scope = t.get(at + Structs.Field.SCOPE);
            long range = t.getLong(at + Structs.Field.RANGE);
            long step = t.getLong(at + Structs.Field.STEP);
            boolean divides64 = (range & (range - 1)) == 0;   // a power of two, or 0 for 2^64
            boolean counting = op == Structs.OP_INC || op == Structs.OP_DEC;
            if (counting && scope == 1) {
                // Per flow, x = k mod flows: (x × step) mod range, which is (k × step) mod range when
                // flows × step is a multiple of the range and x × step never wraps (--flows F: step 1, range F).
                BigInteger cycle = unsigned(step).multiply(BigInteger.valueOf(flows));
                if (cycle.compareTo(TWO_64) < 0 && cycle.mod(range(t, i)).signum() == 0) {
                    mask |= 1 << i;
                }
            } else if (counting && (divides64 || Long.compareUnsigned(step, 1 << 16) < 0)) {
                mask |= 1 << i;
            }
        }
        return mask;
    }

    /** The checksums of the laid-out template that cover a byte xdp_tx writes (its rules, the header's stamps). */
    static int touched(ByteBuffer laidOut) {
        ByteBuffer t = laidOut.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int mask = t.getShort(Structs.Template.MH_OFFSET) != 0 ? t.get(Structs.Template.MH_CSUM_MASK) & 0xff : 0;
        int n = t.get(Structs.Template.N_FIELDS) & 0xff;
        for (int i = 0; i < n; i++) {
            mask |= t.get(Structs.Template.FIELDS + i * Structs.Field.SIZE + Structs.Field.CSUM_MASK) & 0xff;
        }
        return mask;
    }

    /** Writes struct xdperf_cursor_step of each rule in {@code mask} into the plan. */
    static void writeSteps(ByteBuffer plan, ByteBuffer laidOut, int mask, int cpus) {
        ByteBuffer t = laidOut.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < Structs.MAX_FIELDS; i++) {
            if ((mask & (1 << i)) == 0) {
                continue;
            }
            BigInteger range = range(t, i);
            BigInteger delta = unsigned(step(t, i)).multiply(BigInteger.valueOf(cpus)).mod(range);
            int at = Structs.TxPlan.STEPS + i * Structs.CursorStep.SIZE;
            plan.putLong(at + Structs.CursorStep.DELTA, delta.longValue());
            plan.putLong(at + Structs.CursorStep.GAP, range.subtract(delta).longValue());
        }
    }

    /** Writes each cursor of a CPU whose first slot is packet {@code firstPacket} into its tx_state. */
    static void writeStart(ByteBuffer state, ByteBuffer laidOut, int mask, long firstPacket) {
        ByteBuffer t = laidOut.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < Structs.MAX_FIELDS; i++) {
            if ((mask & (1 << i)) != 0) {
                BigInteger at = unsigned(firstPacket).multiply(unsigned(step(t, i))).mod(range(t, i));
                state.putLong(Structs.TxState.CURSOR + 8 * i, at.longValue());
            }
        }
    }

    private static long step(ByteBuffer t, int i) {
        return t.getLong(Structs.Template.FIELDS + i * Structs.Field.SIZE + Structs.Field.STEP);
    }

    /** The rule's range; 0 stands for 2^64. */
    private static BigInteger range(ByteBuffer t, int i) {
        long r = t.getLong(Structs.Template.FIELDS + i * Structs.Field.SIZE + Structs.Field.RANGE);
        return r == 0 ? TWO_64 : unsigned(r);
    }

    private static BigInteger unsigned(long v) {
        BigInteger b = BigInteger.valueOf(v);
        return v < 0 ? b.add(TWO_64) : b;
    }
}
