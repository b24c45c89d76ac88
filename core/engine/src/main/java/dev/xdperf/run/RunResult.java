package dev.xdperf.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.stats.Json;
import dev.xdperf.stats.RunReport;

/**
 * What a run returns: one report per direction that ran ({@code forward} null in a reverse
 * run, {@code reverse} null unless the server sent), the shard's part when the run was a
 * shard, and when departures were to begin and when the first transmit call began
 * (CLOCK_MONOTONIC ns; 0 when nothing was sent from here).
 */
public record RunResult(RunReport forward, RunReport reverse, ShardPlan shardPlan, long scheduledStartNs, long firstCallNs) {
    public RunReport primary() {
        return forward != null ? forward : reverse;
    }

    /** The forward direction's frames that vanished on the way out beyond what the spec allows (percent), or null. */
    public String vanishedBeyond(double maxLossPercent) {
        if (forward == null || forward.vanished() == null || forward.vanishedPercent() <= maxLossPercent || forward.vanished() == 0) {
            return null;
        }
        return forward.warnings().stream().filter(w -> w.contains("vanished on the way out")).findFirst()
                .orElse(forward.vanished() + " of " + forward.sent() + " frames vanished on the way out of " + forward.dev());
    }

    /** Whether a direction that ran sent nothing: the command exits 3. */
    public boolean sentNothing() {
        return (forward != null && forward.sent() == 0) || (reverse != null && reverse.sent() == 0);
    }

    /**
     * The final report as JSON: the one direction's report with its {@code direction}, or for a
     * bidirectional run both reports under {@code forward} and {@code reverse}.
     */
    public ObjectNode toJson() {
        if (forward != null && reverse != null) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("direction", "bidir");
            n.set("forward", forward.toJson());
            n.set("reverse", reverse.toJson());
            return n;
        }
        ObjectNode n = primary().toJson();
        n.put("direction", forward != null ? "forward" : "reverse");
        return n;
    }

    /** The final report as text: each direction's table, headed by which end sent when the server did. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        if (forward != null && reverse != null) {
            b.append("forward (this end sends):").append(System.lineSeparator()).append(forward.toText());
            b.append("reverse (the server sends):").append(System.lineSeparator()).append(reverse.toText());
        } else {
            if (reverse != null) {
                b.append("reverse (the server sends):").append(System.lineSeparator());
            }
            b.append(primary().toText());
        }
        return b.toString();
    }
}
