package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.LibBpf;
import dev.xdperf.bpf.internal.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A map of a loaded object. Keys are u32 indexes (every xdperf map is an array); values are
 * little-endian byte buffers laid out as in xdperf.h. Maps of other objects (hash maps, other
 * key sizes) are reached through the raw byte methods. Owned by its {@link BpfObject}.
 */
public final class BpfMap {
    private static final int PERCPU_ARRAY = 6;
    private static final int PERCPU_HASH = 5;
    private static final int LRU_PERCPU_HASH = 10;

    private final String name;
    private final int fd;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int type;
    private final boolean perCpu;
    private final int possibleCpus;

    BpfMap(String name, Pointer map) {
        LibBpf bpf = Native.bpf();
        this.name = name;
        this.fd = bpf.bpf_map__fd(map);
        this.keySize = bpf.bpf_map__key_size(map);
        this.valueSize = bpf.bpf_map__value_size(map);
        this.maxEntries = bpf.bpf_map__max_entries(map);
        this.type = bpf.bpf_map__type(map);
        this.perCpu = type == PERCPU_ARRAY || type == PERCPU_HASH || type == LRU_PERCPU_HASH;
        this.possibleCpus = Cpus.possible();
    }

    private BpfMap(String name, int fd, int type, int keySize, int valueSize, int maxEntries) {
        this.name = name;
        this.fd = fd;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.type = type;
        this.perCpu = type == PERCPU_ARRAY || type == PERCPU_HASH || type == LRU_PERCPU_HASH;
        this.possibleCpus = Cpus.possible();
    }

