package dev.xdperf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.run.RunResult;
import dev.xdperf.stats.LiveSample;
import java.io.PrintStream;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * How a run is shown: live lines or none, its final report as text, JSON, or the end of a JSON
 * stream, and the exit status that sums it up (`client`).
 */
final class ReportOptions {
    @Option(names = "--json", description = "Print the final report as JSON (live lines go to stderr).")
    boolean json;

    @Option(names = "--json-stream", description = "Print one JSON object per second, then the final report.")
    boolean jsonStream;

    @Option(names = {"-q", "--quiet"}, description = "No live lines.")
    boolean quiet;

    /** What the terminal shows every second: a line, a JSON object, or nothing. */
    Consumer<LiveSample> liveLines(PrintStream out) {
        if (jsonStream) {
            return s -> out.println(s.toJson());
        }
        if (quiet) {
            return s -> { };
        }
        PrintStream lines = json ? System.err : out;
        return s -> lines.println(s.toText());
    }

    /** The final report: the text tables, one JSON document, or the last object of the JSON stream. */
    void print(RunResult result, PrintStream out) {
        if (jsonStream) {
            ObjectNode n = result.toJson();
            n.put("type", "final");
            out.println(n);
        } else if (json) {
            out.println(result.toJson().toPrettyString());
        } else {
            out.print(result.toText());
        }
        out.flush();
    }

    /** 0; 3 when a direction sent nothing; 4 when more frames vanished on the way out than {@code maxLossPercent} allows. */
    int exitStatus(RunResult result, double maxLossPercent) {
        if (result.sentNothing()) {
            return 3;
        }
        String vanished = result.vanishedBeyond(maxLossPercent);
        if (vanished != null) {
            System.err.println("xdperf: " + vanished + (maxLossPercent > 0 ? " (more than --max-loss " + maxLossPercent + "%)" : ""));
            return 4;
        }
        return 0;
    }

    static {
        dev.xdperf.stats.Json.MAPPER.getClass();  // load Jackson early: the first report should not wait for it
    }
}
