package dev.xdperf.analyze.trace;

import static dev.xdperf.analyze.vm.Opcodes.*;

import dev.xdperf.analyze.vm.Interpreter;
import dev.xdperf.analyze.vm.Memory;
import dev.xdperf.analyze.vm.Region;
import dev.xdperf.analyze.vm.Tracking;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Follows one run symbolically beside the concrete one: every register and every byte of
 * memory carries an expression over the packet (or nothing, when it is a constant of the
 * program). Each branch on a packet-derived value adds a {@link Cond} to the path
 * condition; each access through a packet-derived pointer pins the pointer to its concrete
 * value (so the trace reads fixed offsets). The first decision that depends on something
 * that is not a function of the packet makes the run untraceable, with that as the reason,
 * and the tracker stops following.
 */
public final class Tracker implements Tracking {
    /** One byte of memory: byte {@code index} of the value {@code whole}. */
    private record ByteShadow(Expr whole, int index) {
    }

    private static final ByteShadow CONST = new ByteShadow(Exprs.c(0), -1);

    private final Interpreter vm;
    private final Memory memory;
    private final Region packet;
    private final int dataOffset;
    private final int length;
    private final IntFunction<String> mapName;
    private final Expr[] regs = new Expr[11];
    private final Expr[][] saved = new Expr[Interpreter.MAX_CALL_DEPTH][5];
    private final Map<Region, Map<Integer, ByteShadow>> shadows = new IdentityHashMap<>();
    private final Map<String, Expr.Opaque> opaques = new HashMap<>();
    private final LinkedHashSet<Cond> decisions = new LinkedHashSet<>();
    /** Map entries the run looked up (their presence form), in order. */
    private final LinkedHashSet<Expr.MapRead> entriesRead = new LinkedHashSet<>();
    /** Values a lookup returned a pointer to, with the entry they are: loads from them are map reads. */
    private final Map<Region, Expr.MapRead> entries = new IdentityHashMap<>();
    private final BitSet reads = new BitSet();
    private final BitSet writes = new BitSet();
    private String untraceable;
    private long h1 = 1;
    private long h2 = 7;

    /**
     * @param packet the packet region; the packet starts at {@code dataOffset} and is {@code length} bytes
     * @param mapName the name of a map by index, for reasons
     */
    public Tracker(Interpreter vm, Region packet, int dataOffset, int length, IntFunction<String> mapName) {
        this.vm = vm;
        this.memory = vm.memory();
        this.packet = packet;
        this.dataOffset = dataOffset;
        this.length = length;
        this.mapName = mapName;
    }

    // ---- results -----------------------------------------------------------------------------

    public boolean active() {
        return untraceable == null;
    }

    /** Why the run is not a function of the packet, or null. */
    public String untraceableReason() {
        return untraceable;
    }

    public PathCondition condition() {
        return PathCondition.of(decisions);
    }

    /** Offsets (from the start of the packet as received) of packet bytes the program read. */
    public BitSet reads() {
        return (BitSet) reads.clone();
    }

    /** Offsets (from the start of the packet as received; headroom bytes are negative, shifted by 4096) written. */
    public BitSet writes() {
        return (BitSet) writes.clone();
    }

    /** A digest of the instruction sequence. */
    public long[] pathDigest() {
        return new long[] {h1, h2};
    }

    // ---- the helper side -----------------------------------------------------------------------

    public Expr reg(int r) {
        return regs[r];
    }

    public void setReg(int r, Expr e) {
        regs[r] = e;
    }

    public Expr.Opaque opaque(String reason) {
        return opaques.computeIfAbsent(reason, Expr.Opaque::new);
    }

    /** Marks the run untraceable (the first reason wins). */
    public void untraceable(String reason) {
        if (untraceable == null) {
            untraceable = reason;
        }
    }

