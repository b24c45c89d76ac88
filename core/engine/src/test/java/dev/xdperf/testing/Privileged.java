package dev.xdperf.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.xdperf.probe.Privileges;
import java.io.File;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need root, BPF and network namespaces: skipped with the reason when
 * run as a normal user, but a failure under CI (CI=true), where they must run.
 */
public final class Privileged {
    private Privileged() {}

    public static void require() {
        String missing = null;
        if (!Privileges.canUseXdp()) {
            missing = "needs root or CAP_BPF + CAP_NET_ADMIN";
        } else if (!new File("/usr/sbin/ip").canExecute() && !new File("/sbin/ip").canExecute() && !new File("/usr/bin/ip").canExecute()) {
            missing = "needs iproute2 (scripts/setup.sh)";
        }
        if (missing == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("privileged test cannot run under CI: " + missing);
        }
        Assumptions.assumeTrue(false, "skipped: " + missing);
    }
}
