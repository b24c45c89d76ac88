package dev.xdperf.cli;

import dev.xdperf.dist.Agent;
import dev.xdperf.spec.RunSpec;
import picocli.CommandLine.Option;

/** The whole run's rate and packet count, of which each shard sends its share (`agent`). */
final class ShardTotalsOptions {
    @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Target rate of the WHOLE run; this shard sends its 1/N share (default: flat out).")
    Long pps;

    @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class,
            description = "Packets of the WHOLE run; this shard sends its 1/N share.")
    Long count;

    /** The totals: these options, else the profile's ({@code file}, may be null), else flat out and no count. */
    void applyTo(Agent.Options o, RunSpec file) {
        if (pps != null && pps <= 0) {
            throw new IllegalArgumentException("--pps must be a positive rate");
        }
        o.totalPps = pps != null ? pps : file != null ? file.pps() : 0;
        o.totalCount = count != null ? count : file != null ? file.count() : 0;
    }
}
