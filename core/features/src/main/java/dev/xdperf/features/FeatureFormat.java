package dev.xdperf.features;

import java.util.Locale;

/** How records are written. */
public enum FeatureFormat {
    CSV("csv"), JSONL("jsonl"), ARROW("arrow"), IPFIX("ipfix");

    public final String extension;

    FeatureFormat(String extension) {
        this.extension = extension;
    }

    public static FeatureFormat parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "csv" -> CSV;
            case "jsonl", "json", "ndjson" -> JSONL;
            case "arrow", "arrows" -> ARROW;
            case "ipfix" -> IPFIX;
            default -> throw new IllegalArgumentException("--features-format " + name + " is not csv, jsonl, arrow or ipfix");
        };
    }

    /** The format an output name implies: udp:// is IPFIX, otherwise the file's extension, else CSV. */
    public static FeatureFormat forOutput(String out) {
        String o = out.toLowerCase(Locale.ROOT);
        if (o.startsWith("udp://") || o.endsWith(".ipfix")) {
            return IPFIX;
        }
        if (o.endsWith(".jsonl") || o.endsWith(".json") || o.endsWith(".ndjson")) {
            return JSONL;
        }
        if (o.endsWith(".arrow") || o.endsWith(".arrows")) {
            return ARROW;
        }
        return CSV;
    }
}
