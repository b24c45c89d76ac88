package dev.xdperf.cli;

import dev.xdperf.k8s.Manifests;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The pods of a run: how the sinks are deployed, where everything lives, what each pod gets, how it is scraped (`k8s render`). */
final class K8sPodOptions {
    @Option(names = "--server-mode", paramLabel = "MODE", description = "Sinks as a daemonset (every receiver node, default) or a deployment.")
    String serverMode = "daemonset";

    @Option(names = "--receivers", paramLabel = "R", description = "Sink replicas with --server-mode deployment (default 1).")
    int receivers = 1;

    @Option(names = "--namespace", paramLabel = "NS", description = "Namespace of every object (default ${DEFAULT-VALUE}).")
    String namespace = "default";

    @Option(names = "--cpus", paramLabel = "N", description = "Whole CPUs per pod, requests = limits: Guaranteed QoS (default ${DEFAULT-VALUE}).")
    int cpus = 2;

    @Option(names = "--memory", paramLabel = "QTY", description = "Memory per pod, requests = limits (default ${DEFAULT-VALUE}).")
    String memory = "1Gi";

    @Option(names = "--metrics-port", paramLabel = "P", description = "Host port of every pod's /metrics (default ${DEFAULT-VALUE}).")
    int metricsPort = 9464;

    @Option(names = "--scrape-interval", paramLabel = "TIME", converter = Converters.Time.class,
            description = "Prometheus scrape interval (default 5s).")
    Duration scrapeInterval = Duration.ofSeconds(5);

    void applyTo(Manifests.Options o) {
        o.serverMode = switch (serverMode.toLowerCase(Locale.ROOT)) {
            case "daemonset" -> Manifests.ServerMode.DAEMONSET;
            case "deployment" -> Manifests.ServerMode.DEPLOYMENT;
            default -> throw new IllegalArgumentException("--server-mode " + serverMode + " is not daemonset or deployment");
        };
        o.receivers = receivers;
        o.namespace = namespace;
        o.cpus = cpus;
        o.memory = memory;
        o.metricsPort = metricsPort;
        o.scrapeInterval = scrapeInterval;
    }
}
