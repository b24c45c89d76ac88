package dev.xdperf.plugin;

import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.template.TemplateSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Finds a plugin by name or path: a path to a .wasm module or a Java plugin (.jar or .zip, PF4J),
 * or the name of one installed in the plugin directory or bundled in this xdperf. Java plugins
 * run with the JVM's full rights, so they are only ever taken from a path the operator gave or
 * from the plugin directory, and the first load of each file is announced through the notice
 * consumer (the CLI prints it on stderr).
 */
public final class PluginResolver {
    /** First-party plugins packed into the jar by the build. */
    public static final List<String> BUNDLED = List.of("tcp", "icmp", "quic");

    private final Path installDir;
    private final PluginLimits limits;
    private String hostVersion = dev.xdperf.Version.XDPERF;
    private Consumer<String> notices = n -> { };

    public PluginResolver(Path installDir, PluginLimits limits) {
        this.installDir = installDir;
        this.limits = limits;
    }

    /** Where notices go (one line each), e.g. that a Java plugin runs with the JVM's full rights. */
    public PluginResolver notices(Consumer<String> sink) {
        this.notices = sink;
        return this;
    }

    /** The version Java plugins' "requires" constraints are checked against (default: this xdperf's). */
    public PluginResolver hostVersion(String version) {
        this.hostVersion = version;
        return this;
    }

    /** XDPERF_PLUGIN_DIR, else $XDG_DATA_HOME/xdperf/plugins, else $HOME/.local/share/xdperf/plugins. */
    public static Path defaultInstallDir() {
        return dev.xdperf.XdgDirs.override("XDPERF_PLUGIN_DIR", dev.xdperf.XdgDirs.data().resolve("plugins"));
    }

    /** NAME or PUBLISHER/NAME, either with @VERSION: a plugin by name rather than by path. */
    private static final Pattern SPEC = Pattern.compile("(?:(" + JavaPluginFile.ID_PATTERN + ")/)?(" + JavaPluginFile.ID_PATTERN
            + ")(?:@([0-9A-Za-z.+-]{1,64}))?");

    /**
     * Loads a plugin: a path to a .wasm, .jar or .zip file; PUBLISHER/NAME[@VERSION], exactly
     * that installed release; or a bare NAME[@VERSION]: the official namespace's plugin (the
     * installed xdperf/NAME, said in a notice, else the bundled one), else the only installed
     * plugin of that name. An ambiguous name is refused with its candidates.
     */
    public LoadedPlugin load(String nameOrPath) {
        String lower = nameOrPath.toLowerCase(Locale.ROOT);
        Matcher m = SPEC.matcher(nameOrPath);
        if (lower.endsWith(".wasm") || lower.endsWith(".jar") || lower.endsWith(".zip")
                || (!m.matches() && nameOrPath.contains("/") && Files.isRegularFile(Path.of(nameOrPath)))) {
            Path p = Path.of(nameOrPath);
            if (!Files.isRegularFile(p)) {
                throw new PluginException("plugin file " + nameOrPath + " does not exist");
            }
            return isJava(p) ? loadJava(p) : loadWasm(p.getFileName().toString().replaceFirst("\\.wasm$", ""), p);
        }
        if (!m.matches()) {
            throw new PluginException("'" + nameOrPath + "' is not a plugin name (NAME or PUBLISHER/NAME[@VERSION]: lowercase letters,"
                    + " digits, '-' and '_') or a path to a .wasm, .jar or .zip file");
        }
        String publisher = m.group(1);
        String name = m.group(2);
        String version = m.group(3);
        if (publisher != null) {
            Installed i = installed(publisher, name);
            if (i == null && version == null && Files.isRegularFile(Path.of(nameOrPath))) {
                Path p = Path.of(nameOrPath);   // a relative path that looks like an id, e.g. build/plugin
                return isJava(p) ? loadJava(p) : loadWasm(name, p);
            }
            if (i == null) {
                throw new PluginException("plugin " + publisher + "/" + name + " is not installed in " + installDir
                        + " (install it: xdperf plugin install " + publisher + "/" + name + (version == null ? "" : "@" + version) + ")");
            }
            return loadInstalled(i, version);
        }
        boolean bundled = available().contains(name);
        Installed official = installed(OFFICIAL, name);
        if (official != null) {
            if (bundled) {
                notices.accept("using the installed " + official.id() + " " + official.version() + " (" + official.path()
                        + ") instead of the one bundled with xdperf");
            }
            return loadInstalled(official, version);
        }
        if (bundled) {
            List<String> others = installed().stream().filter(i -> i.name().equals(name)).map(Installed::id).toList();
            if (!others.isEmpty()) {
                notices.accept("'" + name + "' is the official plugin bundled with xdperf; the installed " + String.join(", ", others)
                        + " runs only when named so");
            }
            LoadedPlugin p = loadBundled(name);
            if (version != null && !version.equals(p.describe().version())) {
                p.close();
                throw new PluginException("plugin " + name + "@" + version + ": the bundled " + name + " is version " + p.describe().version()
                        + " (install another: xdperf plugin install " + OFFICIAL + "/" + name + "@" + version + ")");
            }
            return p;
        }
        List<Installed> named = installed().stream().filter(i -> i.name().equals(name)).toList();
        if (named.size() > 1) {
            throw new PluginException("plugin name '" + name + "' is ambiguous: installed as " + String.join(", ",
                    named.stream().map(Installed::id).toList()) + " (name one of them: --plugin PUBLISHER/" + name + ")");
        }
        if (named.size() == 1) {
            return loadInstalled(named.get(0), version);
        }
        throw new PluginException("no plugin named '" + name + "' (bundled: " + String.join(", ", available()) + "; installed in "
                + installDir + ": " + (installed().isEmpty() ? "none" : String.join(", ", installed().stream().map(Installed::id).toList()))
                + "; or give a path to a .wasm, .jar or .zip file)");
    }

