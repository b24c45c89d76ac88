package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A BPF filesystem of its own, mounted on a fresh temporary directory: objects that pin their
 * maps by name (xdp-tools, xdp-tutorial) pin them here instead of /sys/fs/bpf, which may be
 * absent (inside {@code ip netns exec}) or shared with other users. Each mount of the bpf
 * filesystem is a new instance, so nothing pinned here is visible elsewhere; closing unmounts it
 * (the pins go with it) and removes the directory.
 */
public final class PrivateBpfFs implements AutoCloseable {
    private static final int MNT_DETACH = 2;

    private final Path dir;
    private boolean mounted;

    private PrivateBpfFs(Path dir) {
        this.dir = dir;
    }

    /** A fresh empty directory for pins; nothing is mounted until {@link #mount()}. */
    public static PrivateBpfFs create() {
        try {
            return new PrivateBpfFs(Files.createTempDirectory("xdperf-pins-"));
        } catch (IOException e) {
            throw new BpfException("create a directory for pinned maps: " + e.getMessage());
        }
    }

    public Path dir() {
        return dir;
    }

    /** Mounts a new bpf filesystem instance on the directory. */
    public PrivateBpfFs mount() {
        if (!mounted) {
            if (Native.libc().mount("bpf", dir.toString(), "bpf", 0, null) != 0) {
                int e = Native.lastErrno();
                throw new BpfException("mount a BPF filesystem on " + dir + " for pinned maps: " + Native.strerror(e)
                        + (e == 1 ? " (run as root or grant CAP_SYS_ADMIN)" : ""), e);
            }
            mounted = true;
        }
        return this;
    }

    public boolean mounted() {
        return mounted;
    }

    @Override
    public void close() {
        if (mounted) {
            Native.libc().umount2(dir.toString(), MNT_DETACH);
            mounted = false;
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // not empty only if the unmount failed; nothing more to do
        }
    }
}
