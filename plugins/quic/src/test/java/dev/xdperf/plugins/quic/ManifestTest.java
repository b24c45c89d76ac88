package dev.xdperf.plugins.quic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdperf.abi.OptionSpec;
import dev.xdperf.abi.PluginDescription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * plugins/quic/manifest.json, which the release step signs with the jar, says what the plugin's
 * own describe() says (the registry and the installer read the manifest, a run reads describe()).
 * XDPERF_UPDATE_GOLDEN=1 rewrites it from describe().
 */
class ManifestTest {
    @Test
    void manifestIsTheDescriptionOfThePlugin() throws Exception {
        Path file = Path.of("manifest.json");
        String expected = manifest(new QuicPlugin().describe());
        if ("1".equals(System.getenv("XDPERF_UPDATE_GOLDEN"))) {
            Files.writeString(file, expected, StandardCharsets.UTF_8);
        }
        assertEquals(expected, Files.readString(file, StandardCharsets.UTF_8),
                "plugins/quic/manifest.json differs from describe() (XDPERF_UPDATE_GOLDEN=1 rewrites it)");
    }

    static String manifest(PluginDescription d) {
        List<String> options = new ArrayList<>();
        for (OptionSpec o : d.options()) {
            StringBuilder b = new StringBuilder("    {\"name\": " + q(o.name()) + ", \"type\": " + q(o.type()));
            if (!o.values().isEmpty()) {
                b.append(", \"values\": [").append(String.join(", ", o.values().stream().map(ManifestTest::q).toList())).append(']');
            }
            if (o.min() != null) {
                b.append(", \"min\": ").append(o.min()).append(", \"max\": ").append(o.max());
            }
            b.append(", \"default\": ").append(q(o.defaultValue())).append(", \"help\": ").append(q(o.help())).append('}');
            options.add(b.toString());
        }
        return "{\n"
                + "  \"id\": " + q(d.id()) + ",\n"
                + "  \"version\": " + q(d.version()) + ",\n"
                + "  \"kind\": \"pf4j\",\n"
                + "  \"abi\": " + q(d.abi().toString()) + ",\n"
                + "  \"description\": " + q(d.description()) + ",\n"
                + "  \"license\": " + q(d.license()) + ",\n"
                + "  \"options\": [\n" + String.join(",\n", options) + "\n  ]\n"
                + "}\n";
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
