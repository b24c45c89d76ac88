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

/** {@code xdperf plugin install}. */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Install a plugin from the registry: the newest non-yanked version this xdperf can run, or NAME@VERSION.")
final class PluginInstallCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME[@VERSION]", arity = "0..1",
            description = "NAME (official namespace) or PUBLISHER/NAME, optionally @VERSION.")
    String name;

    @Option(names = "--locked", description = "Install exactly the version and bytes the lock file records.")
    boolean locked;

    @Option(names = "--from", paramLabel = "BUNDLE", description = "Install from a bundle file ('xdperf plugin fetch'), with no network.")
    Path bundle;

    @Option(names = "--allow-java", description = "Allow a Java (PF4J) plugin: it runs inside xdperf with the full rights of the JVM.")
    boolean allowJava;

    @Mixin
    RegistryOption registry;

    @Override
    public Integer call() {
        if ((bundle == null) == (name == null)) {
            throw new IllegalArgumentException("install: give NAME[@VERSION] or --from BUNDLE (one of them)");
        }
        Installer installer = PluginInstallers.of(bundle != null ? null : registry.client(), spec.commandLine().getErr())
                .allowJava(allowJava);
        Installer.Installed i = bundle != null ? installer.installBundle(bundle)
                : locked ? installer.installLocked(name) : installer.install(name);
        spec.commandLine().getOut().println("installed " + i.id() + " " + i.version() + " to " + i.file() + " (sha256 " + i.sha256()
                + ", signed by " + i.key() + ")");
        return 0;
    }
}
