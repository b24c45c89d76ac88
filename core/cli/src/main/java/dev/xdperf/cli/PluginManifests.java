package dev.xdperf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.abi.OptionSpec;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.plugin.LoadedPlugin;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The registry's manifest (registry Manifest, plugins/NAME/manifest.json) written from what a
 * plugin says about itself, and the comparison of a hand-written one with it.
 */
final class PluginManifests {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PluginManifests() {}

    /** The registry's kind of a loaded plugin: "wasm", or "pf4j" for a Java plugin. */
    static String kind(LoadedPlugin p) {
        return p.kind().equals("java") ? "pf4j" : p.kind();
    }

    static ObjectNode of(PluginDescription d, String kind) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", d.id());
        m.put("version", d.version());
        m.put("kind", kind);
        m.put("abi", d.abi().toString());
        m.put("description", d.description());
        m.put("license", d.license());
        ArrayNode options = m.putArray("options");
        for (OptionSpec o : d.options()) {
            ObjectNode n = options.addObject();
            n.put("name", o.name());
            n.put("type", o.type());
            if (!o.values().isEmpty()) {
                o.values().forEach(n.putArray("values")::add);
            }
            if (o.min() != null) {
                n.put("min", o.min());
            }
            if (o.max() != null) {
                n.put("max", o.max());
            }
            if (o.defaultValue() != null) {
                n.put("default", o.defaultValue());
            }
            n.put("help", o.help());
        }
        return m;
    }

    static byte[] bytes(JsonNode manifest) {
        try {
            return (JSON.writeValueAsString(manifest) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Where a manifest differs from the plugin's own description, one phrase per field (empty:
     * they agree). Fields the description does not have (say, a homepage) are the author's.
     */
    static List<String> differences(JsonNode manifest, ObjectNode fromPlugin) {
        List<String> out = new ArrayList<>();
        Iterator<String> names = fromPlugin.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            JsonNode want = fromPlugin.get(f);
            JsonNode got = manifest.get(f);
            boolean same = f.equals("options") ? sameOptions(got, want) : got != null && got.isTextual() && got.asText().equals(want.asText());
            if (!same) {
                out.add(f.equals("options") ? "its options differ from the ones the plugin declares"
                        : f + " is " + (got == null ? "missing" : got.toString()) + ", the plugin says " + want);
            }
        }
        return out;
    }

    /** Options compared by value: numbers as numbers, whatever their JSON spelling. */
    private static boolean sameOptions(JsonNode got, JsonNode want) {
        if (got == null || !got.isArray() || got.size() != want.size()) {
            return false;
        }
        for (int i = 0; i < want.size(); i++) {
            JsonNode g = got.get(i);
            JsonNode w = want.get(i);
            Iterator<String> fields = w.fieldNames();
            while (fields.hasNext()) {
                String f = fields.next();
                JsonNode a = g.get(f);
                JsonNode b = w.get(f);
                if (a == null || !(b.isNumber() ? a.isNumber() && a.asLong() == b.asLong() : a.equals(b))) {
                    return false;
                }
            }
            if (g.size() != w.size()) {
                return false;
            }
        }
        return true;
    }
}
