package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * BPF_PROG_TEST_RUN of a program on a fresh copy of one frame for every run. The kernel runs a
 * test run's repeats on one buffer, so a program that rewrites its packet in place (an ICMP echo
 * responder, a port rewriter) would see its own output from the second run on. Here a small
 * wrapper program runs instead: it restores the frame's length and bytes from a map, then tail-
 * calls the program. Its own cost is the difference between {@link #run} and {@link #runEmpty}
 * (the same wrapper tail-calling a program that only returns XDP_PASS).
 */
public final class FreshTestRun implements AutoCloseable {
    private static final int BPF_MAP_TYPE_ARRAY = 2;
    private static final int BPF_MAP_TYPE_PROG_ARRAY = 3;
    private static final int HELPER_MAP_LOOKUP = 1;
    private static final int HELPER_TAIL_CALL = 12;
    private static final int HELPER_XDP_ADJUST_TAIL = 65;
    private static final int HELPER_XDP_STORE_BYTES = 190;
    /** What the wrapper returns when it could not restore the frame or the tail call did not happen. */
    public static final int NOT_RUN = 0x7ffe;
    /** r0 = XDP_PASS; exit */
    public static final long[] PASS = {insn(0xb7, 0, 0, 0, 2), insn(0x95, 0, 0, 0, 0)};

    private final BpfProgram target;
    private final byte[] frame;
    private int templateFd = -1;
    private int targetsFd = -1;
    private RawProgram wrapper;
    private RawProgram pass;
    private TestRun run;

    /** Prepares the wrapper for {@code target} and {@code frame}; fails if the kernel will not tail-call {@code target}. */
    public FreshTestRun(BpfProgram target, byte[] frame) {
        this.target = target;
        this.frame = frame.clone();
        try {
            templateFd = createMap(BPF_MAP_TYPE_ARRAY, "xdperf_frame", frame.length);
            Pointer key = Memory.allocateDirect(Native.runtime(), 4);
            key.putInt(0, 0);
            Pointer value = Memory.allocateDirect(Native.runtime(), frame.length);
            value.put(0, frame, 0, frame.length);
            update(templateFd, key, value, "store the frame");
            // The kernel tail-calls only a program of the caller's expected attach type, which the loaded
            // program does not report: libbpf gives section "xdp" BPF_XDP, legacy sections none. Try both.
            BpfException last = null;
            for (int attach : new int[] {RawProgram.ATTACH_XDP, 0}) {
                try {
                    prepare(attach);
                    last = null;
                    break;
                } catch (BpfException e) {
                    last = e;
                    closePrograms();
                }
            }
            if (last != null) {
                throw last;
            }
            run = new TestRun(wrapper.program(), frame);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void prepare(int attach) {
        targetsFd = createMap(BPF_MAP_TYPE_PROG_ARRAY, "xdperf_target", 4);
        wrapper = RawProgram.loadXdp("xdperf_fresh", wrapper(frame.length, templateFd, targetsFd), attach);
        pass = RawProgram.loadXdp("xdperf_pass", PASS, attach);
        setTarget(target.fd());
    }

    private void closePrograms() {
        if (wrapper != null) {
            wrapper.close();
            wrapper = null;
        }
        if (pass != null) {
            pass.close();
            pass = null;
        }
        if (targetsFd >= 0) {
            Native.libc().close(targetsFd);
            targetsFd = -1;
        }
    }

    /** {@code repeat} runs of the program, each on a fresh copy of the frame (plus the wrapper's cost). */
    public TestRun.Result run(int repeat) {
        setTarget(target.fd());
        return run.run(repeat);
    }

    /** The same with a program that only returns XDP_PASS: the wrapper's own cost. */
    public TestRun.Result runEmpty(int repeat) {
        setTarget(pass.program().fd());
        return run.run(repeat);
    }

    /** The wrapper that the test runs enter (its run count tells whether run-time statistics were on). */
    public BpfProgram wrapperProgram() {
        return wrapper.program();
    }

    /** The program that only returns XDP_PASS, to run directly (the test run's own cost per run). */
    public BpfProgram passProgram() {
        return pass.program();
    }

    private void setTarget(int fd) {
        Pointer key = Memory.allocateDirect(Native.runtime(), 4);
        key.putInt(0, 0);
        Pointer value = Memory.allocateDirect(Native.runtime(), 4);
        value.putInt(0, fd);
        update(targetsFd, key, value, "tail-call " + target.name() + " from a wrapper that restores its frame");
    }

    private static void update(int fd, Pointer key, Pointer value, String what) {
        if (Native.bpf().bpf_map_update_elem(fd, key, value, 0) != 0) {
            throw BpfException.fromErrno(what, Native.lastErrno());
        }
    }

    private static int createMap(int type, String name, int valueSize) {
        int fd = Native.bpf().bpf_map_create(type, name, 4, valueSize, 1, null);
        if (fd < 0) {
            throw BpfException.fromErrno("create map " + name, -fd);
        }
        return fd;
    }

    /**
     * r6 = ctx; fix the length to len (bpf_xdp_adjust_tail); copy the frame from the map
     * (bpf_xdp_store_bytes); tail-call the target; on any failure return {@link #NOT_RUN}.
     */
    static long[] wrapper(int len, int frameMap, int targets) {
        return new long[] {
            insn(0xbf, 6, 1, 0, 0),            //  0: r6 = r1
            insn(0x61, 2, 6, 4, 0),            //  1: r2 = ctx->data_end
            insn(0x61, 3, 6, 0, 0),            //  2: r3 = ctx->data
            insn(0x1f, 2, 3, 0, 0),            //  3: r2 -= r3 (current length)
            insn(0xb7, 3, 0, 0, len),          //  4: r3 = len
            insn(0x1f, 3, 2, 0, 0),            //  5: r3 -= r2 (delta)
            insn(0x15, 3, 0, 3, 0),            //  6: if r3 == 0 goto 10
            insn(0xbf, 1, 6, 0, 0),            //  7: r1 = r6
            insn(0xbf, 2, 3, 0, 0),            //  8: r2 = r3
            insn(0x85, 0, 0, 0, HELPER_XDP_ADJUST_TAIL),  // 9
            insn(0x62, 10, 0, -4, 0),          // 10: *(u32 *)(r10 - 4) = 0
            insn(0xbf, 2, 10, 0, 0),           // 11: r2 = r10
            insn(0x07, 2, 0, 0, -4),           // 12: r2 += -4
            insn(0x18, 1, 1, 0, frameMap),     // 13: r1 = map (pseudo map fd)
            insn(0, 0, 0, 0, 0),               // 14
            insn(0x85, 0, 0, 0, HELPER_MAP_LOOKUP),       // 15
            insn(0x15, 0, 0, 11, 0),           // 16: if r0 == 0 goto 28
            insn(0xbf, 1, 6, 0, 0),            // 17: r1 = r6
            insn(0xb7, 2, 0, 0, 0),            // 18: r2 = 0
            insn(0xbf, 3, 0, 0, 0),            // 19: r3 = r0
            insn(0xb7, 4, 0, 0, len),          // 20: r4 = len
            insn(0x85, 0, 0, 0, HELPER_XDP_STORE_BYTES),  // 21
            insn(0x55, 0, 0, 5, 0),            // 22: if r0 != 0 goto 28
            insn(0xbf, 1, 6, 0, 0),            // 23: r1 = r6
            insn(0x18, 2, 1, 0, targets),      // 24: r2 = prog array
            insn(0, 0, 0, 0, 0),               // 25
            insn(0xb7, 3, 0, 0, 0),            // 26: r3 = 0
            insn(0x85, 0, 0, 0, HELPER_TAIL_CALL),        // 27
            insn(0xb7, 0, 0, 0, NOT_RUN),      // 28: r0 = NOT_RUN
            insn(0x95, 0, 0, 0, 0),            // 29: exit
        };
    }

    static long insn(int code, int dst, int src, int off, int imm) {
        return (code & 0xffL) | (dst & 0xfL) << 8 | (src & 0xfL) << 12 | (off & 0xffffL) << 16 | (imm & 0xffffffffL) << 32;
    }

    @Override
    public void close() {
        closePrograms();
        if (templateFd >= 0) {
            Native.libc().close(templateFd);
            templateFd = -1;
        }
    }
}
