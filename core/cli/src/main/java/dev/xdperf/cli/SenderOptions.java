package dev.xdperf.cli;

import dev.xdperf.spec.RunSpec;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/** How each sending CPU works: its transmit callers, and whether frames carry the measurement header (`client`). */
final class SenderOptions {
    @Option(names = "--no-measure", description = "Send frames without the xdperf measurement header.")
    boolean noMeasure;

    @Option(names = "--callers", paramLabel = "N", description = "Transmit callers per CPU, 1..4 (default ${DEFAULT-VALUE}).")
    int callers = RunSpec.DEFAULT_CALLERS_PER_CPU;

    /** Only the options {@code given} accepts (with a profile: those on the command line). */
    void applyTo(RunSpec.Builder b, Predicate<String> given) {
        if (given.test("--no-measure")) {
            b.measurement(!noMeasure);
        }
        if (given.test("--callers")) {
            b.callersPerCpu(callers);
        }
    }
}
