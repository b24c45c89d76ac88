package dev.xdperf.tx;

import dev.xdperf.bpf.Structs;
import dev.xdperf.template.TemplateCompiler;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * xdp_tx written for one run, flat out or paced: one template whose rules all count with
 * cursors, or several templates without rules (a size mix, streams). The C program (tx.bpf.c)
 * reads such a run from its read-only plan, and the verifier removes the branches the run
 * cannot take, but the loads of plan values, the registers clang set aside for every rule slot
 * and their spills stay: about 50 instructions a rule, 130 on the header's path. This class
 * emits the same steps with every offset, width, bound, base and copied word an immediate and
 * registers assigned for these templates only: about 13 instructions a rule.
 *
 * <p>The steps and state are the C program's, field for field (tx.bpf.c: the clock, pacing,
 * send_one, send_uniform, stamp, put_csum): the same maps and .bss, so Transmitter reads its
 * counters the same way, and a run's frames are the same bytes. {@link #ineligible} says which
 * runs it covers; every other run loads the C program. {@code GeneratedTxTest} runs both on the
 * same slots and compares their frames and state.
 *
 * <p>Registers: r6 the context, then the frame's start; r7 the CPU's tx_state; r8 the slot, then
 * the sequence number stamped; r9 the send time. With one template, after the frame check r1..r3
 * hold the checksums' sums (at most three checksums), r0, r4 and r5 are scratch.
 */
final class RunProgram {
    private static final int XDP_ABORTED = 0;
    private static final int XDP_DROP = 1;
    private static final int XDP_TX = 3;
    private static final int FUNC_MAP_LOOKUP_ELEM = 1;
    private static final int FUNC_KTIME_GET_NS = 5;
    private static final int FUNC_GET_SMP_PROCESSOR_ID = 8;
    private static final int FUNC_XDP_ADJUST_TAIL = 65;
    /** tx.bpf.c CSUM_ZERO: a multiple of 0xffff above every sum, for UDP's checksum without a branch. */
    private static final long CSUM_ZERO = 0xffffL << 32;
    private static final int MAX_SUMS = 3;

    private RunProgram() {}

    /** At most this many templates get a program (each has its own code). */
    static final int MAX_TEMPLATES = 16;

    /**
     * Whether the run is one this program covers, null when it is, else why not (for messages
     * and tests): no copy of whole templates, no test hooks, a send-time offset below 2^31 ns;
     * one template whose rules all count with cursors, of width 1, 2, 4 or 8, touching at most
     * three checksums; or up to {@value #MAX_TEMPLATES} templates without rules (size mixes,
     * streams).
     */
    static String ineligible(ByteBuffer planBuffer, List<ByteBuffer> templates) {
        ByteBuffer p = planBuffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long interval = p.getLong(Structs.TxPlan.INTERVAL_NS);
        if (interval < 0 || interval > Integer.MAX_VALUE) {
            return "an interval beyond 2^31 ns";
        }
        if (p.getInt(Structs.TxPlan.COPY) == Structs.COPY_ALL) {
            return "the template is copied into every frame";
        }
        if (p.getInt(Structs.TxPlan.TEST_HOOKS) != 0) {
            return "test hooks";
        }
        long offset = p.getLong(Structs.TxPlan.TEST_TX_OFFSET_NS);
        if (offset < 0 || offset > Integer.MAX_VALUE) {
            return "a test offset beyond 2^31 ns";
        }
        if (p.getInt(Structs.TxPlan.SINGLE) == 0) {
            if (templates.size() > MAX_TEMPLATES) {
                return "more than " + MAX_TEMPLATES + " templates";
            }
            for (int i = 0; i < templates.size(); i++) {
                if ((templates.get(i).get(Structs.Template.N_FIELDS) & 0xff) != 0) {
                    return "several templates, and template " + i + " has rules";
                }
            }
            return null;
        }
        int t = Structs.TxPlan.TMPL;
        int n = p.get(t + Structs.Template.N_FIELDS) & 0xff;
        if (n > Structs.MAX_FIELDS) {
            return "more than " + Structs.MAX_FIELDS + " rules";
        }
        int cursors = p.getInt(Structs.TxPlan.CURSOR_MASK);
        for (int i = 0; i < n; i++) {
            int width = p.get(t + Structs.Template.FIELDS + i * Structs.Field.SIZE + Structs.Field.WIDTH) & 0xff;
            if ((cursors & (1 << i)) == 0) {
                return "rule " + i + " is not counted with a cursor";
            }
            if (width != 1 && width != 2 && width != 4 && width != 8) {
                return "rule " + i + " is " + width + " bytes wide";
            }
        }
        if (Integer.bitCount(p.getInt(Structs.TxPlan.CSUM_TOUCHED) & 0xf) > MAX_SUMS) {
            return "more than " + MAX_SUMS + " checksums to keep";
        }
        return null;
    }

