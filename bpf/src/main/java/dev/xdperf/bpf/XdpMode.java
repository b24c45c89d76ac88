package dev.xdperf.bpf;

/** How an XDP program is attached: in the driver (native) or in the generic stack path. */
public enum XdpMode {
    NATIVE(1 << 2),
    GENERIC(1 << 1);

    final int flag;

    XdpMode(int flag) {
        this.flag = flag;
    }
}