    /**
     * The contents of a pinned map, read once: every key with its value (for a per-CPU map, CPU 0's
     * copy). The map is opened and closed here.
     */
    public static java.util.List<byte[][]> dumpPinned(String path) {
        LibBpf bpf = Native.bpf();
        int fd = bpf.bpf_obj_get(path);
        if (fd < 0) {
            int errno = fd < -1 ? -fd : Native.lastErrno();
            throw BpfException.fromErrno("open pinned map " + path, errno);
        }
        try {
            int size = 80;
            Pointer info = Memory.allocateDirect(Native.runtime(), size);
            for (int i = 0; i < size; i += 8) {
                info.putLong(i, 0);
            }
            Pointer len = Memory.allocateDirect(Native.runtime(), 4);
            len.putInt(0, size);
            int err = bpf.bpf_obj_get_info_by_fd(fd, info, len);
            if (err != 0) {
                throw BpfException.fromErrno("read map info of " + path, err < -1 ? -err : Native.lastErrno());
            }
            BpfMap m = new BpfMap(path, fd, info.getInt(0), info.getInt(8), info.getInt(12), info.getInt(16));
            java.util.List<byte[][]> out = new java.util.ArrayList<>();
            for (byte[] k : m.keys()) {
                byte[] v = m.lookupBytes(k);
                if (v != null) {
                    out.add(new byte[][] {k, java.util.Arrays.copyOf(v, m.valueSize)});
                }
            }
            return out;
        } finally {
            Native.libc().close(fd);
        }
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    public int valueSize() {
        return valueSize;
    }

    public int keySize() {
        return keySize;
    }

    /** The kernel's map type number (enum bpf_map_type). */
    public int type() {
        return type;
    }

    /**
     * Reads the value of a key given as bytes; null when the key is not in the map. For a
     * per-CPU map the result holds every possible CPU's copy, {@link #perCpuStride()} apart.
     */
    public byte[] lookupBytes(byte[] key) {
        requireKey(key);
        LibBpf bpf = Native.bpf();
        int size = perCpu ? perCpuStride() * possibleCpus : valueSize;
        Pointer k = Memory.allocateDirect(Native.runtime(), Math.max(1, key.length));
        k.put(0, key, 0, key.length);
        Pointer v = Memory.allocateDirect(Native.runtime(), size);
        if (bpf.bpf_map_lookup_elem(fd, k, v) != 0) {
            int errno = Native.lastErrno();
            if (errno == 2) {
                return null;
            }
            throw BpfException.fromErrno("look up map " + name, errno);
        }
        byte[] out = new byte[size];
        v.get(0, out, 0, size);
        return out;
    }

    /** Writes a value (for a per-CPU map, the same value on every CPU) under a key given as bytes. */
    public void updateBytes(byte[] key, byte[] value) {
        requireKey(key);
        byte[] all = value;
        if (perCpu) {
            all = new byte[perCpuStride() * possibleCpus];
            for (int cpu = 0; cpu < possibleCpus; cpu++) {
                System.arraycopy(value, 0, all, cpu * perCpuStride(), Math.min(value.length, valueSize));
            }
        }
        Pointer k = Memory.allocateDirect(Native.runtime(), Math.max(1, key.length));
        k.put(0, key, 0, key.length);
        Pointer v = Memory.allocateDirect(Native.runtime(), Math.max(1, all.length));
        v.put(0, all, 0, all.length);
        if (Native.bpf().bpf_map_update_elem(fd, k, v, 0) != 0) {
            throw BpfException.fromErrno("update map " + name, Native.lastErrno());
        }
    }

    /** Deletes a key given as bytes; false when it was not there. */
    public boolean deleteBytes(byte[] key) {
        requireKey(key);
        Pointer k = Memory.allocateDirect(Native.runtime(), Math.max(1, key.length));
        k.put(0, key, 0, key.length);
        if (Native.bpf().bpf_map_delete_elem(fd, k) != 0) {
            int errno = Native.lastErrno();
            if (errno == 2) {
                return false;
            }
            throw BpfException.fromErrno("delete from map " + name, errno);
        }
        return true;
    }

    /** Every key in the map, in the kernel's iteration order. */
    public java.util.List<byte[]> keys() {
        LibBpf bpf = Native.bpf();
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        Pointer cur = null;
        Pointer next = Memory.allocateDirect(Native.runtime(), Math.max(1, keySize));
        while (true) {
            if (bpf.bpf_map_get_next_key(fd, cur, next) != 0) {
                int errno = Native.lastErrno();
                if (errno == 2) {
                    return out;
                }
                throw BpfException.fromErrno("list keys of map " + name, errno);
            }
            byte[] k = new byte[keySize];
            next.get(0, k, 0, keySize);
            out.add(k);
            if (cur == null) {
                cur = Memory.allocateDirect(Native.runtime(), Math.max(1, keySize));
            }
            cur.put(0, k, 0, keySize);
        }
    }

    private void requireKey(byte[] key) {
        if (key.length != keySize) {
            throw new IllegalArgumentException("map " + name + " has " + keySize + "-byte keys, not " + key.length);
        }
    }

    public int maxEntries() {
        return maxEntries;
    }

    public boolean perCpu() {
        return perCpu;
    }

    /** Value slot size per CPU in a per-CPU map: rounded up to 8 bytes by the kernel. */
    public int perCpuStride() {
        return (valueSize + 7) & ~7;
    }

    /** Writes one value (for a per-CPU map: the same value on every CPU). */
    public void update(int key, ByteBuffer value) {
        if (!perCpu) {
            write(key, value, valueSize);
            return;
        }
        ByteBuffer all = allocate(perCpuStride() * possibleCpus);
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            all.put(cpu * perCpuStride(), value.duplicate().clear().limit(valueSize), 0, valueSize);
        }
        write(key, all, all.capacity());
    }

