package dev.xdperf.web;

import dev.xdperf.run.Run;
import dev.xdperf.run.RunResult;
import java.time.Duration;
import java.util.Map;

/**
 * What watches one run while it goes: Prometheus metrics, a live dashboard, either or both or
 * neither. {@link #run} runs the run with them attached, gives the dashboard the final report,
 * and closes them (the dashboard after its linger).
 */
public final class LiveView implements AutoCloseable {
    private final Metrics metrics;
    private final Dashboard dashboard;
    private final Duration linger;

    private LiveView(Metrics metrics, Dashboard dashboard, Duration linger) {
        this.metrics = metrics;
        this.dashboard = dashboard;
        this.linger = linger;
    }

    /**
     * Starts what is asked for.
     *
     * @param metricsPort port of /metrics, null for none; every series carries {@code labels}
     * @param dashboardPort port of the dashboard, null for none; it shows {@code runId} and {@code parameters}
     * @param linger how long the dashboard stays up after the run
     */
    public static LiveView start(Integer metricsPort, Map<String, String> labels, Integer dashboardPort, String runId,
                                 Map<String, String> parameters, Duration linger) {
        Metrics metrics = metricsPort == null ? null : Metrics.start(metricsPort, null, labels);
        try {
            Dashboard dashboard = dashboardPort == null ? null : Dashboard.start(dashboardPort, runId, parameters);
            return new LiveView(metrics, dashboard, linger == null ? Duration.ZERO : linger);
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            throw e;
        }
    }

    /** The port /metrics is served on, or null. */
    public Integer metricsPort() {
        return metrics == null ? null : metrics.port();
    }

    /** The port the dashboard is served on, or null. */
    public Integer dashboardPort() {
        return dashboard == null ? null : dashboard.port();
    }

    /** Runs {@code starter}'s run with the metrics and the dashboard fed, and closes them after it. */
    public RunResult run(Run.Starter starter) {
        if (metrics != null) {
            starter.metrics(metrics);
        }
        if (dashboard != null) {
            starter.subscribe(dashboard::publish);
        }
        try {
            RunResult result = starter.run();
            if (dashboard != null) {
                dashboard.finish(result.primary().toJson());
            }
            return result;
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        if (dashboard != null) {
            dashboard.closeAfter(linger);
        }
    }
}
