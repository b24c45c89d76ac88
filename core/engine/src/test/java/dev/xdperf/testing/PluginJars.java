package dev.xdperf.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds real PF4J plugin jars at test time: compiles Java sources with the JDK's compiler
 * against the test class path (so PF4J's annotation processor writes the extension index),
 * adds a plugin.properties or manifest descriptor and any extra entries, and jars the lot.
 */
public final class PluginJars {
    private final String fileName;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, byte[]> extra = new LinkedHashMap<>();
    private Map<String, String> properties;
    private final Map<String, String> manifest = new LinkedHashMap<>();

    private PluginJars(String fileName) {
        this.fileName = fileName;
    }

    public static PluginJars jar(String fileName) {
        return new PluginJars(fileName);
    }

    /** A Java source for the fully qualified class {@code className}. */
    public PluginJars source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** A plugin.properties descriptor (keys like plugin.id, plugin.version, plugin.requires). */
    public PluginJars properties(Map<String, String> props) {
        this.properties = new LinkedHashMap<>(props);
        return this;
    }

    /** A main manifest attribute (e.g. Plugin-Id, Plugin-Version, Plugin-Requires). */
    public PluginJars manifest(String name, String value) {
        manifest.put(name, value);
        return this;
    }

    /** Any other entry, e.g. a class file copied from the class path. */
    public PluginJars entry(String path, byte[] bytes) {
        extra.put(path, bytes.clone());
        return this;
    }

    public Path build(Path dir) throws IOException {
        Path work = Files.createTempDirectory(dir, "build-");
        Path src = work.resolve("src");
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path f = src.resolve(s.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, s.getValue());
            files.add(f);
        }
        if (!files.isEmpty()) {
            compile(files, classes);
        }
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.forEach((k, v) -> mf.getMainAttributes().put(new Attributes.Name(k), v));
        Path jar = dir.resolve(fileName);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            if (properties != null) {
                StringBuilder b = new StringBuilder();
                properties.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
                put(j, "plugin.properties", b.toString().getBytes(StandardCharsets.UTF_8));
            }
            try (Stream<Path> walk = Files.walk(classes)) {
                for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                    put(j, classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                }
            }
            for (Map.Entry<String, byte[]> e : extra.entrySet()) {
                put(j, e.getKey(), e.getValue());
            }
        }
        return jar;
    }

    private static void put(JarOutputStream j, String name, byte[] bytes) throws IOException {
        j.putNextEntry(new JarEntry(name));
        j.write(bytes);
        j.closeEntry();
    }

    private static void compile(List<Path> files, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new AssertionError("no Java compiler in this runtime (a JDK is needed to build test plugins)");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-d", classes.toString(),
                    "-classpath", System.getProperty("java.class.path"));
            boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
            if (!ok) {
                throw new AssertionError("test plugin does not compile: " + diagnostics.getDiagnostics());
            }
        }
    }

    /** The bytes of a class as the test class path has it (to bundle a copy into a plugin on purpose). */
    public static byte[] classBytes(Class<?> c) throws IOException {
        String name = c.getName().replace('.', '/') + ".class";
        try (var in = c.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new AssertionError("no " + name + " on the class path");
            }
            return in.readAllBytes();
        }
    }
}
