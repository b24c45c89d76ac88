package dev.xdperf.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.registry.Digests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A directory mirror of a registry: the API's GET answers as files (PATH/index.json, and the
 * plugin files under api/v1/blobs/sha256/), so `--registry file:///DIR` installs with no
 * network. Copy it anywhere; what is installed from it is verified like any download.
 */
public final class Mirror {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Mirror() {}

    /**
     * Mirrors the given plugins (PUBLISHER/NAME, with every version, yanked ones too), or all
     * that search finds when none are given; returns the number of versions copied.
     */
    public static int write(RegistryClient registry, Path out, List<String> ids) {
        Set<String> todo = new LinkedHashSet<>(ids);
        if (todo.isEmpty()) {
            registry.search(null, null, null).forEach(h -> todo.add(h.id()));
        }
        ArrayNode results = JSON.createArrayNode();
        int versions = 0;
        try {
            for (String id : todo) {
                // names, versions and digests become paths: take only what validates
                Installer.Spec spec = Installer.Spec.parse(id);
                if (spec.version() != null || !id.contains("/")) {
                    throw new IllegalArgumentException("mirror: give plugins as PUBLISHER/NAME, not '" + id + "'");
                }
                String base = "/plugins/" + spec.publisher() + "/" + spec.name();
                JsonNode plugin = registry.getJson(base);
                put(out, base, plugin);
                for (JsonNode v : plugin.path("versions")) {
                    String version = dev.xdperf.registry.SemVer.parse(v.path("version").asText()).toString();
                    String path = base + "/versions/" + version;
                    JsonNode record = registry.getJson(path);
                    put(out, path, record);
                    String sha = record.path("artifact_sha256").asText();
                    if (!Digests.isSha256Hex(sha)) {
                        throw new SecurityException("mirror " + id + ": '" + sha + "' is not a sha256 digest");
                    }
                    byte[] bytes = registry.download(sha);
                    if (!Digests.sha256Hex(bytes).equals(sha)) {
                        throw new SecurityException("mirror " + id + " " + version + ": the download does not match sha256 " + sha);
                    }
                    Path blob = out.resolve("api/v1/blobs/sha256/" + sha);
                    Files.createDirectories(blob.getParent());
                    AtomicFiles.write(blob, bytes);
                    versions++;
                    if (v.path("version").asText().equals(plugin.path("latest").asText(null))) {
                        ObjectNode r = results.addObject();
                        for (String f : List.of("id", "publisher", "name", "version", "kind", "abi", "description")) {
                            r.set(f, record.path(f));
                        }
                    }
                }
                JsonNode publisher = registry.getJson("/publishers/" + spec.publisher());
                put(out, "/publishers/" + spec.publisher(), publisher);
                for (JsonNode k : publisher.path("keys")) {
                    if (!Digests.isSha256Hex(k.path("fingerprint").asText())) {
                        throw new SecurityException("mirror " + id + ": a key has no valid fingerprint");
                    }
                    put(out, "/keys/" + k.path("fingerprint").asText(), k);
                }
            }
            ObjectNode search = JSON.createObjectNode();
            search.set("results", results);
            put(out, "/search", search);
        } catch (IOException e) {
            throw new IllegalStateException("mirror to " + out + ": " + AtomicFiles.reason(e));
        }
        return versions;
    }

    private static void put(Path out, String apiPath, JsonNode body) throws IOException {
        Path p = out.resolve("api/v1" + apiPath + "/index.json");
        Files.createDirectories(p.getParent());
        AtomicFiles.write(p, JSON.writeValueAsBytes(body));
    }
}