    /** The descriptors of tx.bpf.c's maps the program uses. */
    record Maps(int txState, int bss, int schedule, int seqs) {}

    /** The program's instructions for the plan (which must be eligible), with the maps' descriptors in them. */
    static long[] build(ByteBuffer planBuffer, List<ByteBuffer> templates, Maps maps) {
        String why = ineligible(planBuffer, templates);
        if (why != null) {
            throw new IllegalArgumentException("no generated xdp_tx for this run: " + why);
        }
        ByteBuffer p = planBuffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long interval = p.getLong(Structs.TxPlan.INTERVAL_NS);
        long maxLag = p.getLong(Structs.TxPlan.MAX_LAG_NS);
        long every = p.getInt(Structs.TxPlan.CLOCK_EVERY);
        boolean batched = interval == 0 && every > 1;   // else the clock is read every slot, as tx.bpf.c does
        boolean limited = p.getInt(Structs.TxPlan.LIMITED) != 0;
        boolean single = p.getInt(Structs.TxPlan.SINGLE) != 0;
        long txOffset = p.getLong(Structs.TxPlan.TEST_TX_OFFSET_NS);

        Code c = new Code(maps.bss());
        // the per-CPU state
        c.movx(6, 1);
        c.stw(10, -4, 0);
        c.movx(2, 10);
        c.add(2, -4);
        c.mapFd(1, maps.txState());
        c.call(FUNC_MAP_LOOKUP_ELEM);
        c.jeq(0, 0, "aborted");
        c.movx(7, 0);
        c.ldx(8, 7, Structs.TxState.SEQ, 8);
        if (limited) {
            c.ldx(1, 7, Structs.TxState.LIMIT, 8);
            c.jgex(8, 1, "drop");
        }
        if (batched) {
            // the clock: read on the first and the last slot of each batch, placed between (tx.bpf.c)
            c.movx(1, 8);
            c.and(1, every - 1);
            c.jeq(1, 0, "clock");
            c.jeq(1, every - 1, "clock");
            c.ldx(9, 7, Structs.TxState.STAMP, 8);
            c.ldx(1, 7, Structs.TxState.CLOCK_STEP, 8);
            c.addx(1, 9);
            c.stx(7, Structs.TxState.STAMP, 1, 8);
        } else {
            readClock(c);
            if (interval != 0) {
                pace(c, interval, maxLag);
            }
        }

        c.label("frame");
        c.movx(1, 8);
        c.add(1, 1);
        c.stx(7, Structs.TxState.SEQ, 1, 8);
        if (single) {
            oneTemplate(c, p, limited, txOffset);
            // a frame shorter than the template's last write: counted, not sent
            c.label("unsent");
            c.ldx(1, 7, Structs.TxState.UNSENT, 8);
            c.add(1, 1);
            c.stx(7, Structs.TxState.UNSENT, 1, 8);
        } else {
            severalTemplates(c, p, templates, maps, txOffset);
        }
        c.label("aborted");
        c.mov(0, XDP_ABORTED);
        c.exit();
        c.label("drop");
        c.mov(0, XDP_DROP);
        c.exit();

        if (batched) {
            placeStamps(c, every);
        }
        return c.build();
    }

