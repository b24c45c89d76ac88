package dev.xdperf.cli;

import dev.xdperf.bench.BenchOptions;
import dev.xdperf.spec.RunSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What runs through the program under test: the traffic, how much of it and from where, and its maps' contents (`bench`). */
final class BenchTrafficOptions {
    @Option(names = {"-P", "--plugin"}, paramLabel = "NAME|PATH", description = "Traffic from a protocol plugin (default: the built-in UDP stream).")
    String plugin;

    @Option(names = {"-O", "--plugin-opt"}, paramLabel = "KEY=VALUE", description = "A plugin option (repeatable).")
    List<String> pluginOpts = new ArrayList<>();

    @Option(names = "--templates", paramLabel = "FILE", description = "Traffic from an encoded template set (docs/abi.md).")
    Path templates;

    @Option(names = "--map", paramLabel = "NAME=FILE.json",
            description = "Fill the program's map NAME before the run from FILE.json, as bpftool map dump -j writes it (repeatable).")
    List<String> maps = new ArrayList<>();

    @Option(names = "--traffic", paramLabel = "FILE.pcap",
            description = "Traffic from a capture: its Ethernet frames as templates, weighted by how often each occurs.")
    Path traffic;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size of the built-in UDP stream (default 64).")
    Integer size;

    @Option(names = "--src-port", paramLabel = "PORT", description = "UDP source port of the built-in stream (default ${DEFAULT-VALUE}).")
    int srcPort = RunSpec.DEFAULT_UDP_PORT;

    @Option(names = "--dst-port", paramLabel = "PORT", description = "UDP destination port of the built-in stream (default ${DEFAULT-VALUE}).")
    int dstPort = RunSpec.DEFAULT_UDP_PORT;

    @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class, description = "Traffic rate (default: flat out).")
    Long pps;

    @Option(names = {"-t", "--duration"}, paramLabel = "TIME", converter = Converters.Time.class,
            description = "How long to send or measure (default 5 s).")
    Duration duration;

    @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class, description = "Send exactly N packets.")
    Long count;

    @Option(names = "--cpus", paramLabel = "LIST", description = "Sending CPUs (default: every online CPU flat out; with --pps, one CPU per 1 Mpps, the last online ones).")
    String cpus;

    /** The combinations that cannot be, each refused in one sentence: with --micro there is no live traffic, with --dev not ours. */
    void check(boolean micro, String dev) {
        if ((plugin != null ? 1 : 0) + (templates != null ? 1 : 0) + (traffic != null ? 1 : 0) > 1) {
            throw new IllegalArgumentException("give one of --plugin, --templates and --traffic");
        }
        if (!pluginOpts.isEmpty() && plugin == null) {
            throw new IllegalArgumentException("--plugin-opt needs --plugin");
        }
        if (micro && (pps != null || count != null || duration != null || cpus != null)) {
            throw new IllegalArgumentException("--pps, --count, --duration and --cpus apply to live runs, not --micro (use --repeat and --rounds)");
        }
        if (dev != null && (plugin != null || templates != null || traffic != null || size != null || pps != null || count != null || cpus != null)) {
            throw new IllegalArgumentException("with --dev the traffic comes from elsewhere: --plugin, --templates, --traffic, --size, --pps,"
                    + " --count and --cpus apply only without --dev");
        }
        if (pps != null && pps <= 0) {
            throw new IllegalArgumentException("--pps must be a positive rate");
        }
    }

    void applyTo(BenchOptions o) {
        o.plugin = plugin;
        o.pluginOptions = pluginOpts;
        o.templates = templates;
        o.traffic = traffic;
        o.maps = maps;
        o.mapContents();   // read the files now: a bad one fails before anything is loaded
        o.size = size;
        o.srcPort = srcPort;
        o.dstPort = dstPort;
        o.pps = pps == null ? 0 : pps;
        o.duration = duration;
        o.count = count == null ? 0 : count;
        o.cpus = cpus;
    }
}
