package dev.xdperf.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.XdperfException.ConfigException;
import java.util.List;
import java.util.Locale;

/**
 * A bench report as it is written out: the document in one format, compared with a baseline when
 * one is given. Text ends with the comparison; JSON carries it under "baseline"; the comparison is
 * also kept on its own ({@code comparison}, empty without one) for a terminal beside a machine
 * format, and {@code regression} is the sentence of a failed gate, or null.
 */
public record RenderedBench(Format format, String document, String comparison, String regression) {
    /** The formats of a bench report: text for people, JSON (xdperf's, readable as a baseline), BMF for Bencher. */
    public enum Format {
        TEXT, JSON, BMF;

        /** "text", "json" or "bmf", in any case. */
        public static Format parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "json" -> JSON;
                case "bmf" -> BMF;
                default -> throw new ConfigException("report format '" + name + "' is not text, json or bmf");
            };
        }
    }

    /** {@code report} in {@code format}, compared with {@code base} (null: no comparison) allowing {@code threshold} (a fraction). */
    public static RenderedBench of(BenchReport report, Format format, Baseline base, double threshold) {
        List<Baseline.Comparison> comparisons = base == null ? List.of() : base.compare(report, threshold);
        String document = switch (format) {
            case JSON -> {
                ObjectNode n = report.toJson();
                if (base != null) {
                    base.putInto(n, comparisons, threshold);
                }
                yield n.toPrettyString() + "\n";
            }
            case BMF -> report.toBmf().toPrettyString() + "\n";
            case TEXT -> report.toText() + Baseline.text(comparisons, threshold);
        };
        return new RenderedBench(format, document, Baseline.text(comparisons, threshold),
                base == null ? null : base.regression(comparisons, threshold));
    }
}
