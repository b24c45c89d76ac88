package dev.xdperf.analyze.vm;

import java.util.ArrayList;
import java.util.List;

/**
 * The interpreter's address space: each region sits at its own 4 GiB-aligned base, so an
 * address names its region in its upper half and an offset in its lower half, and any
 * access is bounds-checked against that one region. Address 0 is never mapped (NULL).
 */
public final class Memory {
    private final List<Region> regions = new ArrayList<>();
    private final List<Integer> free = new ArrayList<>();
    private ContextReader context;
    private long[] mapWrites = new long[0];

    /** Reads of the program's context: the kernel rewrites them, e.g. ctx->data yields a full pointer. */
    public interface ContextReader {
        long read(int pc, int offset, int size);
    }

    public void contextReader(ContextReader reader) {
        this.context = reader;
    }

    public Region add(Region.Kind kind, String name, byte[] data, boolean writable, int mapIndex) {
        int id;
        if (!free.isEmpty()) {
            id = free.remove(free.size() - 1);
        } else {
            id = regions.size();
            regions.add(null);
        }
        Region r = new Region(id, kind, name, data, writable, mapIndex);
        regions.set(id, r);
        return r;
    }

    /** Unmaps a region; its id is reused, so pointers into it must be dead. */
    public void remove(Region r) {
        if (regions.get(r.id) == r) {
            regions.set(r.id, null);
            free.add(r.id);
        }
    }

    /** The region an address falls in, or null. */
    public Region regionOf(long addr) {
        long id = (addr >>> 32) - 1;
        if (id < 0 || id >= regions.size()) {
            return null;
        }
        return regions.get((int) id);
    }

    /** Checks an access and returns its region; {@code offset} is then {@code addr - region.base}. */
    public Region check(int pc, long addr, int size, boolean write) {
        Region r = regionOf(addr);
        if (r == null) {
            throw new VmFault(pc, "memory", (write ? "write" : "read") + " of " + size + " bytes at 0x" + Long.toHexString(addr)
                    + (addr == 0 ? " (a NULL pointer)" : "") + ": no memory there");
        }
        long off = addr - r.base;
        if (r.kind == Region.Kind.MAP_HANDLE) {
            throw new VmFault(pc, "memory", (write ? "write to" : "read of") + " map " + r.name
                    + " through its map pointer (use a helper)");
        }
        if (off < r.lo || off + size > r.hi) {
            throw new VmFault(pc, "memory", (write ? "write" : "read") + " of " + size + " bytes at " + r.name + "+" + off
                    + " is out of bounds (accessible: " + r.lo + ".." + r.hi + ")");
        }
        if (r.kind == Region.Kind.CONTEXT && (write || size != 4 || off % 4 != 0)) {
            throw new VmFault(pc, "memory", (write ? "write to" : size + "-byte read of") + " the context at offset " + off
                    + " (only 4-byte reads of struct xdp_md fields are allowed)");
        }
        if (write && !r.writable) {
            throw new VmFault(pc, "memory", "write of " + size + " bytes at " + r.name + "+" + off + ": " + r.name
                    + " is read-only");
        }
        return r;
    }

    public long load(int pc, long addr, int size) {
        Region r = check(pc, addr, size, false);
        if (r.kind == Region.Kind.CONTEXT) {
            return context.read(pc, (int) (addr - r.base), size);
        }
        return read(r.data, (int) (addr - r.base), size);
    }

    public void store(int pc, long addr, int size, long value) {
        Region r = check(pc, addr, size, true);
        write(r.data, (int) (addr - r.base), size, value);
        wrote(r);
    }

    /** How many times the values of map {@code mapIndex} were written (by the program or through {@link #touch}). */
    public long mapWrites(int mapIndex) {
        return mapIndex < mapWrites.length ? mapWrites[mapIndex] : 0;
    }

    /** Counts a change of map {@code mapIndex} made outside the program's stores (helpers, user space). */
    public void touch(int mapIndex) {
        if (mapIndex >= mapWrites.length) {
            mapWrites = java.util.Arrays.copyOf(mapWrites, mapIndex + 1);
        }
        mapWrites[mapIndex]++;
    }

    private void wrote(Region r) {
        if (r.mapIndex >= 0 && r.kind != Region.Kind.MAP_HANDLE) {
            touch(r.mapIndex);
        }
    }

    public byte[] readBytes(int pc, long addr, int len) {
        Region r = check(pc, addr, len, false);
        byte[] out = new byte[len];
        System.arraycopy(r.data, (int) (addr - r.base), out, 0, len);
        return out;
    }

    public void writeBytes(int pc, long addr, byte[] bytes) {
        Region r = check(pc, addr, bytes.length, true);
        System.arraycopy(bytes, 0, r.data, (int) (addr - r.base), bytes.length);
        wrote(r);
    }

    /** Little-endian read of 1, 2, 4 or 8 bytes, zero-extended. */
    public static long read(byte[] d, int o, int size) {
        return switch (size) {
            case 1 -> d[o] & 0xffL;
            case 2 -> (d[o] & 0xffL) | (d[o + 1] & 0xffL) << 8;
            case 4 -> (d[o] & 0xffL) | (d[o + 1] & 0xffL) << 8 | (d[o + 2] & 0xffL) << 16 | (d[o + 3] & 0xffL) << 24;
            case 8 -> read(d, o, 4) | read(d, o + 4, 4) << 32;
            default -> throw new IllegalArgumentException("size " + size);
        };
    }

    public static void write(byte[] d, int o, int size, long v) {
        for (int i = 0; i < size; i++) {
            d[o + i] = (byte) (v >>> (8 * i));
        }
    }
}
