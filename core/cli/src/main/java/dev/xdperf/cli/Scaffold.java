package dev.xdperf.cli;

import dev.xdperf.BuildInfo;
import dev.xdperf.Version;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.Names;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The projects {@code xdperf plugin new} writes: a C (Makefile), Go (go.mod) or Java (pom.xml)
 * plugin whose example passes {@code xdperf plugin check}. The files are resources under
 * {@code dev/xdperf/cli/scaffold/}; the C and Go SDKs are copied into the jar from
 * plugins/c-sdk and sdk-tinygo by the build, so a project builds outside this tree.
 */
final class Scaffold {
    static final List<String> LANGUAGES = List.of("c", "go", "java");
    private static final String ROOT = "dev/xdperf/cli/scaffold/";

    private Scaffold() {}

    /** The files of a new project, relative path to content; nothing is written. */
    static Map<String, byte[]> files(String name, String lang) {
        Names.requirePlugin(name);
        Map<String, String> vars = variables(name);
        Map<String, byte[]> out = new LinkedHashMap<>();
        switch (lang) {
            case "c" -> {
                out.put("Makefile", text("c/Makefile", vars));
                out.put("README.md", text("c/README.md", vars));
                out.put("src/" + name + ".c", text("c/plugin.c", vars));
                for (String f : List.of("xdperf_plugin.h", "xdperf_plugin.c", "xd_wasm.c", "extism.h")) {
                    out.put("xdperf-sdk/" + f, bytes("c-sdk/" + f));
                }
                out.put(".gitignore", "build/\n".getBytes(StandardCharsets.UTF_8));
            }
            case "go" -> {
                out.put("go.mod", text("go/go.mod", vars));
                out.put("README.md", text("go/README.md", vars));
                out.put("main.go", text("go/main.go", vars));
                out.put("plugin.go", text("go/plugin.go", vars));
                out.put("plugin_test.go", text("go/plugin_test.go", vars));
                for (String f : list("go-sdk/")) {
                    out.put("xdperf-sdk/" + f, bytes("go-sdk/" + f));
                }
                out.put(".gitignore", "*.wasm\n".getBytes(StandardCharsets.UTF_8));
            }
            case "java" -> {
                String dir = vars.get("PACKAGE").replace('.', '/');
                String cls = vars.get("CLASS");
                out.put("pom.xml", text("java/pom.xml", vars));
                out.put("README.md", text("java/README.md", vars));
                out.put("src/main/java/" + dir + "/" + cls + ".java", text("java/Plugin.java", vars));
                out.put("src/test/java/" + dir + "/" + cls + "Test.java", text("java/PluginTest.java", vars));
                out.put(".gitignore", "target/\n".getBytes(StandardCharsets.UTF_8));
            }
            default -> throw new IllegalArgumentException("--lang " + lang + " is not one of " + String.join(", ", LANGUAGES));
        }
        return out;
    }

    /**
     * Writes the project into {@code dir}, which must not exist or be empty: an author's files
     * are never overwritten. Everything is checked before the first file is written.
     */
    static List<Path> write(Path dir, Map<String, byte[]> files) {
        boolean existed = Files.exists(dir);
        List<Path> written = new ArrayList<>();
        try {
            if (existed && !(Files.isDirectory(dir) && isEmpty(dir))) {
                throw new IllegalArgumentException("write project " + dir + ": it exists and is not an empty directory");
            }
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Path p = dir.resolve(e.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, e.getValue());
                written.add(p);
            }
            return written;
        } catch (IOException e) {
            removeHalfWritten(dir, existed);
            throw new IllegalArgumentException("write project " + dir + ": " + (e instanceof FileAlreadyExistsException f
                    ? f.getFile() + " is in the way" : e.toString()));
        }
    }

    /** After a failed write, what this command created goes again: the author's disk is as it was. */
    private static void removeHalfWritten(Path dir, boolean existed) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!existed || !p.equals(dir)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException ignored) {
            // best effort: the message that follows names the directory
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    static Map<String, String> variables(String name) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("NAME", name);
        v.put("ABI", AbiVersion.HOST.toString());
        v.put("XDPERF_VERSION", BuildInfo.current().version());
        v.put("XDPERF_RELEASE", Version.XDPERF);
        String tail = name.replaceAll("[^a-z0-9]", "").replaceFirst("^([0-9])", "p$1");
        v.put("PACKAGE_TAIL", tail.isEmpty() ? "plugin" : tail);
        v.put("PACKAGE", "example." + v.get("PACKAGE_TAIL"));
        StringBuilder cls = new StringBuilder();
        for (String part : name.split("[-_]")) {
            if (!part.isEmpty()) {
                cls.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
            }
        }
        String c = cls.toString();
        v.put("CLASS", (c.isEmpty() || Character.isDigit(c.charAt(0)) ? "P" + c : c) + "Plugin");
        Properties versions = new Properties();
        try (InputStream in = open("versions.properties")) {
            versions.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        v.put("PF4J_VERSION", versions.getProperty("pf4j"));
        v.put("JUNIT_VERSION", versions.getProperty("junit"));
        v.put("SLF4J_VERSION", versions.getProperty("slf4j"));
        return v;
    }

    private static byte[] text(String resource, Map<String, String> vars) {
        String s = new String(bytes(resource), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : vars.entrySet()) {
            s = s.replace("{{" + e.getKey() + "}}", e.getValue());
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = open(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = Scaffold.class.getClassLoader().getResourceAsStream(ROOT + resource);
        if (in == null) {
            throw new IllegalStateException("this xdperf was built without its plugin scaffold (" + ROOT + resource + " is missing)");
        }
        return in;
    }

    /** The file names in a resource folder, from the jar or the classes directory this class came from. */
    private static List<String> list(String folder) {
        List<String> names = new ArrayList<>();
        try {
            Path source = Path.of(Scaffold.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(source)) {
                try (Stream<Path> s = Files.list(source.resolve(ROOT + folder))) {
                    s.forEach(p -> names.add(p.getFileName().toString()));
                }
            } else {
                try (JarFile jar = new JarFile(source.toFile())) {
                    jar.stream().map(e -> e.getName()).filter(n -> n.startsWith(ROOT + folder) && !n.endsWith("/"))
                            .map(n -> n.substring((ROOT + folder).length())).filter(n -> !n.contains("/")).forEach(names::add);
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("read the plugin scaffold: " + e.getMessage());
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("this xdperf was built without its plugin scaffold (" + ROOT + folder + " is empty)");
        }
        names.sort(null);
        return names;
    }
}