    /**
     * The key of a lookup at {@code addr}: one expression per byte (a constant for a byte that does
     * not depend on the packet), or the opaque value one of its bytes comes from.
     */
    public Expr.Opaque keyBytes(long addr, int len, List<Expr> out) {
        Region r = memory.regionOf(addr);
        int off = (int) (addr - r.base());
        for (int i = 0; i < len; i++) {
            ByteShadow b = byteAt(r, off + i, true);
            if (b == CONST) {
                out.add(Exprs.c(r.data[off + i] & 0xff));
            } else if (b.whole.opaque() != null) {
                return b.whole.opaque();
            } else {
                out.add(Exprs.byteOf(b.whole, b.index));
            }
        }
        return null;
    }

    /** The key at {@code addr} as one value, when it is at most 8 bytes (for text). */
    public Expr keyView(long addr, int len) {
        if (len > 8) {
            return null;
        }
        Expr e = memoryValue(addr, len);
        return e == null || e.opaque() != null ? null : e;
    }

    /** The run looked {@code entry} up: the trace holds only while that entry stays as it is. */
    public void readEntry(Expr.MapRead entry) {
        if (active()) {
            entriesRead.add(entry.value(0, 0));
        }
    }

    /** Map entries the run looked up. */
    public List<Expr.MapRead> entriesRead() {
        return List.copyOf(entriesRead);
    }

    /** A lookup returned a pointer to {@code valueAddr}, the value of {@code entry}: what is loaded from it is read from the map. */
    public void entryAt(long valueAddr, Expr.MapRead entry) {
        Region r = memory.regionOf(valueAddr);
        if (r != null && active()) {
            entries.put(r, entry);
        }
    }

    /** The packet length as an expression, given the current length and the original one. */
    public Expr lengthNow(int currentLength) {
        return Exprs.bin(ADD, false, Exprs.LEN, Exprs.c((long) currentLength - length), 0);
    }

    /** Records that {@code e} had the value {@code concrete}: a decision the helper took on it. */
    public void pin(Expr e, long concrete, String what) {
        if (!active() || e == null) {
            return;
        }
        if (e.opaque() != null) {
            untraceable(what + " from " + e.opaque().reason());
            return;
        }
        add(Cond.of(JEQ, false, e, Exprs.c(concrete)));
    }

    /** Records the decision "e CODE k" (taken or not) a helper made. */
    public void decide(int code, Expr e, long k, boolean taken, String what) {
        if (!active() || e == null) {
            return;
        }
        if (e.opaque() != null) {
            untraceable(what + " from " + e.opaque().reason());
            return;
        }
        Cond c = Cond.of(code, false, e, Exprs.c(k));
        add(taken ? c : c.negate());
    }

    /** The value stored in {@code len} bytes at addr (up to 8), or null when it is a constant. */
    public Expr memoryValue(long addr, int len) {
        Region r = memory.regionOf(addr);
        if (r == null || len > 8) {
            return null;
        }
        return load(r, (int) (addr - r.base()), len, false);
    }

    /** The first opaque part of {@code len} bytes at addr, or null. */
    public Expr.Opaque opaqueIn(long addr, int len) {
        Region r = memory.regionOf(addr);
        if (r == null) {
            return null;
        }
        int off = (int) (addr - r.base());
        for (int i = 0; i < len; i++) {
            ByteShadow b = byteAt(r, off + i, false);
            if (b != CONST && b.whole.opaque() != null) {
                return b.whole.opaque();
            }
        }
        return null;
    }

    /** Whether any of {@code len} bytes at addr depends on the packet or on something opaque. */
    public boolean symbolicIn(long addr, int len) {
        Region r = memory.regionOf(addr);
        if (r == null) {
            return false;
        }
        int off = (int) (addr - r.base());
        for (int i = 0; i < len; i++) {
            if (byteAt(r, off + i, false) != CONST) {
                return true;
            }
        }
        return false;
    }

    /** A helper copied {@code len} bytes (memcpy semantics; regions may be the same). */
    public void copy(long from, long to, int len) {
        if (!active()) {
            return;
        }
        Region rf = memory.regionOf(from);
        Region rt = memory.regionOf(to);
        int of = (int) (from - rf.base());
        int ot = (int) (to - rt.base());
        ByteShadow[] tmp = new ByteShadow[len];
        for (int i = 0; i < len; i++) {
            tmp[i] = byteAt(rf, of + i, true);
        }
        for (int i = 0; i < len; i++) {
            put(rt, ot + i, tmp[i]);
        }
    }