    /** One template: its rules from their cursors, the header's stamps, the checksums over them. */
    private static void oneTemplate(Code c, ByteBuffer p, boolean limited, long txOffset) {
        int t = Structs.TxPlan.TMPL;
        int frameEnd = p.getInt(Structs.TxPlan.FRAME_END);
        int mh = p.getShort(t + Structs.Template.MH_OFFSET) & 0xffff;
        int mhMask = p.get(t + Structs.Template.MH_CSUM_MASK) & 0xf;
        int n = p.get(t + Structs.Template.N_FIELDS) & 0xff;
        int touched = p.getInt(Structs.TxPlan.CSUM_TOUCHED) & 0xf;
        c.ldx(2, 6, 4, 4);    // data_end
        c.ldx(6, 6, 0, 4);    // data
        c.movx(1, 6);
        c.add(1, frameEnd);
        c.jgtx(1, 2, "unsent");

        if (mh != 0) {
            stamps(c, mh, txOffset);
        }
        // each touched checksum's register starts as its base (plus the stamps it covers)
        Map<Integer, Integer> sumReg = new HashMap<>();
        List<Integer> sums = new ArrayList<>();
        for (int k = 0; k < Structs.MAX_CSUMS; k++) {
            if ((touched & (1 << k)) != 0) {
                int reg = 1 + sums.size();
                sumReg.put(k, reg);
                sums.add(k);
                long base = p.getInt(t + Structs.Template.CSUMS + k * Structs.Csum.SIZE + Structs.Csum.BASE) & 0xffffffffL;
                c.load(reg, base);
                if (mh != 0 && (mhMask & (1 << k)) != 0) {
                    c.addx(reg, 0);
                }
            }
        }
        // the rules, each counted with its cursor (Cursors): value, the cursor's next place, the write, the sums
        for (int i = 0; i < n; i++) {
            int f = t + Structs.Template.FIELDS + i * Structs.Field.SIZE;
            int off = p.getShort(f + Structs.Field.OFFSET) & 0xffff;
            int width = p.get(f + Structs.Field.WIDTH) & 0xff;
            int op = p.get(f + Structs.Field.OP);
            int mask = p.get(f + Structs.Field.CSUM_MASK) & 0xf;
            long min = p.getLong(f + Structs.Field.MIN);
            long range = p.getLong(f + Structs.Field.RANGE);
            int step = Structs.TxPlan.STEPS + i * Structs.CursorStep.SIZE;
            long delta = p.getLong(step + Structs.CursorStep.DELTA);
            long gap = p.getLong(step + Structs.CursorStep.GAP);
            int cursor = Structs.TxState.CURSOR + 8 * i;
            c.ldx(4, 7, cursor, 8);
            if (op == Structs.OP_DEC) {
                c.load(5, min + range - 1);
                c.subx(5, 4);
            } else {
                c.load(5, min);
                c.addx(5, 4);
            }
            String sub = "sub" + i;
            String store = "store" + i;
            c.jge(4, gap, sub, 0);
            c.addConst(4, delta, 0);
            c.ja(store);
            c.label(sub);
            c.addConst(4, -gap, 0);
            c.label(store);
            c.stx(7, cursor, 4, 8);
            if (width == 1) {
                c.stx(6, off, 5, 1);
                c.and(5, 0xff);
            } else {
                c.movx(4, 5);
                c.be(4, width * 8);
                c.stx(6, off, 4, width);
                if (width == 8) {
                    c.movx(4, 5);
                    c.rsh(4, 32);
                    c.mov32x(5, 5);
                    c.addx(5, 4);
                } else if (width == 4) {
                    c.mov32x(5, 5);
                } else {
                    c.and(5, 0xffff);
                }
            }
            if (((off + width) & 1) != 0) {
                c.lsh(5, 8);
            }
            for (int k : sums) {
                if ((mask & (1 << k)) != 0) {
                    c.addx(sumReg.get(k), 5);
                }
            }
        }
        for (int k : sums) {
            int csum = t + Structs.Template.CSUMS + k * Structs.Csum.SIZE;
            putCsum(c, p.get(csum + Structs.Csum.KIND) & 0xff, p.getShort(csum + Structs.Csum.OFFSET) & 0xffff, sumReg.get(k));
        }
        if (limited) {
            c.stx(7, Structs.TxState.LAST_NS, 9, 8);
        }
        c.mov(0, XDP_TX);
        c.exit();
    }

