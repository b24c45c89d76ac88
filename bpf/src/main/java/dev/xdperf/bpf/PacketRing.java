package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.LibC;
import dev.xdperf.bpf.internal.Native;
import java.lang.invoke.VarHandle;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * An AF_PACKET socket with a TPACKET_V3 receive ring (PACKET_RX_RING) on one interface,
 * incoming packets only (PACKET_IGNORE_OUTGOING), truncated to a snap length by a one-
 * instruction classic BPF filter as tcpdump -s does. The kernel fills whole blocks of
 * packets; user space walks a block when its status says so and hands it back.
 * The baseline that xdperf's XDP feature extraction is compared with.
 */
public final class PacketRing implements AutoCloseable {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int ETH_P_ALL_BE = 0x0300;   // htons(ETH_P_ALL)
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int SOL_PACKET = 263;
    private static final int PACKET_RX_RING = 5;
    private static final int PACKET_STATISTICS = 6;
    private static final int PACKET_VERSION = 10;
    private static final int PACKET_IGNORE_OUTGOING = 23;
    private static final int TPACKET_V3 = 2;
    private static final int TP_STATUS_KERNEL = 0;
    private static final int TP_STATUS_USER = 1;
    private static final int TP_STATUS_VLAN_VALID = 1 << 4;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final short POLLIN = 1;
    private static final short POLLERR = 8;

    // struct tpacket_block_desc with its tpacket_hdr_v1
    private static final int BLOCK_STATUS = 8;
    private static final int BLOCK_NUM_PKTS = 12;
    private static final int BLOCK_FIRST_PKT = 16;
    // struct tpacket3_hdr
    private static final int PKT_NEXT = 0;
    private static final int PKT_SEC = 4;
    private static final int PKT_NSEC = 8;
    private static final int PKT_SNAPLEN = 12;
    private static final int PKT_LEN = 16;
    private static final int PKT_STATUS = 20;
    private static final int PKT_MAC = 24;
    private static final int PKT_VLAN_TCI = 32;

