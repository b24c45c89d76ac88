package dev.xdperf.cli;

import dev.xdperf.probe.Privileges;
import dev.xdperf.run.Run;
import dev.xdperf.run.RunResult;
import dev.xdperf.spec.RunSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "client", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send packets out of an interface with XDP, one transmit loop per CPU.",
                "With --server, the server counts what arrives and both sides are reported."})
final class ClientCommand implements Callable<Integer> {
    @Option(names = "--dev", paramLabel = "IF", description = "Interface to send on (required unless the profile names it or --pcap is given).")
    String dev;

    @Mixin
    ProfileOptions profile = new ProfileOptions();

    @Mixin
    FrameOptions frame = new FrameOptions();

    @Mixin
    ServerOptions server = new ServerOptions();

    @Mixin
    RateOptions rate = new RateOptions();

    @Mixin
    UdpStreamOptions udp = new UdpStreamOptions();

    @Mixin
    DirectionOptions direction = new DirectionOptions();

    @Mixin
    SenderOptions sender = new SenderOptions();

    @Mixin
    TrafficOptions traffic = new TrafficOptions();

    @Option(names = "--templates", paramLabel = "FILE", description = "Send an encoded template set (docs/abi.md) from a file.")
    Path templateFile;

    @Mixin
    ReplayOptions replay = new ReplayOptions();

    @Mixin
    PcapOptions pcap = new PcapOptions();

    @Mixin
    LiveViewOptions live = new LiveViewOptions();

    @Option(names = "--run-id", paramLabel = "ID", description = "Label of this run in metrics (default: random).")
    String runId;

    @Option(names = "--max-loss", paramLabel = "PCT", converter = Converters.Percent.class,
            description = "Frames that may vanish on the way out of --dev, in percent, before the run fails with exit 4 (default 0).")
    double maxLoss;

    @Mixin
    BurstOptions burst = new BurstOptions();

    @Option(names = "--seed", paramLabel = "N", converter = Converters.Seed.class,
            description = "Key of the random field rules: the same seed sends the same frames, and --pcap writes them"
                    + " (default: a fresh one, printed in the report).")
    Long seed;

    @Mixin
    ReportOptions report = new ReportOptions();

    @Mixin
    TestHookOptions testing = new TestHookOptions();

    @Override
    public Integer call() throws IOException {
        RunSpec run = spec();
        if (profile.print(run)) {
            return 0;
        }
        if (pcap.asked()) {
            pcap.write(run, rate.count);
            return 0;
        }
        Privileges.requireXdp("client");
        String id = runId != null ? runId : java.util.UUID.randomUUID().toString().substring(0, 8);
        RunResult result = live.start(id, Map.of("run", id, "role", "client"), describe(run))
                .run(Run.with(run).plugins(PluginCommand.resolver()).subscribe(report.liveLines(System.out)));
        report.print(result, System.out);
        return report.exitStatus(result, run.maxLossPercent());
    }

    /**
     * The command line as a run spec; every default and check is the builder's. With a profile,
     * the file is the base and only the options given on the command line change it.
     */
    RunSpec spec() {
        RunSpec.Builder b;
        if (profile.overFile()) {
            b = profile.read(profile.given("--dev") ? dev : null);
        } else if (dev == null && pcap.asked()) {
            b = RunSpec.builder(Run.NO_DEVICE);   // a pcap needs no device
        } else if (dev == null) {
            String msg = "Missing required option: '--dev=IF' (or a --profile that names the interface, or --pcap FILE)";
            throw profile.command != null ? new picocli.CommandLine.ParameterException(profile.command.commandLine(), msg)
                    : new IllegalArgumentException(msg);
        } else {
            b = RunSpec.builder(dev);
        }
        RunSpec base = b.build();
        server.applyTo(b, profile::given);
        rate.applyTo(b, profile.overFile(), profile::given);
        udp.applyTo(b, base.ranges(), profile::given, profile::matched);
        direction.applyTo(b, profile::given);
        sender.applyTo(b, profile::given);
        traffic.applyTo(b, templateFile, profile.overFile(), profile::given);
        replay.applyTo(b, base.replay());
        if (profile.given("--max-loss")) {
            b.maxLossPercent(maxLoss);
        }
        burst.applyTo(b, profile::given);
        if (profile.given("--seed")) {
            b.seed(seed);
        }
        testing.applyTo(b, profile::given);
        frame.applyTo(b, profile::given);
        return b.build();
    }

    /** The run as the dashboard lists it, in the command line's terms. */
    private Map<String, String> describe(RunSpec run) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dev", run.dev());
        m.put("server", server.describe());
        rate.describe(m);
        m.put("size", udp.describeSize(profile.matched("--size")));
        m.put("plugin", traffic.describe());
        return m;
    }
}
