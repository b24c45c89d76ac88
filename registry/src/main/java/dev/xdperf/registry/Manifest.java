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
        String control = controlCharacter(n, "");
        if (control != null) {
            throw new IllegalArgumentException("manifest " + control + "; a manifest is plain text (no control or bidi characters)");
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

    /**
     * A manifest file as a JSON object, unchecked otherwise: what a plugin check compares with the
     * plugin's own description, field by field, before {@link #parse} would refuse it as a whole.
     */
    public static JsonNode readObject(java.nio.file.Path file) throws IOException {
        JsonNode m;
        try {
            m = JSON.readTree(java.nio.file.Files.readAllBytes(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("read manifest " + file + ": no such file");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("manifest " + file + " is not JSON: " + e.getOriginalMessage());
        }
        if (m == null || !m.isObject()) {
            throw new IllegalArgumentException("manifest " + file + " is not a JSON object");
        }
        return m;
    }

    /** Where the first control character is (field and code point), or null: terminal escapes must not get to a screen. */
    private static String controlCharacter(JsonNode n, String path) {
        if (n.isTextual()) {
            String bad = firstControl(n.asText());
            return bad == null ? null : "field \"" + (path.isEmpty() ? "." : path) + "\" contains the control character " + bad;
        }
        var fields = n.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            String bad = firstControl(f.getKey());
            if (bad != null) {
                return "field name under \"" + (path.isEmpty() ? "." : path) + "\" contains the control character " + bad;
            }
            String inner = controlCharacter(f.getValue(), path.isEmpty() ? f.getKey() : path + "." + f.getKey());
            if (inner != null) {
                return inner;
            }
        }
        if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                String inner = controlCharacter(n.get(i), path + "[" + i + "]");
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    private static String firstControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                return String.format("U+%04X", (int) c);
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
