package dev.xdperf.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo starts its server and client with this same xdperf: same Java, class path and FFI stub. */
class DemoSelfCommandTest {
    private static final String JFFI = "jffi.boot.library.path";

    @Test
    void runsTheSameJavaAndClassPath() {
        List<String> cmd = dev.xdperf.SelfProcess.command();
        assertEquals(ProcessHandle.current().info().command().orElse("java"), cmd.get(0));
        int cp = cmd.indexOf("-cp");
        assertEquals(System.getProperty("java.class.path"), cmd.get(cp + 1));
        assertEquals("dev.xdperf.cli.Main", cmd.get(cmd.size() - 1));
    }

    @Test
    void forwardsThePackagedFfiStubLocation() {
        String before = System.getProperty(JFFI);
        try {
            System.clearProperty(JFFI);
            assertFalse(dev.xdperf.SelfProcess.command().stream().anyMatch(a -> a.startsWith("-D" + JFFI)), dev.xdperf.SelfProcess.command().toString());
            System.setProperty(JFFI, "/usr/lib/xdperf/lib");
            List<String> cmd = dev.xdperf.SelfProcess.command();
            assertTrue(cmd.indexOf("-D" + JFFI + "=/usr/lib/xdperf/lib") > 0, cmd.toString());
            assertTrue(cmd.indexOf("-D" + JFFI + "=/usr/lib/xdperf/lib") < cmd.indexOf("-cp"), "a JVM option: " + cmd);
        } finally {
            if (before == null) {
                System.clearProperty(JFFI);
            } else {
                System.setProperty(JFFI, before);
            }
        }
    }
}