    /** Writes a per-CPU value given CPU by CPU: {@code values.length} must be the possible CPUs. */
    public void updatePerCpu(int key, ByteBuffer[] values) {
        requirePerCpu();
        if (values.length != possibleCpus) {
            throw new IllegalArgumentException("update " + name + ": need " + possibleCpus + " values");
        }
        ByteBuffer all = allocate(perCpuStride() * possibleCpus);
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            all.put(cpu * perCpuStride(), values[cpu].duplicate().clear().limit(valueSize), 0, valueSize);
        }
        write(key, all, all.capacity());
    }

    /** Reads one value of a map that is not per CPU. */
    public ByteBuffer lookup(int key) {
        if (perCpu) {
            throw new IllegalStateException(name + " is a per-CPU map: use lookupPerCpu");
        }
        return read(key, valueSize);
    }

    /** Reads the value of every possible CPU: element i is CPU i's copy. */
    public ByteBuffer[] lookupPerCpu(int key) {
        requirePerCpu();
        ByteBuffer all = read(key, perCpuStride() * possibleCpus);
        ByteBuffer[] out = new ByteBuffer[possibleCpus];
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            out[cpu] = all.slice(cpu * perCpuStride(), valueSize).order(ByteOrder.LITTLE_ENDIAN);
        }
        return out;
    }

    /** Reads a per-CPU u64 at {@code offset} and sums it over all CPUs. */
    public long sumPerCpu(int key, int offset) {
        long sum = 0;
        for (ByteBuffer b : lookupPerCpu(key)) {
            sum += b.getLong(offset);
        }
        return sum;
    }

    /** Puts a map's fd into slot {@code key} of a map-in-map (an ARRAY_OF_MAPS). */
    public void updateFd(int key, int mapFd) {
        ByteBuffer v = allocate(4);
        v.putInt(0, mapFd);
        write(key, v, 4);
    }

    /** The per-CPU values of a hash key, or null when the key is gone (evicted or deleted). */
    public ByteBuffer[] lookupPerCpu(byte[] key) {
        requirePerCpu();
        LibBpf bpf = Native.bpf();
        Pointer k = Memory.allocateDirect(Native.runtime(), key.length);
        k.put(0, key, 0, key.length);
        int size = perCpuStride() * possibleCpus;
        Pointer v = Memory.allocateDirect(Native.runtime(), size);
        if (bpf.bpf_map_lookup_elem(fd, k, v) != 0) {
            int e = Native.lastErrno();
            if (e == 2) {
                return null;
            }
            throw BpfException.fromErrno("look up map " + name, e);
        }
        byte[] bytes = new byte[size];
        v.get(0, bytes, 0, size);
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer[] out = new ByteBuffer[possibleCpus];
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            out[cpu] = all.slice(cpu * perCpuStride(), valueSize).order(ByteOrder.LITTLE_ENDIAN);
        }
        return out;
    }

    private void requirePerCpu() {
        if (!perCpu) {
            throw new IllegalStateException(name + " is not a per-CPU map");
        }
    }

    private void write(int key, ByteBuffer value, int size) {
        LibBpf bpf = Native.bpf();
        Pointer k = Memory.allocateDirect(Native.runtime(), 4);
        k.putInt(0, key);
        Pointer v = Memory.allocateDirect(Native.runtime(), size);
        byte[] bytes = new byte[size];
        value.duplicate().clear().get(bytes, 0, Math.min(size, value.capacity()));
        v.put(0, bytes, 0, size);
        if (bpf.bpf_map_update_elem(fd, k, v, 0) != 0) {
            throw BpfException.fromErrno("update map " + name + " key " + key, Native.lastErrno());
        }
    }

    private ByteBuffer read(int key, int size) {
        LibBpf bpf = Native.bpf();
        Pointer k = Memory.allocateDirect(Native.runtime(), 4);
        k.putInt(0, key);
        Pointer v = Memory.allocateDirect(Native.runtime(), size);
        if (bpf.bpf_map_lookup_elem(fd, k, v) != 0) {
            throw BpfException.fromErrno("look up map " + name + " key " + key, Native.lastErrno());
        }
        byte[] bytes = new byte[size];
        v.get(0, bytes, 0, size);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A zeroed little-endian buffer, the byte order of every map value on x86-64. */
    public static ByteBuffer allocate(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
