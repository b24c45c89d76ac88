package dev.xdperf.cli;

import dev.xdperf.spec.RunSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/** Faults and offsets the end-to-end tests inject into a sender; hidden from the help (`client`). */
final class TestHookOptions {
    @Option(names = "--test-hook", hidden = true, description = "Sender faults for tests: drop:SEQ or stamp:SEQ=VALUE.")
    List<String> testHooks = new ArrayList<>();

    @Option(names = "--test-latency-offset", hidden = true, converter = Converters.Time.class,
            description = "Tests only: stamp send times this much earlier (a known delay to measure).")
    Duration testLatencyOffset;

    void applyTo(RunSpec.Builder b, Predicate<String> given) {
        if (given.test("--test-hook")) {
            b.testHooks(testHooks);
        }
        if (given.test("--test-latency-offset")) {
            b.testLatencyOffset(testLatencyOffset);
        }
    }
}
