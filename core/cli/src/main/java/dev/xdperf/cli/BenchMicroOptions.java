package dev.xdperf.cli;

import dev.xdperf.bench.BenchOptions;
import picocli.CommandLine.Option;

/** The program run by BPF_PROG_TEST_RUN on each template instead of under live traffic (`bench`). */
final class BenchMicroOptions {
    @Option(names = "--micro", description = "BPF_PROG_TEST_RUN on each template instead of live traffic.")
    boolean micro;

    @Option(names = "--repeat", paramLabel = "N", converter = Converters.Count.class,
            description = "Micro mode: runs per test-run call (default 1M).")
    Long repeat;

    @Option(names = "--rounds", paramLabel = "N", description = "Micro mode: test-run calls per template; their mean and its 95%% interval are reported (default 10).")
    Integer rounds;

    /** Refused in one sentence: --micro with an interface, micro settings without --micro. */
    void check(String dev) {
        if (micro && dev != null) {
            throw new IllegalArgumentException("--micro runs the program without an interface: drop --dev");
        }
        if (!micro && (repeat != null || rounds != null)) {
            throw new IllegalArgumentException("--repeat and --rounds apply to --micro");
        }
    }

    void applyTo(BenchOptions o) {
        o.micro = micro;
        if (repeat != null) {
            if (repeat > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("--repeat is at most " + Integer.MAX_VALUE);
            }
            o.repeat = (int) (long) repeat;
        }
        if (rounds != null) {
            o.rounds = rounds;
        }
    }
}
