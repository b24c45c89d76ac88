package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.LibC;
import dev.xdperf.bpf.internal.Native;
import java.lang.invoke.VarHandle;
import jnr.ffi.Pointer;

/**
 * A BPF ring buffer (BPF_MAP_TYPE_RINGBUF) created from user space and read through its own
 * memory mapping: a consumer page (ours to write), the producer page, then the data area
 * mapped twice so that a record that wraps around the end reads as one piece.
 *
 * <p>Why not libbpf's ring_buffer__consume: it calls a C callback per record, and through
 * jnr-ffi that is a native-to-Java upcall per record, the per-packet cost this exists to
 * avoid. Reading the mapping costs plain memory loads per record and one store of the
 * consumer position per batch. The protocol is the kernel's (kernel/bpf/ringbuf.c): an
 * 8-byte header per record (length with a busy and a discard bit, page offset), records
 * rounded up to 8 bytes, positions that only grow.
 */
public final class RingBuffer implements AutoCloseable {
    private static final int BPF_MAP_TYPE_RINGBUF = 27;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final int BUSY_BIT = 1 << 31;
    private static final int DISCARD_BIT = 1 << 30;
    private static final int HEADER = 8;

    /** Receives records; {@code offset} is where the record's bytes start in {@code data}. */
    @FunctionalInterface
    public interface Sink {
        void record(Pointer data, long offset, int length);
    }

    private final String name;
    private final long size;
    private final long mask;
    private final int page;
    private int fd;
    private Pointer consumer;
    private Pointer producer;
    private Pointer data;

    private RingBuffer(String name, int fd, long size, int page) {
        this.name = name;
        this.fd = fd;
        this.size = size;
        this.mask = size - 1;
        this.page = page;
    }

    /** Creates a ring of {@code bytes} (a power of two, at least one page) and maps it. */
    public static RingBuffer create(String name, long bytes) {
        LibC c = Native.libc();
        int page = c.getpagesize();
        if (bytes < page || Long.bitCount(bytes) != 1 || bytes > (1L << 30)) {
            throw new IllegalArgumentException("ring buffer size " + bytes + " is not a power of two between "
                    + page + " bytes and 1 GiB");
        }
        int fd = Native.bpf().bpf_map_create(BPF_MAP_TYPE_RINGBUF, name, 0, 0, (int) bytes, null);
        if (fd < 0) {
            throw BpfException.fromErrno("create ring buffer " + name + " of " + bytes + " bytes", -fd);
        }
        RingBuffer r = new RingBuffer(name, fd, bytes, page);
        try {
            r.consumer = r.map(page, PROT_READ | PROT_WRITE, 0);
            r.producer = r.map(page + 2 * bytes, PROT_READ, page);
            r.data = r.producer.slice(page);
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private Pointer map(long length, int prot, long offset) {
        long addr = Native.libc().mmap(null, length, prot, MAP_SHARED, fd, offset);
        if (addr == -1L) {
            throw BpfException.fromErrno("map ring buffer " + name, Native.lastErrno());
        }
        return Pointer.wrap(Native.runtime(), addr, length);
    }

    public int fd() {
        return fd;
    }

    public long size() {
        return size;
    }

    /** Bytes written by the producer and not consumed yet. */
    public synchronized long pending() {
        requireOpen();
        long prod = producer.getLong(0);
        VarHandle.acquireFence();
        return prod - consumer.getLong(0);
    }

    /**
     * Hands every complete record (up to {@code max}) to {@code sink} and then frees their
     * space in one step. Stops early at a record the producer is still writing.
     * Returns the records handed over.
     */
    public synchronized int drain(Sink sink, int max) {
        requireOpen();
        long cons = consumer.getLong(0);
        long prod = producer.getLong(0);
        VarHandle.acquireFence();
        int n = 0;
        while (cons < prod && n < max) {
            long at = cons & mask;
            int len = data.getInt(at);
            VarHandle.acquireFence();
            if ((len & BUSY_BIT) != 0) {
                break;
            }
            int bytes = len & ~(BUSY_BIT | DISCARD_BIT);
            if ((len & DISCARD_BIT) == 0) {
                sink.record(data, at + HEADER, bytes);
                n++;
            }
            cons += (bytes + HEADER + 7) & ~7L;
        }
        VarHandle.releaseFence();
        consumer.putLong(0, cons);
        return n;
    }

    private void requireOpen() {
        if (fd < 0) {
            throw new IllegalStateException("ring buffer " + name + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        LibC c = Native.libc();
        if (consumer != null) {
            c.munmap(consumer, page);
            consumer = null;
        }
        if (producer != null) {
            c.munmap(producer, page + 2 * size);
            producer = null;
            data = null;
        }
        if (fd >= 0) {
            c.close(fd);
            fd = -1;
        }
    }
}
