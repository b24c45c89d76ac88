package dev.xdperf.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.template.TemplateCompiler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The WASM host against real modules compiled from C in the build (src/test/c): one good, the rest broken on purpose. */
class WasmPluginTest {
    static final PluginLimits FAST = new PluginLimits(16, Duration.ofSeconds(2), 1 << 20);

    static byte[] wasm(String name) throws IOException {
        try (InputStream in = WasmPluginTest.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            if (in == null) {
                throw new AssertionError("test plugin " + name + ".wasm was not built (src/test/c/build.sh)");
            }
            return in.readAllBytes();
        }
    }

    static RunRequest request(List<Map.Entry<String, String>> options) throws Exception {
        return new RunRequest(AbiVersion.HOST, 1500, 2, new byte[] {2, 0, 0, 0, 0, 1}, new byte[] {2, 0, 0, 0, 0, 2}, 0, 5,
                List.of(InetAddress.getByName("198.18.0.1")), List.of(InetAddress.getByName("198.18.0.2")), options);
    }

    static PluginException fails(String plugin, PluginLimits limits) throws Exception {
        WasmPlugin p = WasmPlugin.load(plugin, wasm(plugin), limits);
        return assertThrows(PluginException.class, () -> p.generate(request(List.of())));
    }

    @Test
    void goodPluginDescribesItselfAndGeneratesAValidSet() throws Exception {
        try (WasmPlugin p = WasmPlugin.load("good", wasm("good"), PluginLimits.DEFAULT)) {
            assertEquals(AbiVersion.HOST, p.abi());
            PluginDescription d = p.describe();
            assertEquals("good", d.id());
            assertEquals(2, d.options().size());
            List<Map.Entry<String, String>> opts = d.resolveOptions(Map.of("templates", "2"));
            assertEquals(List.of(Map.entry("templates", "2"), Map.entry("mode", "a")), opts);
            TemplateSet set = p.generate(request(opts));
            assertEquals(2, set.templates().size());
            assertEquals(5, set.templates().get(0).streamId(), "stream ids start at the request's base");
            assertEquals(FieldRule.Op.LIST, set.templates().get(0).fields().get(1).op());
            TemplateCompiler.compile(set, 1500, 0);
        }
    }

    @Test
    void optionsAreCheckedAgainstTheDeclaration() throws Exception {
        PluginDescription d = WasmPlugin.load("good", wasm("good"), PluginLimits.DEFAULT).describe();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.resolveOptions(Map.of("nope", "1"))).getMessage()
                .contains("plugin good has no option 'nope' (it has: templates, mode)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.resolveOptions(Map.of("templates", "9"))).getMessage()
                .contains("plugin good option templates=9: outside 1..3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.resolveOptions(Map.of("mode", "c"))).getMessage()
                .contains("not one of a, b"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.resolveOptions(Map.of("templates", "x"))).getMessage()
                .contains("not an integer"));
    }

    @Test
    void aTrapIsOneSentence() throws Exception {
        PluginException e = fails("trap", FAST);
        assertTrue(e.getMessage().startsWith("plugin trap: generate failed: it trapped"), e.getMessage());
    }

    @Test
    void anEndlessLoopIsStoppedByTheWatchdog() throws Exception {
        long start = System.nanoTime();
        PluginException e = fails("loop", new PluginLimits(16, Duration.ofMillis(500), 1 << 20));
        assertEquals("plugin loop: generate did not finish within 500 ms and was stopped", e.getMessage());
        assertTrue(System.nanoTime() - start < 30_000_000_000L);
    }

    @Test
    void exhaustingTheMemoryCapFailsTheCall() throws Exception {
        // it grows to the cap, then writes past it: the access is what fails, and is named so
        PluginException e = fails("oom", FAST);
        assertTrue(e.getMessage().startsWith("plugin oom: generate failed: it accessed memory out of bounds"), e.getMessage());
    }

    @Test
    void anOutOfBoundsWriteIsNamedSoAndNotAFullMemory() throws Exception {
        PluginException e = fails("oob", FAST);
        assertTrue(e.getMessage().startsWith("plugin oob: generate failed: it accessed memory out of bounds"), e.getMessage());
        assertTrue(!e.getMessage().contains("memory cap"), e.getMessage());
    }

    @Test
    void aMissingExportIsNamed() {
        PluginException e = assertThrows(PluginException.class, () -> WasmPlugin.load("noexport", wasm("noexport"), FAST));
        assertTrue(e.getMessage().startsWith("plugin noexport does not export 'generate'"), e.getMessage());
    }

    @Test
    void aForeignAbiIsRefusedNamingBothVersions() {
        PluginException e = assertThrows(PluginException.class, () -> WasmPlugin.load("abi2", wasm("abi2"), FAST));
        assertEquals("plugin abi2: built for template ABI 2.0, this xdperf supports 1.0", e.getMessage());
    }

    @Test
    void garbageOutputIsAMalformedSet() throws Exception {
        PluginException e = fails("garbage", FAST);
        assertTrue(e.getMessage().startsWith("plugin garbage: generate returned a malformed template set"), e.getMessage());
    }

    @Test
    void aPluginsOwnErrorIsPassedOn() throws Exception {
        PluginException e = fails("refuse", FAST);
        // once, in the plugin's words: no "it reported:" or "function generate returned an error:" stacked before them
        assertEquals("plugin refuse: generate failed: no IPv6 address to send from", e.getMessage());
    }

    @Test
    void notWebAssemblyAtAll() {
        PluginException e = assertThrows(PluginException.class,
                () -> WasmPlugin.load("text", "not a module".getBytes(), FAST));
        assertTrue(e.getMessage().startsWith("plugin text: load failed"), e.getMessage());
    }

    @Test
    void theHostSurvivesAllOfThem() throws Exception {
        for (String bad : List.of("trap", "oom", "oob", "garbage", "refuse")) {
            assertTrue(fails(bad, FAST).getMessage().startsWith("plugin " + bad + ": generate"));
        }
        goodPluginDescribesItselfAndGeneratesAValidSet();
    }
}
