package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * BPF_PROG_TEST_RUN of an XDP program on one input frame, without live frames: the kernel runs
 * the program {@code repeat} times on a copy of the frame (the same buffer each time, so what
 * the program writes is seen by the next repetition), sends nothing, and reports the action and
 * the mean time per run that it measured itself.
 */
public final class TestRun {
    private final BpfProgram program;
    private final Pointer opts;
    private final Pointer data;
    private final Pointer out;

    /** The outcome of one call: the action of the last run and the kernel's mean ns per run. */
    public record Result(int retval, long durationNs) {}

    public TestRun(BpfProgram program, byte[] frame) {
        this.program = program;
        jnr.ffi.Runtime rt = Native.runtime();
        data = Memory.allocateDirect(rt, Math.max(frame.length, 1));
        data.put(0, frame, 0, frame.length);
        // Room for a program that grows the frame (bpf_xdp_adjust_head/tail): the kernel copies it out.
        out = Memory.allocateDirect(rt, 4096);
        opts = Memory.allocateDirect(rt, LiveFrames.OPTS_SIZE);
        for (int i = 0; i < LiveFrames.OPTS_SIZE; i += 8) {
            opts.putLong(i, 0);
        }
        opts.putLong(0, LiveFrames.OPTS_SIZE);
        opts.putAddress(8, data.address());
        opts.putAddress(16, out.address());
        opts.putInt(24, frame.length);
    }

    public Result run(int repeat) {
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1, not " + repeat);
        }
        opts.putInt(28, 4096);   // data_size_out: the room in out
        opts.putInt(60, repeat);
        int err = Native.bpf().bpf_prog_test_run_opts(program.fd(), opts);
        if (err != 0) {
            int e = -err;
            if (e == 524 || e == 95) {
                throw new UnsupportedFeatureException("test run " + program.name() + ": " + Native.strerror(e)
                        + " (BPF_PROG_TEST_RUN of XDP programs requires kernel >= 4.12)");
            }
            throw BpfException.fromErrno("test run " + program.name(), e);
        }
        return new Result(opts.getInt(56), Integer.toUnsignedLong(opts.getInt(64)));
    }
}
