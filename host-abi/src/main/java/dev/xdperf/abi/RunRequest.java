package dev.xdperf.abi;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** What the host tells a plugin about a run (docs/abi.md, "Run request"). Options keep their order. */
public record RunRequest(AbiVersion abi, int mtu, int cpus, byte[] srcMac, byte[] dstMac, int frameSize, int streamBase,
                         List<InetAddress> srcAddrs, List<InetAddress> dstAddrs, List<Map.Entry<String, String>> options) {
    public static final int MAX_ADDRS = 16;
    public static final int MAX_OPTIONS = 256;

    public RunRequest {
        if (srcMac.length != 6 || dstMac.length != 6) {
            throw new AbiException("a run request needs 6-byte MAC addresses");
        }
        srcMac = srcMac.clone();
        dstMac = dstMac.clone();
        srcAddrs = List.copyOf(srcAddrs);
        dstAddrs = List.copyOf(dstAddrs);
        options = options.stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }

    @Override
    public byte[] srcMac() {
        return srcMac.clone();
    }

    @Override
    public byte[] dstMac() {
        return dstMac.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunRequest r && abi.equals(r.abi) && mtu == r.mtu && cpus == r.cpus
                && Arrays.equals(srcMac, r.srcMac) && Arrays.equals(dstMac, r.dstMac) && frameSize == r.frameSize
                && streamBase == r.streamBase && srcAddrs.equals(r.srcAddrs) && dstAddrs.equals(r.dstAddrs)
                && options.equals(r.options);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(srcMac) * 31 + options.hashCode();
    }
}
