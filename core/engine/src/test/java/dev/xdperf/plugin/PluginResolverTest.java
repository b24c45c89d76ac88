package dev.xdperf.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resolving --plugin against a plugin directory laid out as the installer writes it
 * (DIR/PUBLISHER/NAME.wasm and plugins.lock keyed by id): exact ids and versions, bare names,
 * ambiguity, the bundled first-party plugins, and names that are no names.
 */
class PluginResolverTest {
    @TempDir
    Path dir;

    final List<String> notes = new ArrayList<>();

    static byte[] bundled(String name) throws IOException {
        try (InputStream in = PluginResolverTest.class.getResourceAsStream("/plugins/" + name + ".wasm")) {
            assertTrue(in != null, "/plugins/" + name + ".wasm is not on the class path");
            return in.readAllBytes();
        }
    }

    /** Installs {@code bytes} as PUBLISHER/NAME VERSION, as the installer does (file, then lock entry). */
    void install(String id, String version, byte[] bytes) throws Exception {
        Path file = dir.resolve(id + ".wasm");
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        Path lock = dir.resolve("plugins.lock");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = Files.exists(lock) ? (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(lock.toFile()) : json.createObjectNode();
        var plugins = root.has("plugins") ? (com.fasterxml.jackson.databind.node.ObjectNode) root.get("plugins") : root.putObject("plugins");
        plugins.putObject(id).put("id", id).put("version", version).put("kind", "wasm").put("abi", "1.0")
                .put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).put("file", id + ".wasm");
        json.writeValue(lock.toFile(), root);
    }

    PluginResolver resolver() {
        return new PluginResolver(dir, PluginLimits.DEFAULT).notices(notes::add);
    }

    String describeId(String spec) {
        try (LoadedPlugin p = resolver().load(spec)) {
            return p.describe().id();
        }
    }

    @Test
    void exactIdsBareNamesAndAmbiguity() throws Exception {
        install("acme/dns", "1.0.0", bundled("tcp"));
        assertEquals("tcp", describeId("acme/dns"), "acme/dns is the tcp module under another name");
        assertEquals("tcp", describeId("acme/dns@1.0.0"));
        assertEquals("tcp", describeId("dns"), "the only installed dns");
        install("bob/dns", "2.0.0", bundled("icmp"));
        assertEquals("icmp", describeId("bob/dns@2.0.0"));
        assertEquals("tcp", describeId("acme/dns"), "two publishers' dns side by side");

        PluginException ambiguous = assertThrows(PluginException.class, () -> resolver().load("dns"));
        assertEquals("plugin name 'dns' is ambiguous: installed as acme/dns, bob/dns (name one of them: --plugin PUBLISHER/dns)",
                ambiguous.getMessage());

        PluginException otherVersion = assertThrows(PluginException.class, () -> resolver().load("acme/dns@1.1.0"));
        assertTrue(otherVersion.getMessage().startsWith("plugin acme/dns@1.1.0 is not installed (installed: acme/dns 1.0.0;"),
                otherVersion.getMessage());
        PluginException missing = assertThrows(PluginException.class, () -> resolver().load("carol/dns"));
        assertTrue(missing.getMessage().contains("plugin carol/dns is not installed in " + dir), missing.getMessage());

        // an exact version runs exactly those bytes
        Files.write(dir.resolve("acme/dns.wasm"), bundled("icmp"));
        PluginException changed = assertThrows(PluginException.class, () -> resolver().load("acme/dns@1.0.0"));
        assertTrue(changed.getMessage().contains("was changed since it was installed"), changed.getMessage());

        List<String> ids = resolver().installed().stream().map(PluginResolver.Installed::id).toList();
        assertEquals(List.of("acme/dns", "bob/dns"), ids);
    }

    @Test
    void aBareNameMeansTheOfficialNamespaceFirst() throws Exception {
        // another publisher's tcp never takes the bundled one's place
        install("acme/tcp", "9.9.9", bundled("icmp"));
        assertEquals("tcp", describeId("tcp"));
        assertTrue(notes.get(0).contains("the installed acme/tcp runs only when named so"), notes.toString());
        assertEquals("icmp", describeId("acme/tcp"));
        // an installed official release is used instead of the bundled one, and says so
        notes.clear();
        install("xdperf/tcp", "1.0.1", bundled("tcp"));
        assertEquals("tcp", describeId("tcp"));
        assertTrue(notes.get(0).startsWith("using the installed xdperf/tcp 1.0.1"), notes.toString());
    }

    @Test
    void namesWithPathCharactersAreRefusedInOneSentence() {
        for (String bad : List.of("../tcp", "acme/../tcp", "acme/dns/x", "Acme/dns", "tcp@", "a b")) {
            PluginException e = assertThrows(PluginException.class, () -> resolver().load(bad), bad);
            assertEquals("'" + bad + "' is not a plugin name (NAME or PUBLISHER/NAME[@VERSION]: lowercase letters, digits, '-' and '_')"
                    + " or a path to a .wasm, .jar or .zip file", e.getMessage());
        }
        PluginException e = assertThrows(PluginException.class, () -> resolver().load("../x.wasm"));
        assertEquals("plugin file ../x.wasm does not exist", e.getMessage());
    }
}
