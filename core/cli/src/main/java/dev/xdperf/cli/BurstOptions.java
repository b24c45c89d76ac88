package dev.xdperf.cli;

import dev.xdperf.spec.RunSpec;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/** How far a paced sender may catch up after a gap (`client`, `agent`). */
final class BurstOptions {
    @Option(names = "--max-burst", paramLabel = "N",
            description = "Paced: the most frames a CPU sends back to back to catch up after a gap (default 32); a token"
                    + " bucket this deep at the rate passes the stream, later departures are reported as the deficit.")
    Integer maxBurst;

    /** Only when {@code given} accepts it (with a profile: when it is on the command line). */
    void applyTo(RunSpec.Builder b, Predicate<String> given) {
        if (given.test("--max-burst") && maxBurst != null) {
            if (maxBurst < 1) {
                throw new IllegalArgumentException("--max-burst " + maxBurst + " is below 1 frame");
            }
            b.maxBurst(maxBurst);
        }
    }
}
