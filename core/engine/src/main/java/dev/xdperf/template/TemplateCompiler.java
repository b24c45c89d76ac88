package dev.xdperf.template;

import dev.xdperf.abi.AbiException;
import dev.xdperf.abi.ChecksumFiller;
import dev.xdperf.abi.ChecksumRule;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.abi.TemplateValidator;
import dev.xdperf.bpf.BpfMap;
import dev.xdperf.bpf.Structs;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates a template set, fills in its checksums and lays it out as xdp_tx's maps expect
 * (struct xdperf_template, xdperf_slot, tx_lists). Pure: no kernel involved.
 */
public final class TemplateCompiler {
    /**
     * Set to 1 in a sender's environment (`xdperf bench` does): copy the whole template into
     * every frame even when there is only one, because live-frame pages are recycled with their
     * contents and a program under test that rewrites frames in place would otherwise see its
     * own output instead of the template.
     */
    public static final String COPY_ALWAYS_ENV = "XDPERF_TX_COPY_ALWAYS";

    private TemplateCompiler() {}

    /** The set laid out for xdp_tx, random rules keyed by {@code seed} (FieldEngine.ruleKey). */
    public static CompiledSet compile(TemplateSet set, int mtu, long seed) {
        TemplateValidator.validate(set, mtu);
        Schedule schedule;
        try {
            schedule = Schedule.of(set.templates().stream().map(PacketTemplate::weight).toList());
        } catch (IllegalArgumentException e) {
            throw new AbiException("template set: " + e.getMessage());
        }
        List<ByteBuffer> values = new ArrayList<>();
        List<Long> lists = new ArrayList<>();
        List<PacketTemplate> filled = new ArrayList<>();
        PacketTemplate longest = null;
        for (int i = 0; i < set.templates().size(); i++) {
            PacketTemplate t = ChecksumFiller.fill(set.templates().get(i));
            values.add(layout(i, t, schedule.weights()[i], lists, seed));
            filled.add(t);
            if (longest == null || t.length() > longest.length()) {
                longest = t;
            }
        }
        if (lists.size() > Structs.LIST_MAX) {
            throw new AbiException("template set: " + lists.size() + " list values in all, at most " + Structs.LIST_MAX);
        }
        boolean copyAlways = "1".equals(System.getenv(COPY_ALWAYS_ENV));
        int[] range = filled.size() > 1 && !copyAlways ? copyRange(filled) : null;
        if (range != null) {   // the pages start as the longest template: see copyRange
            return new CompiledSet(set, values, schedule, lists.stream().mapToLong(Long::longValue).toArray(),
                    longest.frame(), Structs.COPY_RANGE, range[0], range[1]);
        }
        int copy = filled.size() > 1 || copyAlways ? Structs.COPY_ALL : 0;
        byte[] first = copy != 0 ? new byte[longest.length()] : filled.get(0).frame();
        return new CompiledSet(set, values, schedule, lists.stream().mapToLong(Long::longValue).toArray(), first, copy, 0, 0);
    }

    /**
     * With several templates, the bytes xdp_tx must copy into a frame before it writes the
     * chosen template's fields: {first byte, 8-byte words}, or null when the whole template
     * must be copied. Live-frame pages keep their bytes from frame to frame and start as the
     * longest template, so each byte of a page always holds what some template that reaches it
     * has there (its static byte, or what it wrote per packet). A byte then needs copying only
     * where two templates that reach it could leave different things: some of them write it
     * per packet and others do not, or their static bytes differ. Where every template writes
     * it, or every one has the same byte, it is already right; past the shortest template, that
     * byte must be 0, because bpf_xdp_adjust_tail zeroes what a frame grows by. The range of those bytes,
     * widened to whole words inside the shortest template, is copied; copying more is harmless
     * (a template's own bytes, before its writes). Null when the range ends past the shortest
     * template or is longer than Structs.COPY_WORDS_MAX words.
     */
    static int[] copyRange(List<PacketTemplate> filled) {
        int minLen = Integer.MAX_VALUE;
        int maxLen = 0;
        List<boolean[]> written = new ArrayList<>();
        for (PacketTemplate t : filled) {
            minLen = Math.min(minLen, t.length());
            maxLen = Math.max(maxLen, t.length());
            written.add(writtenPerPacket(t));
        }
        int lo = -1;
        int hi = -1;
        for (int p = 0; p < maxLen; p++) {
            boolean someWrite = false;
            boolean allWrite = true;
            int value = -1;
            boolean differ = false;
            for (int i = 0; i < filled.size(); i++) {
                PacketTemplate t = filled.get(i);
                if (p >= t.length()) {
                    continue;
                }
                if (written.get(i)[p]) {
                    someWrite = true;
                } else {
                    allWrite = false;
                    int b = t.frame()[p] & 0xff;
                    differ |= value >= 0 && value != b;
                    value = b;
                }
            }
            if (p >= minLen && !allWrite && value != 0) {
                return null;   // growing a frame zeroes its new bytes (bpf_xdp_adjust_tail)
            }
            if (!allWrite && (someWrite || differ)) {
                lo = lo < 0 ? p : lo;
                hi = p + 1;
            }
        }
        if (lo < 0) {
            return new int[] {0, 0};
        }
        int words = (hi - lo + 7) / 8;
        int from = Math.min(lo, minLen - 8 * words);
        if (hi > minLen || words > Structs.COPY_WORDS_MAX || from < 0) {
            return null;
        }
        return new int[] {from, words};
    }

