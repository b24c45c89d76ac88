package dev.xdperf.cli;

import dev.xdperf.plugin.PluginLimits;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.plugin.LoadedPlugin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "plugin", mixinStandardHelpOptions = true, description = "Work with protocol plugins.",
        subcommands = {PluginCommand.Describe.class, PluginCommand.ListPlugins.class, PluginSearchCommand.class,
                PluginInfoCommand.class, PluginInstallCommand.class, PluginFetchCommand.class, PluginRemoveCommand.class,
                PluginVerifyCommand.class, PluginTrustCommand.class, PluginUntrustCommand.class, PluginKeygenCommand.class,
                PluginKeyAddCommand.class, PluginPublishCommand.class, PluginYankCommand.class,
                PluginNewCommand.class, PluginCheckCommand.class, PluginManifestCommand.class,
                PluginSdkCommand.class})
final class PluginCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The resolver the CLI uses: the default plugin directory, default limits, notices on stderr. */
    static PluginResolver resolver() {
        return new PluginResolver(PluginResolver.defaultInstallDir(), PluginLimits.DEFAULT)
                .notices(n -> System.err.println("xdperf: note: " + n));
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Print a plugin's description and its options with types, defaults and help.")
    static final class Describe implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|NS/NAME|PATH", description = "A bundled or installed plugin (NAME, PUBLISHER/NAME[@VERSION]), or a plugin file.")
        String plugin;

        @Override
        public Integer call() {
            try (LoadedPlugin p = resolver().load(plugin)) {
                System.out.print(p.describe().toText());
                if (p.kind().equals("java")) {
                    System.out.println("\n(a Java plugin: it runs with the full rights of the JVM)");
                }
            }
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
            for (PluginResolver.Installed i : resolver().installed()) {
                System.out.println(i.id() + "  (installed, " + i.kind() + ": " + i.path()
                        + (i.version() == null ? "" : ", " + i.id() + " " + i.version()) + ")");
            }
            return 0;
        }
    }
}
