package dev.xdperf.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** `xdperf registry`: run the plugin registry, and administer its publishers and tokens. */
@Command(name = "registry", mixinStandardHelpOptions = true, description = "Run the plugin registry (docs/registry.md).",
        subcommands = {RegistryServeCommand.class, RegistryAdminCommand.class, RegistryMirrorCommand.class})
final class RegistryCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
