package dev.xdperf.cli;

import dev.xdperf.k8s.Manifests;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Which nodes run what, what the agents demand of their clocks, and what the cluster has (`k8s render`). */
final class K8sPlacementOptions {
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

    void applyTo(Manifests.Options o) {
        o.agentNodes = selector("--agent-nodes", agentNodes);
        o.receiverNodes = selector("--receiver-nodes", receiverNodes);
        o.maxClockOffset = maxClockOffset;
        if (maxClockOffset != null) {
            new Converters.Time().convert(maxClockOffset);   // refused here, not by every agent at its start
        }
        o.allowUnknownClock = allowUnknownClock;
        o.serviceMonitor = !noServiceMonitor;
        o.oldKernel = oldKernel;
        o.independentShards = independentShards;
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
