package dev.xdperf.analyze.maps;

import dev.xdperf.analyze.object.MapSpec;
import dev.xdperf.analyze.vm.Memory;
import java.util.Map;

/**
 * BPF_MAP_TYPE_PROG_ARRAY, for tail calls. The interpreter runs one program, so every slot is
 * empty, as in a freshly loaded object: a tail call through it falls through, as the kernel's does.
 */
final class ProgArray extends MapState {
    ProgArray(MapSpec spec, int index, Memory memory, int cpus) {
        super(spec, index, memory, cpus);
    }

    @Override
    public long lookup(byte[] key, int cpu) {
        return 0;
    }

    @Override
    public int update(byte[] key, byte[] value, long flags, int cpu) {
        return -95;
    }

    @Override
    public int delete(byte[] key) {
        return -ENOENT;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        throw new IllegalArgumentException("map " + name() + ": the interpreter cannot put programs into a program array");
    }

    @Override
    public Map<MapKey, byte[]> entries(int cpu) {
        return Map.of();
    }
}
