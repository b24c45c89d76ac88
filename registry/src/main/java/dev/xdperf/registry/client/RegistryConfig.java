package dev.xdperf.registry.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Which registry a client talks to and how long it waits, from the environment: a URL given by
 * the caller, else the {@code registry = URL} line of {@code $XDPERF_CONFIG_DIR/config}, else
 * {@link #DEFAULT_URL}; {@code XDPERF_REGISTRY_TIMEOUT} seconds, else {@link RegistryClient#DEFAULT_TIMEOUT}.
 */
public final class RegistryConfig {
    public static final String DEFAULT_URL = "http://127.0.0.1:5211";

    private RegistryConfig() {}

    /** A client for {@code url}, or for the configured registry when {@code url} is null or blank. */
    public static RegistryClient client(String url) {
        return new RegistryClient(url != null && !url.isBlank() ? url : configuredUrl(), timeout());
    }

    /** XDPERF_REGISTRY_TIMEOUT (seconds) bounds connecting and waiting for an answer; default 30. */
    public static Duration timeout() {
        String t = System.getenv("XDPERF_REGISTRY_TIMEOUT");
        if (t == null || t.isBlank()) {
            return RegistryClient.DEFAULT_TIMEOUT;
        }
        try {
            long s = Long.parseLong(t.strip());
            if (s >= 1 && s <= 3600) {
                return Duration.ofSeconds(s);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("XDPERF_REGISTRY_TIMEOUT '" + t + "' is not a number of seconds from 1 to 3600");
    }

    /** The `registry = URL` line of the config file, or the default. */
    public static String configuredUrl() {
        Path config = TrustStore.defaultConfigDir().resolve("config");
        if (Files.isRegularFile(config)) {
            try {
                for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
                    String t = line.strip();
                    if (t.startsWith("registry") && t.substring("registry".length()).strip().startsWith("=")) {
                        return t.substring(t.indexOf('=') + 1).strip();
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("read config " + config + ": " + e.getMessage());
            }
        }
        return DEFAULT_URL;
    }
}
