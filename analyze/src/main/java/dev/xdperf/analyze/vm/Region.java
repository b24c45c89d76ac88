package dev.xdperf.analyze.vm;

/**
 * A range of interpreter memory with its own base address. Accesses must fall inside
 * [{@link #lo}, {@link #hi}) of {@link #data}; {@code lo}/{@code hi} move for the packet
 * (headroom, adjust_head/tail/meta).
 */
public final class Region {
    /** What a region holds; the tracker decides from it what a loaded value depends on. */
    public enum Kind { CONTEXT, PACKET, STACK, MAP_VALUE, GLOBAL_DATA, READ_ONLY_DATA, MAP_HANDLE }

    final int id;
    final long base;
    public final Kind kind;
    public final String name;
    public byte[] data;
    public int lo;
    public int hi;
    public boolean writable;
    /** The map a MAP_VALUE or MAP_HANDLE region belongs to (an index into the machine's maps), or -1. */
    public final int mapIndex;

    Region(int id, Kind kind, String name, byte[] data, boolean writable, int mapIndex) {
        this.id = id;
        this.base = (long) (id + 1) << 32;
        this.kind = kind;
        this.name = name;
        this.data = data;
        this.lo = 0;
        this.hi = data.length;
        this.writable = writable;
        this.mapIndex = mapIndex;
    }

    public long base() {
        return base;
    }

    /** The address of byte {@code offset} of this region. */
    public long address(int offset) {
        return base + offset;
    }

    public int id() {
        return id;
    }

    @Override
    public String toString() {
        return name;
    }
}
