package dev.xdperf.cli;

import dev.xdperf.registry.client.LockFile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin verify}. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check an installed plugin again against its lock entry and signature (offline when the key is trusted by file).")
final class PluginVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "PUBLISHER/NAME, or NAME: the official namespace's if installed, else the only one of that name.")
    String name;

    @Mixin
    RegistryOption registry;

    @Override
    public Integer call() {
        LockFile.Entry e = PluginInstallers.of(registry.client(), spec.commandLine().getErr()).verify(name);
        spec.commandLine().getOut().println("ok: " + name + " is " + e.id() + " " + e.version() + ", sha256 " + e.sha256()
                + ", signed by " + e.key());
        return 0;
    }
}