    /**
     * A checksum at r6 + at from the full sum in {@code reg} (not r4 or r5, which it uses): the
     * complement of the folded sum, UDP's 0 sent as 0xffff (tx.bpf.c put_csum).
     */
    private static void putCsum(Code c, int kind, int at, int reg) {
        if (kind == Structs.CSUM_UDP) {
            c.load(4, CSUM_ZERO);
            c.subx(4, reg);
        } else {
            c.movx(4, reg);
        }
        for (int step = 0; step < 3; step++) {
            c.movx(5, 4);
            c.rsh(5, 16);
            if (step < 2) {
                c.and(4, 0xffff);
            }
            c.addx(4, 5);
        }
        if (kind != Structs.CSUM_UDP) {
            c.xor(4, -1);
        }
        c.be(4, 16);
        c.stx(6, at, 4, 2);
    }

    /**
     * The measurement header's stamps at r6 + mh (r6 the frame, bounds checked): r8's sequence
     * number, r9's send time less the tests' offset, the CPU; r0 = their sum as checksums take it.
     */
    private static void stamps(Code c, int mh, long txOffset) {
        c.call(FUNC_GET_SMP_PROCESSOR_ID);
        c.lsh(0, 8);
        c.or(0, Structs.MH_VERSION);
        c.movx(1, 0);
        c.be(1, 16);
        c.stx(6, mh + Structs.Mh.CPU, 1, 2);
        c.and(0, 0xffff);
        c.movx(1, 8);
        c.mov32x(1, 1);
        c.movx(2, 1);
        c.be(2, 32);
        c.stx(6, mh + Structs.Mh.SEQ, 2, 4);
        c.addx(0, 1);
        c.movx(1, 9);
        if (txOffset != 0) {
            c.add(1, -txOffset);
        }
        c.movx(2, 1);
        c.be(2, 64);
        c.stx(6, mh + Structs.Mh.TX_NS, 2, 8);
        c.movx(2, 1);
        c.rsh(2, 32);
        c.addx(0, 2);
        c.mov32x(1, 1);
        c.addx(0, 1);
        if ((mh & 1) != 0) {
            c.lsh(0, 8);
        }
    }

