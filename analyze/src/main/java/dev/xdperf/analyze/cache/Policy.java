package dev.xdperf.analyze.cache;

import java.util.Locale;

/** Replacement policies of the trace-cache simulator; OPTIMAL (Belady) and INFINITE are bounds. */
public enum Policy {
    LRU, LFU, FIFO, RANDOM, OPTIMAL, INFINITE;

    public String label() {
        return switch (this) {
            case OPTIMAL -> "optimal";
            case INFINITE -> "infinite";
            case RANDOM -> "random";
            default -> name();
        };
    }

    /** Parses "lru", "LFU", "belady", "opt", "random"...; throws with the accepted names. */
    public static Policy parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "lru" -> LRU;
            case "lfu" -> LFU;
            case "fifo" -> FIFO;
            case "random", "rand" -> RANDOM;
            case "optimal", "opt", "belady", "min" -> OPTIMAL;
            case "infinite", "inf" -> INFINITE;
            default -> throw new IllegalArgumentException("'" + s + "' is not a cache policy (lru, lfu, fifo, random, optimal, infinite)");
        };
    }

    /** Whether a cache of this policy decides from the past only (an adversary can predict it). */
    public boolean online() {
        return this != OPTIMAL && this != INFINITE;
    }
}
