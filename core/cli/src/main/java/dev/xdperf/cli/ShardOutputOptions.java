package dev.xdperf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.dist.Agent;
import dev.xdperf.stats.LiveSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** Where an agent's shard can be seen: its metrics while it runs, its report after, its live lines (`agent`). */
final class ShardOutputOptions {
    @Option(names = "--metrics-port", paramLabel = "P", description = "Serve Prometheus metrics on port P (/metrics), labelled run, shard, node.")
    Integer metricsPort;

    @Option(names = "--metrics-linger", paramLabel = "TIME", converter = Converters.Time.class,
            description = "Keep /metrics up this long after the run, for a last scrape (default: none).")
    Duration metricsLinger;

    @Option(names = "--json-out", paramLabel = "FILE", description = "Also write the shard's report (JSON) to FILE, failed or not.")
    Path jsonOut;

    @Option(names = {"-q", "--quiet"}, description = "No live lines (they go to stderr).")
    boolean quiet;

    void applyTo(Agent.Options o) {
        o.metricsPort = metricsPort;
        o.metricsLinger = metricsLinger == null ? Duration.ZERO : metricsLinger;
    }

    /** The live lines: one a second on stderr (stdout carries the report), or none. */
    Consumer<LiveSample> liveLines() {
        return quiet ? s -> { } : s -> System.err.println(s.toText());
    }

    /** The report: one line of JSON on stdout (logs stay greppable), and the file when asked. */
    void emit(ObjectNode report) {
        System.out.println(report.toString());
        System.out.flush();
        if (jsonOut != null) {
            try {
                Files.writeString(jsonOut, report.toPrettyString() + "\n");
            } catch (IOException e) {
                throw new IllegalArgumentException("write " + jsonOut + ": " + e.getMessage());
            }
        }
    }
}
