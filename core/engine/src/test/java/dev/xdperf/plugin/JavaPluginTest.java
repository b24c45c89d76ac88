package dev.xdperf.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplatePlugin;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.template.TemplateCompiler;
import dev.xdperf.testing.PluginJars;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PF4J host against real plugin jars built at test time (compiled with the JDK's compiler
 * against the test class path): one good, the rest broken on purpose.
 */
class JavaPluginTest {
    @TempDir
    static Path jars;

    static Path good;

    /** A plugin class whose describe and generate bodies the test chooses. */
    static String plugin(String pkg, String id, String abi, String generateBody) {
        return """
                package %s;

                import dev.xdperf.abi.*;
                import java.net.InetAddress;
                import java.util.ArrayList;
                import java.util.List;
                import java.util.Map;

                @org.pf4j.Extension
                public class Plugin implements TemplatePlugin {
                    @Override
                    public PluginDescription describe() {
                        return PluginDescription.builder("%s", "1.2.3", %s)
                                .description("test plugin").license("Apache-2.0")
                                .option(OptionSpec.integer("flows", 1, 1, 4, "templates"))
                                .option(OptionSpec.choice("mode", List.of("a", "b"), "a", "a mode"))
                                .build();
                    }

                    @Override
                    public TemplateSet generate(RunRequest r) {
                        %s
                    }

                    static TemplateSet udp(RunRequest r, AbiVersion abi) {
                        Map<String, String> o = new java.util.HashMap<>();
                        r.options().forEach(e -> o.put(e.getKey(), e.getValue()));
                        List<PacketTemplate> ts = new ArrayList<>();
                        for (int i = 0; i < Integer.parseInt(o.get("flows")); i++) {
                            byte[] f = new byte[60];
                            System.arraycopy(r.dstMac(), 0, f, 0, 6);
                            System.arraycopy(r.srcMac(), 0, f, 6, 6);
                            f[12] = 0x08;
                            f[14] = 0x45;
                            f[16] = 0;
                            f[17] = 46;
                            f[22] = 64;
                            f[23] = 17;
                            System.arraycopy(r.srcAddrs().get(0).getAddress(), 0, f, 26, 4);
                            System.arraycopy(r.dstAddrs().get(0).getAddress(), 0, f, 30, 4);
                            f[34] = 0x13;
                            f[35] = (byte) (0x88 + i);
                            f[36] = 0x13;
                            f[37] = (byte) 0x89;
                            f[39] = 26;
                            ts.add(new PacketTemplate(f, r.streamBase() + i, 1, 1, 0, List.of(),
                                    List.of(ChecksumRule.ipv4Header(14), ChecksumRule.of(ChecksumRule.Kind.UDP, 14, 34))));
                        }
                        return new TemplateSet(abi, ts);
                    }
                }
                """.formatted(pkg, id, abi, generateBody);
    }

    static final String ABI = "ABI_MAJOR, ABI_MINOR";
    static final String UDP = "return udp(r, new AbiVersion(ABI_MAJOR, ABI_MINOR));";

    static Path build(String file, String id, String abi, String generateBody) throws Exception {
        return build(jars, file, id, abi, generateBody);
    }

    /** A plugin jar with a plugin.properties descriptor (id, version 1.2.3, requires >=0.1.0) in {@code dir}. */
    static Path build(Path dir, String file, String id, String abi, String generateBody) throws Exception {
        return PluginJars.jar(file)
                .source("test.p_" + id + ".Plugin", plugin("test.p_" + id, id, abi, generateBody))
                .properties(Map.of("plugin.id", id, "plugin.version", "1.2.3", "plugin.requires", ">=0.1.0"))
                .build(dir);
    }

    @BeforeAll
    static void buildGood() throws Exception {
        good = build("good-1.2.3.jar", "good", ABI, UDP);
    }

