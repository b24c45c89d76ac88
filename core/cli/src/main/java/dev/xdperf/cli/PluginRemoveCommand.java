package dev.xdperf.cli;

import dev.xdperf.registry.client.Installer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin remove}. */
@Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an installed plugin.")
final class PluginRemoveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "PUBLISHER/NAME, or NAME: the official namespace's if installed, else the only one of that name.")
    String name;

    @Override
    public Integer call() {
        Installer i = PluginInstallers.local();
        if (!i.remove(name)) {
            throw new IllegalArgumentException("remove: no plugin " + name + " is installed in " + i.dir());
        }
        spec.commandLine().getOut().println("removed " + name + " from " + i.dir());
        return 0;
    }
}