    /**
     * A plugin in the plugin directory: installed from a registry as PUBLISHER/NAME (with the
     * version the lock file records), or a file put there by hand (publisher and version null).
     */
    public record Installed(String publisher, String name, String version, String kind, Path path) {
        public Installed(String name, String kind, Path path) {
            this(null, name, null, kind, path);
        }

        /** PUBLISHER/NAME, or the bare name of a file put there by hand. */
        public String id() {
            return publisher == null ? name : publisher + "/" + name;
        }
    }

    /** The official namespace: what a bare name means first. */
    public static final String OFFICIAL = "xdperf";

    /** What the plugin directory holds: installed releases (DIR/PUBLISHER/NAME.EXT), then files put there by hand. */
    public List<Installed> installed() {
        List<Installed> out = new ArrayList<>();
        Map<String, JsonNode> lock = lockEntries();
        lock.forEach((id, e) -> {
            Path f = installDir.resolve(e.path("file").asText());
            if (Files.isRegularFile(f)) {
                out.add(new Installed(id.substring(0, id.indexOf('/')), id.substring(id.indexOf('/') + 1), e.path("version").asText(),
                        e.path("kind").asText().equals("pf4j") ? "java" : "wasm", f));
            }
        });
        java.util.Set<Path> locked = new java.util.HashSet<>(out.stream().map(Installed::path).toList());
        try (var files = Files.list(installDir)) {
            for (Path f : files.sorted().toList()) {
                if (!Files.isRegularFile(f) || locked.contains(f)) {
                    continue;
                }
                if (f.getFileName().toString().endsWith(".wasm")) {
                    out.add(new Installed(f.getFileName().toString().replaceFirst("\\.wasm$", ""), "wasm", f));
                } else if (JavaPluginFile.isJavaPluginName(f)) {
                    try {
                        out.add(new Installed(JavaPluginFile.read(f).id(), "java", f));
                    } catch (PluginException e) {
                        // not a plugin (or a broken one): loading it by path says why
                    }
                }
            }
        } catch (IOException e) {
            // no plugin directory yet
        }
        return out;
    }

    private Installed installed(String publisher, String name) {
        return installed().stream().filter(i -> publisher.equals(i.publisher()) && i.name().equals(name)).findFirst().orElse(null);
    }