    static RunRequest request(List<Map.Entry<String, String>> options) throws Exception {
        return new RunRequest(AbiVersion.HOST, 1500, 2, new byte[] {2, 0, 0, 0, 0, 1}, new byte[] {2, 0, 0, 0, 0, 2}, 0, 5,
                List.of(InetAddress.getByName("198.18.0.1")), List.of(InetAddress.getByName("198.18.0.2")), options);
    }

    static PluginException refused(Path jar) {
        return assertThrows(PluginException.class, () -> JavaPlugin.load(jar, "0.1.0", PluginLimits.DEFAULT));
    }

    @Test
    void goodPluginDescribesItselfAndGeneratesAValidSet() throws Exception {
        try (JavaPlugin p = JavaPlugin.load(good, "0.1.0", PluginLimits.DEFAULT)) {
            assertEquals("good", p.name());
            assertEquals("java", p.kind());
            assertEquals(AbiVersion.HOST, p.abi());
            PluginDescription d = p.describe();
            assertEquals("1.2.3", d.version());
            assertEquals(List.of("flows", "mode"), d.options().stream().map(o -> o.name()).toList());
            List<Map.Entry<String, String>> opts = d.resolveOptions(Map.of("flows", "3"));
            assertEquals(List.of(Map.entry("flows", "3"), Map.entry("mode", "a")), opts);
            TemplateSet set = p.generate(request(opts));
            assertEquals(3, set.templates().size());
            assertEquals(5, set.templates().get(0).streamId(), "stream ids start at the request's base");
            TemplateCompiler.compile(set, 1500, 0);
        }
    }

    @Test
    void theEngineSeesATemplateSourceLikeAnyOther() throws Exception {
        LoadedPlugin p = new PluginResolver(jars.resolve("nowhere"), PluginLimits.DEFAULT).load(good.toString());
        dev.xdperf.template.TemplateSource source = PluginResolver.source(p);
        assertEquals("good", source.name());
        assertEquals(1, source.generate(request(p.describe().resolveOptions(Map.of()))).templates().size());
        p.close();
    }

    @Test
    void aPluginBuiltForAnotherAbiIsRefusedWithBothVersions() throws Exception {
        Path jar = build("wrongabi.jar", "wrongabi", "2, 0", UDP);
        assertEquals("plugin wrongabi: built for template ABI 2.0, this xdperf supports 1.0", refused(jar).getMessage());
        Path newer = build("newerminor.jar", "newerminor", "1, 7", UDP);
        assertEquals("plugin newerminor: built for template ABI 1.7, this xdperf supports 1.0 (a newer minor)",
                refused(newer).getMessage());
    }

    @Test
    void aPluginThatThrowsFailsItsRunInOneSentenceAndTheHostCarriesOn() throws Exception {
        Path jar = build("throws.jar", "throws", ABI, "throw new UnsupportedOperationException(\"no templates today\");");
        try (JavaPlugin p = JavaPlugin.load(jar, "0.1.0", PluginLimits.DEFAULT)) {
            PluginException e = assertThrows(PluginException.class, () -> p.generate(request(List.of())));
            assertEquals("plugin throws: generate failed: it threw java.lang.UnsupportedOperationException: no templates today",
                    e.getMessage());
        }
        Path refuses = build("refuses.jar", "refuses", ABI, "throw new IllegalArgumentException(\"mode b needs flows=2\");");
        try (JavaPlugin p = JavaPlugin.load(refuses, "0.1.0", PluginLimits.DEFAULT)) {
            assertEquals("plugin refuses: generate failed: mode b needs flows=2",
                    assertThrows(PluginException.class, () -> p.generate(request(List.of()))).getMessage());
        }
        Path nothing = build("nothing.jar", "nothing", ABI, "return null;");
        try (JavaPlugin p = JavaPlugin.load(nothing, "0.1.0", PluginLimits.DEFAULT)) {
            assertEquals("plugin nothing: generate returned nothing",
                    assertThrows(PluginException.class, () -> p.generate(request(List.of()))).getMessage());
        }
        Path otherAbi = build("mixed.jar", "mixed", ABI, "return udp(r, new AbiVersion(1, 1));");
        try (JavaPlugin p = JavaPlugin.load(otherAbi, "0.1.0", PluginLimits.DEFAULT)) {
            assertEquals("plugin mixed: generate returned templates for ABI 1.1 but the plugin declares 1.0",
                    assertThrows(PluginException.class, () -> p.generate(request(List.of(Map.entry("flows", "1"))))).getMessage());
        }
        try (JavaPlugin p = JavaPlugin.load(good, "0.1.0", PluginLimits.DEFAULT)) {
            assertEquals(1, p.generate(request(List.of(Map.entry("flows", "1")))).templates().size());
        }
    }

