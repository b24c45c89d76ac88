package dev.xdperf.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.abi.AbiVersion;
import java.io.IOException;

/**
 * A plugin manifest (plugins/NAME/manifest.json): the exact bytes, which are signed, and the
 * fields the registry indexes. Everything else in it (options, license) is carried as is.
 */
public record Manifest(byte[] bytes, String id, String version, String kind, AbiVersion abi, String description,
                       String license) {
    public static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    public Manifest {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public static Manifest parse(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("manifest is " + bytes.length + " bytes, more than the limit of " + MAX_BYTES);
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("manifest is not JSON: " + firstLine(e.getMessage()));
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("manifest is not a JSON object");
        }
        for (String f : new String[] {"id", "version", "kind", "abi"}) {
            if (!n.path(f).isTextual()) {
                throw new IllegalArgumentException("manifest has no \"" + f + "\" string");
            }
        }
        String id = Names.requirePlugin(n.path("id").asText());
        String version = SemVer.parse(n.path("version").asText()).toString();
        if (!version.equals(n.path("version").asText())) {
            throw new IllegalArgumentException("manifest version '" + n.path("version").asText() + "' is not canonical");
        }
        String kind = Names.requireKind(n.path("kind").asText());
        AbiVersion abi = AbiVersion.parse(n.path("abi").asText());
        return new Manifest(bytes, id, version, kind, abi, n.path("description").asText(""), n.path("license").asText(""));
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
