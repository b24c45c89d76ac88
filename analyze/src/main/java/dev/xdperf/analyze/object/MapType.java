package dev.xdperf.analyze.object;

/** BPF map types by their kernel number (enum bpf_map_type); the interpreter implements some. */
public enum MapType {
    UNSPEC(0), HASH(1), ARRAY(2), PROG_ARRAY(3), PERF_EVENT_ARRAY(4), PERCPU_HASH(5), PERCPU_ARRAY(6),
    STACK_TRACE(7), CGROUP_ARRAY(8), LRU_HASH(9), LRU_PERCPU_HASH(10), LPM_TRIE(11), ARRAY_OF_MAPS(12),
    HASH_OF_MAPS(13), DEVMAP(14), SOCKMAP(15), CPUMAP(16), XSKMAP(17), SOCKHASH(18), CGROUP_STORAGE(19),
    REUSEPORT_SOCKARRAY(20), PERCPU_CGROUP_STORAGE(21), QUEUE(22), STACK(23), SK_STORAGE(24), DEVMAP_HASH(25),
    STRUCT_OPS(26), RINGBUF(27), INODE_STORAGE(28), TASK_STORAGE(29), BLOOM_FILTER(30), USER_RINGBUF(31),
    CGRP_STORAGE(32), ARENA(33), UNKNOWN(-1);

    private final int id;

    MapType(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public static MapType of(int id) {
        for (MapType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return UNKNOWN;
    }

    /** Whether the interpreter implements this map type. */
    public boolean supported() {
        return switch (this) {
            case HASH, ARRAY, PERCPU_ARRAY, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP, PROG_ARRAY -> true;
            default -> false;
        };
    }

    public boolean perCpu() {
        return this == PERCPU_ARRAY || this == PERCPU_HASH || this == LRU_PERCPU_HASH;
    }

    public String label() {
        return this == UNKNOWN ? "unknown" : name().toLowerCase(java.util.Locale.ROOT);
    }
}
