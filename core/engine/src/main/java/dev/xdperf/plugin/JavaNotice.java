package dev.xdperf.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Remembers which Java plugin files (by SHA-256) this plugin directory has already loaded, so
 * that the CLI says once per file that a Java plugin runs with the JVM's full rights.
 */
final class JavaNotice {
    static final String FILE = ".java-plugins-seen";

    private JavaNotice() {}

    /**
     * True the first time a plugin file with this digest is loaded here, and records it. When the
     * directory cannot be written, every load is a first time: better said twice than never.
     */
    static synchronized boolean firstLoad(Path pluginDir, String sha256, String id) {
        Path marker = pluginDir.resolve(FILE);
        try {
            if (Files.isRegularFile(marker)) {
                for (String line : Files.readAllLines(marker, StandardCharsets.UTF_8)) {
                    if (line.startsWith(sha256 + " ")) {
                        return false;
                    }
                }
            }
            Files.createDirectories(pluginDir);
            Files.writeString(marker, sha256 + " " + id + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            return true;
        }
        return true;
    }
}
