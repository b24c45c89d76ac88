package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * An XDP program attached to an interface through a BPF link: closing the link, or the
 * process dying, detaches it, so nothing stays behind.
 */
public final class XdpLink implements AutoCloseable {
    private static final int BPF_XDP = 37;
    private static final int LINK_CREATE_OPTS_SIZE = 64;
    private static final int EEXIST = 17;
    private static final int EBUSY = 16;
    private static final int EOPNOTSUPP = 95;
    private static final int EINVAL = 22;

    private final String ifname;
    private final XdpMode mode;
    private int fd;

    private XdpLink(String ifname, XdpMode mode, int fd) {
        this.ifname = ifname;
        this.mode = mode;
        this.fd = fd;
    }

    /** Attaches {@code prog} to {@code ifname} in the given mode. */
    public static XdpLink attach(BpfProgram prog, String ifname, XdpMode mode) {
        int ifindex = NetDevices.ifindex(ifname);
        Pointer opts = Memory.allocateDirect(Native.runtime(), LINK_CREATE_OPTS_SIZE);
        for (int i = 0; i < LINK_CREATE_OPTS_SIZE; i += 8) {
            opts.putLong(i, 0);
        }
        opts.putLong(0, LINK_CREATE_OPTS_SIZE);
        opts.putInt(8, mode.flag);
        int fd = Native.bpf().bpf_link_create(prog.fd(), ifindex, BPF_XDP, opts);
        if (fd < 0) {
            int e = -fd;
            String what = "attach " + prog.name() + " to " + ifname + " (" + mode.name().toLowerCase() + " XDP)";
            if (e == EEXIST || e == EBUSY) {
                throw new BpfException(what + ": another XDP program is already attached"
                        + " (see 'ip link show " + ifname + "'; detach it first)", e);
            }
            if (e == EOPNOTSUPP || (e == EINVAL && mode == XdpMode.NATIVE)) {
                throw new UnsupportedFeatureException(what + ": the driver of " + ifname
                        + " does not support native XDP (try --xdp-mode generic, which cannot transmit at speed)");
            }
            throw BpfException.fromErrno(what, e);
        }
        return new XdpLink(ifname, mode, fd);
    }

    public String ifname() {
        return ifname;
    }

    public XdpMode mode() {
        return mode;
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Native.libc().close(fd);
            fd = -1;
        }
    }
}
