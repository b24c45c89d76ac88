package dev.xdperf.cli;

import dev.xdperf.web.LiveView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where a run can be watched while it goes: a dashboard and Prometheus metrics (`client`, `demo`). */
final class LiveViewOptions {
    @Option(names = "--metrics-port", paramLabel = "P", description = "Serve Prometheus metrics of the run on port P (/metrics).")
    Integer metricsPort;

    @Option(names = "--web", paramLabel = "P", description = "Serve a live dashboard of the run on port P.")
    Integer webPort;

    @Option(names = "--web-linger", paramLabel = "S", description = "Keep the dashboard up this many seconds after the run (default ${DEFAULT-VALUE}).")
    int webLinger = 0;

    /** The ports asked for (web first), for the demo to reach them from outside its namespaces. */
    List<Integer> ports() {
        List<Integer> out = new ArrayList<>();
        if (webPort != null) {
            out.add(webPort);
        }
        if (metricsPort != null) {
            out.add(metricsPort);
        }
        return out;
    }

    /** These options as arguments of another xdperf command (the demo's client). */
    List<String> args() {
        List<String> out = new ArrayList<>();
        if (metricsPort != null) {
            out.addAll(List.of("--metrics-port", Integer.toString(metricsPort)));
        }
        if (webPort != null) {
            out.addAll(List.of("--web", Integer.toString(webPort), "--web-linger", Integer.toString(webLinger)));
        }
        return out;
    }

    /** What is asked for, started, and where it is said on stderr; the run's metrics carry {@code labels}. */
    LiveView start(String runId, Map<String, String> labels, Map<String, String> parameters) {
        LiveView view = LiveView.start(metricsPort, labels, webPort, runId, parameters, Duration.ofSeconds(webLinger));
        if (view.metricsPort() != null) {
            System.err.println("metrics: http://localhost:" + view.metricsPort() + "/metrics");
        }
        if (view.dashboardPort() != null) {
            System.err.println("dashboard: http://localhost:" + view.dashboardPort() + "/");
        }
        return view;
    }
}
