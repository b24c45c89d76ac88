package dev.xdperf.probe;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

/** Effective capabilities of this process, from /proc/self/status. */
public final class Privileges {
    static final int CAP_NET_ADMIN = 12;
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;

    private Privileges() {}

    static BigInteger effective() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return new BigInteger(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException e) {
            // fall through: unknown means none
        }
        return BigInteger.ZERO;
    }

    public static boolean has(int cap) {
        return effective().testBit(cap);
    }

    /**
     * Loading XDP programs and attaching them needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (or
     * CAP_SYS_ADMIN for BPF and PERFMON): without CAP_PERFMON the verifier rejects xdp_tx's and
     * xdp_rx's pointer arithmetic as it would an unprivileged loader's (tried: "R2 pointer -=
     * pointer prohibited").
     */
    public static boolean canUseXdp() {
        BigInteger caps = effective();
        boolean admin = caps.testBit(CAP_SYS_ADMIN);
        return (caps.testBit(CAP_BPF) || admin) && (caps.testBit(CAP_PERFMON) || admin) && caps.testBit(CAP_NET_ADMIN);
    }

    /** Throws the one-sentence reason when this process cannot load and attach XDP programs. */
    public static void requireXdp(String command) {
        if (!canUseXdp()) {
            throw new SecurityException("xdperf " + command + " needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON"
                    + " (run it with sudo)");
        }
    }
}
