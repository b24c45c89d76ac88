package dev.xdperf.cli;

import dev.xdperf.dist.StartTime;
import dev.xdperf.k8s.Manifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "k8s", mixinStandardHelpOptions = true, description = "Kubernetes: render the manifests of a distributed run.",
        subcommands = {K8sCommand.Render.class})
final class K8sCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Write the manifests of one run: an Indexed Job of agents (one per node, host network,",
                    "BPF/NET_ADMIN/PERFMON, whole CPUs), sinks as a DaemonSet or Deployment, a headless Service,",
                    "a ServiceMonitor and a plain Prometheus scrape config. The start time is fixed now: apply soon."})
    static final class Render implements Callable<Integer> {
        @Option(names = "--run-id", required = true, paramLabel = "ID", description = "Run id: lowercase letters, digits, '-'.")
        String runId;

        @Option(names = "--shards", required = true, paramLabel = "N", description = "Agents (one per node).")
        int shards;

        @Option(names = "--image", required = true, paramLabel = "IMG", description = "Container image with xdperf on its PATH.")
        String image;

        @Option(names = "--dev", required = true, paramLabel = "IF", description = "Interface the agents send on (the same name on every node).")
        String dev;

        @Option(names = "--receiver-dev", paramLabel = "IF", description = "Interface the sinks receive on (default: --dev).")
        String receiverDev;

        @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class, description = "Rate of the whole run (default: flat out).")
        Long pps;

        @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class, description = "Packets of the whole run.")
        Long count;

        @Option(names = {"-t", "--duration"}, required = true, paramLabel = "TIME", converter = Converters.Time.class,
                description = "How long the agents send.")
        Duration duration;

        @Option(names = "--start-margin", paramLabel = "TIME", converter = Converters.Time.class,
                description = "Start this long after now, time to schedule pods and pull images (default 60s).")
        Duration startMargin = Duration.ofSeconds(60);

        @Option(names = "--start-at", paramLabel = "TIME", description = "An exact start time instead (RFC 3339 or epoch seconds).")
        String startAt;

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

        @Option(names = "--dst-ip", paramLabel = "IP", description = "Where the agents send (a receiver's address on the test network).")
        String dstIp;

        @Option(names = "--dst-mac", paramLabel = "MAC", description = "Next hop's MAC (default: each node's neighbour table).")
        String dstMac;

        @Option(names = "--size", paramLabel = "BYTES", description = "Frame size.")
        Integer size;

        @Option(names = "--rtt", description = "Sinks reflect, agents measure round-trip latency (merged by xdperf merge).")
        boolean rtt;

        @Option(names = "--agent-nodes", paramLabel = "KEY=VALUE", description = "Node label of agent nodes (default xdperf.dev/role=sender; '' for any node).")
        String agentNodes = "xdperf.dev/role=sender";

        @Option(names = "--receiver-nodes", paramLabel = "KEY=VALUE", description = "Node label of sink nodes (default xdperf.dev/role=receiver; '' for any node).")
        String receiverNodes = "xdperf.dev/role=receiver";

        @Option(names = "--max-clock-offset", paramLabel = "TIME", description = "The agents' clock tolerance (default 1ms).")
        String maxClockOffset;

        @Option(names = "--allow-unknown-clock", description = "Let agents start on nodes without chrony or PTP.")
        boolean allowUnknownClock;

        @Option(names = "--no-service-monitor", description = "Leave out the ServiceMonitor (no Prometheus Operator in the cluster).")
        boolean noServiceMonitor;

        @Option(names = "--old-kernel", description = "Add SYS_RESOURCE: kernels before 5.11 count BPF memory against RLIMIT_MEMLOCK.")
        boolean oldKernel;

        @Option(names = "--independent-shards",
                description = "backoffLimitPerIndex 0 instead of backoffLimit 0: a failed shard leaves the others running (Kubernetes >= 1.29).")
        boolean independentShards;

        @Option(names = "--agent-arg", paramLabel = "ARG", description = "Pass ARG on to every agent (repeatable), e.g. --agent-arg=--plugin --agent-arg=tcp.")
        List<String> agentArgs = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the manifests to (created).")
        Path out;

        @Override
        public Integer call() throws Exception {
            Manifests.Options o = new Manifests.Options();
            o.runId = runId;
            o.shards = shards;
            o.image = image;
            o.dev = dev;
            o.receiverDev = receiverDev;
            o.pps = pps == null ? null : Long.toString(pps);
            o.count = count == null ? null : Long.toString(count);
            o.duration = duration;
            o.startMargin = startMargin;
            o.startAt = startAt == null ? null : StartTime.parse(startAt);
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
            o.dstIp = dstIp == null ? null : new Converters.Ip().convert(dstIp).getHostAddress();
            o.dstMac = dstMac == null ? null : new Converters.Mac().convert(dstMac).toString();
            o.size = size;
            o.rtt = rtt;
            o.agentNodes = selector("--agent-nodes", agentNodes);
            o.receiverNodes = selector("--receiver-nodes", receiverNodes);
            o.maxClockOffset = maxClockOffset;
            if (maxClockOffset != null) {
                new Converters.Time().convert(maxClockOffset);
            }
            o.allowUnknownClock = allowUnknownClock;
            o.serviceMonitor = !noServiceMonitor;
            o.oldKernel = oldKernel;
            o.agentArgs = agentArgs;
            o.independentShards = independentShards;
            Instant now = Instant.now();
            List<Manifests.File> files = Manifests.render(o, now);
            for (Manifests.File f : files) {
                Path p = out.resolve(f.name());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.yaml());
                System.out.println("wrote " + p);
            }
            Instant start = Manifests.startAt(o, now);
            System.out.println("run " + runId + ": " + shards + " agents start at " + StartTime.format(start)
                    + " (in " + Duration.between(now, start).toSeconds() + " s): kubectl apply -f " + out + " now");
            return 0;
        }

        private static Map<String, String> selector(String option, String text) {
            Map<String, String> m = new LinkedHashMap<>();
            if (text.isBlank()) {
                return m;
            }
            for (String part : text.split(",")) {
                String[] kv = part.split("=", 2);
                if (kv.length != 2 || kv[0].isBlank()) {
                    throw new IllegalArgumentException(option + " '" + text + "' is not KEY=VALUE[,KEY=VALUE]");
                }
                m.put(kv[0].trim(), kv[1].trim());
            }
            return m;
        }
    }
}
