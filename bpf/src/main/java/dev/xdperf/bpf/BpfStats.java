package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;

/**
 * The kernel's run-time statistics for BPF programs (BPF_ENABLE_STATS with
 * BPF_STATS_RUN_TIME): while at least one holder keeps its fd open, every program run is
 * timed and counted, and {@link ProgramInfo} reports the totals. Closing turns them off again
 * (unless another holder, or the {@code kernel.bpf_stats_enabled} sysctl, keeps them on).
 */
public final class BpfStats implements AutoCloseable {
    private static final int BPF_STATS_RUN_TIME = 0;
    private int fd;

    private BpfStats(int fd) {
        this.fd = fd;
    }

    public static BpfStats enableRunTime() {
        int fd = Native.bpf().bpf_enable_stats(BPF_STATS_RUN_TIME);
        if (fd < 0) {
            int e = -fd;
            if (e == 22 || e == 95) {
                throw new UnsupportedFeatureException("enable BPF run-time statistics: " + Native.strerror(e)
                        + " (BPF_ENABLE_STATS requires kernel >= 5.8)");
            }
            throw BpfException.fromErrno("enable BPF run-time statistics", e);
        }
        return new BpfStats(fd);
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Native.libc().close(fd);
            fd = -1;
        }
    }
}