    @Test
    void malformedDescriptorsAreRefusedInOneSentence() throws Exception {
        Path noId = PluginJars.jar("noid.jar").source("test.noid.Plugin", plugin("test.noid", "noid", ABI, UDP))
                .properties(Map.of("plugin.version", "1.0.0")).build(jars);
        assertEquals("Java plugin " + noId + " has a malformed descriptor: no plugin id (plugin.id in plugin.properties"
                + " or Plugin-Id in the manifest)", refused(noId).getMessage());

        Path noVersion = PluginJars.jar("noversion.jar").source("test.nov.Plugin", plugin("test.nov", "nov", ABI, UDP))
                .manifest("Plugin-Id", "nov").build(jars);
        assertEquals("Java plugin " + noVersion + " has a malformed descriptor: plugin nov has no version"
                + " (plugin.version or Plugin-Version)", refused(noVersion).getMessage());

        Path badId = PluginJars.jar("badid.jar").manifest("Plugin-Id", "Bad Id").manifest("Plugin-Version", "1.0.0").build(jars);
        assertTrue(refused(badId).getMessage().contains("plugin id 'Bad Id' is not a name of lower-case letters"));

        Path badRequires = PluginJars.jar("badreq.jar").manifest("Plugin-Id", "badreq").manifest("Plugin-Version", "1.0.0")
                .manifest("Plugin-Requires", "banana").build(jars);
        assertEquals("Java plugin " + badRequires + " has a malformed descriptor: requires 'banana' is not a version"
                + " constraint like >=0.1.0", refused(badRequires).getMessage());

        Path notAJar = jars.resolve("garbage.jar");
        Files.writeString(notAJar, "this is not a zip file");
        assertTrue(refused(notAJar).getMessage().startsWith("Java plugin " + notAJar + " has no readable PF4J descriptor"),
                refused(notAJar).getMessage());
    }

    @Test
    void theHostVersionConstraintIsChecked() throws Exception {
        Path future = PluginJars.jar("future.jar").source("test.future.Plugin", plugin("test.future", "future", ABI, UDP))
                .manifest("Plugin-Id", "future").manifest("Plugin-Version", "3.0.0").manifest("Plugin-Requires", ">=9.0.0")
                .build(jars);
        assertEquals("plugin future 3.0.0 requires xdperf >=9.0.0, this is xdperf 0.1.0 (install a version of the plugin"
                + " made for this xdperf)", refused(future).getMessage());
        // the same file is fine for a host that satisfies it
        try (JavaPlugin p = JavaPlugin.load(future, "9.1.0", PluginLimits.DEFAULT)) {
            assertEquals("future", p.name());
        }
    }

