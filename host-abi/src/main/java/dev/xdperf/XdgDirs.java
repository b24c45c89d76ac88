package dev.xdperf;

import java.nio.file.Path;

/**
 * Where xdperf keeps its files, after the XDG base directory specification: configuration in
 * {@code $XDG_CONFIG_HOME/xdperf} (trusted keys, config), data in {@code $XDG_DATA_HOME/xdperf}
 * (installed plugins, the lock file), caches in {@code $XDG_CACHE_HOME/xdperf} (compiled
 * plugins), each defaulting under {@code $HOME} ({@code .config}, {@code .local/share},
 * {@code .cache}). The home is the HOME variable, not Java's user.home, which comes from the
 * passwd entry and so ignores a HOME that a test, sudo or a container set. Relative values are
 * ignored, as the specification says. Here, in the module every other depends on, so that the
 * registry client and the engine agree.
 */
public final class XdgDirs {
    private XdgDirs() {}

    public static Path config() {
        return base("XDG_CONFIG_HOME", ".config").resolve("xdperf");
    }

    public static Path data() {
        return base("XDG_DATA_HOME", ".local/share").resolve("xdperf");
    }

    public static Path cache() {
        return base("XDG_CACHE_HOME", ".cache").resolve("xdperf");
    }

    /** $HOME when it is an absolute path, else Java's user.home. */
    public static Path home() {
        String home = System.getenv("HOME");
        return home != null && home.startsWith("/") ? Path.of(home) : Path.of(System.getProperty("user.home"));
    }

    /** {@code XDPERF_...}-style override: the variable's value when set and not blank, else {@code fallback}. */
    public static Path override(String variable, Path fallback) {
        String v = System.getenv(variable);
        return v != null && !v.isBlank() ? Path.of(v) : fallback;
    }

    private static Path base(String variable, String underHome) {
        String v = System.getenv(variable);
        return v != null && v.startsWith("/") ? Path.of(v) : home().resolve(underHome);
    }
}