    /** A helper wrote {@code len} bytes that do not depend on the packet (or an opaque value, when given). */
    public void overwrite(long addr, int len, Expr.Opaque value) {
        if (!active()) {
            return;
        }
        Region r = memory.regionOf(addr);
        int off = (int) (addr - r.base());
        for (int i = 0; i < len; i++) {
            put(r, off + i, value == null ? CONST : new ByteShadow(value, i));
        }
    }

    /** A helper wrote {@code len} bytes that are the little-endian bytes of {@code value}. */
    public void storeValue(long addr, int len, Expr value) {
        if (!active()) {
            return;
        }
        Region r = memory.regionOf(addr);
        int off = (int) (addr - r.base());
        for (int i = 0; i < len; i++) {
            put(r, off + i, new ByteShadow(value, i));
        }
    }

    /** Moves shadows of the packet region (adjust_head's move of metadata). */
    public void move(int from, int to, int len) {
        copy(packet.address(from), packet.address(to), len);
    }

    /** The program returned {@code r0}: a verdict that is not a constant of the path must be a function of the packet. */
    public void exit(long r0) {
        if (!active() || regs[0] == null) {
            return;
        }
        if (regs[0].opaque() != null) {
            untraceable("the verdict comes from " + regs[0].opaque().reason());
            return;
        }
        add(Cond.of(JEQ, true, regs[0], Exprs.c(r0 & 0xffffffffL)));
    }

    // ---- Tracking ----------------------------------------------------------------------------

    @Override
    public void step(int pc) {
        h1 = h1 * 0x9E3779B97F4A7C15L + pc + 1;
        h2 = Long.rotateLeft(h2 ^ (pc * 0xff51afd7ed558ccdL), 29) + 0x632BE59BD9B4E019L;
    }

    @Override
    public void alu(int pc, int code, boolean is32, int dst, int src, long operand, int offset) {
        if (!active()) {
            return;
        }
        Expr a = regs[dst];
        Expr b = src >= 0 ? regs[src] : null;
        Expr r;
        if (code == MOV) {
            if (b == null) {
                r = null;
            } else if (offset != 0) {
                r = Exprs.ext(b, offset, true, is32 ? 32 : 64);
            } else {
                r = is32 ? Exprs.ext(b, 32, false, 64) : b;
            }
        } else if (code == NEG) {
            r = a == null ? null : Exprs.bin(NEG, is32, a, Exprs.c(0), 0);
        } else if (a == null && b == null) {
            r = null;
        } else if ((code == XOR || code == SUB) && src == dst) {
            r = null;  // x ^ x and x - x are 0 whatever x is
        } else {
            r = Exprs.bin(code, is32, a != null ? a : Exprs.c(vm.reg(dst)), b != null ? b : Exprs.c(operand), offset);
        }
        regs[dst] = r;
    }

    @Override
    public void endian(int pc, int dst, int width, boolean swap) {
        if (!active() || regs[dst] == null) {
            return;
        }
        regs[dst] = swap ? Exprs.swap(regs[dst], width) : Exprs.ext(regs[dst], width, false, 64);
    }

    @Override
    public void constant(int pc, int dst) {
        regs[dst] = null;
    }

    @Override
    public void address(int pc, int base, long addr) {
        if (!active()) {
            return;
        }
        Expr e = regs[base];
        if (e == null) {
            return;
        }
        if (e.opaque() != null) {
            untraceable("memory access at an offset from " + e.opaque().reason());
            return;
        }
        if (fromLookup(e)) {
            return;  // a pointer a lookup returned (checked against NULL): its address is the map's, not the packet's
        }
        long delta = addr - vm.reg(base);
        add(Cond.of(JEQ, false, Exprs.bin(ADD, false, e, Exprs.c(delta), 0), Exprs.c(addr)));
    }

