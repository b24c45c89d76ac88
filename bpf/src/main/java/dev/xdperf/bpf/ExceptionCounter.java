package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import java.nio.ByteBuffer;

/**
 * Counts, from the xdp:xdp_exception tracepoint, the runs of one XDP program that ended in
 * XDP_ABORTED or an invalid action, and the XDP_TX or redirected frames its driver failed to
 * send, per action (slots as in {@link VerdictCounter#ACTIONS}). It does not touch the
 * program, and unlike fexit it costs the program nothing: the tracepoint fires only on
 * exceptions. Attached through a link, without tracefs.
 */
public final class ExceptionCounter implements AutoCloseable {
    private static final int BPF_TRACE_RAW_TP = 23;

    private final BpfObject object;
    private int linkFd;

    private ExceptionCounter(BpfObject object, int linkFd) {
        this.object = object;
        this.linkFd = linkFd;
    }

    /** Counts the exceptions of the program with kernel id {@code programId}. */
    public static ExceptionCounter attach(int programId) {
        BpfObject.Opened opened = BpfObject.open("verdict", BpfObject.bundled("verdict"));
        BpfObject o;
        try {
            opened.setAutoload("xdp_verdict", false);
            o = opened.load();
        } catch (BpfException e) {
            opened.close();
            throw new BpfException("count XDP exceptions: " + e.getMessage(), e.errno());
        }
        try {
            ByteBuffer id = BpfMap.allocate(4).putInt(0, programId);
            o.map("verdict_target").update(0, id);
            int fd = Native.bpf().bpf_link_create(o.program("xdp_exception").fd(), 0, BPF_TRACE_RAW_TP, null);
            if (fd < 0) {
                throw BpfException.fromErrno("attach to the xdp:xdp_exception tracepoint", -fd);
            }
            return new ExceptionCounter(o, fd);
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** Exceptions per action, summed over CPUs. */
    public long[] counts() {
        BpfMap m = object.map("verdicts");
        long[] out = new long[Structs.VERDICTS];
        for (int i = 0; i < out.length; i++) {
            out[i] = m.sumPerCpu(i, 0);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (linkFd >= 0) {
            Native.libc().close(linkFd);
            linkFd = -1;
        }
        object.close();
    }
}
