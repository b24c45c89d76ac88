package dev.xdperf.plugin;

import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.control.ClientRun;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a plugin by name or path: a path to a .wasm file, or the name of a first-party
 * plugin bundled in this xdperf, or one installed in the plugin directory.
 */
public final class PluginResolver {
    /** First-party plugins packed into the jar by the build. */
    public static final List<String> BUNDLED = List.of("tcp", "icmp");

    private final Path installDir;
    private final PluginLimits limits;

    public PluginResolver(Path installDir, PluginLimits limits) {
        this.installDir = installDir;
        this.limits = limits;
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

    public WasmPlugin load(String nameOrPath) {
        if (nameOrPath.contains("/") || nameOrPath.endsWith(".wasm")) {
            Path p = Path.of(nameOrPath);
            if (!Files.isRegularFile(p)) {
                throw new PluginException("plugin file " + nameOrPath + " does not exist");
            }
            try {
                return WasmPlugin.load(p.getFileName().toString().replaceFirst("\\.wasm$", ""), Files.readAllBytes(p), limits);
            } catch (IOException e) {
                throw new PluginException("read plugin " + nameOrPath + ": " + e.getMessage());
            }
        }
        if (!nameOrPath.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
            throw new PluginException("'" + nameOrPath + "' is not a plugin name or a path to a .wasm file");
        }
        Path installed = installDir.resolve(nameOrPath + ".wasm");
        if (Files.isRegularFile(installed)) {
            try {
                return WasmPlugin.load(nameOrPath, Files.readAllBytes(installed), limits);
            } catch (IOException e) {
                throw new PluginException("read plugin " + installed + ": " + e.getMessage());
            }
        }
        try (InputStream in = PluginResolver.class.getResourceAsStream("/plugins/" + nameOrPath + ".wasm")) {
            if (in != null) {
                return WasmPlugin.load(nameOrPath, in.readAllBytes(), limits);
            }
        } catch (IOException e) {
            throw new PluginException("read bundled plugin " + nameOrPath + ": " + e.getMessage());
        }
        throw new PluginException("no plugin named '" + nameOrPath + "' (bundled: " + String.join(", ", available())
                + "; or give a path to a .wasm file)");
    }

    /** Bundled plugins that are really in this build. */
    public static List<String> available() {
        List<String> out = new ArrayList<>();
        for (String n : BUNDLED) {
            if (PluginResolver.class.getResource("/plugins/" + n + ".wasm") != null) {
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
    public static ClientRun.TemplateSource source(WasmPlugin plugin) {
        return new ClientRun.TemplateSource() {
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
    public static ClientRun.TemplateSource file(Path file) {
        return new ClientRun.TemplateSource() {
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