    @Override
    public void load(int pc, int dst, long addr, int size, boolean signExtend) {
        if (!active()) {
            return;
        }
        Region r = memory.regionOf(addr);
        int off = (int) (addr - r.base());
        Expr e;
        if (r.kind == Region.Kind.CONTEXT) {
            e = contextField(off, vm.reg(dst));
        } else {
            e = load(r, off, size, true);
        }
        if (e != null && signExtend) {
            e = Exprs.ext(e, 8 * size, true, 64);
        }
        regs[dst] = e;
    }

    private Expr contextField(int off, long value) {
        return switch (off) {
            case 0, 8 -> null;  // data, data_meta: the packet's own pointers, constants of the trace
            case 4 -> Exprs.bin(ADD, false, Exprs.LEN, Exprs.c(value - length), 0);  // data_end
            case 12 -> opaque("the ingress interface (ctx->ingress_ifindex)");
            case 16 -> opaque("the receive queue (ctx->rx_queue_index)");
            default -> opaque("the egress interface (ctx->egress_ifindex)");
        };
    }

    @Override
    public void store(int pc, long addr, int size, int src) {
        if (!active()) {
            return;
        }
        Region r = memory.regionOf(addr);
        int off = (int) (addr - r.base());
        Expr e = src >= 0 ? regs[src] : null;
        for (int i = 0; i < size; i++) {
            put(r, off + i, e == null ? CONST : new ByteShadow(e, i));
        }
    }

    @Override
    public void atomic(int pc, int op, long addr, int size, int src) {
        if (!active()) {
            return;
        }
        Region r = memory.regionOf(addr);
        int off = (int) (addr - r.base());
        Expr old = load(r, off, size, true);
        Expr val = regs[src];
        boolean is32 = size == 4;
        long oldConcrete = Memory.read(r.data, off, size);
        Expr newValue;
        if (op == XCHG) {
            newValue = val == null ? null : is32 ? Exprs.ext(val, 32, false, 64) : val;
            regs[src] = old;
        } else if (op == CMPXCHG) {
            Expr r0 = regs[0];
            boolean eq = ((vm.reg(0) & (is32 ? 0xffffffffL : -1L)) == oldConcrete);
            if (old != null || r0 != null) {
                Expr cmpOld = old != null ? old : Exprs.c(oldConcrete);
                Expr cmpR0 = r0 != null ? r0 : Exprs.c(vm.reg(0));
                Cond c = Cond.of(JEQ, is32, cmpOld, cmpR0);
                if (c.a.opaque() != null || c.b.opaque() != null) {
                    untraceable("compare-exchange on " + (c.a.opaque() != null ? c.a.opaque() : c.b.opaque()).reason());
                    return;
                }
                add(eq ? c : c.negate());
            }
            newValue = eq ? (val == null ? null : is32 ? Exprs.ext(val, 32, false, 64) : val) : old;
            regs[0] = old;
        } else {
            int code = op & ~FETCH;
            if (old == null && val == null) {
                newValue = null;
            } else {
                newValue = Exprs.bin(code, is32, old != null ? old : Exprs.c(oldConcrete),
                        val != null ? val : Exprs.c(vm.reg(src)), 0);
            }
            if ((op & FETCH) != 0) {
                regs[src] = old;
            }
        }
        for (int i = 0; i < size; i++) {
            put(r, off + i, newValue == null ? CONST : new ByteShadow(newValue, i));
        }
    }

    @Override
    public void branch(int pc, int code, boolean is32, int dst, int src, long operand, boolean taken) {
        if (!active()) {
            return;
        }
        Expr a = regs[dst];
        Expr b = src >= 0 ? regs[src] : null;
        if (a == null && b == null) {
            return;
        }
        Expr.Opaque o = a != null && a.opaque() != null ? a.opaque() : b != null ? b.opaque() : null;
        if (o != null) {
            untraceable("branch on " + o.reason());
            return;
        }
        Cond c = Cond.of(code, is32, a != null ? a : Exprs.c(vm.reg(dst)), b != null ? b : Exprs.c(operand));
        add(taken ? c : c.negate());
    }

