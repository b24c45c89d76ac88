package dev.xdperf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.stats.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A previous result to compare with: an `xdperf bench --json` report or a BMF file (as
 * `--format bmf` writes it, or as Bencher keeps it). Only latency is compared: ns per packet
 * (live) or per run (micro), benchmark by benchmark, matched by name.
 */
public record Baseline(Path file, Map<String, Double> latencies, Map<String, Interval> intervals) {
    /**
     * One benchmark's comparison; {@code change} is the relative change of the values, +0.25 = 25%
     * slower; {@code leastChange} the smallest change both 95% intervals allow (the current interval's
     * low end against the baseline's high end). It has regressed when even that exceeds the limit.
     */
    public record Comparison(String benchmark, double baselineNs, double currentNs, double change, boolean regressed,
                             Interval baselineCi, Interval currentCi, double leastChange) {}

    public static Baseline read(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("read baseline " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("read baseline " + file + ": not JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("read baseline " + file + ": not a JSON object");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        Map<String, Interval> cis = new LinkedHashMap<>();
        if (BenchReport.KIND.equals(root.path("kind").asText())) {
            BenchReport r = BenchReport.fromJson(root);
            out.putAll(r.latencies());
            cis.putAll(r.intervals());
        } else {
            for (var it = root.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue().path("latency").path("value");
                if (!v.isNumber()) {
                    throw new IllegalArgumentException("read baseline " + file + ": benchmark \"" + e.getKey()
                            + "\" has no latency value (expected an xdperf bench --json report or Bencher Metric Format)");
                }
                out.put(e.getKey(), v.asDouble());
                JsonNode lo = e.getValue().path("latency").path("lower_value");
                JsonNode hi = e.getValue().path("latency").path("upper_value");
                boolean bounds = lo.isNumber() && hi.isNumber() && lo.asDouble() <= v.asDouble() && v.asDouble() <= hi.asDouble();
                cis.put(e.getKey(), bounds ? new Interval(lo.asDouble(), hi.asDouble()) : Interval.point(v.asDouble()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("read baseline " + file + ": it holds no benchmark");
        }
        return new Baseline(file, out, cis);
    }

    /**
     * Compares every benchmark of {@code report} that the baseline also has. A benchmark has
     * regressed when it is slower than the baseline by more than {@code maxRegression} (0.10 = 10%)
     * beyond both 95% intervals: the low end of its interval above the high end of the baseline's
     * by more than the limit. A difference inside the noise is never a regression.
     */
    public List<Comparison> compare(BenchReport report, double maxRegression) {
        List<Comparison> out = new ArrayList<>();
        Map<String, Interval> current = report.intervals();
        for (var e : report.latencies().entrySet()) {
            Double base = latencies.get(e.getKey());
            if (base == null || base <= 0) {
                continue;
            }
            Interval bci = intervals.getOrDefault(e.getKey(), Interval.point(base));
            Interval cci = current.getOrDefault(e.getKey(), Interval.point(e.getValue()));
            double change = e.getValue() / base - 1;
            double least = bci.high() <= 0 ? change : cci.low() / bci.high() - 1;
            out.add(new Comparison(e.getKey(), base, e.getValue(), change, least > maxRegression, bci, cci, least));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("compare with baseline " + file + ": it has no benchmark named "
                    + String.join(" or ", report.latencies().keySet()) + " (it has " + String.join(", ", latencies.keySet())
                    + "; give the same --name)");
        }
        return out;
    }

    /** "10%", "10", "0.5%", "2.5" (percent) as a fraction; the error says what is wrong with the text, not where it came from. */
    public static double parseThreshold(String text) {
        String t = text.trim();
        if (t.endsWith("%")) {
            t = t.substring(0, t.length() - 1).trim();
        }
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a percentage (examples: 10%, 2.5%)");
        }
        if (!(v >= 0) || v > 10000) {
            throw new IllegalArgumentException("'" + text + "' must be between 0% and 10000%");
        }
        return v / 100;
    }

    /** The comparisons as JSON under the report's "baseline" key. */
    public void putInto(com.fasterxml.jackson.databind.node.ObjectNode report, List<Comparison> comparisons, double threshold) {
        com.fasterxml.jackson.databind.node.ObjectNode b = report.putObject("baseline");
        b.put("file", file.toString());
        b.put("max_regression", threshold);
        var arr = b.putArray("comparisons");
        for (Comparison c : comparisons) {
            com.fasterxml.jackson.databind.node.ObjectNode x = arr.addObject();
            x.put("benchmark", c.benchmark());
            x.put("baseline_ns", c.baselineNs());
            x.put("current_ns", c.currentNs());
            x.put("change", Math.round(c.change() * 10000) / 10000.0);
            x.put("regressed", c.regressed());
            x.putArray("baseline_ci").add(c.baselineCi().low()).add(c.baselineCi().high());
            x.putArray("current_ci").add(c.currentCi().low()).add(c.currentCi().high());
            x.put("least_change", Math.round(c.leastChange() * 10000) / 10000.0);
        }
    }

    /** One line per comparison, as the text report ends. */
    public static String text(List<Comparison> comparisons, double threshold) {
        StringBuilder b = new StringBuilder();
        for (Comparison c : comparisons) {
            b.append(String.format(Locale.ROOT, "baseline %s: %.1f ns [%.1f, %.1f] -> %.1f ns [%.1f, %.1f] (%s; beyond both 95%% intervals %s,"
                    + " allowed %s)%s%n", c.benchmark(), c.baselineNs(), c.baselineCi().low(), c.baselineCi().high(), c.currentNs(),
                    c.currentCi().low(), c.currentCi().high(), percent(c.change()), percent(c.leastChange()),
                    percent(threshold), c.regressed() ? "  REGRESSED" : "  ok"));
        }
        return b.toString();
    }

    /** The one sentence a failed gate ends with, naming the worst regression; null when nothing regressed. */
    public String regression(List<Comparison> comparisons, double threshold) {
        List<Comparison> regressed = comparisons.stream().filter(Comparison::regressed).toList();
        if (regressed.isEmpty()) {
            return null;
        }
        Comparison worst = regressed.stream().max(java.util.Comparator.comparingDouble(Comparison::leastChange)).get();
        return String.format(Locale.ROOT, "bench regression: %s takes %.1f ns against %.1f ns in %s (%s, at least %s beyond both 95%%"
                + " intervals, allowed %s)%s", worst.benchmark(), worst.currentNs(), worst.baselineNs(), file,
                percent(worst.change()), percent(worst.leastChange()), percent(threshold),
                regressed.size() > 1 ? " and " + (regressed.size() - 1) + " more regressed" : "");
    }

    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%+.1f%%", fraction * 100);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.split("\n")[0];
    }
}
