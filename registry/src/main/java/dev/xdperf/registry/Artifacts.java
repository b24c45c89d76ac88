package dev.xdperf.registry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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
        if (kind.equals("wasm")) {
            if (artifact.length < 8 || artifact[0] != 0 || artifact[1] != 'a' || artifact[2] != 's' || artifact[3] != 'm') {
                return "artifact is not a WebAssembly module (no \\0asm header) but the manifest says kind wasm";
            }
            return null;
        }
        if (!kind.equals("pf4j")) {
            return "kind '" + kind + "' is not wasm or pf4j";
        }
        if (artifact.length < 4 || artifact[0] != 'P' || artifact[1] != 'K') {
            return "artifact is not a jar or zip but the manifest says kind pf4j";
        }
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(artifact))) {
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