    /**
     * Several templates without rules (a size mix, streams): the weighted cycle's next template
     * (its place kept per CPU, the template from tx_schedule), then that template's own code:
     * its stream's sequence number (tx_seqs), the frame set to its length, the words where the
     * templates differ copied in as immediates (TemplateCompiler.copyRange), the stamps and the
     * checksums over them from its bases, and the CPU's sent counters (tx.bpf.c send_uniform).
     */
    private static void severalTemplates(Code c, ByteBuffer p, List<ByteBuffer> templates, Maps maps, long txOffset) {
        int cycle = p.getInt(Structs.TxPlan.CYCLE_LEN);
        int from = p.getShort(Structs.TxPlan.COPY_FROM) & 0xffff;
        int words = p.getInt(Structs.TxPlan.COPY) == Structs.COPY_RANGE ? p.getShort(Structs.TxPlan.COPY_WORDS) & 0xffff : 0;
        c.ldx(1, 7, Structs.TxState.CYCLE_POS, 8);
        c.stx(10, -4, 1, 4);
        c.movx(2, 1);
        c.add(2, p.getInt(Structs.TxPlan.CYCLE_POS_STEP));
        c.ldx(3, 7, Structs.TxState.CYCLE_TURN, 8);
        c.add(3, p.getInt(Structs.TxPlan.CYCLE_TURN_STEP));
        c.jlt(2, cycle, "placed");
        c.add(2, -cycle);
        c.add(3, 1);
        c.label("placed");
        c.stx(7, Structs.TxState.CYCLE_POS, 2, 8);
        c.stx(7, Structs.TxState.CYCLE_TURN, 3, 8);
        c.movx(2, 10);
        c.add(2, -4);
        c.mapFd(1, maps.schedule());
        c.call(FUNC_MAP_LOOKUP_ELEM);
        c.jeq(0, 0, "aborted");
        c.ldx(1, 0, Structs.Slot.TEMPLATE_ID, 4);
        for (int i = 0; i < templates.size() - 1; i++) {
            c.jeq(1, i, "template" + i);
        }
        c.ja("template" + (templates.size() - 1));
        for (int i = 0; i < templates.size(); i++) {
            ByteBuffer t = templates.get(i).duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int len = t.getShort(Structs.Template.LEN) & 0xffff;
            int mh = t.getShort(Structs.Template.MH_OFFSET) & 0xffff;
            int mhMask = t.get(Structs.Template.MH_CSUM_MASK) & 0xf;
            c.label("template" + i);
            if (mh != 0) {   // the stream's next sequence number on this CPU
                c.stw(10, -8, (t.getShort(Structs.Template.STREAM_ID) & 0xffff) & (Structs.MAX_STREAMS - 1));
                c.movx(2, 10);
                c.add(2, -8);
                c.mapFd(1, maps.seqs());
                c.call(FUNC_MAP_LOOKUP_ELEM);
                c.jeq(0, 0, "aborted");
                c.ldx(8, 0, 0, 8);
                c.movx(1, 8);
                c.add(1, 1);
                c.stx(0, 0, 1, 8);
            }
            // the frame's length: every frame starts as the run's first, the longest template
            c.ldx(2, 6, 4, 4);
            c.ldx(1, 6, 0, 4);
            c.subx(2, 1);
            c.mov(3, len);
            c.subx(3, 2);
            c.jeq(3, 0, "sized" + i);
            c.movx(1, 6);
            c.movx(2, 3);
            c.call(FUNC_XDP_ADJUST_TAIL);
            c.jne(0, 0, "aborted");
            c.label("sized" + i);
            int end = Math.max(TemplateCompiler.writeEnd(t), from + 8 * words);
            c.ldx(2, 6, 4, 4);    // data_end
            c.ldx(6, 6, 0, 4);    // data
            c.movx(1, 6);
            c.add(1, end);
            c.jgtx(1, 2, "aborted");
            for (int w = 0; w < words; w++) {
                c.load(1, t.getLong(Structs.Template.BYTES + from + 8 * w));
                c.stx(6, from + 8 * w, 1, 8);
            }
            if (mh != 0) {
                stamps(c, mh, txOffset);
                for (int k = 0; k < Structs.MAX_CSUMS; k++) {
                    if ((mhMask & (1 << k)) != 0) {
                        int csum = Structs.Template.CSUMS + k * Structs.Csum.SIZE;
                        c.load(1, t.getInt(csum + Structs.Csum.BASE) & 0xffffffffL);
                        c.addx(1, 0);
                        putCsum(c, t.get(csum + Structs.Csum.KIND) & 0xff, t.getShort(csum + Structs.Csum.OFFSET) & 0xffff, 1);
                    }
                }
            }
            c.ldx(1, 7, Structs.TxState.SENT_PACKETS, 8);
            c.add(1, 1);
            c.stx(7, Structs.TxState.SENT_PACKETS, 1, 8);
            c.ldx(1, 7, Structs.TxState.SENT_BYTES, 8);
            c.add(1, len);
            c.stx(7, Structs.TxState.SENT_BYTES, 1, 8);
            c.stx(7, Structs.TxState.LAST_NS, 9, 8);
            c.mov(0, XDP_TX);
            c.exit();
        }
    }

