package dev.xdperf.analyze.cache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Replays a sequence of trace ids (one per packet, -1 for a packet that has no trace)
 * through trace caches of several sizes and policies.
 */
public final class CacheSimulator {
    private CacheSimulator() {}

    public static List<CacheStats> simulate(int[] sequence, Policy policy, List<Integer> sizes, long seed) {
        List<CacheStats> out = new ArrayList<>();
        for (int size : sizes) {
            out.add(simulate(sequence, policy, size, seed));
        }
        return out;
    }

    /** One cache; {@code size} is ignored for INFINITE. */
    public static CacheStats simulate(int[] sequence, Policy policy, int size, long seed) {
        long packets = sequence.length;
        long lookups = 0;
        long hits = 0;
        long compulsory = 0;
        Set<Integer> seen = new HashSet<>();
        if (policy == Policy.INFINITE) {
            for (int id : sequence) {
                if (id < 0) {
                    continue;
                }
                lookups++;
                if (seen.add(id)) {
                    compulsory++;
                } else {
                    hits++;
                }
            }
            return new CacheStats(policy, 0, packets, lookups, hits, compulsory, 0);
        }
        if (policy == Policy.OPTIMAL) {
            return optimal(sequence, size);
        }
        TraceCache cache = new TraceCache(policy, size, seed);
        for (int id : sequence) {
            if (id < 0) {
                continue;
            }
            lookups++;
            boolean first = seen.add(id);
            if (cache.access(id)) {
                hits++;
            } else if (first) {
                compulsory++;
            }
        }
        return new CacheStats(policy, size, packets, lookups, hits, compulsory, lookups - hits - compulsory);
    }

    /** Belady's MIN: on a miss, evict the entry whose next use lies farthest ahead. */
    private static CacheStats optimal(int[] sequence, int size) {
        int n = sequence.length;
        int[] next = new int[n];
        java.util.Map<Integer, Integer> lastSeen = new java.util.HashMap<>();
        for (int i = n - 1; i >= 0; i--) {
            int id = sequence[i];
            if (id < 0) {
                continue;
            }
            next[i] = lastSeen.getOrDefault(id, Integer.MAX_VALUE);
            lastSeen.put(id, i);
        }
        int[] ids = new int[size];
        int[] nextUse = new int[size];
        int used = 0;
        long lookups = 0;
        long hits = 0;
        long compulsory = 0;
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            int id = sequence[i];
            if (id < 0) {
                continue;
            }
            lookups++;
            boolean first = seen.add(id);
            int s = -1;
            for (int j = 0; j < used; j++) {
                if (ids[j] == id) {
                    s = j;
                    break;
                }
            }
            if (s >= 0) {
                hits++;
                nextUse[s] = next[i];
                continue;
            }
            if (first) {
                compulsory++;
            }
            if (used < size) {
                s = used++;
            } else {
                s = 0;
                for (int j = 1; j < used; j++) {
                    if (nextUse[j] > nextUse[s]) {
                        s = j;
                    }
                }
                if (next[i] >= nextUse[s]) {
                    continue;  // the newcomer is needed last of all: do not cache it (bypass)
                }
            }
            ids[s] = id;
            nextUse[s] = next[i];
        }
        return new CacheStats(Policy.OPTIMAL, size, n, lookups, hits, compulsory, lookups - hits - compulsory);
    }

    /** Share of traceable packets covered by the k most frequent traces, for k = 1..counts.length. */
    public static double[] coverage(long[] countsPerTrace, long packets) {
        long[] c = countsPerTrace.clone();
        Arrays.sort(c);
        double[] out = new double[c.length];
        long acc = 0;
        for (int k = 0; k < c.length; k++) {
            acc += c[c.length - 1 - k];
            out[k] = packets == 0 ? 0 : (double) acc / packets;
        }
        return out;
    }
}
