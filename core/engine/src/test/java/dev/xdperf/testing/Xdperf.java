package dev.xdperf.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real xdperf command as a separate process, optionally inside a network namespace. */
public final class Xdperf {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Xdperf() {}

    public record Result(int exit, String stdout, String stderr) {
        public JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + stdout + "\nstderr: " + stderr, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    static List<String> command(String netns, List<String> args) {
        return command(netns, List.of(), args);
    }

    /** The command line of xdperf in {@code netns}, run through {@code wrapper} (e.g. setpriv) inside it. */
    static List<String> command(String netns, List<String> wrapper, List<String> args) {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.addAll(wrapper);
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.xdperf.cli.Main"));
        cmd.addAll(args);
        return cmd;
    }

    /** Runs to completion (at most {@code timeoutSeconds}) and returns exit code and output. */
    public static Result run(String netns, int timeoutSeconds, String... args) {
        return exec(command(netns, Arrays.asList(args)), timeoutSeconds);
    }

    /** Like {@link #run(String, int, String...)} with extra environment variables (e.g. XDPERF_PLUGIN_DIR). */
    public static Result run(java.util.Map<String, String> env, String netns, int timeoutSeconds, String... args) {
        return exec(command(netns, Arrays.asList(args)), env, timeoutSeconds);
    }

    /** Runs with extra environment variables (XDPERF_PLUGIN_DIR, XDPERF_CONFIG_DIR, ...). */
    public static Result runWithEnv(java.util.Map<String, String> env, int timeoutSeconds, String... args) {
        return exec(command(null, Arrays.asList(args)), env, timeoutSeconds);
    }

    /** Like {@link #run(String, int, String...)}, through a wrapper such as {@code setpriv --bounding-set ...}. */
    public static Result runWrapped(String netns, List<String> wrapper, int timeoutSeconds, String... args) {
        return exec(command(netns, wrapper, Arrays.asList(args)), timeoutSeconds);
    }

    public static Result exec(List<String> cmd, int timeoutSeconds) {
        return exec(cmd, java.util.Map.of(), timeoutSeconds);
    }

    public static Result exec(List<String> cmd, int timeoutSeconds, java.util.Map<String, String> env) {
        return exec(cmd, env, timeoutSeconds);
    }

    public static Result exec(List<String> cmd, java.util.Map<String, String> env, int timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s\n"
                        + out.getNow("") + err.getNow(""));
            }
            return new Result(p.exitValue(), out.get(), err.get());
        } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError("run " + cmd + ": " + e, e);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** A long-running xdperf (a server) whose output is collected; start() returns once {@code readyLine} appeared. */
    public static final class Background implements AutoCloseable {
        private final Process process;
        private final StringBuffer output = new StringBuffer();
        private final CompletableFuture<Boolean> ready = new CompletableFuture<>();

        private Background(Process process, String readyLine) {
            this.process = process;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        output.append(line).append('\n');
                        if (line.contains(readyLine)) {
                            ready.complete(true);
                        }
                    }
                } catch (IOException ignored) {
                    // process gone
                }
                ready.complete(false);
            });
            t.setDaemon(true);
            t.start();
        }

        public static Background start(String netns, String readyLine, String... args) {
            return startWithEnv(java.util.Map.of(), netns, List.of(), readyLine, args);
        }

        /** As {@link #start(String, String, String...)}, through a wrapper such as {@code setpriv}. */
        public static Background start(String netns, List<String> wrapper, String readyLine, String... args) {
            return startWithEnv(java.util.Map.of(), netns, wrapper, readyLine, args);
        }

        public static Background startWithEnv(java.util.Map<String, String> env, String netns, String readyLine, String... args) {
            return startWithEnv(env, netns, List.of(), readyLine, args);
        }

        public static Background startWithEnv(java.util.Map<String, String> env, String netns, List<String> wrapper,
                                              String readyLine, String... args) {
            try {
                ProcessBuilder pb = new ProcessBuilder(command(netns, wrapper, Arrays.asList(args))).redirectErrorStream(true);
                pb.environment().putAll(env);
                Process p = pb.start();
                Background b = new Background(p, readyLine);
                if (!b.ready.get(30, TimeUnit.SECONDS)) {
                    p.waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError("xdperf " + String.join(" ", args) + " did not become ready:\n" + b.output());
                }
                return b;
            } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException
                     | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("start xdperf " + String.join(" ", args) + ": " + e, e);
            }
        }

        public String output() {
            return output.toString();
        }

        public Process process() {
            return process;
        }

        public int waitFor(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("process did not exit within " + seconds + " s:\n" + output());
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                }
            }
        }
    }
}