    /** r9 = the clock, after the stop flag and before the end: XDP_DROP past either. */
    private static void readClock(Code c) {
        c.mapValue(1, c.bssFd, Structs.TxConfig.STOP);
        c.ldx(1, 1, 0, 4);
        c.jne(1, 0, "drop");
        c.call(FUNC_KTIME_GET_NS);
        c.movx(9, 0);
        c.mapValue(1, c.bssFd, Structs.TxConfig.END_NS);
        c.ldx(1, 1, 0, 8);
        c.jeq(1, 0, "running");
        c.jgex(9, 1, "drop");
        c.label("running");
    }

    /**
     * Paced: an early slot is dropped (only the frame is recycled) and counted; a due one moves
     * the next departure on by the interval, and after a gap by at most the lag a --max-burst
     * allows, the departures given up counted as the deficit (tx.bpf.c).
     */
    private static void pace(Code c, long interval, long maxLag) {
        c.ldx(1, 7, Structs.TxState.NEXT_NS, 8);
        c.jgex(9, 1, "due");
        c.ldx(2, 7, Structs.TxState.PACED_SKIPS, 8);
        c.add(2, 1);
        c.stx(7, Structs.TxState.PACED_SKIPS, 2, 8);
        c.ja("drop");
        c.label("due");
        c.add(1, interval);           // next
        c.movx(2, 1);
        c.addConst(2, maxLag, 3);
        c.jgex(2, 9, "next");         // on time, or behind by at most the lag
        c.movx(2, 9);
        c.addConst(2, -maxLag, 3);    // now - max_lag
        c.movx(3, 2);
        c.subx(3, 1);
        c.div(3, interval);           // the departures given up
        c.ldx(4, 7, Structs.TxState.DEFICIT, 8);
        c.addx(4, 3);
        c.stx(7, Structs.TxState.DEFICIT, 4, 8);
        c.movx(1, 2);
        c.label("next");
        c.stx(7, Structs.TxState.NEXT_NS, 1, 8);
    }

    /** Flat out, the first or the last slot of a batch: the clock, and the pace the stamps between are placed at. */
    private static void placeStamps(Code c, long every) {
        c.label("clock");
        readClock(c);
        c.ldx(3, 7, Structs.TxState.CLOCK_STEP, 8);
        c.movx(1, 8);
        c.and(1, every - 1);
        c.jne(1, 0, "last");
        // the batch's first slot: the pace's start; the first batch has none yet, its stamps rise by 1 ns
        c.stx(7, Structs.TxState.CLOCK_NS, 9, 8);
        c.stx(7, Structs.TxState.CLOCK_SLOT, 8, 8);
        c.jne(3, 0, "place");
        c.mov(3, 1);
        c.stx(7, Structs.TxState.CLOCK_STEP, 3, 8);
        c.ja("place");
        // the batch's last slot: its pace, unless an interrupt came in between
        c.label("last");
        c.ldx(1, 7, Structs.TxState.CLOCK_SLOT, 8);
        c.add(1, every - 1);
        c.jnex(1, 8, "place");
        c.movx(1, 9);
        c.ldx(2, 7, Structs.TxState.CLOCK_NS, 8);
        c.subx(1, 2);
        c.div(1, every - 1);
        c.jeq(1, 0, "place");
        c.jge(1, 10_000, "place", -1);
        c.jle(3, 1, "pace");
        c.movx(2, 3);
        c.lsh(2, 1);
        c.jgtx(1, 2, "place");
        c.label("pace");
        c.stx(7, Structs.TxState.CLOCK_STEP, 1, 8);
        c.movx(3, 1);
        // stamps rise: a faster batch than the last may read a time before a placed stamp
        c.label("place");
        c.ldx(1, 7, Structs.TxState.STAMP, 8);
        c.jgex(9, 1, "stamped");
        c.movx(9, 1);
        c.label("stamped");
        c.movx(1, 9);
        c.addx(1, 3);
        c.stx(7, Structs.TxState.STAMP, 1, 8);
        c.ja("frame");
    }

