package dev.xdperf.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system tools xdperf leans on (ip, ethtool) and returns what they print. */
public final class Commands {
    private Commands() {}

    public record Output(int exit, String stdout, String stderr) {
        public boolean ok() {
            return exit == 0;
        }
    }

    public static Output run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Output(-1, "", String.join(" ", command) + ": timed out");
            }
            return new Output(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new Output(-1, "", command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Output(-1, "", command.get(0) + ": interrupted");
        }
    }

    /** Runs a command that must succeed; the failure says what was run and what it printed. */
    public static String check(List<String> command) {
        Output o = run(command);
        if (!o.ok()) {
            throw new IllegalStateException(String.join(" ", command) + ": " + (o.stderr().isEmpty() ? "exit " + o.exit() : o.stderr()));
        }
        return o.stdout();
    }
}
