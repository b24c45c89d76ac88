package dev.xdperf.cli;

import dev.xdperf.registry.client.Mirror;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf registry mirror}. */
@Command(name = "mirror", mixinStandardHelpOptions = true,
        description = "Copy plugins from a registry into a directory that installs with no network: --registry file:///DIR.")
final class RegistryMirrorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Parameters(paramLabel = "PUBLISHER/NAME", arity = "0..*", description = "Plugins to copy (default: all).")
    List<String> ids = new ArrayList<>();

    @Mixin
    RegistryOption registry;

    @Override
    public Integer call() {
        int n = Mirror.write(registry.client(), out, ids);
        spec.commandLine().getOut().println("mirrored " + n + " versions to " + out + " (install with --registry "
                + out.toAbsolutePath().toUri() + ")");
        return 0;
    }
}
