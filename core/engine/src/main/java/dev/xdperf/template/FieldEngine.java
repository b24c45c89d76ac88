package dev.xdperf.template;

import dev.xdperf.abi.ChecksumFiller;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import java.util.Arrays;
import java.util.List;

/**
 * The reference implementation of xdp_tx's field engine: for the same template set and
 * packet index and the same seed it yields the same bytes (docs/abi.md, "What xdp_tx does"),
 * random fields included: both draw them from SplitMix64 keyed by the run's seed (see
 * {@link #ruleKey}). The measurement header's stamped fields are left as in the template.
 */
public final class FieldEngine {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final List<PacketTemplate> templates;
    private final Schedule schedule;
    private final long seed;
    private final int[][] streamPositions;

    /** The engine of a run with this seed (RunSpec.seed, the report's "seed"). */
    public FieldEngine(TemplateSet set, long seed) {
        this.templates = set.templates().stream().map(ChecksumFiller::fill).toList();
        this.schedule = Schedule.of(set.templates().stream().map(PacketTemplate::weight).toList());
        this.seed = seed;
        this.streamPositions = schedule.streamPositions(templates.stream().mapToInt(PacketTemplate::streamId).toArray());
    }

    /** The number of packet {@code j} of template {@code index} within its stream (per-stream rules count it). */
    public long streamIndex(int index, long j) {
        long k = schedule.globalIndex(index, j);
        if (schedule.length() == 1) {
            return k;
        }
        int pos = (int) Long.remainderUnsigned(k, schedule.length());
        return Long.divideUnsigned(k, schedule.length()) * streamPositions[1][pos] + streamPositions[0][pos];
    }

    public long seed() {
        return seed;
    }

    /**
     * The key of random rule {@code rule} of template {@code template}: a SplitMix64 hash of the
     * seed and the rule's place. A per-packet rule's key also takes the template's stream id, so
     * that the shards of a distributed run (which differ in stream ids) draw different values; a
     * per-flow rule's does not, so that a flow is the same flow whichever shard sends it. xdp_tx
     * gets the key in the rule's {@code step} (TemplateCompiler) and draws value x (the packet or
     * flow number) as {@code min + splitmix64(key + x * GOLDEN) mod range}, exactly as
     * {@link #value} does here.
     */
    public static long ruleKey(long seed, int streamId, int template, int rule, FieldRule.Scope scope) {
        long place = ((long) template << 8) | rule;
        place |= scope == FieldRule.Scope.FLOW ? 1L << 63 : (long) (streamId & 0xffff) << 32;
        return splitmix64(seed ^ splitmix64(place + GOLDEN));
    }

    /** The key of rule {@code rule} of template {@code template} in this engine's run. */
    public long key(int template, int rule) {
        PacketTemplate t = templates.get(template);
        return ruleKey(seed, t.streamId(), template, rule, t.fields().get(rule).scope());
    }

    public Schedule schedule() {
        return schedule;
    }

    public PacketTemplate template(int index) {
        return templates.get(index);
    }

    /** The template index packet {@code k} uses. */
    public int templateOf(long k) {
        return (int) schedule.locate(k)[0];
    }

    /** The frame of packet {@code k}, checksums recomputed. */
    public byte[] frame(long k) {
        long[] tj = schedule.locate(k);
        return frame((int) tj[0], tj[1]);
    }

    /** The frame of packet {@code j} of template {@code index}. */
    public byte[] frame(int index, long j) {
        PacketTemplate t = templates.get(index);
        long f = t.flows() > 1 ? Long.remainderUnsigned(j, t.flows()) : 0;
        long sj = t.fields().stream().anyMatch(r -> r.scope() == FieldRule.Scope.STREAM) ? streamIndex(index, j) : j;
        byte[] out = t.frame();
        for (int i = 0; i < t.fields().size(); i++) {
            FieldRule r = t.fields().get(i);
            write(out, r.offset(), r.width(), value(r, r.op() == FieldRule.Op.RANDOM ? key(index, i) : 0, j, f, sj));
        }
        return ChecksumFiller.fill(t, out);
    }

    /**
     * The value rule {@code r} writes for template-local packet {@code j} in flow {@code f};
     * {@code key} is the rule's {@link #ruleKey} when it is a random rule (ignored otherwise).
     */
    public static long value(FieldRule r, long key, long j, long f) {
        return value(r, key, j, f, j);
    }

    /** As above, with {@code sj} the packet's number within its stream (for per-stream rules). */
    public static long value(FieldRule r, long key, long j, long f, long sj) {
        long x = switch (r.scope()) {
            case PACKET -> j;
            case FLOW -> f;
            case STREAM -> sj;
        };
        long range = r.range();
        return switch (r.op()) {
            case INCREMENT -> r.min() + mod(x * r.step(), range);
            case DECREMENT -> r.min() + range - 1 - mod(x * r.step(), range);
            case LIST -> r.values().get((int) Long.remainderUnsigned(x, r.values().size()));
            case RANDOM -> r.min() + mod(splitmix64(key + x * GOLDEN), range);
        };
    }

    static long mod(long v, long range) {
        return range == 0 ? v : Long.remainderUnsigned(v, range);
    }

    public static long splitmix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static void write(byte[] f, int off, int width, long v) {
        for (int b = 0; b < width; b++) {
            f[off + b] = (byte) (v >>> (8 * (width - 1 - b)));
        }
    }

    static long read(byte[] f, int off, int width) {
        long v = 0;
        for (int b = 0; b < width; b++) {
            v = (v << 8) | (f[off + b] & 0xff);
        }
        return v;
    }

    /**
     * Checks a frame that was sent as packet {@code k}: equal to the oracle's frame except for
     * the measurement header's stamped fields; checksums must verify. Returns null when it
     * matches, else what differs.
     */
    public String mismatch(long k, byte[] sent) {
        long[] tj = schedule.locate(k);
        return mismatch((int) tj[0], tj[1], sent);
    }

    /** As {@link #mismatch(long, byte[])}, for packet {@code j} of template {@code index}. */
    public String mismatch(int index, long j, byte[] sent) {
        PacketTemplate t = templates.get(index);
        byte[] want = frame(index, j);
        String k = "template " + index + " packet " + j;
        if (sent.length != want.length) {
            return k + ": " + sent.length + " bytes, expected " + want.length;
        }
        byte[] adjusted = want.clone();
        if (t.mhOffset() > 0) {
            System.arraycopy(sent, t.mhOffset() + 4, adjusted, t.mhOffset() + 4, 14);
        }
        adjusted = ChecksumFiller.fill(t, adjusted);
        if (!Arrays.equals(adjusted, sent)) {
            for (int i = 0; i < sent.length; i++) {
                if (adjusted[i] != sent[i]) {
                    return String.format("%s: byte %d is %02x, expected %02x", k, i, sent[i] & 0xff, adjusted[i] & 0xff);
                }
            }
        }
        return null;
    }
}
