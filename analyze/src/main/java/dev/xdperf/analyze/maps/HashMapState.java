package dev.xdperf.analyze.maps;

import dev.xdperf.analyze.object.MapSpec;
import dev.xdperf.analyze.object.MapType;
import dev.xdperf.analyze.vm.Memory;
import dev.xdperf.analyze.vm.Region;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and DEVMAP_HASH. An update replaces the
 * element with a new one (as the kernel does), so a pointer from an earlier lookup keeps
 * seeing the old value until the run ends. LRU maps evict the least recently used element
 * exactly; the kernel's LRU is approximate (per-CPU lists), so which element goes may differ.
 */
final class HashMapState extends MapState {
    private final LinkedHashMap<MapKey, Region[]> elements;
    private final boolean lru;
    private final List<Region> retired = new ArrayList<>();

    HashMapState(MapSpec spec, int index, Memory memory, int cpus) {
        super(spec, index, memory, cpus);
        lru = spec.type() == MapType.LRU_HASH || spec.type() == MapType.LRU_PERCPU_HASH;
        elements = new LinkedHashMap<>(16, 0.75f, lru);
    }

    private int copies() {
        return spec.type().perCpu() ? cpus : 1;
    }

    private int copy(int cpu) {
        return copies() == 1 ? 0 : Math.floorMod(cpu, copies());
    }

    @Override
    public long lookup(byte[] key, int cpu) {
        Region[] e = elements.get(new MapKey(key));
        return e == null ? 0 : e[copy(cpu)].base();
    }

    @Override
    public int update(byte[] key, byte[] value, long flags, int cpu) {
        if (spec.type() == MapType.DEVMAP_HASH) {
            return -95;  // EOPNOTSUPP: programs cannot update device maps
        }
        if (flags > BPF_EXIST) {
            return -EINVAL;
        }
        MapKey k = new MapKey(key);
        Region[] old = elements.get(k);
        if (old != null && flags == BPF_NOEXIST) {
            return -EEXIST;
        }
        if (old == null && flags == BPF_EXIST) {
            return -ENOENT;
        }
        if (old == null && elements.size() >= spec.maxEntries()) {
            if (!lru || elements.isEmpty()) {
                return -E2BIG;
            }
            Iterator<Map.Entry<MapKey, Region[]>> it = elements.entrySet().iterator();
            retire(it.next().getValue());
            it.remove();
        }
        if (old != null && copies() > 1) {
            // per-CPU elements are updated in place, this CPU's copy only
            System.arraycopy(value, 0, old[copy(cpu)].data, 0, spec.valueSize());
            return 0;
        }
        // a new per-CPU element holds the value on this CPU and zeros elsewhere
        Region[] fresh = allocate(k);
        System.arraycopy(value, 0, fresh[copy(cpu)].data, 0, spec.valueSize());
        if (old != null) {
            retire(old);
        }
        elements.put(k, fresh);
        return 0;
    }

    private Region[] allocate(MapKey k) {
        Region[] r = new Region[copies()];
        for (int c = 0; c < r.length; c++) {
            r[c] = memory.add(valueKind(), spec.name() + "{" + k + "}" + (r.length > 1 ? "@cpu" + c : ""),
                    new byte[spec.valueSize()], true, index);
        }
        return r;
    }

    private void retire(Region[] rs) {
        for (Region r : rs) {
            retired.add(r);
        }
    }

    @Override
    public int delete(byte[] key) {
        if (spec.type() == MapType.DEVMAP_HASH) {
            return -95;
        }
        Region[] old = elements.remove(new MapKey(key));
        if (old == null) {
            return -ENOENT;
        }
        retire(old);
        return 0;
    }

    @Override
    public void reclaim() {
        for (Region r : retired) {
            memory.remove(r);
        }
        retired.clear();
    }

    @Override
    public void put(byte[] key, byte[] value) {
        checkKey(key);
        byte[] v = fit(value);
        MapKey k = new MapKey(key);
        Region[] old = elements.get(k);
        if (old == null && elements.size() >= spec.maxEntries()) {
            if (!lru) {
                throw new IllegalArgumentException("map " + name() + " is full (" + spec.maxEntries() + " entries)");
            }
            Iterator<Map.Entry<MapKey, Region[]>> it = elements.entrySet().iterator();
            retire(it.next().getValue());
            it.remove();
        }
        Region[] fresh = allocate(k);
        for (Region r : fresh) {
            System.arraycopy(v, 0, r.data, 0, v.length);
        }
        if (old != null) {
            retire(old);
        }
        elements.put(k, fresh);
        reclaim();
    }

    @Override
    public Map<MapKey, byte[]> entries(int cpu) {
        Map<MapKey, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<MapKey, Region[]> e : elements.entrySet()) {
            out.put(e.getKey(), e.getValue()[copy(cpu)].data.clone());
        }
        return out;
    }

    /** Whether an element exists (no LRU side effect). */
    boolean contains(byte[] key) {
        return elements.containsKey(new MapKey(key));
    }
}
