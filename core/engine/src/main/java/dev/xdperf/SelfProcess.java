package dev.xdperf;

import java.util.ArrayList;
import java.util.List;

/** Starts this same xdperf in another process (a demo's server, a bench's receiver, a test's peer). */
public final class SelfProcess {
    private SelfProcess() {}

    /** The command that starts this same xdperf in another process. */
    public static List<String> command() {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        // the packaged launcher points jffi at its unpacked stub library (no copy into /tmp); keep that
        String jffi = System.getProperty("jffi.boot.library.path");
        if (jffi != null) {
            cmd.add("-Djffi.boot.library.path=" + jffi);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.xdperf.cli.Main"));
        return List.copyOf(cmd);
    }
}