    /** eBPF instructions with labels; jumps resolved by {@link #build()}. */
    static final class Code {
        private static final int ALU64 = 0x07;
        private static final int ALU = 0x04;
        private static final int JMP = 0x05;
        private static final int X = 0x08;
        private static final int ADD = 0x00;
        private static final int SUB = 0x10;
        private static final int DIV = 0x30;
        private static final int OR = 0x40;
        private static final int AND = 0x50;
        private static final int LSH = 0x60;
        private static final int RSH = 0x70;
        private static final int XOR = 0xa0;
        private static final int MOV = 0xb0;
        private static final int END = 0xd0;
        private static final int JA = 0x00;
        private static final int JEQ = 0x10;
        private static final int JGT = 0x20;
        private static final int JGE = 0x30;
        private static final int JNE = 0x50;
        private static final int JLT = 0xa0;
        private static final int JLE = 0xb0;

        private final List<long[]> insns = new ArrayList<>();     // {op, dst, src, off, imm}
        private final List<String> targets = new ArrayList<>();   // per instruction: its jump's label, or null
        private final Map<String, Integer> labels = new HashMap<>();
        /** The descriptor of tx.bpf.c's .bss map (struct xdperf_tx_config). */
        final int bssFd;

        Code(int bssFd) {
            this.bssFd = bssFd;
        }

        private void emit(int op, int dst, int src, int off, long imm, String target) {
            insns.add(new long[] {op, dst, src, off, imm});
            targets.add(target);
        }

        void label(String name) {
            if (labels.put(name, insns.size()) != null) {
                throw new IllegalStateException("label " + name + " twice");
            }
        }

        private static boolean fitsImm(long v) {
            return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
        }

        private void alu(int code, int dst, long imm) {
            if (!fitsImm(imm)) {
                throw new IllegalArgumentException("immediate " + imm + " does not fit 32 bits");
            }
            emit(ALU64 | code, dst, 0, 0, imm, null);
        }

        void mov(int dst, long imm) {
            alu(MOV, dst, imm);
        }

        void movx(int dst, int src) {
            emit(ALU64 | X | MOV, dst, src, 0, 0, null);
        }

        /** dst = the low 32 bits of src, zero-extended. */
        void mov32x(int dst, int src) {
            emit(ALU | X | MOV, dst, src, 0, 0, null);
        }

        /** dst = v, with the shortest instruction that gives the 64-bit value. */
        void load(int dst, long v) {
            if (fitsImm(v)) {
                mov(dst, v);
            } else if (v >= 0 && v <= 0xffffffffL) {
                emit(ALU | MOV, dst, 0, 0, (int) v, null);
            } else {
                emit(0x18, dst, 0, 0, (int) v, null);
                emit(0, 0, 0, 0, (int) (v >>> 32), null);
            }
        }

        /** dst += v, through {@code scratch} when v does not fit an immediate. */
        void addConst(int dst, long v, int scratch) {
            if (fitsImm(v)) {
                alu(ADD, dst, v);
            } else {
                load(scratch, v);
                addx(dst, scratch);
            }
        }

        void add(int dst, long imm) {
            alu(ADD, dst, imm);
        }

        void addx(int dst, int src) {
            emit(ALU64 | X | ADD, dst, src, 0, 0, null);
        }

        void subx(int dst, int src) {
            emit(ALU64 | X | SUB, dst, src, 0, 0, null);
        }

        void div(int dst, long imm) {
            alu(DIV, dst, imm);
        }

        void or(int dst, long imm) {
            alu(OR, dst, imm);
        }

        void and(int dst, long imm) {
            alu(AND, dst, imm);
        }

        void xor(int dst, long imm) {
            alu(XOR, dst, imm);
        }

        void lsh(int dst, int bits) {
            alu(LSH, dst, bits);
        }

        void rsh(int dst, int bits) {
            alu(RSH, dst, bits);
        }

        /** dst = the low {@code bits} of dst in big-endian order, zero-extended. */
        void be(int dst, int bits) {
            emit(ALU | X | END, dst, 0, 0, bits, null);   // X: BPF_TO_BE
        }