    @Override
    public void enter(int pc, int depth) {
        System.arraycopy(regs, 6, saved[depth - 1], 0, 5);
    }

    @Override
    public void leave(int pc, int depth) {
        System.arraycopy(saved[depth], 0, regs, 6, 5);
    }

    /** Whether a value is a lookup's result (its presence), possibly moved by constants. */
    private static boolean fromLookup(Expr e) {
        if (e instanceof Expr.MapRead m) {
            return m.presence();
        }
        if (e instanceof Expr.Bin b) {
            return fromLookup(b.a) || fromLookup(b.b);
        }
        if (e instanceof Expr.Ext x) {
            return fromLookup(x.a);
        }
        return false;
    }

    // ---- memory shadows --------------------------------------------------------------------------

    private void add(Cond c) {
        if (c.constant() || c.alwaysTrue()) {
            return;
        }
        Expr.Opaque o = c.a.opaque() != null ? c.a.opaque() : c.b.opaque();
        if (o != null) {
            untraceable("branch on " + o.reason());
            return;
        }
        decisions.add(c);
    }

    private void put(Region r, int off, ByteShadow b) {
        if (r == packet) {
            writes.set(off - dataOffset + 4096);
        }
        Map<Integer, ByteShadow> m = shadows.computeIfAbsent(r, k -> new HashMap<>());
        m.put(off, b);
    }

    /** The shadow of one byte; with {@code read}, a byte of the packet as received is recorded as read. */
    private ByteShadow byteAt(Region r, int off, boolean read) {
        Map<Integer, ByteShadow> m = shadows.get(r);
        ByteShadow b = m == null ? null : m.get(off);
        if (b != null) {
            return b;
        }
        return switch (r.kind) {
            case PACKET -> {
                int p = off - dataOffset;
                if (p >= 0 && p < length) {
                    if (read) {
                        reads.set(p);
                    }
                    yield new ByteShadow(Exprs.bytes(p, 1, true), 0);
                }
                yield CONST;
            }
            case MAP_VALUE -> {
                Expr.MapRead entry = entries.get(r);
                yield entry != null ? new ByteShadow(entry.value(off, 1), 0)
                        : new ByteShadow(opaque("a value in map " + mapName.apply(r.mapIndex)), 0);
            }
            case GLOBAL_DATA -> new ByteShadow(opaque("a global variable in " + mapName.apply(r.mapIndex)), 0);
            default -> CONST;
        };
    }

    /** The value of {@code size} bytes at off (zero-extended), or null when it is a constant. */
    private Expr load(Region r, int off, int size, boolean read) {
        Expr.MapRead entry = entries.get(r);
        if (entry != null) {
            Map<Integer, ByteShadow> m = shadows.get(r);
            boolean untouched = true;
            for (int i = 0; i < size && m != null && untouched; i++) {
                untouched = !m.containsKey(off + i);
            }
            if (untouched) {
                return entry.value(off, size);
            }
        }
        ByteShadow[] bs = new ByteShadow[size];
        boolean allConst = true;
        for (int i = 0; i < size; i++) {
            bs[i] = byteAt(r, off + i, read);
            if (bs[i] != CONST) {
                allConst = false;
                if (bs[i].whole.opaque() != null) {
                    return bs[i].whole.opaque();
                }
            }
        }
        if (allConst) {
            return null;
        }
        // the bytes of one stored value, in order: that value (shifted and truncated)
        Expr whole = bs[0].whole;
        int first = bs[0].index;
        boolean same = bs[0] != CONST;
        for (int i = 1; i < size && same; i++) {
            same = bs[i] != CONST && bs[i].whole == whole && bs[i].index == first + i;
        }
        if (same) {
            Expr shifted = first == 0 ? whole : Exprs.bin(RSH, false, whole, Exprs.c(8L * first), 0);
            return Exprs.ext(shifted, 8 * size, false, 64);
        }
        List<Expr> parts = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            parts.add(bs[i] == CONST ? Exprs.c(r.data[off + i] & 0xff) : Exprs.byteOf(bs[i].whole, bs[i].index));
        }
        return Exprs.compose(parts);
    }
}
