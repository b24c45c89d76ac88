package dev.xdperf.analyze.maps;

import dev.xdperf.analyze.object.MapSpec;
import dev.xdperf.analyze.vm.Memory;
import dev.xdperf.analyze.vm.Region;
import java.util.LinkedHashMap;
import java.util.Map;

/** BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY: every index exists, zeroed; one region per element and CPU, made when first used. */
final class ArrayMap extends MapState {
    private final Region[][] regions;

    ArrayMap(MapSpec spec, int index, Memory memory, int cpus) {
        super(spec, index, memory, cpus);
        int copies = spec.type().perCpu() ? cpus : 1;
        if (spec.keySize() != 4) {
            throw new IllegalArgumentException("map " + spec.name() + ": array keys must be 4 bytes, not " + spec.keySize());
        }
        regions = new Region[copies][spec.maxEntries()];
        byte[] init = spec.initialValue();
        if (init != null) {
            for (int c = 0; c < copies; c++) {
                region(c, 0).data = java.util.Arrays.copyOf(init, spec.valueSize());
                region(c, 0).hi = spec.valueSize();
            }
        }
    }

    private Region region(int copy, int idx) {
        Region r = regions[copy][idx];
        if (r == null) {
            String label = spec.name() + "[" + Integer.toUnsignedString(idx) + "]" + (regions.length > 1 ? "@cpu" + copy : "");
            r = memory.add(valueKind(), label, new byte[spec.valueSize()], !spec.readOnly(), index);
            regions[copy][idx] = r;
        }
        return r;
    }

    private int copy(int cpu) {
        return regions.length == 1 ? 0 : Math.floorMod(cpu, regions.length);
    }

    @Override
    public long lookup(byte[] key, int cpu) {
        int idx = new MapKey(key).asU32();
        if (Integer.compareUnsigned(idx, spec.maxEntries()) >= 0) {
            return 0;
        }
        return region(copy(cpu), idx).base();
    }

    /** The address of element {@code idx}'s value for one-entry global data maps. */
    public long valueAddress(int idx) {
        return region(0, idx).base();
    }

    @Override
    public int update(byte[] key, byte[] value, long flags, int cpu) {
        int idx = new MapKey(key).asU32();
        if (flags > BPF_EXIST) {
            return -EINVAL;
        }
        if (Integer.compareUnsigned(idx, spec.maxEntries()) >= 0) {
            return -E2BIG;
        }
        if (flags == BPF_NOEXIST) {
            return -EEXIST;
        }
        if (spec.readOnly()) {
            return -EPERM;
        }
        System.arraycopy(value, 0, region(copy(cpu), idx).data, 0, spec.valueSize());
        return 0;
    }

    @Override
    public int delete(byte[] key) {
        return -EINVAL;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        checkKey(key);
        int idx = new MapKey(key).asU32();
        if (Integer.compareUnsigned(idx, spec.maxEntries()) >= 0) {
            throw new IllegalArgumentException("map " + name() + ": index " + Integer.toUnsignedString(idx)
                    + " is beyond max_entries " + spec.maxEntries());
        }
        byte[] v = fit(value);
        for (int c = 0; c < regions.length; c++) {
            System.arraycopy(v, 0, region(c, idx).data, 0, v.length);
        }
    }

    @Override
    public Map<MapKey, byte[]> snapshot(int cpu) {
        Map<MapKey, byte[]> out = new java.util.HashMap<>();
        Region[] row = regions[copy(cpu)];
        for (int i = 0; i < row.length; i++) {
            if (row[i] != null) {
                out.put(MapKey.u32(i), row[i].data.clone());
            }
        }
        return out;
    }

    @Override
    public Map<MapKey, byte[]> entries(int cpu) {
        Map<MapKey, byte[]> out = new LinkedHashMap<>();
        Region[] row = regions[copy(cpu)];
        for (int i = 0; i < row.length; i++) {
            out.put(MapKey.u32(i), row[i] == null ? new byte[spec.valueSize()] : row[i].data.clone());
        }
        return out;
    }
}
