package dev.xdperf.analyze.maps;

import dev.xdperf.analyze.object.MapSpec;
import dev.xdperf.analyze.vm.Memory;
import dev.xdperf.analyze.vm.Region;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The redirect maps indexed by slot: BPF_MAP_TYPE_DEVMAP (value: target ifindex, optionally
 * followed by a program fd), CPUMAP (value: queue size, optionally a program fd) and XSKMAP
 * (value: an AF_XDP socket; here any value stands for a socket bound to the slot). Only slots
 * set from user space exist; programs may look entries up but not change them.
 */
final class DevMap extends MapState {
    private final Region[] slots;

    DevMap(MapSpec spec, int index, Memory memory, int cpus) {
        super(spec, index, memory, cpus);
        if (spec.keySize() != 4 || (spec.valueSize() != 4 && spec.valueSize() != 8)) {
            throw new IllegalArgumentException("map " + spec.name() + ": a " + spec.type().label()
                    + " map has 4-byte keys and 4- or 8-byte values");
        }
        slots = new Region[spec.maxEntries()];
    }

    @Override
    public long lookup(byte[] key, int cpu) {
        int idx = new MapKey(key).asU32();
        if (Integer.compareUnsigned(idx, slots.length) >= 0 || slots[idx] == null) {
            return 0;
        }
        return slots[idx].base();
    }

    /** The target ifindex of slot {@code idx}, or 0 when the slot is empty. */
    public int target(int idx) {
        if (Integer.compareUnsigned(idx, slots.length) >= 0 || slots[idx] == null) {
            return 0;
        }
        return (int) Memory.read(slots[idx].data, 0, 4);
    }

    @Override
    public int update(byte[] key, byte[] value, long flags, int cpu) {
        return -95;  // EOPNOTSUPP: programs cannot update device maps
    }

    @Override
    public int delete(byte[] key) {
        return -95;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        checkKey(key);
        int idx = new MapKey(key).asU32();
        if (Integer.compareUnsigned(idx, slots.length) >= 0) {
            throw new IllegalArgumentException("map " + name() + ": index " + Integer.toUnsignedString(idx)
                    + " is beyond max_entries " + slots.length);
        }
        byte[] v = fit(value);
        if (slots[idx] == null) {
            slots[idx] = memory.add(Region.Kind.MAP_VALUE, name() + "[" + idx + "]", v, false, index);
        } else {
            slots[idx].data = v;
        }
    }

    @Override
    public void clearSlot(byte[] key) {
        checkKey(key);
        int idx = new MapKey(key).asU32();
        if (Integer.compareUnsigned(idx, slots.length) < 0 && slots[idx] != null) {
            memory.remove(slots[idx]);
            slots[idx] = null;
        }
    }

    @Override
    public Map<MapKey, byte[]> entries(int cpu) {
        Map<MapKey, byte[]> out = new LinkedHashMap<>();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                out.put(MapKey.u32(i), slots[i].data.clone());
            }
        }
        return out;
    }
}