    /** The bytes xdp_tx writes into every frame of this filled template: its fields, the header's stamps, the checksums they touch. */
    static boolean[] writtenPerPacket(PacketTemplate t) {
        boolean[] w = new boolean[t.length()];
        int touched = 0;
        for (FieldRule r : t.fields()) {
            java.util.Arrays.fill(w, r.offset(), Math.min(t.length(), r.offset() + r.width()), true);
            touched |= coverage(t, r.offset(), r.width());
        }
        if (t.mhOffset() > 0) {
            int from = t.mhOffset() + MH_STAMP_FROM;
            java.util.Arrays.fill(w, from, Math.min(t.length(), from + MH_STAMP_BYTES), true);
            touched |= coverage(t, t.mhOffset(), Structs.Mh.SIZE);
        }
        for (int c = 0; c < t.checksums().size(); c++) {
            if ((touched & (1 << c)) != 0) {
                int at = t.checksums().get(c).checksumOffset();
                java.util.Arrays.fill(w, at, Math.min(t.length(), at + 2), true);
            }
        }
        return w;
    }

    static ByteBuffer layout(int index, PacketTemplate t, int weight, List<Long> lists, long seed) {
        ByteBuffer b = BpfMap.allocate(Structs.Template.SIZE);
        b.putShort(Structs.Template.LEN, (short) t.length());
        b.putShort(Structs.Template.STREAM_ID, (short) t.streamId());
        b.putShort(Structs.Template.MH_OFFSET, (short) t.mhOffset());
        b.put(Structs.Template.N_FIELDS, (byte) t.fields().size());
        b.putInt(Structs.Template.WEIGHT, weight);
        b.putInt(Structs.Template.FLOWS, (int) t.flows());
        int mhMask = t.mhOffset() > 0 ? coverage(t, t.mhOffset(), 18) : 0;
        for (int c = 0; c < t.checksums().size(); c++) {
            ChecksumRule r = t.checksums().get(c);
            int at = Structs.Template.CSUMS + c * Structs.Csum.SIZE;
            b.putShort(at + Structs.Csum.OFFSET, (short) r.checksumOffset());
            b.put(at + Structs.Csum.KIND, (byte) r.kind().code);
            b.putShort(at + Structs.Csum.BASE, (short) base(t, c, mhMask));
        }
        if (t.mhOffset() > 0) {
            b.put(Structs.Template.MH_CSUM_MASK, (byte) mhMask);
        }
        for (int i = 0; i < t.fields().size(); i++) {
            FieldRule r = t.fields().get(i);
            int at = Structs.Template.FIELDS + i * Structs.Field.SIZE;
            b.putShort(at + Structs.Field.OFFSET, (short) r.offset());
            b.put(at + Structs.Field.WIDTH, (byte) r.width());
            b.put(at + Structs.Field.OP, (byte) r.op().code);
            b.put(at + Structs.Field.SCOPE, (byte) r.scope().code);
            b.put(at + Structs.Field.CSUM_MASK, (byte) coverage(t, r.offset(), r.width()));
            b.putShort(at + Structs.Field.LIST_COUNT, (short) r.values().size());
            b.putInt(at + Structs.Field.LIST_START, lists.size());
            b.putInt(at + Structs.Field.RULE_INDEX, i);
            b.putLong(at + Structs.Field.MIN, r.min());
            b.putLong(at + Structs.Field.RANGE, r.range());
            // a random rule has no step: its place carries the rule's key, from which xdp_tx draws
            b.putLong(at + Structs.Field.STEP, r.op() == FieldRule.Op.RANDOM
                    ? FieldEngine.ruleKey(seed, t.streamId(), index, i, r.scope()) : r.step());
            lists.addAll(r.values());
        }
        b.put(Structs.Template.BYTES, t.frame());
        return b;
    }

    /** The bytes of the measurement header xdp_tx writes per frame: seq, tx_ns, cpu, version. */
    static final int MH_STAMP_FROM = 4;
    static final int MH_STAMP_BYTES = 14;

