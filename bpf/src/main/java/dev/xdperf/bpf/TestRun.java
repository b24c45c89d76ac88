package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A plain BPF_PROG_TEST_RUN of a program on one packet (no live frames): the kernel runs it
 * on a copy of {@code data} and hands back the program's return value and the packet as the
 * program left it (for XDP, from data_meta to data_end).
 */
public final class TestRun {
    /** The largest output the kernel can return for an XDP test run: one page. */
    public static final int MAX_OUTPUT = 4096;

    /** What the kernel reported. */
    public record Result(int retval, byte[] dataOut, long durationNs) {
    }

    private TestRun() {}

    public static Result run(BpfProgram program, byte[] data, int repeat) {
        jnr.ffi.Runtime rt = Native.runtime();
        Pointer in = Memory.allocateDirect(rt, Math.max(1, data.length));
        in.put(0, data, 0, data.length);
        Pointer out = Memory.allocateDirect(rt, MAX_OUTPUT);
        Pointer opts = Memory.allocateDirect(rt, LiveFrames.OPTS_SIZE);
        for (int i = 0; i < LiveFrames.OPTS_SIZE; i += 8) {
            opts.putLong(i, 0);
        }
        opts.putLong(0, LiveFrames.OPTS_SIZE);
        opts.putAddress(8, in.address());
        opts.putAddress(16, out.address());
        opts.putInt(24, data.length);
        opts.putInt(28, MAX_OUTPUT);
        opts.putInt(60, Math.max(1, repeat));
        int err = Native.bpf().bpf_prog_test_run_opts(program.fd(), opts);
        if (err != 0) {
            throw BpfException.fromErrno("test run of " + program.name(), -err);
        }
        int outLen = opts.getInt(28);
        byte[] bytes = new byte[Math.min(outLen, MAX_OUTPUT)];
        out.get(0, bytes, 0, bytes.length);
        return new Result(opts.getInt(56), bytes, Integer.toUnsignedLong(opts.getInt(64)));
    }
}
