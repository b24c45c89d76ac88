package dev.xdperf.cli;

import dev.xdperf.registry.client.Installer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin fetch}. */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "Download a release with its signature and key into one bundle file, to install elsewhere with --from.")
final class PluginFetchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME[@VERSION]", description = "Default: the newest non-yanked version this xdperf can run.")
    String name;

    @Option(names = "--out", required = true, paramLabel = "FILE")
    Path out;

    @Mixin
    RegistryOption registry;

    @Override
    public Integer call() {
        var v = PluginInstallers.of(registry.client(), spec.commandLine().getErr()).fetch(Installer.Spec.parse(name), out);
        spec.commandLine().getOut().println("fetched " + v.id() + " " + v.version() + " to " + out + " (sha256 " + v.artifactSha256() + ")");
        return 0;
    }
}
