package dev.xdperf.cli;

import dev.xdperf.plugin.PluginLimits;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.plugin.WasmPlugin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "plugin", mixinStandardHelpOptions = true, description = "Work with protocol plugins.",
        subcommands = {PluginCommand.Describe.class, PluginCommand.ListPlugins.class, PluginRegistryCommands.Search.class,
                PluginRegistryCommands.Info.class, PluginRegistryCommands.Install.class, PluginRegistryCommands.Fetch.class, PluginRegistryCommands.Remove.class,
                PluginRegistryCommands.Verify.class, PluginRegistryCommands.Trust.class, PluginRegistryCommands.Keygen.class,
                PluginRegistryCommands.KeyAdd.class, PluginRegistryCommands.Publish.class, PluginRegistryCommands.Yank.class})
final class PluginCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Print a plugin's description and its options with types, defaults and help.")
    static final class Describe implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|PATH", description = "A bundled or installed plugin's name, or a .wasm file.")
        String plugin;

        @Override
        public Integer call() {
            WasmPlugin p = new PluginResolver(PluginResolver.defaultInstallDir(), PluginLimits.DEFAULT).load(plugin);
            System.out.print(p.describe().toText());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the plugins this xdperf can use.")
    static final class ListPlugins implements Callable<Integer> {
        @Override
        public Integer call() {
            for (String n : PluginResolver.available()) {
                System.out.println(n + "  (bundled)");
            }
            var lock = dev.xdperf.registry.client.LockFile.read(PluginResolver.defaultInstallDir());
            try (var files = java.nio.file.Files.list(PluginResolver.defaultInstallDir())) {
                files.filter(f -> f.toString().endsWith(".wasm")).sorted().forEach(f -> {
                    String name = f.getFileName().toString().replaceFirst("\\.wasm$", "");
                    var e = lock.get(name);
                    System.out.println(name + "  (installed: " + f + (e == null ? "" : ", " + e.id() + " " + e.version()) + ")");
                });
            } catch (java.io.IOException e) {
                // no install directory yet
            }
            return 0;
        }
    }
}
