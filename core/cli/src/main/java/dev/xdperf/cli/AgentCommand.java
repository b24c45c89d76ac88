package dev.xdperf.cli;

import dev.xdperf.control.ControlServer;
import dev.xdperf.dist.Agent;
import dev.xdperf.spec.Profile;
import dev.xdperf.spec.RunSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send one shard of a distributed run: rate/N and a disjoint slice of the flows,",
                "from a wall-clock start time every agent was given, for --duration. Agents never talk to each other;",
                "'xdperf merge' puts their reports together, Prometheus their metrics (labels run, shard, node)."})
final class AgentCommand implements Callable<Integer> {
    @Mixin
    ShardOptions shard = new ShardOptions();

    @Option(names = "--dev", required = true, paramLabel = "IF", description = "Interface to send on.")
    String dev;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "The whole run as a profile (docs/profiles.md): its pps and count are the run's totals; --dev and"
                    + " --duration are this agent's, and options given here override the file.")
    Path profile;

    @Mixin
    FrameOptions frame = new FrameOptions();

    @Option(names = {"-c", "--server"}, paramLabel = "HOST",
            description = "An xdperf server of this shard's own (a server serves one client at a time); usually a sink counts instead.")
    String server;

    @Option(names = "--port", paramLabel = "P", description = "Server's control port (default ${DEFAULT-VALUE}).")
    int port = ControlServer.DEFAULT_PORT;

    @Option(names = "--cpus", paramLabel = "LIST", converter = Converters.CpuList.class,
            description = "Sending CPUs (default: the CPUs this process may run on, e.g. a Guaranteed pod's; paced, one per 1 Mpps of the shard's rate, the last of them).")
    List<Integer> cpus;

    @Mixin
    ShardTotalsOptions totals = new ShardTotalsOptions();

    @Mixin
    ShardStreamOptions udp = new ShardStreamOptions();

    @Option(names = "--rtt", description = "Count frames a reflecting sink (or server) sends back, with their round-trip latency.")
    boolean rtt;

    @Option(names = "--no-measure", description = "Send frames without the xdperf measurement header.")
    boolean noMeasure;

    @Mixin
    TrafficOptions traffic = new TrafficOptions();

    @Option(names = "--templates", paramLabel = "FILE", description = "Send an encoded template set from a file.")
    Path templateFile;

    @Mixin
    BurstOptions burst = new BurstOptions();

    @Option(names = "--seed", paramLabel = "N", converter = Converters.Seed.class,
            description = "Key of the random field rules, the same for every shard: the same seed sends the same frames"
                    + " (default: one derived from --start-at, so the shards of a run share it; given in the report).")
    Long seed;

    @Mixin
    ShardOutputOptions output = new ShardOutputOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Agent.Options o = shard.options();
        o.onReport = output::emit;
        o.plugins = PluginCommand.resolver();
        output.applyTo(o);
        return Agent.execute(o, this::prepare, this::runSpec, output.liveLines(), Main::describe, System.err);
    }

    /** What the first checks need: the shard, its start, and the run's totals. */
    Agent.Options prepare(Agent.Options o) {
        shard.applyTo(o);
        totals.applyTo(o, profile == null ? null : Profile.read(profile, dev));
        return o;
    }

    /**
     * The whole run as a spec, which {@link Agent} cuts into this shard's: without a profile every
     * option counts (its default too); with one, the file is the base and only the options given here
     * change it, while --dev, --duration and the totals are always this agent's.
     */
    RunSpec runSpec(Agent.Options a) {
        RunSpec.Builder b = profile != null ? Profile.read(profile, dev).toBuilder() : RunSpec.builder(dev);
        if (profile == null && traffic.udpOnly(templateFile)) {
            b.flows(shard.shardCount);   // one flow per shard by default; a plugin's flows are its own option
        }
        b.duration(shard.duration).pps(a.totalPps).count(a.totalCount);
        if (given("--server")) {
            b.server(server);
        }
        if (given("--port")) {
            b.serverPort(port);
        }
        if (given("--cpus")) {
            b.cpus(cpus);
        }
        traffic.applyTo(b, templateFile, profile != null, this::given);
        udp.applyTo(b, traffic.udpOnly(templateFile), this::given, this::matched);
        if (given("--rtt")) {
            b.rtt(rtt);
        }
        if (given("--no-measure")) {
            b.measurement(!noMeasure);
        }
        if (given("--seed")) {
            b.seed(seed);
        }
        burst.applyTo(b, this::given);
        frame.applyTo(b, this::given);
        RunSpec run = b.build();
        a.totalPps = run.pps();
        return run;
    }

    private boolean given(String option) {
        return profile == null || matched(option);
    }

    private boolean matched(String option) {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
