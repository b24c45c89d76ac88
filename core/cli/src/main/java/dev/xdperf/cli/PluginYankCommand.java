package dev.xdperf.cli;

import dev.xdperf.registry.Names;
import dev.xdperf.registry.client.Installer;
import dev.xdperf.registry.client.Publishing;
import dev.xdperf.registry.client.RegistryClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin yank}. */
@Command(name = "yank", mixinStandardHelpOptions = true,
        description = "Withdraw a published version from resolution (it stays installable by exact version); --undo restores it.")
final class PluginYankCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NS/NAME@VERSION",
            description = "The release: PUBLISHER/NAME@VERSION; a bare NAME@VERSION means the official namespace, xdperf/NAME.")
    String name;

    @Option(names = "--undo", description = "Unyank.")
    boolean undo;

    @Mixin
    RegistryOption registry;

    @Mixin
    TokenOption token;

    @Override
    public Integer call() {
        Installer.Spec s = Installer.Spec.parse(name);
        if (s.version() == null) {
            throw new IllegalArgumentException("yank: give the exact version, PUBLISHER/NAME@VERSION");
        }
        boolean bare = !name.contains("/");
        String tokenText = token.require("yank");
        RegistryClient.VersionInfo v = Publishing.setYanked(registry.client(), tokenText, s, bare, !undo);
        spec.commandLine().getOut().println((v.yanked() ? "yanked " : "unyanked ") + v.id() + " " + v.version()
                + (bare ? " (a bare name means the official namespace, " + Names.OFFICIAL + ")" : ""));
        return 0;
    }
}
