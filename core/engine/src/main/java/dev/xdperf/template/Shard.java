package dev.xdperf.template;

/**
 * Shard {@code index} of {@code count}: which part of a run one agent sends. Totals (rate,
 * packet count) and flow ranges are split by the same rule: shard i gets
 * [⌊T·i/N⌋, ⌊T·(i+1)/N⌋), so the parts differ by at most one, are disjoint, and add up to
 * exactly the total.
 */
public record Shard(int index, int count) {
    /** More shards than the receiver has stream ids would make shards indistinguishable there. */
    public static final int MAX_COUNT = 4096;

    public Shard {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("shard count " + count + " is outside 1.." + MAX_COUNT);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("shard index " + index + " is outside 0.." + (count - 1)
                    + " (indices start at 0, as JOB_COMPLETION_INDEX does)");
        }
    }

    /** ⌊total·k/N⌋ without overflow for any non-negative long total. */
    static long boundary(long total, int k, int n) {
        return (total / n) * k + (total % n) * k / n;
    }

    /** This shard's part of {@code total}: the parts of all shards add up to {@code total} exactly. */
    public long share(long total) {
        if (total < 0) {
            throw new IllegalArgumentException("cannot split a negative total " + total);
        }
        return boundary(total, index + 1, count) - boundary(total, index, count);
    }

    /** The first of this shard's {@code total} items (flows): the slice is [from, from + share(total)). */
    public long from(long total) {
        return boundary(total, index, count);
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