    /** The lock file's entries by id (DIR/plugins.lock, written by the installer), each with its file; empty when there is none. */
    private Map<String, JsonNode> lockEntries() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Path lock = installDir.resolve("plugins.lock");
        if (!Files.isRegularFile(lock)) {
            return out;
        }
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(lock));
            root.path("plugins").fields().forEachRemaining(f -> {
                String id = f.getValue().path("id").asText();
                String file = f.getValue().path("file").asText(f.getKey().contains("/") ? "" : f.getKey() + ".wasm");
                if (id.matches(JavaPluginFile.ID_PATTERN + "/" + JavaPluginFile.ID_PATTERN) && !file.isEmpty()
                        && !file.startsWith("/") && !file.contains("..")) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) f.getValue()).put("file", file);
                    out.put(id, f.getValue());
                }
            });
        } catch (IOException e) {
            throw new PluginException("read lock file " + lock + ": " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException
                    ? "not valid JSON" : e.getMessage()) + " (remove it and install again)");
        }
        return out;
    }

    /** An installed plugin; with a version, exactly that release: the version and the bytes the lock file records. */
    private LoadedPlugin loadInstalled(Installed i, String version) {
        if (version != null) {
            if (!version.equals(i.version())) {
                throw new PluginException("plugin " + i.id() + "@" + version + " is not installed (installed: " + i.id()
                        + (i.version() == null ? ", not from a registry" : " " + i.version()) + "; xdperf plugin install " + i.id() + "@" + version + ")");
            }
            String expected = lockEntries().get(i.id()).path("sha256").asText();
            String found = sha256(i.path());
            if (!expected.equals(found)) {
                throw new PluginException("plugin " + i.id() + "@" + version + ": the installed file " + i.path() + " was changed since it was"
                        + " installed (expected sha256 " + expected + ", found " + found + "; xdperf plugin install " + i.id() + "@" + version + ")");
            }
        }
        return i.kind().equals("java") ? loadJava(i.path()) : loadWasm(i.name(), i.path());
    }

    private static String sha256(Path file) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new PluginException("read plugin " + file + ": " + e.getMessage());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private LoadedPlugin loadBundled(String name) {
        try (InputStream in = PluginResolver.class.getResourceAsStream("/plugins/" + name + ".wasm")) {
            if (in != null) {
                return WasmPlugin.load(name, in.readAllBytes(), limits);
            }
        } catch (IOException e) {
            throw new PluginException("read bundled plugin " + name + ": " + e.getMessage());
        }
        Path bundledJava = bundledJava(name);
        if (bundledJava == null) {
            throw new PluginException("no bundled plugin named '" + name + "'");
        }
        // part of this xdperf, so no more trusted or less than the rest of it: no notice
        return JavaPlugin.load(bundledJava, hostVersion, limits);
    }

    private LoadedPlugin loadWasm(String name, Path file) {
        try {
            return WasmPlugin.load(name, Files.readAllBytes(file), limits);
        } catch (IOException e) {
            throw new PluginException("read plugin " + file + ": " + e.getMessage());
        }
    }

    private LoadedPlugin loadJava(Path file) {
        JavaPluginFile f = JavaPluginFile.read(file);
        f.requireHost(hostVersion);
        if (JavaNotice.firstLoad(installDir, f.sha256(), f.id())) {
            notices.accept("plugin " + f.id() + " (" + file + ") is a Java extension: it runs inside xdperf with the full"
                    + " rights of the JVM; load only Java plugins you trust (shown once per plugin file)");
        }
        return JavaPlugin.load(file, hostVersion, limits);
    }

    /** .jar and .zip are Java plugins, .wasm is WebAssembly; anything else by its first bytes. */
    private static boolean isJava(Path p) {
        if (JavaPluginFile.isJavaPluginName(p)) {
            return true;
        }
        if (p.getFileName().toString().endsWith(".wasm")) {
            return false;
        }
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
        } catch (IOException e) {
            return false;
        }
    }

    /** A Java plugin bundled as /plugins/NAME.jar, copied out to a temporary file (PF4J loads from files). */
    private static Path bundledJava(String name) {
        try (InputStream in = PluginResolver.class.getResourceAsStream("/plugins/" + name + ".jar")) {
            if (in == null) {
                return null;
            }
            Path dir = Files.createTempDirectory("xdperf-plugin-");
            Path jar = dir.resolve(name + ".jar");
            dir.toFile().deleteOnExit();
            Files.copy(in, jar);
            jar.toFile().deleteOnExit();   // deleted before the directory: the reverse order of registration
            return jar;
        } catch (IOException e) {
            throw new PluginException("read bundled plugin " + name + ": " + e.getMessage());
        }
    }

    /** Bundled plugins that are really in this build. */
    public static List<String> available() {
        List<String> out = new ArrayList<>();
        for (String n : BUNDLED) {
            if (PluginResolver.class.getResource("/plugins/" + n + ".wasm") != null
                    || PluginResolver.class.getResource("/plugins/" + n + ".jar") != null) {
                out.add(n);
            }
        }
        return out;
    }

    /** Parses repeated "key=value" options; a key given twice is an error. */
    public static Map<String, String> parseOptions(List<String> raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String r : raw) {
            int eq = r.indexOf('=');
            if (eq <= 0) {
                throw new PluginException("--plugin-opt '" + r + "' is not key=value");
            }
            if (out.put(r.substring(0, eq).trim(), r.substring(eq + 1)) != null) {
                throw new PluginException("--plugin-opt " + r.substring(0, eq) + " is given twice");
            }
        }
        return out;
    }

    /** A template source for a run: the plugin, with the operator's options checked against its declaration. */
    public static TemplateSource source(LoadedPlugin plugin) {
        return new TemplateSource() {
            @Override
            public String name() {
                return plugin.name();
            }

            @Override
            public TemplateSet generate(RunRequest request) {
                return plugin.generate(request);
            }
        };
    }

    /** A template source that reads an encoded template set (docs/abi.md) from a file. */
    public static TemplateSource file(Path file) {
        return new TemplateSource() {
            @Override
            public String name() {
                return file.getFileName().toString();
            }

            @Override
            public TemplateSet generate(RunRequest request) {
                try {
                    return dev.xdperf.abi.AbiCodec.decodeSet(Files.readAllBytes(file));
                } catch (IOException e) {
                    throw new PluginException("read template set " + file + ": " + e.getMessage());
                } catch (dev.xdperf.abi.AbiException e) {
                    throw new PluginException("template set " + file + ": " + e.getMessage());
                }
            }
        };
    }
}
