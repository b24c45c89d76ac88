package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;

/**
 * A tracing program attached through a BPF link: fexit to the target it was loaded for (see
 * {@link BpfObject.Opened#setAttachTarget}), or a BTF-typed tracepoint ({@code tp_btf/NAME},
 * no tracefs needed). Closing the link, or the process dying, detaches it.
 */
public final class TracingLink implements AutoCloseable {
    private static final int BPF_TRACE_RAW_TP = 23;
    private static final int BPF_TRACE_FEXIT = 25;
    private int fd;

    private TracingLink(int fd) {
        this.fd = fd;
    }

    public static TracingLink fexit(BpfProgram prog) {
        int fd = Native.bpf().bpf_link_create(prog.fd(), 0, BPF_TRACE_FEXIT, null);
        if (fd < 0) {
            int e = -fd;
            if (e == 95 || e == 524) {
                throw new UnsupportedFeatureException("attach fexit program " + prog.name() + ": " + Native.strerror(e)
                        + " (fexit on BPF programs requires kernel >= 5.5 with a BPF trampoline)");
            }
            throw BpfException.fromErrno("attach fexit program " + prog.name(), e);
        }
        return new TracingLink(fd);
    }

    /** Attaches a {@code tp_btf} program to the tracepoint its section names. */
    public static TracingLink rawTracepoint(BpfProgram prog) {
        int fd = Native.bpf().bpf_link_create(prog.fd(), 0, BPF_TRACE_RAW_TP, null);
        if (fd < 0) {
            throw BpfException.fromErrno("attach tracepoint program " + prog.name(), -fd);
        }
        return new TracingLink(fd);
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Native.libc().close(fd);
            fd = -1;
        }
    }
}
