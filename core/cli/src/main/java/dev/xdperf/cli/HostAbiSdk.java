package dev.xdperf.cli;

import dev.xdperf.BuildInfo;
import dev.xdperf.abi.TemplatePlugin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The host API a Java plugin compiles against, {@code dev.xdperf:xdperf-host-abi}, made
 * reachable from an out-of-tree Maven project: {@code xdperf plugin sdk --install} writes the
 * API's classes, taken from this very xdperf, as a jar with a standalone pom into a local
 * Maven repository. The plugin then compiles against exactly the classes it will run with.
 */
final class HostAbiSdk {
    static final String GROUP = "dev.xdperf";
    static final String ARTIFACT = "xdperf-host-abi";

    private HostAbiSdk() {}

    static String version() {
        String v = BuildInfo.current().version();
        if (v.equals(BuildInfo.UNKNOWN)) {
            throw new IllegalStateException("this xdperf does not know its own version, so it cannot name the host API it carries");
        }
        return v;
    }

    /**
     * The local repository Maven itself uses: the localRepository of ~/.m2/settings.xml, else
     * ~/.m2/repository, with ~ as Maven takes it (Java's user.home, not $HOME: this file is
     * Maven's, and it must land where Maven looks).
     */
    static Path defaultRepository() {
        Path m2 = Path.of(System.getProperty("user.home"), ".m2");
        try {
            String settings = Files.readString(m2.resolve("settings.xml"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("<localRepository>\\s*([^<]+?)\\s*</localRepository>")
                    .matcher(settings.replaceAll("(?s)<!--.*?-->", ""));
            if (m.find() && !m.group(1).contains("${")) {
                return Path.of(m.group(1));
            }
        } catch (IOException e) {
            // no settings.xml: the default
        }
        return m2.resolve("repository");
    }

    static Path jarPath(Path repo, String version) {
        return repo.resolve(GROUP.replace('.', '/')).resolve(ARTIFACT).resolve(version).resolve(ARTIFACT + "-" + version + ".jar");
    }

    /** Writes the jar and pom; returns the jar's path. Nothing is left half-written. */
    static Path install(Path repo, String pf4jVersion) {
        String version = version();
        Map<String, byte[]> classes = classes();
        byte[] jar = jar(classes, version);
        verify(jar);
        Path jarFile = jarPath(repo, version);
        Path pomFile = jarFile.resolveSibling(ARTIFACT + "-" + version + ".pom");
        try {
            Files.createDirectories(jarFile.getParent());
            atomicWrite(jarFile, jar);
            atomicWrite(pomFile, pom(version, pf4jVersion).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("install the host API into " + repo + ": " + e);
        }
        return jarFile;
    }

    private static void atomicWrite(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String pom(String version, String pf4jVersion) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- the host API of xdperf %1$s, written by its plugin sdk command -->
                <project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>%2$s</groupId>
                  <artifactId>%3$s</artifactId>
                  <version>%1$s</version>
                  <name>xdperf host ABI</name>
                  <description>The template ABI and the extension point xdperf's Java plugins implement</description>
                  <dependencies>
                    <dependency>
                      <groupId>org.pf4j</groupId>
                      <artifactId>pf4j</artifactId>
                      <version>%4$s</version>
                      <scope>provided</scope>
                    </dependency>
                  </dependencies>
                </project>
                """.formatted(version, GROUP, ARTIFACT, pf4jVersion);
    }

    /**
     * The host API's classes: the whole of the jar or classes directory TemplatePlugin comes
     * from, or, inside xdperf's single jar, the packages host-abi consists of.
     */
    static Map<String, byte[]> classes() {
        Map<String, byte[]> out = new TreeMap<>();
        try {
            Path source = Path.of(TemplatePlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(source)) {
                try (Stream<Path> s = Files.walk(source)) {
                    for (Path p : s.filter(Files::isRegularFile).toList()) {
                        out.put(source.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                    }
                }
            } else {
                try (JarFile jar = new JarFile(source.toFile())) {
                    boolean single = jar.getEntry("dev/xdperf/cli/Main.class") != null;
                    for (JarEntry e : jar.stream().toList()) {
                        String n = e.getName();
                        if (e.isDirectory() || n.startsWith("META-INF/") && !n.startsWith("META-INF/maven/" + GROUP + "/" + ARTIFACT + "/")) {
                            continue;
                        }
                        if (!single || n.startsWith("dev/xdperf/abi/") || n.matches("dev/xdperf/(XdperfException|XdgDirs)(\\$.*)?\\.class")
                                || n.startsWith("META-INF/maven/" + GROUP + "/" + ARTIFACT + "/")) {
                            try (InputStream in = jar.getInputStream(e)) {
                                out.put(n, in.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("read the host API's classes: " + e.getMessage());
        }
        out.keySet().removeIf(n -> n.startsWith("META-INF/MANIFEST.MF"));
        return out;
    }

    private static byte[] jar(Map<String, byte[]> classes, String version) {
        java.util.jar.Manifest mf = new java.util.jar.Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_TITLE, GROUP + ":" + ARTIFACT);
        mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, mf)) {
            for (Map.Entry<String, byte[]> e : classes.entrySet()) {
                JarEntry entry = new JarEntry(e.getKey());
                entry.setTime(0);
                out.putNextEntry(entry);
                out.write(e.getValue());
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** PF4J alone: its own jar, or its classes copied out of xdperf's single jar. */
    private static URL pf4jOnly(Path scratch) throws IOException, URISyntaxException {
        URL pf4j = org.pf4j.ExtensionPoint.class.getProtectionDomain().getCodeSource().getLocation();
        Path source = Path.of(pf4j.toURI());
        if (Files.isDirectory(source) || !source.equals(Path.of(TemplatePlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI()))) {
            return pf4j;
        }
        Map<String, byte[]> classes = new TreeMap<>();
        try (JarFile jar = new JarFile(source.toFile())) {
            for (JarEntry e : jar.stream().filter(e -> e.getName().startsWith("org/pf4j/") && !e.isDirectory()).toList()) {
                try (InputStream in = jar.getInputStream(e)) {
                    classes.put(e.getName(), in.readAllBytes());
                }
            }
        }
        Files.write(scratch, jar(classes, "pf4j"));
        return scratch.toUri().toURL();
    }

    /**
     * Loads every class of the jar with nothing but PF4J beside it: a class that needs
     * something the jar lacks fails here, not in the author's build.
     */
    private static void verify(byte[] jar) {
        try {
            Path tmp = Files.createTempFile("xdperf-host-abi-", ".jar");
            try {
                Files.write(tmp, jar);
                URL pf4j = pf4jOnly(tmp.resolveSibling(tmp.getFileName() + ".pf4j.jar"));
                try (URLClassLoader pf4jOnly = new URLClassLoader(new URL[] {pf4j}, ClassLoader.getPlatformClassLoader());
                     URLClassLoader api = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, pf4jOnly);
                     JarFile jf = new JarFile(tmp.toFile())) {
                    for (JarEntry e : jf.stream().toList()) {
                        if (e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class")) {
                            // linking and the signatures' types: what a compiler needs of the API
                            Class.forName(e.getName().replace('/', '.').replaceFirst("\\.class$", ""), false, api).getDeclaredMethods();
                        }
                    }
                }
            } finally {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".pf4j.jar"));
            }
        } catch (IOException | URISyntaxException | ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the host API taken from this xdperf is incomplete (" + e + ")");
        }
    }
}
