package dev.xdperf.cli;

import dev.xdperf.XdperfException.ConfigException;
import dev.xdperf.bench.Baseline;
import dev.xdperf.bench.BenchReport;
import dev.xdperf.bench.RenderedBench;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a bench report is written and what it is held against: its format, its file, a baseline and the regression allowed (`bench`). */
final class BenchReportOptions {
    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default), json, or bmf (Bencher Metric Format).")
    String format = "text";

    @Option(names = "--json", description = "Same as --format json.")
    boolean json;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the report to FILE instead of standard output.")
    Path output;

    @Option(names = "--baseline", paramLabel = "FILE", description = "Compare with an earlier --json report or BMF file.")
    Path baseline;

    @Option(names = "--max-regression", paramLabel = "PCT",
            description = "How much slower than --baseline is tolerated, e.g. 10%% (default 10%%).")
    String maxRegression;

    private RenderedBench.Format chosen;
    private double threshold;
    private Baseline base;

    /** Checks the options and reads the baseline, before anything is loaded: a bad one is refused first. */
    void prepare() {
        try {
            chosen = RenderedBench.Format.parse(json ? "json" : format);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--format must be text, json or bmf, not '" + format + "'");
        }
        if (maxRegression != null && baseline == null) {
            throw new IllegalArgumentException("--max-regression needs --baseline");
        }
        try {
            threshold = Baseline.parseThreshold(maxRegression == null ? "10%" : maxRegression);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--max-regression " + e.getMessage());
        }
        base = baseline == null ? null : Baseline.read(baseline);
    }

    /**
     * Writes the report: to --output, and on stdout unless it went to a file in a machine format
     * (then the comparison goes to stderr). Returns the regression sentence, or null.
     */
    String write(BenchReport report) throws IOException {
        RenderedBench r = RenderedBench.of(report, chosen, base, threshold);
        if (output != null) {
            Files.writeString(output, r.document(), StandardCharsets.UTF_8);
        }
        if (output == null || chosen == RenderedBench.Format.TEXT) {
            System.out.print(r.document());
        }
        System.out.flush();
        if (chosen != RenderedBench.Format.TEXT && !r.comparison().isEmpty()) {
            System.err.print(r.comparison());
        }
        return r.regression();
    }
}
