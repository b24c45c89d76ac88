package dev.xdperf.analyze.adversary;

import dev.xdperf.analyze.cache.CacheSimulator;
import dev.xdperf.analyze.cache.CacheStats;
import dev.xdperf.analyze.cache.Policy;
import dev.xdperf.analyze.cache.TraceCache;
import java.util.ArrayList;
import java.util.List;

/**
 * Orders witness packets (one per trace) so that a trace cache of a given size and online
 * policy misses on every packet: at each step it sends a trace the cache does not hold,
 * the one used longest ago. It needs more traces than the cache has entries; for LRU, FIFO
 * and LFU that is a round robin over size + 1 traces.
 */
public final class Adversary {
    private Adversary() {}

    /** A packet order and what the simulated cache made of it. */
    public record Order(List<Integer> traces, CacheStats check) {
        public Order {
            traces = List.copyOf(traces);
        }
    }

    /**
     * @param traceIds the traces that have a witness packet, to choose from
     * @param count how many packets the order has
     */
    public static Order thrash(List<Integer> traceIds, Policy policy, int cacheSize, int count, long seed) {
        if (!policy.online()) {
            throw new IllegalArgumentException("no packet order makes the " + policy.label() + " cache miss every time:"
                    + " it " + (policy == Policy.OPTIMAL ? "looks ahead" : "never evicts") + " (choose lru, lfu, fifo or random)");
        }
        if (traceIds.size() <= cacheSize) {
            throw new IllegalArgumentException("cannot make a " + cacheSize + "-entry cache miss on every packet with "
                    + traceIds.size() + " trace" + (traceIds.size() == 1 ? "" : "s") + ": it needs at least " + (cacheSize + 1)
                    + " (more traffic, or --mutate to find more traces)");
        }
        TraceCache cache = new TraceCache(policy, cacheSize, seed);
        long[] last = new long[traceIds.size()];
        List<Integer> out = new ArrayList<>(count);
        for (int step = 1; step <= count; step++) {
            int pick = -1;
            for (int i = 0; i < traceIds.size(); i++) {
                if (!cache.contains(traceIds.get(i)) && (pick < 0 || last[i] < last[pick])) {
                    pick = i;
                }
            }
            last[pick] = step;
            cache.access(traceIds.get(pick));
            out.add(traceIds.get(pick));
        }
        int[] seq = out.stream().mapToInt(Integer::intValue).toArray();
        return new Order(out, CacheSimulator.simulate(seq, policy, cacheSize, seed));
    }
}
