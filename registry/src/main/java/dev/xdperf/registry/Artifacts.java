package dev.xdperf.registry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What a plugin file of each kind must look like: a WebAssembly module starts with {@code \0asm};
 * a PF4J plugin is a jar or zip whose every entry stays inside it. The registry checks this on
 * publish and the installer again on install, since neither trusts the other.
 */
public final class Artifacts {
    private Artifacts() {}

    /** Why {@code artifact} is not a plugin file of {@code kind}, in one sentence; null when it is. */
    public static String problem(String kind, byte[] artifact) {
        try {
            return problem(kind, new ByteArrayInputStream(artifact));
        } catch (IOException e) {
            return "artifact is not a readable jar or zip: " + e.getMessage();
        }
    }

    /** The same check of a file, read as a stream (a registry's upload, which is never held in memory). */
    public static String problem(String kind, java.nio.file.Path artifact) throws IOException {
        try (InputStream in = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(artifact), 64 * 1024)) {
            return problem(kind, in);
        }
    }

    private static String problem(String kind, InputStream in) throws IOException {
        byte[] head = in.readNBytes(8);
        if (kind.equals("wasm")) {
            if (head.length < 8 || head[0] != 0 || head[1] != 'a' || head[2] != 's' || head[3] != 'm') {
                return "artifact is not a WebAssembly module (no \\0asm header) but the manifest says kind wasm";
            }
            return null;
        }
        if (!kind.equals("pf4j")) {
            return "kind '" + kind + "' is not wasm or pf4j";
        }
        if (head.length < 4 || head[0] != 'P' || head[1] != 'K') {
            return "artifact is not a jar or zip but the manifest says kind pf4j";
        }
        try (ZipInputStream zip = new ZipInputStream(new SequenceInputStream(new ByteArrayInputStream(head), in))) {
            ZipEntry e;
            int entries = 0;
            while ((e = zip.getNextEntry()) != null) {
                String n = e.getName().replace('\\', '/');
                if (n.startsWith("/") || n.matches("^[A-Za-z]:.*") || List.of(n.split("/")).contains("..")) {
                    return "archive entry '" + e.getName() + "' escapes the plugin's directory";
                }
                entries++;
            }
            if (entries == 0) {
                return "archive has no entries";
            }
        } catch (IOException e) {
            return "artifact is not a readable jar or zip: " + e.getMessage();
        }
        return null;
    }

    /**
     * The file name extension a plugin file is installed with: .wasm; for PF4J, .zip when it has
     * PF4J's zip layout (classes/ or lib/ at the top), else .jar.
     */
    public static String extension(String kind, byte[] artifact) {
        if (kind.equals("wasm")) {
            return ".wasm";
        }
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(artifact))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().startsWith("classes/") || e.getName().startsWith("lib/")) {
                    return ".zip";
                }
            }
        } catch (IOException e) {
            // checked by problem() before: not reached for a readable archive
        }
        return ".jar";
    }
}
