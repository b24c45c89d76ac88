package dev.xdperf.cli;

import dev.xdperf.spec.RunSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/** Where, how fast and how long a run sends: its CPUs, rate and end condition (`client`). */
final class RateOptions {
    @Option(names = "--cpus", paramLabel = "LIST", converter = Converters.CpuList.class,
            description = "Sending CPUs, e.g. 0, 0-3, 1,3 (default: every online CPU flat out; with --pps, one CPU per 1 Mpps, the last online ones).")
    List<Integer> cpus;

    @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Target rate over all CPUs, e.g. 100k, 2M (default: flat out).")
    Long pps;

    @Option(names = {"-t", "--duration"}, paramLabel = "TIME", converter = Converters.Time.class,
            description = "How long to send, e.g. 10, 500ms, 2m (default 10 s unless --count is given).")
    Duration duration;

    @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class,
            description = "Send exactly N packets.")
    Long count;

    /**
     * The options {@code given} accepts. Over a profile ({@code overFile}) the command line's end
     * condition replaces the file's: --count alone means exactly that many, --duration alone that long.
     */
    void applyTo(RunSpec.Builder b, boolean overFile, Predicate<String> given) {
        if (given.test("--cpus")) {
            b.cpus(cpus);
        }
        if (given.test("--pps")) {
            b.pps(pps == null ? 0 : pps);
        }
        if (given.test("--duration")) {
            b.duration(duration);
            if (overFile && !given.test("--count")) {
                b.count(0);
            }
        }
        if (given.test("--count")) {
            b.count(count == null ? 0 : count);
            if (overFile && !given.test("--duration")) {
                b.duration(null);
            }
        }
    }

    /** As the dashboard shows them, in the command line's terms. */
    void describe(Map<String, String> m) {
        m.put("cpus", cpus == null ? "all" : cpus.toString());
        m.put("pps", pps == null ? "flat out" : Long.toString(pps));
        m.put("duration", duration == null ? (count == null ? "10 s" : "-") : duration.toMillis() / 1000.0 + " s");
        m.put("count", count == null ? "-" : Long.toString(count));
    }
}
