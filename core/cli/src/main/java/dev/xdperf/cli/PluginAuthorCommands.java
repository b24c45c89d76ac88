package dev.xdperf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.plugin.LoadedPlugin;
import dev.xdperf.registry.Manifest;
import dev.xdperf.registry.Names;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The author's loop: {@code plugin new}, {@code check}, {@code manifest} and {@code sdk} (docs/authoring.md). */
final class PluginAuthorCommands {
    private PluginAuthorCommands() {}

    @Command(name = "new", mixinStandardHelpOptions = true,
            description = "Write a buildable plugin project (C: Makefile, Go: go.mod, Java: pom.xml) whose example passes 'plugin check'.")
    static final class New implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The plugin's name: lowercase letters, digits, '-' and '_'.")
        String name;

        @Option(names = "--lang", required = true, paramLabel = "c|go|java", description = "The language of the project.")
        String lang;

        @Option(names = "--dir", paramLabel = "D", description = "Where to write it (default: ./NAME); it must not exist or be empty.")
        Path dir;

        @Override
        public Integer call() {
            if (!Names.valid(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a plugin name (lowercase letters, digits, '-' and '_', at most 64;"
                        + " no path characters): nothing was written");
            }
            if (!Scaffold.LANGUAGES.contains(lang)) {
                throw new IllegalArgumentException("--lang " + lang + " is not one of " + String.join(", ", Scaffold.LANGUAGES));
            }
            Path target = dir == null ? Path.of(name) : dir;
            Scaffold.write(target, Scaffold.files(name, lang));
            PrintWriter out = spec.commandLine().getOut();
            out.println("wrote " + lang + " plugin project " + name + " in " + target + " (see its README.md)");
            switch (lang) {
                case "c" -> out.println("next: cd " + target + " && make && xdperf plugin check build/" + name + ".wasm");
                case "go" -> out.println("next: cd " + target + " && go vet ./... && go test ./...; build the .wasm with TinyGo or Go >= 1.24"
                        + " (README.md), then: xdperf plugin check " + name + ".wasm");
                default -> out.println("next: xdperf plugin sdk --install && cd " + target + " && mvn package && xdperf plugin check target/"
                        + name + "-0.1.0.jar");
            }
            return 0;
        }
    }

    @Command(name = "manifest", mixinStandardHelpOptions = true,
            description = "Write a plugin's manifest (what 'plugin publish' signs) from its own description.")
    static final class ManifestCommand implements Callable<Integer> {
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
                out.print(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
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

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Check a plugin before publishing, one line per finding: describe, generate for its defaults and"
                    + " variations, the ABI checks, the reference engine, and a pcap of the first packets decoded.",
                    "Exits 1 when a finding fails."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The plugin: a .wasm, or a .jar or .zip for pf4j (or an installed NAME).")
        String file;

        @Option(names = "--manifest", paramLabel = "M", description = "Also check that this manifest.json matches the plugin's description.")
        Path manifest;

        @Option(names = "--pcap", paramLabel = "OUT", description = "Keep the pcap of the first packets here (default: a temporary file).")
        Path pcap;

        @Option(names = "--packets", paramLabel = "N", defaultValue = "16", description = "Packets in the pcap (default: ${DEFAULT-VALUE}).")
        int packets;

        @Override
        public Integer call() throws IOException {
            if (packets < 1 || packets > 1_000_000) {
                throw new IllegalArgumentException("--packets " + packets + " is not within 1..1000000");
            }
            if (pcap != null && !Files.isDirectory(pcap.toAbsolutePath().getParent())) {
                throw new IllegalArgumentException("--pcap " + pcap + ": its directory does not exist");
            }
            JsonNode m = null;
            if (manifest != null) {
                try {
                    m = new ObjectMapper().readTree(Files.readAllBytes(manifest));
                } catch (NoSuchFileException e) {
                    throw new IllegalArgumentException("read manifest " + manifest + ": no such file");
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException("manifest " + manifest + " is not JSON: " + e.getOriginalMessage());
                }
                if (m == null || !m.isObject()) {
                    throw new IllegalArgumentException("manifest " + manifest + " is not a JSON object");
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            List<PluginCheck.Finding> findings;
            try (LoadedPlugin p = PluginCommand.resolver().load(file)) {
                out.println("ok    load: " + file + " (" + p.kind() + ", template ABI " + p.abi() + " accepted)");
                findings = PluginCheck.run(p, m, manifest == null ? null : manifest.toString(), pcap, packets);
            }
            long failed = findings.stream().filter(f -> f.level() == PluginCheck.Level.FAIL).count();
            // a plugin's own words may carry anything: no terminal escapes get through
            findings.forEach(f -> out.println(Terminal.printable(f.line())));
            out.println(failed == 0 ? "plugin check: passed" : "plugin check: " + failed + " finding" + (failed == 1 ? "" : "s") + " failed");
            return failed == 0 ? 0 : 1;
        }
    }

    @Command(name = "sdk", mixinStandardHelpOptions = true,
            description = {"The host API Java plugins compile against (dev.xdperf:xdperf-host-abi), taken from this xdperf.",
                    "Without --install, says what it would install and where."})
    static final class Sdk implements Callable<Integer> {
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
}
