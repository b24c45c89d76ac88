package dev.xdperf.cli;

import dev.xdperf.plugin.LoadedPlugin;
import dev.xdperf.registry.Manifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin manifest} (docs/authoring.md). */
@Command(name = "manifest", mixinStandardHelpOptions = true,
        description = "Write a plugin's manifest (what 'plugin publish' signs) from its own description.")
final class PluginManifestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The plugin: a .wasm, or a .jar or .zip for pf4j.")
    String file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write it to OUT instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException {
        byte[] bytes;
        try (LoadedPlugin p = PluginCommand.resolver().load(file)) {
            bytes = PluginManifests.bytes(PluginManifests.of(p.describe(), PluginManifests.kind(p)));
        }
        Manifest.parse(bytes);   // what the registry would refuse is refused here, before anything is written
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(new String(bytes, StandardCharsets.UTF_8));
            out.flush();
            return 0;
        }
        Path tmp = output.toAbsolutePath().resolveSibling(output.getFileName() + ".part");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("write manifest " + output + ": its directory does not exist");
        }
        System.err.println("wrote " + output);
        return 0;
    }
}
