package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import java.nio.file.Files;
import java.nio.file.Path;

/** Interface lookups in the calling thread's network namespace. */
public final class NetDevices {
    private NetDevices() {}

    /** The ifindex of {@code ifname}, or a clear error when there is no such interface. */
    public static int ifindex(String ifname) {
        if (ifname == null || ifname.isEmpty() || ifname.length() > 15 || ifname.contains("/")) {
            throw new BpfException("find interface '" + ifname + "': not a valid interface name");
        }
        int idx = Native.libc().if_nametoindex(ifname);
        if (idx == 0) {
            throw new BpfException("find interface " + ifname + ": no such interface"
                    + " (see 'ip link' for the interfaces in this network namespace)");
        }
        return idx;
    }

    public static boolean exists(String ifname) {
        return Files.isDirectory(Path.of("/sys/class/net", ifname));
    }
}
