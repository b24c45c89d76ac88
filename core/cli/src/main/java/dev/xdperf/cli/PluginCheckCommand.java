package dev.xdperf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.plugin.LoadedPlugin;
import dev.xdperf.registry.Manifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin check}: the findings come from {@link PluginCheck} (docs/authoring.md). */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check a plugin before publishing, one line per finding: describe, generate for its defaults and"
                + " variations, the ABI checks, the reference engine, and a pcap of the first packets decoded.",
                "Exits 1 when a finding fails."})
final class PluginCheckCommand implements Callable<Integer> {
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
        JsonNode m = manifest == null ? null : Manifest.readObject(manifest);
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
