package dev.xdperf.template;

import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives a shard its slice of a template set's flow space. A template's flows are numbered
 * 0..F−1 (docs/abi.md: flow f = j mod flows) and its per-flow field rules say what each flow
 * looks like. Shard i of N keeps flows [⌊F·i/N⌋, ⌊F·(i+1)/N⌋) of every template: the template
 * gets that many flows, and every per-flow rule is rewritten so that its flow f′ is the
 * original flow ⌊F·i/N⌋ + f′, byte for byte. Per-packet rules are left alone.
 *
 * <p>Increments and decrements stay rules with a shifted bound when the slice does not wrap
 * around their range; lists are rotated; everything else (per-flow random values, a wrapping
 * slice) becomes a list of the slice's values, which the ABI allows up to 256 long. A per-flow
 * random rule whose slice is longer stays as it is (the shard's flows draw values of their
 * own, with a warning) as long as another per-flow rule keeps the slices apart.
 */
public final class FlowSlicer {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private FlowSlicer() {}

    /** Template {@code template} of the full set has {@code flows} flows; this shard sends [from, to). */
    public record Slice(int template, long flows, long from, long to) {}

    public record Result(TemplateSet set, List<Slice> slices, List<String> warnings) {
        public Result {
            slices = List.copyOf(slices);
            warnings = List.copyOf(warnings);
        }
    }

    /** As above, for a run with this seed (per-flow random values are keyed by it: FieldEngine.ruleKey). */
    public static Result slice(TemplateSet set, Shard shard, long seed) {
        List<PacketTemplate> out = new ArrayList<>();
        List<Slice> slices = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (int t = 0; t < set.templates().size(); t++) {
            PacketTemplate p = set.templates().get(t);
            long flows = p.flows();
            if (shard.count() == 1 || flows < shard.count()) {
                if (shard.count() > 1) {
                    warnings.add("template " + t + " has " + flows + " flow" + (flows == 1 ? "" : "s") + ", fewer than the "
                            + shard.count() + " shards: every shard sends " + (flows == 1 ? "it" : "all of them")
                            + " (the shards' packets differ only in their stream id)");
                }
                out.add(p);
                slices.add(new Slice(t, flows, 0, flows));
                continue;
            }
            long from = shard.from(flows);
            long n = shard.share(flows);
            List<FieldRule> rules = new ArrayList<>();
            List<Integer> kept = new ArrayList<>();
            boolean exact = false;
            for (int i = 0; i < p.fields().size(); i++) {
                FieldRule r = p.fields().get(i);
                if (r.scope() == FieldRule.Scope.FLOW && r.op() == FieldRule.Op.RANDOM && n > FieldRule.MAX_LIST) {
                    // Too many values to list: the shard's flows draw their own per-flow random values.
                    rules.add(r);
                    kept.add(i);
                    continue;
                }
                FieldRule sliced = sliceRule(r, FieldEngine.ruleKey(seed, p.streamId(), t, i, r.scope()), i, from, n, t, shard);
                exact |= r.scope() == FieldRule.Scope.FLOW;
                rules.add(sliced);
            }
            if (!kept.isEmpty()) {
                if (!exact) {
                    throw new IllegalArgumentException("give shard " + shard + " its flows of template " + t + ": its flows differ"
                            + " only in per-flow random values, and " + n + " of them do not fit a list of at most " + FieldRule.MAX_LIST
                            + " (use fewer flows or more shards)");
                }
                warnings.add("template " + t + ": per-flow random rule" + (kept.size() == 1 ? " " : "s ") + kept
                        + " draw their own values in this shard (" + n + " flows are too many to list the single run's);"
                        + " the flows stay disjoint through the template's other per-flow fields");
            }
            out.add(new PacketTemplate(p.frame(), p.streamId(), p.weight(), n, p.mhOffset(), rules, p.checksums()));
            slices.add(new Slice(t, flows, from, from + n));
        }
        return new Result(new TemplateSet(set.abi(), out), slices, warnings);
    }

    /** Rule {@code i} rewritten so that its flow f′ (0 ≤ f′ < n) writes what flow from + f′ wrote. */
    static FieldRule sliceRule(FieldRule r, long key, int i, long from, long n, int template, Shard shard) {
        if (r.scope() != FieldRule.Scope.FLOW) {
            return r;
        }
        long first = FieldEngine.value(r, key, 0, from);
        switch (r.op()) {
            case LIST -> {
                List<Long> v = r.values();
                int k = (int) Long.remainderUnsigned(from, v.size());
                List<Long> rotated = new ArrayList<>(v.subList(k, v.size()));
                rotated.addAll(v.subList(0, k));
                return new FieldRule(r.offset(), r.width(), r.op(), r.scope(), r.min(), r.max(), r.step(), rotated);
            }
            case INCREMENT -> {
                // Values first, first + step, ... stay below max and never wrapped in the original either.
                if (noWrap(from, n, r.step(), unsigned(r.max()).subtract(unsigned(first)))) {
                    return FieldRule.increment(r.offset(), r.width(), r.scope(), first, r.max(), r.step());
                }
            }
            case DECREMENT -> {
                if (noWrap(from, n, r.step(), unsigned(first).subtract(unsigned(r.min())))) {
                    return FieldRule.decrement(r.offset(), r.width(), r.scope(), r.min(), first, r.step());
                }
            }
            case RANDOM -> {
                // per-flow random values are a function of the flow number: listed below
            }
        }
        if (n > FieldRule.MAX_LIST) {
            throw new IllegalArgumentException("give shard " + shard + " its flows of template " + template + ": its per-flow "
                    + r.op().name().toLowerCase(java.util.Locale.ROOT) + " rule " + i + " would need a list of " + n
                    + " values, and a list holds at most " + FieldRule.MAX_LIST
                    + " (use fewer flows, more shards, or a rule whose slices do not wrap around its range)");
        }
        List<Long> values = new ArrayList<>();
        for (long f = 0; f < n; f++) {
            values.add(FieldEngine.value(r, key, 0, from + f));
        }
        return FieldRule.list(r.offset(), r.width(), r.scope(), values);
    }

    /** (n−1)·step fits in {@code room}, and (from+n−1)·step does not wrap 2⁶⁴ (the engine multiplies mod 2⁶⁴). */
    private static boolean noWrap(long from, long n, long step, BigInteger room) {
        BigInteger s = unsigned(step);
        BigInteger span = BigInteger.valueOf(n - 1).multiply(s);
        BigInteger last = unsigned(from).add(BigInteger.valueOf(n - 1)).multiply(s);
        return span.compareTo(room) <= 0 && last.compareTo(TWO_64) < 0;
    }

    private static BigInteger unsigned(long v) {
        BigInteger b = BigInteger.valueOf(v);
        return v < 0 ? b.add(TWO_64) : b;
    }
}
