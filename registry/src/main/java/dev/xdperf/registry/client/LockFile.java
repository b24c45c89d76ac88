package dev.xdperf.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.registry.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What was installed into a plugin directory (DIR/plugins.lock): per installed release, keyed
 * by its full id PUBLISHER/NAME, the version, kind, ABI, the artifact's and the manifest's
 * sha256, the signing key and its signature, and the file (relative to DIR), so an installed
 * file can be checked again offline and reinstalled exactly. Two publishers' plugins of the
 * same name are two entries and two files (DIR/PUBLISHER/NAME.EXT).
 */
public final class LockFile {
    public static final String NAME = "plugins.lock";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public record Entry(String id, String version, String kind, String abi, String sha256, String manifestSha256,
                        String key, String signature, String registry, String installed, String file) {
        public String publisher() {
            return id.substring(0, id.indexOf('/'));
        }

        public String name() {
            return id.substring(id.indexOf('/') + 1);
        }

        /** The installed file. */
        public Path path(Path dir) {
            return dir.resolve(file);
        }
    }

    private LockFile() {}

    public static Path path(Path dir) {
        return dir.resolve(NAME);
    }

    /** Where a release of this kind is installed, relative to the plugin directory. */
    public static String fileFor(String publisher, String name, String extension) {
        return Names.requirePublisher(publisher) + "/" + Names.requirePlugin(name) + extension;
    }

    /**
     * The entries by id; empty when there is no lock file. Entries of lock files written before
     * namespaces were kept apart (keyed by bare name, file DIR/NAME.wasm) are read under their id.
     */
    public static Map<String, Entry> read(Path dir) {
        Path p = path(dir);
        Map<String, Entry> out = new TreeMap<>();
        if (!Files.isRegularFile(p)) {
            return out;
        }
        JsonNode n;
        try {
            n = JSON.readTree(Files.readAllBytes(p));
        } catch (IOException e) {
            throw new IllegalStateException("read lock file " + p + ": " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException
                    ? "not valid JSON" : AtomicFiles.reason(e)) + " (remove it and install again)");
        }
        n.path("plugins").fields().forEachRemaining(f -> {
            JsonNode e = f.getValue();
            String id = e.path("id").asText();
            int slash = id.indexOf('/');
            if (slash <= 0 || !Names.valid(id.substring(0, slash)) || !Names.valid(id.substring(slash + 1))) {
                throw new IllegalStateException("read lock file " + p + ": entry '" + f.getKey() + "' has no valid id (remove it and install again)");
            }
            String file = e.path("file").asText(f.getKey().contains("/") ? "" : f.getKey() + ".wasm");
            if (file.isEmpty() || file.startsWith("/") || file.contains("..") || file.contains("\\")) {
                throw new IllegalStateException("read lock file " + p + ": entry " + id + " names no file inside the plugin directory"
                        + " (remove it and install again)");
            }
            out.put(id, new Entry(id, e.path("version").asText(), e.path("kind").asText(),
                    e.path("abi").asText(), e.path("sha256").asText(), e.path("manifest_sha256").asText(), e.path("key").asText(),
                    e.path("signature").asText(), e.path("registry").asText(), e.path("installed").asText(), file));
        });
        return out;
    }

    static byte[] render(Map<String, Entry> entries) {
        ObjectNode root = JSON.createObjectNode();
        root.put("lock_version", 2);
        ObjectNode plugins = root.putObject("plugins");
        new TreeMap<>(entries).forEach((id, e) -> {
            ObjectNode o = plugins.putObject(id);
            o.put("id", e.id());
            o.put("version", e.version());
            o.put("kind", e.kind());
            o.put("abi", e.abi());
            o.put("sha256", e.sha256());
            o.put("manifest_sha256", e.manifestSha256());
            o.put("key", e.key());
            o.put("signature", e.signature());
            o.put("registry", e.registry());
            o.put("installed", e.installed());
            o.put("file", e.file());
        });
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
