package dev.xdperf.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.OptionSpec;
import dev.xdperf.abi.PluginDescription;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the JSON a WebAssembly plugin's {@code describe} returns (docs/abi.md, "The description"). */
final class DescriptionJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DescriptionJson() {}

    static PluginDescription parse(String plugin, byte[] json) {
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
            if (name.isEmpty() || !OptionSpec.TYPES.contains(type)) {
                throw new PluginException("plugin " + plugin + ": option '" + name + "' has no name or an unknown type '" + type + "'");
            }
            List<String> values = new ArrayList<>();
            o.path("values").forEach(v -> values.add(v.asText()));
            try {
                options.add(new OptionSpec(name, type, o.path("default").isMissingNode() || o.path("default").isNull() ? null : o.path("default").asText(),
                        o.path("help").asText(""), o.path("min").isNumber() ? o.path("min").asLong() : null,
                        o.path("max").isNumber() ? o.path("max").asLong() : null, values));
            } catch (IllegalArgumentException e) {
                throw new PluginException("plugin " + plugin + ": " + e.getMessage());
            }
        }
        AbiVersion abi;
        try {
            abi = AbiVersion.parse(n.path("abi").asText("1.0"));
        } catch (IllegalArgumentException e) {
            throw new PluginException("plugin " + plugin + ": describe declares ABI '" + n.path("abi").asText() + "'");
        }
        try {
            return new PluginDescription(n.path("id").asText(), n.path("version").asText(), abi,
                    n.path("description").asText(""), n.path("license").asText(""), options);
        } catch (IllegalArgumentException e) {
            throw new PluginException("plugin " + plugin + ": describe: " + e.getMessage());
        }
    }
}
