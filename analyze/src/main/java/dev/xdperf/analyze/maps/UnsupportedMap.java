package dev.xdperf.analyze.maps;

import dev.xdperf.analyze.object.MapSpec;
import dev.xdperf.analyze.vm.Memory;
import java.util.Map;

/** A map type the interpreter does not implement: every use from a program fails its run. */
public final class UnsupportedMap extends MapState {
    UnsupportedMap(MapSpec spec, int index, Memory memory, int cpus) {
        super(spec, index, memory, cpus);
    }

    private UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("map " + name() + " has type " + spec.type().label()
                + ", which the interpreter does not implement");
    }

    @Override
    public long lookup(byte[] key, int cpu) {
        throw unsupported();
    }

    @Override
    public int update(byte[] key, byte[] value, long flags, int cpu) {
        throw unsupported();
    }

    @Override
    public int delete(byte[] key) {
        throw unsupported();
    }

    @Override
    public void put(byte[] key, byte[] value) {
        throw new IllegalArgumentException(unsupported().getMessage());
    }

    @Override
    public Map<MapKey, byte[]> entries(int cpu) {
        return Map.of();
    }
}
