package dev.xdperf.analyze.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for the differential tests, which load programs into the kernel: the same contract as
 * core's Privileged (analyze cannot depend on core's tests): skipped with the reason as a
 * normal user, a failure under CI=true.
 */
public final class Kernel {
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_BPF = 39;

    private Kernel() {}

    public static void require() {
        BigInteger caps = BigInteger.ZERO;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    caps = new BigInteger(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException e) {
            // unknown means none
        }
        if (caps.testBit(CAP_BPF) || caps.testBit(CAP_SYS_ADMIN)) {
            return;
        }
        String missing = "needs root or CAP_BPF to load programs into the kernel";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("privileged test cannot run under CI: " + missing);
        }
        Assumptions.assumeTrue(false, "skipped: " + missing);
    }
}
