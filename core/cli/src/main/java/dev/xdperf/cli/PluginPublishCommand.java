package dev.xdperf.cli;

import dev.xdperf.registry.client.Publishing;
import dev.xdperf.registry.client.RegistryClient;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin publish}. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Sign a plugin file with its manifest and publish it in the token's namespace.")
final class PluginPublishCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The plugin (.wasm, or a .jar or .zip for pf4j).")
    Path file;

    @Option(names = "--manifest", required = true, paramLabel = "M", description = "Its manifest.json.")
    Path manifest;

    @Option(names = "--key", required = true, paramLabel = "K", description = "Private key file (from 'xdperf plugin keygen').")
    Path key;

    @Mixin
    RegistryOption registry;

    @Mixin
    TokenOption token;

    @Override
    public Integer call() {
        RegistryClient.VersionInfo v = Publishing.publish(registry.client(), token.require("publish"), file, manifest, key);
        spec.commandLine().getOut().println("published " + v.id() + " " + v.version() + " (" + v.kind() + ", ABI " + v.abi()
                + ", sha256 " + v.artifactSha256() + ", key " + v.key() + ")");
        return 0;
    }
}
