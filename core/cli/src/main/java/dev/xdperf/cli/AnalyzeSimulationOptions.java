package dev.xdperf.cli;

import dev.xdperf.analyze.AdversaryTemplates;
import dev.xdperf.analyze.Analysis;
import dev.xdperf.analyze.Analyzer;
import dev.xdperf.analyze.cache.CacheSizes;
import dev.xdperf.analyze.cache.Policy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** How `xdperf analyze` simulates trace caches, searches for missed traces and builds an adversarial order (a picocli mixin). */
final class AnalyzeSimulationOptions {
    @Option(names = "--cache-sizes", paramLabel = "LIST", description = "Cache sizes, e.g. 1..32, 1,2,4,8 (default ${DEFAULT-VALUE}).")
    String cacheSizes = "1..32";

    @Option(names = "--policy", paramLabel = "LIST", split = ",",
            description = "Cache policies: lru, lfu, fifo, random, optimal, infinite (default: all but infinite, which is always shown).")
    List<String> policies;

    @Option(names = "--mutate", paramLabel = "N", description = "Look for traces the traffic missed with up to N mutated witness packets.")
    int mutate;

    @Option(names = "--adversary-size", paramLabel = "N", description = "Build a packet order on which an N-entry cache misses every packet.")
    Integer adversarySize;

    @Option(names = "--adversary-policy", paramLabel = "P", description = "The cache policy the order defeats (default ${DEFAULT-VALUE}).")
    String adversaryPolicy = "lru";

    @Option(names = "--adversary-count", paramLabel = "N", description = "Packets in the adversarial order (default ${DEFAULT-VALUE}).")
    int adversaryCount = 1000;

    @Option(names = "--adversary-out", paramLabel = "FILE",
            description = "Write the adversarial order: FILE.pcap as a pcap, anything else as a template set for 'xdperf client --templates'.")
    Path adversaryOut;

    @Option(names = "--budget", paramLabel = "N", description = "Instructions a packet may take (default ${DEFAULT-VALUE}).")
    long budget = 1_000_000;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of random numbers in the program and the random cache (default ${DEFAULT-VALUE}).")
    long seed = 1;

    /** The option combinations that cannot work, refused before anything is read. */
    void check() {
        if (adversaryOut != null && adversarySize == null) {
            throw new IllegalArgumentException("--adversary-out needs --adversary-size");
        }
        if (mutate < 0) {
            throw new IllegalArgumentException("--mutate must not be negative");
        }
    }

    /** Sets these options on {@code b}. */
    Analyzer.Builder applyTo(Analyzer.Builder b) {
        b.cacheSizes(CacheSizes.parse(cacheSizes)).budget(budget).seed(seed).mutate(mutate);
        if (policies != null) {
            b.policies(policies.stream().map(Policy::parse).toList());
        }
        if (adversarySize != null) {
            b.adversary(Policy.parse(adversaryPolicy), adversarySize, adversaryCount);
        }
        return b;
    }

    /** Writes the adversarial order to --adversary-out, if given: a pcap, or a template set; how many packets, or -1. */
    int writeAdversary(Analysis a) throws IOException {
        if (adversaryOut == null) {
            return -1;
        }
        if (adversaryOut.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pcap")) {
            AnalyzeTrafficOptions.writePcap(a.adversaryPackets(), adversaryOut);
        } else {
            AdversaryTemplates.write(a, adversaryOut);
        }
        return a.adversaryPackets().size();
    }
}