        private static int size(int bytes) {
            return switch (bytes) {
                case 1 -> 0x10;
                case 2 -> 0x08;
                case 4 -> 0x00;
                case 8 -> 0x18;
                default -> throw new IllegalArgumentException("no " + bytes + "-byte access");
            };
        }

        /** dst = *(size *)(src + off), zero-extended. */
        void ldx(int dst, int src, int off, int bytes) {
            emit(0x61 | size(bytes), dst, src, off, 0, null);
        }

        /** *(size *)(dst + off) = src. */
        void stx(int dst, int off, int src, int bytes) {
            emit(0x63 | size(bytes), dst, src, off, 0, null);
        }

        /** *(u32 *)(dst + off) = imm. */
        void stw(int dst, int off, int imm) {
            emit(0x62, dst, 0, off, imm, null);
        }

        /** dst = the map with this descriptor (BPF_PSEUDO_MAP_FD). */
        void mapFd(int dst, int fd) {
            emit(0x18, dst, 1, 0, fd, null);
            emit(0, 0, 0, 0, 0, null);
        }

        /** dst = the address of byte {@code offset} of the one-entry array's value (BPF_PSEUDO_MAP_VALUE). */
        void mapValue(int dst, int fd, int offset) {
            emit(0x18, dst, 2, 0, fd, null);
            emit(0, 0, 0, 0, offset, null);
        }

        void call(int helper) {
            emit(JMP | 0x80, 0, 0, 0, helper, null);
        }

        void exit() {
            emit(JMP | 0x90, 0, 0, 0, 0, null);
        }

        void ja(String target) {
            emit(JMP | JA, 0, 0, 0, 0, target);
        }

        private void jmp(int code, int dst, long imm, String target) {
            if (!fitsImm(imm)) {
                throw new IllegalArgumentException("immediate " + imm + " does not fit 32 bits");
            }
            emit(JMP | code, dst, 0, 0, imm, target);
        }

        private void jmpx(int code, int dst, int src, String target) {
            emit(JMP | X | code, dst, src, 0, 0, target);
        }

        void jeq(int dst, long imm, String target) {
            jmp(JEQ, dst, imm, target);
        }

        void jne(int dst, long imm, String target) {
            jmp(JNE, dst, imm, target);
        }

        /** if dst >= v (unsigned 64-bit) goto target; through {@code scratch} when v does not fit an immediate (-1: none). */
        void jge(int dst, long v, String target, int scratch) {
            if (v >= 0 && v <= Integer.MAX_VALUE) {
                jmp(JGE, dst, v, target);
            } else {
                if (scratch < 0) {
                    throw new IllegalArgumentException("no scratch register for " + v);
                }
                load(scratch, v);
                jgex(dst, scratch, target);
            }
        }

        void jle(int dst, long imm, String target) {
            jmp(JLE, dst, imm, target);
        }

        void jlt(int dst, long imm, String target) {
            jmp(JLT, dst, imm, target);
        }

        void jgex(int dst, int src, String target) {
            jmpx(JGE, dst, src, target);
        }

        void jgtx(int dst, int src, String target) {
            jmpx(JGT, dst, src, target);
        }

        void jnex(int dst, int src, String target) {
            jmpx(JNE, dst, src, target);
        }

        long[] build() {
            long[] out = new long[insns.size()];
            for (int i = 0; i < out.length; i++) {
                long[] in = insns.get(i);
                int off = (int) in[3];
                String target = targets.get(i);
                if (target != null) {
                    Integer at = labels.get(target);
                    if (at == null) {
                        throw new IllegalStateException("no label " + target);
                    }
                    off = at - i - 1;
                    if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
                        throw new IllegalStateException("jump to " + target + " too far");
                    }
                }
                out[i] = (in[0] & 0xff) | ((in[1] & 0xf) << 8) | ((in[2] & 0xf) << 12) | ((off & 0xffffL) << 16)
                        | ((in[4] & 0xffffffffL) << 32);
            }
            return out;
        }
    }
}
