package dev.xdperf.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.stats.Json;
import dev.xdperf.stats.RunReport;
import dev.xdperf.stats.Units;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * RFC 2544-style throughput search (NDR, or PDR with a loss threshold): binary search for
 * the highest rate whose loss stays at or under the threshold. Each trial is a full client
 * run against the server.
 */
public final class ThroughputSearch {
    /** One trial; {@code offeredPps} is what the sender really achieved, which must reach the rate to count. */
    public record Trial(long pps, long sent, long received, long lost, double lossPercent, double offeredPps, boolean pass) {
        public boolean senderLimited() {
            return offeredPps < pps * OFFERED_MIN;
        }
    }

    /** A trial counts only when the sender offered at least this share of its rate. */
    static final double OFFERED_MIN = 0.98;

    public record Result(long ratePps, List<Trial> trials, double thresholdPercent) {
        public ObjectNode toJson() {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("ndr_pps", ratePps);
            n.put("loss_threshold_percent", thresholdPercent);
            ArrayNode a = n.putArray("trials");
            for (Trial t : trials) {
                a.addObject().put("pps", t.pps()).put("sent_packets", t.sent()).put("received_packets", t.received())
                        .put("lost_packets", t.lost()).put("loss_percent", t.lossPercent())
                        .put("offered_pps", Math.round(t.offeredPps())).put("sender_limited", t.senderLimited()).put("pass", t.pass());
            }
            return n;
        }

        public String toText() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-6s %14s %14s %14s %10s  %s%n",
                    "trial", "rate", "sent", "received", "loss", ""));
            for (int i = 0; i < trials.size(); i++) {
                Trial t = trials.get(i);
                b.append(String.format(Locale.ROOT, "%-6d %14s %14s %14s %9.4f%%  %s%n", i + 1, Units.pps(t.pps()),
                        Units.count(t.sent()), Units.count(t.received()), t.lossPercent(), t.pass() ? "pass"
                                : t.senderLimited() ? "fail (the sender reached only " + Units.pps(t.offeredPps()) + ")" : "fail"));
            }
            b.append(ratePps > 0
                    ? String.format(Locale.ROOT, "throughput (loss <= %s%%): %s%n", thresholdPercent, Units.pps(ratePps))
                    : "no trial passed: even the lowest rate tried lost more than the threshold\n");
            return b.toString();
        }
    }

    private ThroughputSearch() {}

    /**
     * Searches (0, maxPps] until the bracket is narrower than {@code resolution} (a fraction of
     * the max rate). {@code trial} runs one trial at a rate and returns its report.
     */
    public static Result search(long maxPps, double lossThresholdPercent, double resolution, int maxTrials,
                                LongFunction<RunReport> trial, Consumer<Trial> progress) {
        if (maxPps < 1) {
            throw new IllegalArgumentException("--max-pps must be positive");
        }
        if (resolution <= 0 || resolution >= 1) {
            throw new IllegalArgumentException("--resolution must lie between 0 and 100%");
        }
        List<Trial> trials = new ArrayList<>();
        long lo = 0;
        long hi = maxPps;
        long rate = maxPps;
        long best = 0;
        while (trials.size() < maxTrials) {
            RunReport r = trial.apply(rate);
            long sent = r.sent();
            long lost = r.lost();
            double pct = sent == 0 ? 100 : 100.0 * lost / Math.max(sent, 1);
            double offered = r.txPps();
            boolean pass = sent > 0 && pct <= lossThresholdPercent && offered >= rate * OFFERED_MIN;
            Trial t = new Trial(rate, sent, r.received(), lost, pct, offered, pass);
            trials.add(t);
            progress.accept(t);
            if (pass) {
                best = Math.max(best, rate);
                lo = rate;
                if (rate == maxPps) {
                    break;
                }
            } else {
                hi = rate;
            }
            if (hi - lo <= Math.max(1, Math.round(maxPps * resolution))) {
                break;
            }
            rate = lo + (hi - lo) / 2;
        }
        return new Result(best, trials, lossThresholdPercent);
    }

    /** A trial's duration should include the server's drain; kept here so the CLI and tests agree. */
    public static Duration pauseBetweenTrials() {
        return Duration.ofMillis(500);
    }
}
