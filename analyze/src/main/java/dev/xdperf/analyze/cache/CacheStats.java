package dev.xdperf.analyze.cache;

/**
 * One simulated cache over one packet sequence. Untraceable packets bypass the cache: they
 * count in {@code packets} but are neither hits nor misses.
 *
 * @param size entries (0 for an infinite cache)
 * @param compulsory misses on the first packet of a trace (no cache avoids them)
 * @param capacity the other misses: the trace was cached once and had been evicted
 * @param invalidated cached traces dropped because a map entry they read changed (--map-updates)
 * @param retraces misses on a trace that had been dropped that way (its trace is built again)
 */
public record CacheStats(Policy policy, int size, long packets, long lookups, long hits, long compulsory, long capacity,
                         long invalidated, long retraces) {
    public CacheStats(Policy policy, int size, long packets, long lookups, long hits, long compulsory, long capacity) {
        this(policy, size, packets, lookups, hits, compulsory, capacity, 0, 0);
    }

    public long misses() {
        return compulsory + capacity + retraces;
    }

    public long bypassed() {
        return packets - lookups;
    }

    /** Hits over all packets (untraceable packets are never hits). */
    public double hitRate() {
        return packets == 0 ? 0 : (double) hits / packets;
    }

    /** Hits over the packets that could be cached. */
    public double hitRateOfTraceable() {
        return lookups == 0 ? 0 : (double) hits / lookups;
    }
}
