package dev.xdperf.cli;

import dev.xdperf.registry.client.Installer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin info}. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a plugin's versions, keys and downloads in the registry.")
final class PluginInfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "NAME or PUBLISHER/NAME.")
    String name;

    @Mixin
    RegistryOption registry;

    @Override
    public Integer call() {
        Installer.Spec s = Installer.Spec.parse(name);
        var p = registry.client().plugin(s.publisher(), s.name());
        PrintWriter out = spec.commandLine().getOut();
        // everything here comes from the registry: no terminal escapes get through
        out.println(Terminal.printable(p.id()) + " (" + Terminal.printable(p.kind()) + (p.license().isEmpty() ? ""
                : ", " + Terminal.printable(p.license())) + "), " + p.downloads() + " downloads");
        out.println(Terminal.printable(p.description()));
        out.println("latest: " + (p.latest() == null ? "none (all yanked)" : Terminal.printable(p.latest())));
        for (var v : p.versions()) {
            out.printf("  %-12s ABI %-5s %s  sha256 %s  key %s%s%n", Terminal.printable(v.version()), Terminal.printable(v.abi()),
                    Terminal.printable(v.published()), Terminal.printable(v.artifactSha256()),
                    Terminal.printable(v.key().substring(0, Math.min(16, v.key().length()))), v.yanked() ? "  (yanked)" : "");
        }
        for (var k : p.keys()) {
            out.println("key " + Terminal.printable(k.fingerprint()) + (k.active() ? " (active)" : " (retired "
                    + Terminal.printable(k.retired()) + ")"));
        }
        return 0;
    }
}
