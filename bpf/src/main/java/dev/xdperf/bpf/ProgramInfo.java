package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * What the kernel reports about a loaded program ({@code struct bpf_prog_info}): identity and,
 * while {@link BpfStats} are on, the accumulated run time and run count over every CPU.
 *
 * @param runTimeNs total time spent in the program since load, summed over CPUs (0 while stats are off)
 * @param runCount  how many times the program ran while stats were on
 * @param recursionMisses runs skipped because the program was already running on that CPU (tracing programs)
 */
public record ProgramInfo(int id, int type, String name, String tag, int jitedBytes, int xlatedBytes,
                          long runTimeNs, long runCount, long recursionMisses, int verifiedInsns) {
    /** sizeof(struct bpf_prog_info) in the 6.x UAPI headers; older kernels fill a prefix and say so. */
    public static final int SIZE = 232;
    static final int TYPE = 0;
    static final int ID = 4;
    static final int TAG = 8;
    static final int JITED_PROG_LEN = 16;
    static final int XLATED_PROG_LEN = 20;
    static final int NAME = 64;
    static final int NAME_LEN = 16;
    static final int RUN_TIME_NS = 192;
    static final int RUN_CNT = 200;
    static final int RECURSION_MISSES = 208;
    static final int VERIFIED_INSNS = 216;

    public static final int TYPE_XDP = 6;
    public static final int TYPE_TRACING = 26;

    /** Reads the info of the program behind {@code fd}. */
    public static ProgramInfo of(int fd) {
        jnr.ffi.Runtime rt = Native.runtime();
        Pointer info = Memory.allocateDirect(rt, SIZE);
        for (int i = 0; i < SIZE; i += 8) {
            info.putLong(i, 0);
        }
        Pointer len = Memory.allocateDirect(rt, 4);
        len.putInt(0, SIZE);
        int err = Native.bpf().bpf_obj_get_info_by_fd(fd, info, len);
        if (err != 0) {
            throw BpfException.fromErrno("read program info of fd " + fd, err);
        }
        int got = len.getInt(0);
        byte[] tag = new byte[8];
        info.get(TAG, tag, 0, tag.length);
        StringBuilder hex = new StringBuilder();
        for (byte b : tag) {
            hex.append(String.format("%02x", b & 0xff));
        }
        return new ProgramInfo(info.getInt(ID), info.getInt(TYPE), info.getString(NAME, NAME_LEN, StandardCharsets.UTF_8),
                hex.toString(), info.getInt(JITED_PROG_LEN), info.getInt(XLATED_PROG_LEN),
                got > RUN_CNT ? info.getLong(RUN_TIME_NS) : 0, got > RUN_CNT ? info.getLong(RUN_CNT) : 0,
                got > RECURSION_MISSES ? info.getLong(RECURSION_MISSES) : 0,
                got > VERIFIED_INSNS ? info.getInt(VERIFIED_INSNS) : 0);
    }

    /** A human name for the program type, as bpftool prints it. */
    public static String typeName(int type) {
        return switch (type) {
            case 1 -> "socket_filter";
            case 2 -> "kprobe";
            case 3 -> "sched_cls";
            case 4 -> "sched_act";
            case 5 -> "tracepoint";
            case 6 -> "xdp";
            case 7 -> "perf_event";
            case 8 -> "cgroup_skb";
            case 9 -> "cgroup_sock";
            case 17 -> "raw_tracepoint";
            case 26 -> "tracing";
            case 27 -> "struct_ops";
            case 28 -> "ext";
            case 29 -> "lsm";
            default -> "type " + type;
        };
    }
}
