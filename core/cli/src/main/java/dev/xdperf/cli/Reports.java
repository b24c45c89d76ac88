package dev.xdperf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.run.RunResult;
import dev.xdperf.stats.Json;
import java.io.PrintStream;

/** Prints a run's result: the text tables, one JSON document, or the last object of a JSON stream. */
final class Reports {
    private Reports() {}

    static ObjectNode toJson(RunResult result) {
        ObjectNode n;
        if (result.forward() != null && result.reverse() != null) {
            n = Json.MAPPER.createObjectNode();
            n.put("direction", "bidir");
            n.set("forward", result.forward().toJson());
            n.set("reverse", result.reverse().toJson());
        } else {
            n = result.primary().toJson();
            n.put("direction", result.forward() != null ? "forward" : "reverse");
        }
        return n;
    }

    static void print(RunResult result, PrintStream out, boolean json, boolean jsonStream) {
        ObjectNode n = toJson(result);
        if (jsonStream) {
            n.put("type", "final");
            out.println(n);
        } else if (json) {
            out.println(n.toPrettyString());
        } else if (result.forward() != null && result.reverse() != null) {
            out.println("forward (this end sends):");
            out.print(result.forward().toText());
            out.println("reverse (the server sends):");
            out.print(result.reverse().toText());
        } else {
            if (result.reverse() != null) {
                out.println("reverse (the server sends):");
            }
            out.print(result.primary().toText());
        }
        out.flush();
    }
}
