package dev.xdperf.plugin;

import java.nio.file.Path;

/** Real PF4J plugin jars for tests outside this package (built as JavaPluginTest builds them). */
public final class JavaPluginJars {
    private JavaPluginJars() {}

    /** A working plugin {@code id} 1.2.3 (template ABI of this host, a UDP template) written to {@code dir/file}. */
    public static Path good(Path dir, String file, String id) throws Exception {
        return JavaPluginTest.build(dir, file, id, JavaPluginTest.ABI, JavaPluginTest.UDP);
    }
}
