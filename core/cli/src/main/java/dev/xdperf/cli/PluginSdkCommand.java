package dev.xdperf.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin sdk}: the host API a Java plugin compiles against, from {@link HostAbiSdk}. */
@Command(name = "sdk", mixinStandardHelpOptions = true,
        description = {"The host API Java plugins compile against (dev.xdperf:xdperf-host-abi), taken from this xdperf.",
                "Without --install, says what it would install and where."})
final class PluginSdkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--install", description = "Write its jar and pom into the local Maven repository.")
    boolean install;

    @Option(names = "--maven-repo", paramLabel = "DIR", description = "The local Maven repository (default: Maven's own, ~/.m2/repository or"
            + " the localRepository of ~/.m2/settings.xml).")
    Path repo;

    @Override
    public Integer call() {
        Path r = repo == null ? HostAbiSdk.defaultRepository() : repo;
        String coordinates = HostAbiSdk.GROUP + ":" + HostAbiSdk.ARTIFACT + ":" + HostAbiSdk.version();
        PrintWriter out = spec.commandLine().getOut();
        if (!install) {
            out.println(coordinates + " would go to " + HostAbiSdk.jarPath(r, HostAbiSdk.version())
                    + " (run with --install; a plugin's pom.xml depends on it with scope provided)");
            return 0;
        }
        Path jar = HostAbiSdk.install(r, Scaffold.variables("x").get("PF4J_VERSION"));
        out.println("installed " + coordinates + " into " + jar.getParent());
        return 0;
    }
}