    @Test
    void pluginsWithoutOneUsableExtensionAreRefusedWithAHint() throws Exception {
        String plain = plugin("test.plain", "plain", ABI, UDP).replace("@org.pf4j.Extension", "");
        Path noExtension = PluginJars.jar("plain.jar").source("test.plain.Plugin", plain)
                .properties(Map.of("plugin.id", "plain", "plugin.version", "1.0.0")).build(jars);
        assertTrue(refused(noExtension).getMessage().startsWith("plugin plain has no TemplatePlugin extension (annotate"),
                refused(noExtension).getMessage());

        Path bundled = PluginJars.jar("bundled.jar").source("test.bundled.Plugin", plugin("test.bundled", "bundled", ABI, UDP))
                .properties(Map.of("plugin.id", "bundled", "plugin.version", "1.0.0"))
                .entry("dev/xdperf/abi/TemplatePlugin.class", PluginJars.classBytes(TemplatePlugin.class)).build(jars);
        assertEquals("plugin bundled has no TemplatePlugin extension (it bundles its own copy of xdperf-host-abi:"
                + " depend on it with scope provided)", refused(bundled).getMessage());

        Path otherId = build("otherid.jar", "otherid", ABI, UDP);
        Path renamed = PluginJars.jar("renamed.jar").source("test.otherid.Plugin", plugin("test.otherid", "otherid", ABI, UDP))
                .properties(Map.of("plugin.id", "renamed", "plugin.version", "1.0.0")).build(jars);
        assertTrue(Files.exists(otherId));
        assertEquals("plugin renamed: describe says its id is 'otherid' but its descriptor says 'renamed' (make them equal)",
                refused(renamed).getMessage());
    }

    @Test
    void aThrowingConstructorIsReportedNotSkipped() throws Exception {
        String code = plugin("test.ctor", "ctor", ABI, UDP)
                .replace("public class Plugin implements TemplatePlugin {",
                        "public class Plugin implements TemplatePlugin {\n    public Plugin() { throw new IllegalStateException(\"no config\"); }");
        Path jar = PluginJars.jar("ctor.jar").source("test.ctor.Plugin", code)
                .properties(Map.of("plugin.id", "ctor", "plugin.version", "1.0.0")).build(jars);
        assertEquals("plugin ctor: create Plugin failed: no config", refused(jar).getMessage());
    }

    @Test
    void installedJavaPluginsAreFoundByIdAndTheFirstLoadIsAnnounced() throws Exception {
        Path dir = Files.createDirectories(jars.resolve("installed"));
        Files.copy(good, dir.resolve("good-plugin-1.2.3.jar"));
        List<String> notes = new ArrayList<>();
        PluginResolver resolver = new PluginResolver(dir, PluginLimits.DEFAULT).notices(notes::add);
        assertEquals(List.of(new PluginResolver.Installed("good", "java", dir.resolve("good-plugin-1.2.3.jar"))), resolver.installed());
        try (LoadedPlugin p = resolver.load("good")) {
            assertEquals("java", p.kind());
        }
        assertEquals(1, notes.size(), notes::toString);
        assertTrue(notes.get(0).contains("is a Java extension: it runs inside xdperf with the full rights of the JVM"), notes.get(0));
        try (LoadedPlugin p = resolver.load("good")) {
            assertEquals("good", p.name());
        }
        try (LoadedPlugin p = resolver.load(dir.resolve("good-plugin-1.2.3.jar").toString())) {
            assertEquals("good", p.name());
        }
        assertEquals(1, notes.size(), "the same file is announced once: " + notes);
        assertTrue(Files.readString(dir.resolve(JavaNotice.FILE)).contains(" good"));

        PluginException missing = assertThrows(PluginException.class, () -> resolver.load("nosuch"));
        assertTrue(missing.getMessage().contains("installed in " + dir + ": good;"), missing.getMessage());
        assertFalse(missing.getMessage().contains("Exception"));
    }

    @Test
    void aPluginRefusedForItsHostVersionIsRefusedBeforeItIsAnnouncedOrLoaded() throws Exception {
        Path dir = Files.createDirectories(jars.resolve("future-host"));
        List<String> notes = new ArrayList<>();
        PluginResolver resolver = new PluginResolver(dir, PluginLimits.DEFAULT).notices(notes::add).hostVersion("0.0.1");
        PluginException e = assertThrows(PluginException.class, () -> resolver.load(good.toString()));
        assertEquals("plugin good 1.2.3 requires xdperf >=0.1.0, this is xdperf 0.0.1 (install a version of the plugin made"
                + " for this xdperf)", e.getMessage());
        assertEquals(List.of(), notes);
    }
}