    /** One packet as the ring holds it: {@code caplen} bytes at {@code offset} of {@code mem}. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param wireLen the packet's length as the kernel received it (without a VLAN tag the
         *                kernel took out into {@code vlanTci})
         * @param vlanTci the outer VLAN tag the kernel took out of the frame, or -1
         * @param realtimeNs CLOCK_REALTIME of reception
         */
        void packet(Pointer mem, long offset, int caplen, int wireLen, int vlanTci, long realtimeNs);
    }

    /** Cumulative socket statistics (PACKET_STATISTICS resets on read; this class adds up). */
    public record Stats(long packets, long drops, long freezes) {}

    private final String ifname;
    private final int blockSize;
    private final int blockCount;
    private int fd;
    private Pointer ring;
    private int next;
    private long packets;
    private long drops;
    private long freezes;
    private final Pointer pollfd = Memory.allocateDirect(Native.runtime(), 8);

    private PacketRing(String ifname, int fd, int blockSize, int blockCount) {
        this.ifname = ifname;
        this.fd = fd;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
    }

    /**
     * Opens the socket, sets up the ring of {@code blockCount} blocks of {@code blockSize}
     * bytes (a block is handed to user space when full or after {@code blockTimeoutMs}) and
     * binds it to {@code ifname} in the calling thread's network namespace.
     */
    public static PacketRing open(String ifname, int blockSize, int blockCount, int blockTimeoutMs, int snaplen) {
        LibC c = Native.libc();
        int ifindex = c.if_nametoindex(ifname);
        if (ifindex == 0) {
            throw new IllegalArgumentException("open packet socket on " + ifname + ": no such interface");
        }
        if (blockSize < 4096 || Integer.bitCount(blockSize) != 1 || blockCount < 1) {
            throw new IllegalArgumentException("packet ring block size " + blockSize + " is not a power of two >= 4096");
        }
        // Protocol 0: nothing is queued before the ring exists; bind() below starts reception.
        int fd = c.socket(AF_PACKET, SOCK_RAW, 0);
        if (fd < 0) {
            throw BpfException.fromErrno("open packet socket on " + ifname, Native.lastErrno());
        }
        PacketRing r = new PacketRing(ifname, fd, blockSize, blockCount);
        try {
            r.setInt(SOL_PACKET, PACKET_VERSION, TPACKET_V3, "select TPACKET_V3");
            r.setInt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "ignore outgoing packets");
            Pointer filter = Memory.allocateDirect(Native.runtime(), 8);
            filter.putShort(0, (short) 0x06);   // BPF_RET | BPF_K
            filter.putByte(2, (byte) 0);
            filter.putByte(3, (byte) 0);
            filter.putInt(4, snaplen);
            Pointer prog = Memory.allocateDirect(Native.runtime(), 16);
            prog.putShort(0, (short) 1);
            prog.putAddress(8, filter.address());
            r.set(SOL_SOCKET, SO_ATTACH_FILTER, prog, 16, "set the snap length filter");
            Pointer req = Memory.allocateDirect(Native.runtime(), 28);
            int frameSize = 2048;
            req.putInt(0, blockSize);
            req.putInt(4, blockCount);
            req.putInt(8, frameSize);
            req.putInt(12, (int) ((long) blockSize * blockCount / frameSize));
            req.putInt(16, blockTimeoutMs);
            req.putInt(20, 0);
            req.putInt(24, 0);
            r.set(SOL_PACKET, PACKET_RX_RING, req, 28, "set up the receive ring");
            long length = (long) blockSize * blockCount;
            long addr = c.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (addr == -1L) {
                throw BpfException.fromErrno("map the packet ring of " + ifname, Native.lastErrno());
            }
            r.ring = Pointer.wrap(Native.runtime(), addr, length);
            Pointer sll = Memory.allocateDirect(Native.runtime(), 20);
            sll.putShort(0, (short) AF_PACKET);
            sll.putShort(2, (short) ETH_P_ALL_BE);
            sll.putInt(4, ifindex);
            if (c.bind(fd, sll, 20) != 0) {
                throw BpfException.fromErrno("bind packet socket to " + ifname, Native.lastErrno());
            }
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private void setInt(int level, int name, int value, String what) {
        Pointer v = Memory.allocateDirect(Native.runtime(), 4);
        v.putInt(0, value);
        set(level, name, v, 4, what);
    }

    private void set(int level, int name, Pointer v, int len, String what) {
        if (Native.libc().setsockopt(fd, level, name, v, len) != 0) {
            throw BpfException.fromErrno(what + " on the packet socket of " + ifname, Native.lastErrno());
        }
    }

    /**
     * Hands every packet of every block the kernel has filled to {@code sink} and returns the
     * blocks to the kernel; waits up to {@code timeoutMs} when none is ready. Returns packets.
     */
    public synchronized int receive(Sink sink, int timeoutMs) {
        requireOpen();
        int total = 0;
        if (!ready(next)) {
            pollfd.putInt(0, fd);
            pollfd.putShort(4, (short) (POLLIN | POLLERR));
            pollfd.putShort(6, (short) 0);
            Native.libc().poll(pollfd, 1, timeoutMs);
        }
        while (ready(next)) {
            long block = (long) next * blockSize;
            int n = ring.getInt(block + BLOCK_NUM_PKTS);
            long off = block + ring.getInt(block + BLOCK_FIRST_PKT);
            for (int i = 0; i < n; i++) {
                int status = ring.getInt(off + PKT_STATUS);
                int vlan = (status & TP_STATUS_VLAN_VALID) != 0 ? ring.getInt(off + PKT_VLAN_TCI) & 0xffff : -1;
                long ns = (ring.getInt(off + PKT_SEC) & 0xffffffffL) * 1_000_000_000L + (ring.getInt(off + PKT_NSEC) & 0xffffffffL);
                sink.packet(ring, off + (ring.getShort(off + PKT_MAC) & 0xffff), ring.getInt(off + PKT_SNAPLEN),
                        ring.getInt(off + PKT_LEN), vlan, ns);
                off += ring.getInt(off + PKT_NEXT);
            }
            total += n;
            VarHandle.releaseFence();
            ring.putInt(block + BLOCK_STATUS, TP_STATUS_KERNEL);
            next = (next + 1) % blockCount;
        }
        return total;
    }

    private boolean ready(int block) {
        boolean user = (ring.getInt((long) block * blockSize + BLOCK_STATUS) & TP_STATUS_USER) != 0;
        VarHandle.acquireFence();
        return user;
    }

    /** Packets the socket took and dropped since it opened (PACKET_STATISTICS, added up). */
    public synchronized Stats statistics() {
        requireOpen();
        Pointer v = Memory.allocateDirect(Native.runtime(), 12);
        Pointer len = Memory.allocateDirect(Native.runtime(), 4);
        len.putInt(0, 12);
        if (Native.libc().getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, v, len) != 0) {
            throw BpfException.fromErrno("read packet socket statistics on " + ifname, Native.lastErrno());
        }
        packets += v.getInt(0) & 0xffffffffL;
        drops += v.getInt(4) & 0xffffffffL;
        freezes += v.getInt(8) & 0xffffffffL;
        return new Stats(packets, drops, freezes);
    }

    private void requireOpen() {
        if (fd < 0) {
            throw new IllegalStateException("packet socket on " + ifname + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (ring != null) {
            Native.libc().munmap(ring, (long) blockSize * blockCount);
            ring = null;
        }
        if (fd >= 0) {
            Native.libc().close(fd);
            fd = -1;
        }
    }
}
