package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * BPF_PROG_RUN of an XDP program with {@code BPF_F_TEST_XDP_LIVE_FRAMES}: the kernel builds
 * frames from {@code frame} and really transmits those the program returns XDP_TX for, out
 * of the interface given as ingress. One instance per calling thread (it owns its buffers).
 */
public final class LiveFrames {
    public static final int FLAG_LIVE_FRAMES = 2;
    /** sizeof(struct bpf_test_run_opts) in libbpf 1.1: with a smaller sz, flags are dropped. */
    public static final int OPTS_SIZE = 80;
    public static final int XDP_MD_SIZE = 24;
    public static final int MAX_BATCH = 256;

    private final BpfProgram program;
    private final Pointer opts;
    private final Pointer data;
    private final Pointer ctx;

    public LiveFrames(BpfProgram program, byte[] frame, int ifindex, int rxQueue, int batchSize) {
        if (batchSize < 0 || batchSize > MAX_BATCH) {
            throw new IllegalArgumentException("batch size " + batchSize + " is outside 0.." + MAX_BATCH);
        }
        this.program = program;
        jnr.ffi.Runtime rt = Native.runtime();
        data = Memory.allocateDirect(rt, Math.max(frame.length, 1));
        data.put(0, frame, 0, frame.length);
        ctx = Memory.allocateDirect(rt, XDP_MD_SIZE);
        ctx.putInt(0, 0);                 // data
        ctx.putInt(4, frame.length);      // data_end: must equal the data size in live mode
        ctx.putInt(8, 0);                 // data_meta
        ctx.putInt(12, ifindex);          // ingress_ifindex: XDP_TX leaves through it
        ctx.putInt(16, rxQueue);          // rx_queue_index
        ctx.putInt(20, 0);                // egress_ifindex must be 0
        opts = Memory.allocateDirect(rt, OPTS_SIZE);
        for (int i = 0; i < OPTS_SIZE; i += 8) {
            opts.putLong(i, 0);
        }
        opts.putLong(0, OPTS_SIZE);
        opts.putAddress(8, data.address());
        opts.putInt(24, frame.length);
        if (ifindex > 0) {
            opts.putAddress(32, ctx.address());
            opts.putInt(48, XDP_MD_SIZE);
        }
        opts.putInt(68, FLAG_LIVE_FRAMES);
        opts.putInt(76, batchSize);
    }

    /** Runs the program {@code repeat} times on live frames; returns when all have run. */
    public void run(int repeat) {
        opts.putInt(60, repeat);
        int err = Native.bpf().bpf_prog_test_run_opts(program.fd(), opts);
        if (err != 0) {
            int e = -err;
            if (e == 22 || e == 95 || e == 524) {
                throw new UnsupportedFeatureException("run " + program.name()
                        + " on live frames: " + Native.strerror(e)
                        + " (XDP live frames require kernel >= 5.18)");
            }
            throw BpfException.fromErrno("run " + program.name() + " on live frames", e);
        }
    }

    /** The XDP action of the last iteration (kernel's retval). */
    public int lastReturn() {
        return opts.getInt(56);
    }
}
