package dev.xdperf.cli;

import dev.xdperf.dist.StartTime;
import dev.xdperf.k8s.Manifests;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

        @Mixin
        K8sScheduleOptions schedule = new K8sScheduleOptions();

        @Mixin
        K8sPodOptions pods = new K8sPodOptions();

        @Mixin
        K8sTrafficOptions traffic = new K8sTrafficOptions();

        @Mixin
        K8sPlacementOptions placement = new K8sPlacementOptions();

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
            schedule.applyTo(o);
            pods.applyTo(o);
            traffic.applyTo(o);
            placement.applyTo(o);
            o.agentArgs = agentArgs;
            Instant now = Instant.now();
            Manifests.Written written = Manifests.write(o, out, now);
            written.files().forEach(p -> System.out.println("wrote " + p));
            System.out.println("run " + runId + ": " + shards + " agents start at " + StartTime.format(written.startAt())
                    + " (in " + Duration.between(now, written.startAt()).toSeconds() + " s): kubectl apply -f " + out + " now");
            return 0;
        }
    }
}
