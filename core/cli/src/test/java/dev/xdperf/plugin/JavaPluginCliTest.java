package dev.xdperf.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.testing.Xdperf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `xdperf plugin describe|list` with Java plugins, through the real command in its own process. */
class JavaPluginCliTest {
    @TempDir
    Path tmp;

    @Test
    void describeAnnouncesAJavaPluginOnceAndListFindsItInstalled() throws Exception {
        Path pluginDir = tmp.resolve("plugins");
        Map<String, String> env = Map.of("XDPERF_PLUGIN_DIR", pluginDir.toString());
        Path jar = JavaPluginTest.build(tmp, "good.jar", "good", JavaPluginTest.ABI, JavaPluginTest.UDP);

        Xdperf.Result first = Xdperf.run(env, null, 60, "plugin", "describe", jar.toString());
        assertEquals(0, first.exit(), first::toString);
        assertTrue(first.stdout().startsWith("good 1.2.3 (template ABI 1.0), Apache-2.0\ntest plugin\n"), first::toString);
        assertTrue(first.stdout().contains("  flows          int 1..4"), first::toString);
        assertEquals(1, first.stderr().lines().count(), "one line on stderr: " + first);
        assertTrue(first.stderr().startsWith("xdperf: note: plugin good (" + jar + ") is a Java extension: it runs inside"
                + " xdperf with the full rights of the JVM"), first::toString);

        Xdperf.Result again = Xdperf.run(env, null, 60, "plugin", "describe", jar.toString());
        assertEquals(0, again.exit(), again::toString);
        assertEquals("", again.stderr(), "the notice is shown once per plugin file");

        Files.copy(jar, pluginDir.resolve("some-name.jar"));
        Xdperf.Result list = Xdperf.run(env, null, 60, "plugin", "list");
        assertTrue(list.stdout().contains("good  (installed, java: " + pluginDir.resolve("some-name.jar") + ")"), list::toString);
        Xdperf.Result byName = Xdperf.run(env, null, 60, "plugin", "describe", "good");
        assertEquals(0, byName.exit(), byName::toString);
        assertTrue(byName.stdout().startsWith("good 1.2.3"), byName::toString);
    }

    @Test
    void aRefusedJavaPluginIsOneSentenceAndANonZeroExit() throws Exception {
        Map<String, String> env = Map.of("XDPERF_PLUGIN_DIR", tmp.resolve("plugins").toString());
        Path jar = JavaPluginTest.build(tmp, "wrongabi.jar", "wrongabi", "2, 0", JavaPluginTest.UDP);
        Xdperf.Result r = Xdperf.run(env, null, 60, "plugin", "describe", jar.toString());
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.stderr().endsWith("xdperf: plugin wrongabi: built for template ABI 2.0, this xdperf supports 1.0\n"), r::toString);
        assertFalse(r.stderr().contains("Exception"), r::toString);
        assertFalse(r.stderr().contains("\tat "), r::toString);
    }
}
