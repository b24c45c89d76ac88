package dev.xdperf.bpf;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The gate of every test that loads BPF: skipped with the reason as a normal user, a failure under CI. */
final class Privileges {
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_BPF = 39;

    private Privileges() {}

    static void requireBpf() {
        String caps;
        try {
            caps = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:")).findFirst().orElse("CapEff: 0").substring(7).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BigInteger effective = new BigInteger(caps, 16);
        if (!effective.testBit(CAP_BPF) && !effective.testBit(CAP_SYS_ADMIN)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("BPF tests must run under CI: need root or CAP_BPF");
            }
            Assumptions.assumeTrue(false, "skipped: needs root or CAP_BPF");
        }
    }
}
