package dev.xdperf.cli;

import dev.xdperf.dist.Agent;
import dev.xdperf.dist.StartTime;
import dev.xdperf.template.Shard;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Which shard of which run an agent is, when it starts and for how long, and how sure of its clock it must be (`agent`). */
final class ShardOptions {
    @Option(names = "--run-id", required = true, paramLabel = "ID", description = "The run this shard belongs to (label run in metrics).")
    String runId;

    @Option(names = "--shard-index", paramLabel = "I",
            description = "This shard, 0..N-1 (default: the JOB_COMPLETION_INDEX environment variable of an Indexed Job).")
    Integer shardIndex;

    @Option(names = "--shard-count", required = true, paramLabel = "N", description = "How many shards the run has.")
    int shardCount;

    @Option(names = "--start-at", required = true, paramLabel = "TIME",
            description = "When to start: RFC 3339 (2025-01-31T12:00:00Z) or seconds since the epoch. Refused once passed.")
    String startAt;

    @Option(names = {"-t", "--duration"}, required = true, paramLabel = "TIME", converter = Converters.Time.class,
            description = "How long to send; the agent stops by itself.")
    Duration duration;

    @Option(names = "--max-clock-offset", paramLabel = "TIME", converter = Converters.Time.class,
            description = "Refuse to start when chrony or PTP says the clock is further off (default 1ms).")
    Duration maxClockOffset = Agent.DEFAULT_MAX_CLOCK_OFFSET;

    @Option(names = "--allow-unknown-clock", description = "Start even when neither chrony nor PTP reports the clock's offset.")
    boolean allowUnknownClock;

    @Option(names = "--node", paramLabel = "NAME", description = "Node name in reports and metrics (default: NODE_NAME, else the host name).")
    String node;

    /** What is known before anything is checked: the run, the node and the clock's tolerance. */
    Agent.Options options() {
        Agent.Options o = new Agent.Options();
        o.runId = runId;
        o.node = node != null ? node : Agent.defaultNode();
        o.maxClockOffset = maxClockOffset;
        o.allowUnknownClock = allowUnknownClock;
        return o;
    }

    /** The shard and its start time, read (a bad one fails here, and the failure report still says which run it was). */
    void applyTo(Agent.Options o) {
        o.shard = new Shard(shardIndex(), shardCount);
        o.startAt = StartTime.parse(startAt);
    }

    private int shardIndex() {
        if (shardIndex != null) {
            return shardIndex;
        }
        String env = System.getenv("JOB_COMPLETION_INDEX");
        if (env == null || env.isBlank()) {
            throw new IllegalArgumentException("no shard index: give --shard-index, or run as an Indexed Job (JOB_COMPLETION_INDEX)");
        }
        try {
            return Integer.parseInt(env.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("JOB_COMPLETION_INDEX '" + env + "' is not a shard index");
        }
    }
}