    /**
     * Checksum c's base (struct xdperf_csum): the one's complement sum of what it covers in the
     * filled template, less the bytes xdp_tx writes into every frame (the fields it covers and
     * the measurement header's stamps). xdp_tx adds the sum of what it wrote and stores the
     * complement, without reading the frame.
     */
    static int base(PacketTemplate t, int c, int mhMask) {
        byte[] f = t.frame();
        int at = t.checksums().get(c).checksumOffset();
        long s = ~(((f[at] & 0xff) << 8) | (f[at + 1] & 0xff)) & 0xffff;   // ~HC: the sum of the covered bytes
        for (FieldRule r : t.fields()) {
            if ((coverage(t, r.offset(), r.width()) & (1 << c)) != 0) {
                s += 0xffff - sum(f, r.offset(), r.width());
            }
        }
        if ((mhMask & (1 << c)) != 0) {
            s += 0xffff - sum(f, t.mhOffset() + MH_STAMP_FROM, MH_STAMP_BYTES);
        }
        return (int) (s % 0xffff);
    }

    /** The one's complement sum of f[off, off + len) where it lies in the frame, modulo 0xffff. */
    static int sum(byte[] f, int off, int len) {
        long s = 0;
        for (int i = off; i < off + len; i++) {
            s += (f[i] & 0xffL) << ((i & 1) == 0 ? 8 : 0);
        }
        return (int) (s % 0xffff);
    }

    /**
     * The end of the last byte xdp_tx writes into a frame of this laid-out template (fields,
     * measurement header, checksums): with one template, xdp_tx checks the frame against it once.
     */
    public static int writeEnd(ByteBuffer laidOut) {
        ByteBuffer template = laidOut.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int end = Structs.MIN_FRAME;
        int n = template.get(Structs.Template.N_FIELDS) & 0xff;
        for (int i = 0; i < n; i++) {
            int at = Structs.Template.FIELDS + i * Structs.Field.SIZE;
            end = Math.max(end, (template.getShort(at + Structs.Field.OFFSET) & 0xffff) + (template.get(at + Structs.Field.WIDTH) & 0xff));
        }
        int mh = template.getShort(Structs.Template.MH_OFFSET) & 0xffff;
        if (mh > 0) {
            end = Math.max(end, mh + MH_STAMP_FROM + MH_STAMP_BYTES);
        }
        for (int c = 0; c < Structs.MAX_CSUMS; c++) {
            int at = Structs.Template.CSUMS + c * Structs.Csum.SIZE;
            if (template.get(at + Structs.Csum.KIND) != 0) {
                end = Math.max(end, (template.getShort(at + Structs.Csum.OFFSET) & 0xffff) + 2);
            }
        }
        return end;
    }

    /**
     * True when several laid-out templates have no field rules and share one layout: the
     * measurement header at one place and over the same checksums, and the same checksums at
     * the same places. xdp_tx then takes the first template's layout as constants
     * (plan.uniform) and reads only the bytes, the stream and the checksum bases per template.
     */
    public static boolean uniformLayout(List<ByteBuffer> laidOut) {
        if (laidOut.size() < 2) {
            return false;
        }
        ByteBuffer first = laidOut.get(0).duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (ByteBuffer b : laidOut) {
            ByteBuffer t = b.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (t.get(Structs.Template.N_FIELDS) != 0
                    || t.getShort(Structs.Template.MH_OFFSET) != first.getShort(Structs.Template.MH_OFFSET)
                    || t.get(Structs.Template.MH_CSUM_MASK) != first.get(Structs.Template.MH_CSUM_MASK)) {
                return false;
            }
            for (int c = 0; c < Structs.MAX_CSUMS; c++) {
                int at = Structs.Template.CSUMS + c * Structs.Csum.SIZE;
                if (t.getShort(at + Structs.Csum.OFFSET) != first.getShort(at + Structs.Csum.OFFSET)
                        || t.get(at + Structs.Csum.KIND) != first.get(at + Structs.Csum.KIND)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Bit c set when checksum rule c covers any byte of [off, off + width). */
    static int coverage(PacketTemplate t, int off, int width) {
        int mask = 0;
        byte[] f = t.frame();
        for (int c = 0; c < t.checksums().size(); c++) {
            ChecksumRule r = t.checksums().get(c);
            boolean covered;
            if (r.kind() == ChecksumRule.Kind.IPV4_HEADER) {
                int ihl = (f[r.l3Offset()] & 0x0f) * 4;
                covered = overlaps(off, width, r.l3Offset(), r.l3Offset() + ihl);
            } else {
                covered = overlaps(off, width, r.l4Offset(), f.length);
                if (r.kind().pseudoHeader()) {
                    boolean v6 = (f[r.l3Offset()] & 0xf0) == 0x60;
                    int from = r.l3Offset() + (v6 ? 8 : 12);
                    int to = r.l3Offset() + (v6 ? 40 : 20);
                    covered |= overlaps(off, width, from, to);
                }
            }
            if (covered) {
                mask |= 1 << c;
            }
        }
        return mask;
    }

    private static boolean overlaps(int off, int width, int from, int to) {
        return off < to && from < off + width;
    }
}
