package dev.xdperf.cli;

import dev.xdperf.bpf.Cpus;
import dev.xdperf.tx.Transmitter;
import dev.xdperf.spec.Profile;
import dev.xdperf.run.Run;
import dev.xdperf.spec.RunSpec;
import dev.xdperf.control.ControlServer;
import dev.xdperf.control.ThroughputSearch;
import dev.xdperf.probe.Privileges;
import dev.xdperf.stats.Units;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ndr", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"RFC 2544-style throughput search against an xdperf server: the highest rate whose loss",
                "stays at or under a threshold (0 by default: the no-drop rate)."})
final class NdrCommand implements Callable<Integer> {
    @Option(names = "--dev", paramLabel = "IF", description = "Interface to send on (required unless the profile names it).")
    String dev;

    @Option(names = {"-c", "--server"}, paramLabel = "HOST", description = "The xdperf server (required unless the profile names it).")
    String server;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "The run to search with (docs/profiles.md); each trial sets its rate and duration. Options given here override it.")
    java.nio.file.Path profile;

    @Option(names = "--port", paramLabel = "P", description = "Server's control port (default ${DEFAULT-VALUE}).")
    int port = ControlServer.DEFAULT_PORT;

    @Option(names = "--max-pps", required = true, paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Highest rate to try (the first trial).")
    long maxPps;

    @Option(names = "--loss", paramLabel = "PERCENT", description = "Loss allowed in a passing trial, in percent (default 0).")
    double loss;

    @Option(names = "--trial", paramLabel = "TIME", converter = Converters.Time.class,
            description = "Duration of each trial (default 2 s).")
    Duration trial = Duration.ofSeconds(2);

    @Option(names = "--resolution", paramLabel = "PERCENT", description = "Stop when the bracket is narrower than this share of --max-pps (default 1).")
    double resolutionPercent = 1;

    @Option(names = "--max-trials", paramLabel = "N", description = "At most this many trials (default ${DEFAULT-VALUE}).")
    int maxTrials = 20;

    @Option(names = "--cpus", paramLabel = "LIST", converter = Converters.CpuList.class, description = "Sending CPUs, the same in every trial (default: those a run at --max-pps takes, one per 1 Mpps, the last online ones).")
    List<Integer> cpus;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size without FCS (default ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (loss < 0 || loss >= 100) {
            throw new IllegalArgumentException("--loss must lie in 0..100");
        }
        RunSpec given = base();
        RunSpec base = given.cpus().isEmpty()   // every trial on the same CPUs: trials differ in their rate alone
                ? given.toBuilder().cpus(Transmitter.defaultCpus(maxPps, Cpus.online())).build() : given;
        Privileges.requireXdp("ndr");
        ThroughputSearch.Result r = ThroughputSearch.search(maxPps, loss, resolutionPercent / 100, maxTrials, rate -> {
            var report = Run.with(base.toBuilder().pps(rate).build()).plugins(PluginCommand.resolver()).run().primary();
            try {
                Thread.sleep(ThroughputSearch.pauseBetweenTrials().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return report;
        }, t -> System.err.printf("trial at %s: offered %s, sent %s, lost %s (%.4f%%) %s%n", Units.pps(t.pps()),
                Units.pps(t.offeredPps()), Units.count(t.sent()), Units.count(t.lost()), t.lossPercent(),
                t.pass() ? "pass" : t.senderLimited() ? "fail: sender-limited" : "fail"));
        if (json) {
            System.out.println(r.toJson().toPrettyString());
        } else {
            System.out.print(r.toText());
        }
        return r.ratePps() > 0 ? 0 : 3;
    }

    /** The trials' common spec: the profile (with the options given here over it), or these options alone. */
    private RunSpec base() {
        if (profile == null) {
            if (dev == null || server == null) {
                throw new IllegalArgumentException("give --dev and --server, or a --profile that names them");
            }
            return RunSpec.builder(dev).server(server, port).cpus(cpus).duration(trial).size(size).build();
        }
        RunSpec.Builder b = Profile.read(profile, dev).toBuilder().duration(trial).count(0).pps(0);
        if (server != null) {
            b.server(server);
        }
        if (given("--port")) {
            b.serverPort(port);
        }
        if (cpus != null) {
            b.cpus(cpus);
        }
        if (given("--size")) {
            b.size(size);
        }
        RunSpec s = b.build();
        if (s.server() == null) {
            throw new IllegalArgumentException(profile + ": ndr needs a server (give --server, or server in the profile)");
        }
        return s;
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
