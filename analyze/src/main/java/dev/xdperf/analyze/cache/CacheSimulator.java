package dev.xdperf.analyze.cache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replays a sequence of trace ids (one per packet, -1 for a packet that has no trace)
 * through trace caches of several sizes and policies.
 */
public final class CacheSimulator {
    private CacheSimulator() {}

    public static List<CacheStats> simulate(int[] sequence, Policy policy, List<Integer> sizes, long seed) {
        return simulate(sequence, policy, sizes, seed, Map.of());
    }

    /** As {@link #simulate(int[], Policy, List, long)}, dropping traces from the cache before the packets {@code invalidations} names. */
    public static List<CacheStats> simulate(int[] sequence, Policy policy, List<Integer> sizes, long seed,
                                            Map<Integer, int[]> invalidations) {
        List<CacheStats> out = new ArrayList<>();
        for (int size : sizes) {
            out.add(simulate(sequence, policy, size, seed, invalidations));
        }
        return out;
    }

    /** One cache; {@code size} is ignored for INFINITE. */
    public static CacheStats simulate(int[] sequence, Policy policy, int size, long seed) {
        return simulate(sequence, policy, size, seed, Map.of());
    }

    /**
     * One cache, where before packet i the traces {@code invalidations.get(i)} are dropped (a map
     * entry they read changed): their next packet misses and builds the trace again (a re-trace).
     */
    public static CacheStats simulate(int[] sequence, Policy policy, int size, long seed, Map<Integer, int[]> invalidations) {
        if (policy != Policy.OPTIMAL) {
            return online(sequence, policy, size, seed, invalidations);
        }
        return optimal(sequence, size, invalidations);
    }

    private static CacheStats online(int[] sequence, Policy policy, int size, long seed, Map<Integer, int[]> invalidations) {
        long packets = sequence.length;
        long lookups = 0;
        long hits = 0;
        long compulsory = 0;
        long invalidated = 0;
        long retraces = 0;
        Set<Integer> seen = new HashSet<>();
        Set<Integer> dropped = new HashSet<>();
        TraceCache cache = policy == Policy.INFINITE ? null : new TraceCache(policy, size, seed);
        for (int i = 0; i < sequence.length; i++) {
            int[] drop = invalidations.get(i);
            if (drop != null) {
                for (int d : drop) {
                    boolean was = cache == null ? seen.contains(d) && !dropped.contains(d) : cache.remove(d);
                    if (was) {
                        invalidated++;
                        dropped.add(d);
                    }
                }
            }
            int id = sequence[i];
            if (id < 0) {
                continue;
            }
            lookups++;
            boolean first = seen.add(id);
            boolean hit = cache == null ? !first && !dropped.contains(id) : cache.access(id);
            if (hit) {
                hits++;
            } else if (first) {
                compulsory++;
            } else if (dropped.contains(id)) {
                retraces++;
            }
            dropped.remove(id);
        }
        long capacity = lookups - hits - compulsory - retraces;
        return new CacheStats(policy, policy == Policy.INFINITE ? 0 : size, packets, lookups, hits, compulsory, capacity,
                invalidated, retraces);
    }

    /**
     * Belady's MIN: on a miss, evict the entry whose next use lies farthest ahead. Invalidated
     * entries are dropped when their map entry changes, as in the online caches.
     */
    private static CacheStats optimal(int[] sequence, int size, Map<Integer, int[]> invalidations) {
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
        long invalidated = 0;
        long retraces = 0;
        Set<Integer> seen = new HashSet<>();
        Set<Integer> dropped = new HashSet<>();
        for (int i = 0; i < n; i++) {
            int[] drop = invalidations.get(i);
            if (drop != null) {
                for (int d : drop) {
                    for (int j = 0; j < used; j++) {
                        if (ids[j] == d) {
                            used--;
                            ids[j] = ids[used];
                            nextUse[j] = nextUse[used];
                            invalidated++;
                            dropped.add(d);
                            break;
                        }
                    }
                }
            }
            int id = sequence[i];
            if (id < 0) {
                continue;
            }
            lookups++;
            boolean first = seen.add(id);
            boolean wasDropped = dropped.remove(id);
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
            } else if (wasDropped) {
                retraces++;
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
        return new CacheStats(Policy.OPTIMAL, size, n, lookups, hits, compulsory, lookups - hits - compulsory - retraces,
                invalidated, retraces);
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
