package dev.xdperf.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.abi.AbiVersion;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a plugin says about itself in `describe` (docs/abi.md, "The description"). */
public record PluginDescription(String id, String version, AbiVersion abi, String description, String license,
                                List<OptionSpec> options) {
    static final Set<String> TYPES = Set.of("int", "bool", "string", "enum", "mac", "ip", "cidr", "port-range");
    private static final ObjectMapper JSON = new ObjectMapper();

    public PluginDescription {
        options = List.copyOf(options);
    }

    public static PluginDescription parse(String plugin, byte[] json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new PluginException("plugin " + plugin + ": describe returned something that is not JSON");
        }
        if (n == null || !n.isObject() || !n.path("id").isTextual() || !n.path("version").isTextual()) {
            throw new PluginException("plugin " + plugin + ": describe must return a JSON object with id and version");
        }
        List<OptionSpec> options = new ArrayList<>();
        for (JsonNode o : n.path("options")) {
            String name = o.path("name").asText("");
            String type = o.path("type").asText("string");
            if (name.isEmpty() || !TYPES.contains(type)) {
                throw new PluginException("plugin " + plugin + ": option '" + name + "' has no name or an unknown type '" + type + "'");
            }
            List<String> values = new ArrayList<>();
            o.path("values").forEach(v -> values.add(v.asText()));
            options.add(new OptionSpec(name, type, o.path("default").isMissingNode() || o.path("default").isNull() ? null : o.path("default").asText(),
                    o.path("help").asText(""), o.path("min").isNumber() ? o.path("min").asLong() : null,
                    o.path("max").isNumber() ? o.path("max").asLong() : null, values));
        }
        AbiVersion abi;
        try {
            abi = AbiVersion.parse(n.path("abi").asText("1.0"));
        } catch (IllegalArgumentException e) {
            throw new PluginException("plugin " + plugin + ": describe declares ABI '" + n.path("abi").asText() + "'");
        }
        return new PluginDescription(n.path("id").asText(), n.path("version").asText(), abi,
                n.path("description").asText(""), n.path("license").asText(""), options);
    }

    /**
     * Checks the operator's options against the declared ones and fills in defaults: the
     * list the plugin receives in its run request, in declaration order.
     */
    public List<Map.Entry<String, String>> resolveOptions(Map<String, String> given) {
        Map<String, OptionSpec> byName = new LinkedHashMap<>();
        options.forEach(o -> byName.put(o.name(), o));
        for (String k : given.keySet()) {
            if (!byName.containsKey(k)) {
                throw new PluginException("plugin " + id + " has no option '" + k + "'"
                        + (byName.isEmpty() ? "" : " (it has: " + String.join(", ", byName.keySet()) + ")"));
            }
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (OptionSpec o : options) {
            String v = given.get(o.name());
            if (v != null) {
                out.add(Map.entry(o.name(), o.check(id, v)));
            } else if (o.defaultValue() != null) {
                out.add(Map.entry(o.name(), o.defaultValue()));
            }
        }
        return out;
    }

    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(id).append(' ').append(version).append(" (template ABI ").append(abi).append(")");
        if (!license.isEmpty()) {
            b.append(", ").append(license);
        }
        b.append('\n');
        if (!description.isEmpty()) {
            b.append(description).append('\n');
        }
        if (!options.isEmpty()) {
            b.append("\noptions (--plugin-opt NAME=VALUE):\n");
            for (OptionSpec o : options) {
                String type = o.type().equals("enum") ? String.join("|", o.values()) : o.type();
                String range = o.min() != null || o.max() != null ? " " + (o.min() == null ? "" : o.min()) + ".." + (o.max() == null ? "" : o.max()) : "";
                b.append(String.format("  %-14s %-22s default %-10s %s%n", o.name(), type + range,
                        o.defaultValue() == null ? "-" : o.defaultValue(), o.help()));
            }
        }
        return b.toString();
    }
}
