package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * BPF_PROG_TEST_RUN of a program on one input frame, without live frames: the kernel runs the
 * program {@code repeat} times on a copy of the frame, sends nothing, and reports the action of
 * the last run, the frame as the program left it (for XDP, from data_meta to data_end) and the
 * mean time per run that it measured itself. One instance reuses its buffers across calls.
 */
public final class TestRun {
    /** The largest output the kernel can return for an XDP test run: one page. */
    public static final int MAX_OUTPUT = 4096;

    /** What the kernel reported for one call. */
    public record Result(int retval, byte[] dataOut, long durationNs) {}

    private final BpfProgram program;
    private final int length;
    private final Pointer opts;
    private final Pointer data;
    private final Pointer out;

    public TestRun(BpfProgram program, byte[] frame) {
        this.program = program;
        this.length = frame.length;
        jnr.ffi.Runtime rt = Native.runtime();
        data = Memory.allocateDirect(rt, Math.max(frame.length, 1));
        data.put(0, frame, 0, frame.length);
        // Room for a program that grows the frame (bpf_xdp_adjust_head/tail): the kernel copies it out.
        out = Memory.allocateDirect(rt, MAX_OUTPUT);
        opts = Memory.allocateDirect(rt, LiveFrames.OPTS_SIZE);
    }

    /** One call on a fresh copy of {@code data}. */
    public static Result run(BpfProgram program, byte[] data, int repeat) {
        return new TestRun(program, data).run(Math.max(1, repeat));
    }

    public Result run(int repeat) {
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1, not " + repeat);
        }
        for (int i = 0; i < LiveFrames.OPTS_SIZE; i += 8) {
            opts.putLong(i, 0);
        }
        opts.putLong(0, LiveFrames.OPTS_SIZE);
        opts.putAddress(8, data.address());
        opts.putAddress(16, out.address());
        opts.putInt(24, length);
        opts.putInt(28, MAX_OUTPUT);   // data_size_out: the room in out
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
        int outLen = opts.getInt(28);
        byte[] bytes = new byte[Math.max(0, Math.min(outLen, MAX_OUTPUT))];
        out.get(0, bytes, 0, bytes.length);
        return new Result(opts.getInt(56), bytes, Integer.toUnsignedLong(opts.getInt(64)));
    }
}
