package dev.xdperf.analyze.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jnr.ffi.LibraryLoader;

/**
 * A network namespace a test makes (named xdperf-*), configures with ip, and enters on the
 * calling thread only (setns is per thread): BPF_PROG_TEST_RUN and processes started from that
 * thread then see its interfaces and routes. {@link #close()} returns the thread and deletes it.
 */
public final class Netns implements AutoCloseable {
    public interface LibC {
        int open(String path, int flags);

        int close(int fd);

        int setns(int fd, int nstype);
    }

    private static final int CLONE_NEWNET = 0x40000000;
    private static final LibC C = LibraryLoader.create(LibC.class).load("c");

    private final String name;
    private int home = -1;

    private Netns(String name) {
        this.name = name;
    }

    public static Netns create(String name) {
        if (!name.startsWith("xdperf-")) {
            throw new IllegalArgumentException("test namespaces are named xdperf-*");
        }
        run("ip", "netns", "del", name);  // left over from an interrupted run
        Netns n = new Netns(name);
        n.ip("netns", "add", name);
        return n;
    }

    public String name() {
        return name;
    }

    /** Runs {@code ip -n NAME ARGS...} (or ip ARGS when they already name the namespace); fails on error. */
    public void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (!args[0].equals("netns")) {
            cmd.addAll(List.of("-n", name));
        }
        cmd.addAll(List.of(args));
        String err = run(cmd.toArray(String[]::new));
        if (err != null) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + err);
        }
    }

    /** Runs a command inside the namespace (ip netns exec). */
    public void exec(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(args));
        String err = run(cmd.toArray(String[]::new));
        if (err != null) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + err);
        }
    }

    /** Moves the calling thread into the namespace. */
    public void enter() {
        home = C.open("/proc/thread-self/ns/net", 0);
        int fd = C.open("/run/netns/" + name, 0);
        if (home < 0 || fd < 0 || C.setns(fd, CLONE_NEWNET) != 0) {
            throw new IllegalStateException("enter network namespace " + name + " failed");
        }
        C.close(fd);
    }

    @Override
    public void close() {
        try {
            if (home >= 0) {
                C.setns(home, CLONE_NEWNET);
                C.close(home);
                home = -1;
            }
        } finally {
            run("ip", "netns", "del", name);
        }
    }

    /** null on success, the error output otherwise. */
    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? null : out.trim();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
