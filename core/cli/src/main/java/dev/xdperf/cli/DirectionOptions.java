package dev.xdperf.cli;

import dev.xdperf.spec.RunSpec;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/** Which end sends, and whether the frames come back for a round-trip time (`client`). */
final class DirectionOptions {
    @Option(names = {"-R", "--reverse"}, description = "The server sends and this end receives (as iperf3 -R).")
    boolean reverse;

    @Option(names = "--bidir", description = "Both directions at once, each counted and reported on its own.")
    boolean bidir;

    @Option(names = "--reverse-pps", paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Rate of the server's direction (default: --pps, or flat out).")
    Long reversePps;

    @Option(names = "--rtt", description = "Round-trip latency: the server reflects the frames and this end measures them.")
    boolean rtt;

    /** Only the options {@code given} accepts (with a profile: those on the command line). */
    void applyTo(RunSpec.Builder b, Predicate<String> given) {
        if (reverse && bidir) {
            throw new IllegalArgumentException("give --reverse or --bidir, not both");
        }
        if (given.test("--rtt")) {
            b.rtt(rtt);
        }
        if (given.test("--reverse") || given.test("--bidir")) {
            b.direction(bidir ? RunSpec.Direction.BIDIR : reverse ? RunSpec.Direction.REVERSE : RunSpec.Direction.FORWARD);
        }
        if (given.test("--reverse-pps")) {
            b.reversePps(reversePps);
        }
    }
}
