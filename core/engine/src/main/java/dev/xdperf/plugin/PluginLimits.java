package dev.xdperf.plugin;

import java.time.Duration;

/** What an untrusted plugin may use: memory, time per call, output bytes. */
public record PluginLimits(int memoryMiB, Duration callTimeout, int maxOutputBytes) {
    public static final PluginLimits DEFAULT = new PluginLimits(64, Duration.ofSeconds(5), 16 << 20);

    public PluginLimits {
        if (memoryMiB < 1 || memoryMiB > 4096) {
            throw new IllegalArgumentException("plugin memory cap must be 1..4096 MiB");
        }
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("plugin call timeout must be positive");
        }
    }

    /** WebAssembly pages (64 KiB) in the memory cap. */
    public int pages() {
        return memoryMiB * 16;
    }
}
