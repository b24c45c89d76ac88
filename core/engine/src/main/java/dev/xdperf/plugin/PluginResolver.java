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

    public static Path defaultInstallDir() {
        String env = System.getenv("XDPERF_PLUGIN_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String data = System.getenv("XDG_DATA_HOME");
        Path base = data != null && !data.isBlank() ? Path.of(data) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("xdperf").resolve("plugins");
    }

    public LoadedPlugin load(String nameOrPath) {
        String lower = nameOrPath.toLowerCase(Locale.ROOT);
        if (nameOrPath.contains("/") || lower.endsWith(".wasm") || lower.endsWith(".jar") || lower.endsWith(".zip")) {
            Path p = Path.of(nameOrPath);
            if (!Files.isRegularFile(p)) {
                throw new PluginException("plugin file " + nameOrPath + " does not exist");
            }
            return isJava(p) ? loadJava(p) : loadWasm(p.getFileName().toString().replaceFirst("\\.wasm$", ""), p);
        }
        if (!nameOrPath.matches(JavaPluginFile.ID_PATTERN)) {
            throw new PluginException("'" + nameOrPath + "' is not a plugin name or a path to a .wasm, .jar or .zip file");
        }
        Path installed = installDir.resolve(nameOrPath + ".wasm");
        if (Files.isRegularFile(installed)) {
            return loadWasm(nameOrPath, installed);
        }
        Path java = installedJava(nameOrPath);
        if (java != null) {
            return loadJava(java);
        }
        try (InputStream in = PluginResolver.class.getResourceAsStream("/plugins/" + nameOrPath + ".wasm")) {
            if (in != null) {
                return WasmPlugin.load(nameOrPath, in.readAllBytes(), limits);
            }
        } catch (IOException e) {
            throw new PluginException("read bundled plugin " + nameOrPath + ": " + e.getMessage());
        }
        Path bundledJava = bundledJava(nameOrPath);
        if (bundledJava != null) {
            // part of this xdperf, so no more trusted or less than the rest of it: no notice
            return JavaPlugin.load(bundledJava, hostVersion, limits);
        }
        throw new PluginException("no plugin named '" + nameOrPath + "' (bundled: " + String.join(", ", available())
                + "; installed in " + installDir + ": " + (installed().isEmpty() ? "none" : String.join(", ",
                installed().stream().map(Installed::name).toList())) + "; or give a path to a .wasm, .jar or .zip file)");
    }

    /** A plugin installed in the plugin directory: its name, kind and file. */
    public record Installed(String name, String kind, Path path) {}

    /** What the plugin directory holds: .wasm modules by file name, Java plugins by their descriptor's id. */
    public List<Installed> installed() {
        List<Installed> out = new ArrayList<>();
        try (var files = Files.list(installDir)) {
            for (Path f : files.sorted().toList()) {
                if (!Files.isRegularFile(f)) {
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

    /** An installed Java plugin for this name: NAME.jar or NAME.zip, else the one jar or zip whose descriptor has this id. */
    private Path installedJava(String name) {
        for (String ext : new String[] {".jar", ".zip"}) {
            Path p = installDir.resolve(name + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        List<Path> byId = installed().stream().filter(i -> i.kind().equals("java") && i.name().equals(name))
                .map(Installed::path).toList();
        if (byId.size() > 1) {
            throw new PluginException("several Java plugins in " + installDir + " have the id '" + name + "': "
                    + byId.stream().map(p -> p.getFileName().toString()).toList() + " (keep one, or give a path)");
        }
        return byId.isEmpty() ? null : byId.get(0);
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
