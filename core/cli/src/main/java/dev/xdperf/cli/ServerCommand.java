package dev.xdperf.cli;

import dev.xdperf.web.Metrics;

import dev.xdperf.bpf.XdpMode;
import dev.xdperf.control.ControlServer;
import dev.xdperf.net.Interfaces;
import dev.xdperf.probe.Privileges;
import dev.xdperf.rx.Receiver;
import dev.xdperf.rx.Verdict;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Count xdperf traffic at XDP speed on an interface, per stream:",
                "packets, bytes, loss, duplicates, reordering, latency. Serves one client run after another.",
                "With --features: export packet features of any traffic on the interface instead (receive only,",
                "no control channel) until --duration ends or Ctrl-C; see docs/features.md."})
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--dev", required = true, paramLabel = "IF", description = "Interface to receive on.")
    String dev;

    @Option(names = {"-B", "--bind"}, paramLabel = "ADDR", description = "Control address to listen on (default: all).")
    String bind;

    @Option(names = {"-p", "--port"}, paramLabel = "P", description = "Control port (default ${DEFAULT-VALUE}).")
    int port = ControlServer.DEFAULT_PORT;

    @Option(names = "--verdict", paramLabel = "V", description = "What happens to xdperf frames after counting: drop (default) or pass.")
    String verdict = "drop";

    @Option(names = "--xdp-mode", converter = Converters.Mode.class, paramLabel = "MODE",
            description = "native (default) or generic.")
    XdpMode xdpMode = XdpMode.NATIVE;

    @Option(names = "--runs", paramLabel = "N", description = "Exit after N runs (default: serve forever).")
    int runs;

    @Option(names = "--metrics-port", paramLabel = "P", description = "Serve Prometheus metrics of the runs on port P (/metrics).")
    Integer metricsPort;

    @Option(names = "--run-id", paramLabel = "ID", description = "Label of this server in metrics (default: the host name).")
    String runId;

    @Mixin
    ServerFeatures features = new ServerFeatures();

    @Override
    public Integer call() throws Exception {
        Verdict v = verdict();
        if (features.requested()) {
            if (runs != 0 || metricsPort != null) {
                throw new IllegalArgumentException((runs != 0 ? "--runs" : "--metrics-port") + " does not apply with --features "
                        + "(a features run serves no clients)");
            }
            return features.run(dev, v, xdpMode);
        }
        features.refuseWithoutFeatures();
        if (runs < 0) {
            throw new IllegalArgumentException("--runs must be positive");
        }
        Privileges.requireXdp("server");
        Interfaces.requireExists(dev);
        // Fail now, not at the first client, when the receiver cannot load or attach here.
        try (Receiver check = Receiver.attach(dev, v, xdpMode)) {
            check.totals();
        }
        try (ControlServer server = ControlServer.bind(dev, bind, port, v, xdpMode, runs, line -> {
            System.out.println(line);
            System.out.flush();
        })) {
            Metrics metrics = metricsPort == null ? null : Metrics.start(metricsPort, bind,
                    java.util.Map.of("run", runId != null ? runId : java.net.InetAddress.getLocalHost().getHostName(), "role", "server"));
            try {
                server.metrics(metrics);
                server.serve();
            } finally {
                if (metrics != null) {
                    metrics.close();
                }
            }
        }
        return 0;
    }

    private Verdict verdict() {
        return switch (verdict.toLowerCase(Locale.ROOT)) {
            case "drop" -> Verdict.DROP;
            case "pass" -> Verdict.PASS;
            default -> throw new IllegalArgumentException("--verdict " + verdict + " is not drop or pass");
        };
    }
}
