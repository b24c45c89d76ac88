package dev.xdperf.analyze.cache;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fully associative cache of trace ids with an online replacement policy, stepped one
 * access at a time (the adversary generator drives it to choose misses). Eviction scans the
 * entries: caches here hold tens of traces, not millions.
 */
public final class TraceCache {
    private final Policy policy;
    private final int capacity;
    private final int[] ids;
    private final long[] lastUse;
    private final long[] inserted;
    private final long[] uses;
    private final SplittableRandom random;
    private int n;
    private long clock;

    public TraceCache(Policy policy, int capacity, long seed) {
        if (!policy.online()) {
            throw new IllegalArgumentException(policy.label() + " is not an online policy");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("a cache needs at least one entry");
        }
        this.policy = policy;
        this.capacity = capacity;
        this.ids = new int[capacity];
        this.lastUse = new long[capacity];
        this.inserted = new long[capacity];
        this.uses = new long[capacity];
        this.random = new SplittableRandom(seed);
    }

    public boolean contains(int id) {
        return slot(id) >= 0;
    }

    private int slot(int id) {
        for (int i = 0; i < n; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    /** Drops a trace (its map entries changed); returns whether it was cached. */
    public boolean remove(int id) {
        int s = slot(id);
        if (s < 0) {
            return false;
        }
        n--;
        ids[s] = ids[n];
        lastUse[s] = lastUse[n];
        inserted[s] = inserted[n];
        uses[s] = uses[n];
        return true;
    }

    /** Looks a trace up and inserts it on a miss; returns whether it hit. */
    public boolean access(int id) {
        clock++;
        int s = slot(id);
        if (s >= 0) {
            lastUse[s] = clock;
            uses[s]++;
            return true;
        }
        if (n < capacity) {
            s = n++;
        } else {
            s = victim();
        }
        ids[s] = id;
        lastUse[s] = clock;
        inserted[s] = clock;
        uses[s] = 1;
        return false;
    }

    private int victim() {
        if (policy == Policy.RANDOM) {
            return random.nextInt(n);
        }
        int best = 0;
        for (int i = 1; i < n; i++) {
            boolean better = switch (policy) {
                case LRU -> lastUse[i] < lastUse[best];
                case FIFO -> inserted[i] < inserted[best];
                case LFU -> uses[i] < uses[best] || (uses[i] == uses[best] && lastUse[i] < lastUse[best]);
                default -> false;
            };
            if (better) {
                best = i;
            }
        }
        return best;
    }

    /** The cached ids, in no particular order. */
    public int[] contents() {
        return Arrays.copyOf(ids, n);
    }
}
