package dev.xdperf.analyze.maps;

import dev.xdperf.analyze.object.MapSpec;
import dev.xdperf.analyze.object.MapType;
import dev.xdperf.analyze.vm.Memory;
import dev.xdperf.analyze.vm.Region;
import java.util.Map;

/**
 * A map's contents inside the interpreter. Values live in {@link Memory} regions, so a
 * program reaches them through the pointers lookups return, with bounds checks. The
 * program-side operations return what the kernel's helpers return (an address or 0, 0 or a
 * negative errno); the user-side ones are for setting maps up and reading them back.
 */
public abstract class MapState {
    public static final int ENOENT = 2;
    public static final int E2BIG = 7;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int EPERM = 1;
    public static final long BPF_ANY = 0;
    public static final long BPF_NOEXIST = 1;
    public static final long BPF_EXIST = 2;

    protected final MapSpec spec;
    protected final int index;
    protected final Memory memory;
    protected final int cpus;

    protected MapState(MapSpec spec, int index, Memory memory, int cpus) {
        this.spec = spec;
        this.index = index;
        this.memory = memory;
        this.cpus = cpus;
    }

    /** Creates the state for a map; types the interpreter does not implement get a state whose every use fails. */
    public static MapState create(MapSpec spec, int index, Memory memory, int cpus) {
        return switch (spec.type()) {
            case ARRAY, PERCPU_ARRAY -> new ArrayMap(spec, index, memory, cpus);
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, DEVMAP_HASH -> new HashMapState(spec, index, memory, cpus);
            case DEVMAP, CPUMAP, XSKMAP -> new DevMap(spec, index, memory, cpus);
            case PROG_ARRAY -> new ProgArray(spec, index, memory, cpus);
            default -> new UnsupportedMap(spec, index, memory, cpus);
        };
    }

    public MapSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public MapType type() {
        return spec.type();
    }

    /** The address of the value for {@code key} as CPU {@code cpu} sees it, or 0. */
    public abstract long lookup(byte[] key, int cpu);

    /** bpf_map_update_elem from a program running on {@code cpu}: 0 or a negative errno. */
    public abstract int update(byte[] key, byte[] value, long flags, int cpu);

    /** bpf_map_delete_elem from a program: 0 or a negative errno. */
    public abstract int delete(byte[] key);

    /** User-space write: for per-CPU maps the same value on every CPU. */
    public abstract void put(byte[] key, byte[] value);

    /** User-space removal of a slot of a device, CPU or socket map (other maps use {@link #delete}). */
    public void clearSlot(byte[] key) {
        throw new IllegalArgumentException("map " + name() + " (" + type().label() + ") has no slots to clear");
    }

    /** User-space read of every entry, as CPU {@code cpu} sees it (CPU 0 for maps that are not per CPU). */
    public abstract Map<MapKey, byte[]> entries(int cpu);

    /**
     * The entries as CPU {@code cpu} sees them, for a snapshot: arrays may leave out elements never
     * used (they read as zeros); other maps return {@link #entries}.
     */
    public Map<MapKey, byte[]> snapshot(int cpu) {
        return entries(cpu);
    }

    /** Frees memory of elements that were deleted or replaced during the last run. */
    public void reclaim() {
    }

    protected Region.Kind valueKind() {
        if (spec.globalData()) {
            return spec.readOnly() ? Region.Kind.READ_ONLY_DATA : Region.Kind.GLOBAL_DATA;
        }
        return Region.Kind.MAP_VALUE;
    }

    protected void checkKey(byte[] key) {
        if (key.length != spec.keySize()) {
            throw new IllegalArgumentException("map " + name() + ": key of " + key.length + " bytes, the map's keys are "
                    + spec.keySize());
        }
    }

    protected byte[] fit(byte[] value) {
        if (value.length > spec.valueSize()) {
            throw new IllegalArgumentException("map " + name() + ": value of " + value.length + " bytes, the map's values are "
                    + spec.valueSize());
        }
        return java.util.Arrays.copyOf(value, spec.valueSize());
    }
}
