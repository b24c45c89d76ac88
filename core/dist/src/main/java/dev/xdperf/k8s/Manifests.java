package dev.xdperf.k8s;

import dev.xdperf.dist.StartTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * `xdperf k8s render`: the Kubernetes objects of one distributed run. Agents are an Indexed
 * Job (shard = completion index), one per node, on the host's network, with the capabilities
 * that loading and attaching XDP programs needs and whole CPUs; sinks count what arrives, as
 * a DaemonSet or a Deployment; a headless Service, a ServiceMonitor and a plain scrape config
 * let Prometheus collect every pod's /metrics. The start time is fixed here, a margin ahead.
 */
public final class Manifests {
    public static final String RUN_LABEL = "xdperf.dev/run";
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    public static final String NAME_LABEL = "app.kubernetes.io/name";
    /**
     * What XDP needs, and nothing more: BPF to create maps and load programs; NET_ADMIN to load
     * networking program types and attach them to an interface; PERFMON for the verifier's
     * trusted mode (without it the verifier treats the loader as unprivileged for pointer
     * arithmetic and Spectre hardening). SYS_RESOURCE only for kernels before 5.11, where BPF
     * memory counts against RLIMIT_MEMLOCK.
     */
    public static final List<String> CAPABILITIES = List.of("BPF", "NET_ADMIN", "PERFMON");

    private Manifests() {}

    public enum ServerMode { DAEMONSET, DEPLOYMENT }

    public static final class Options {
        public String runId;
        public int shards;
        public String image;
        public String dev;
        /** Interface the sinks receive on; null: the same name as --dev. */
        public String receiverDev;
        /** Total rate over all shards, as the agents' --pps takes it (e.g. "10M"); null: flat out. */
        public String pps;
        public String count;
        public Duration duration;
        public Duration startMargin = Duration.ofSeconds(60);
        /** A start time given outright; null: now + margin. */
        public Instant startAt;
        public ServerMode serverMode = ServerMode.DAEMONSET;
        public int receivers = 1;
        public String namespace = "default";
        public int cpus = 2;
        public String memory = "1Gi";
        public int metricsPort = 9464;
        public Duration scrapeInterval = Duration.ofSeconds(5);
        public String dstIp;
        public String dstMac;
        public Integer size;
        public boolean rtt;
        public Map<String, String> agentNodes = Map.of("xdperf.dev/role", "sender");
        public Map<String, String> receiverNodes = Map.of("xdperf.dev/role", "receiver");
        public boolean serviceMonitor = true;
        public boolean oldKernel;
        public String maxClockOffset;
        public boolean allowUnknownClock;
        /** More agent options, passed through as they are (e.g. --plugin tcp --plugin-opt flows=1000). */
        public List<String> agentArgs = List.of();
        public String pullPolicy = "IfNotPresent";
        /** backoffLimitPerIndex instead of backoffLimit: a failed shard does not end the others (Kubernetes >= 1.29). */
        public boolean independentShards;
    }

    /** A rendered file: its name under the output folder and its YAML. */
    public record File(String name, String yaml) {}

    /** The start time the agents get: the given one, or now + margin, whole seconds. */
    public static Instant startAt(Options o, Instant now) {
        return o.startAt != null ? o.startAt : now.plus(o.startMargin).truncatedTo(ChronoUnit.SECONDS);
    }

    /** The files written for a run, in the order they were written, and the start time they fix. */
    public record Written(List<java.nio.file.Path> files, Instant startAt) {}

    /** Renders the run's manifests and writes them under {@code dir} (created, as are its subfolders). */
    public static Written write(Options o, java.nio.file.Path dir, Instant now) throws java.io.IOException {
        List<java.nio.file.Path> written = new ArrayList<>();
        for (File f : render(o, now)) {
            java.nio.file.Path p = dir.resolve(f.name());
            java.nio.file.Files.createDirectories(p.getParent());
            java.nio.file.Files.writeString(p, f.yaml());
            written.add(p);
        }
        return new Written(written, startAt(o, now));
    }

    public static List<File> render(Options o, Instant now) {
        validate(o);
        Instant start = startAt(o, now);
        if (!start.isAfter(now)) {
            throw new IllegalArgumentException("--start-at " + StartTime.format(start) + " is not in the future: the agents would refuse to start");
        }
        List<File> files = new ArrayList<>();
        files.add(new File("receivers.yaml", dump(List.of(o.serverMode == ServerMode.DAEMONSET ? daemonSet(o, start) : deployment(o, start)))));
        files.add(new File("agents.yaml", dump(List.of(job(o, start)))));
        files.add(new File("metrics.yaml", dump(List.of(service(o)))));
        if (o.serviceMonitor) {
            files.add(new File("servicemonitor.yaml", dump(List.of(serviceMonitor(o)))));
        }
        files.add(new File("prometheus/scrape-config.yaml", dump(List.of(scrapeConfig(o)))));
        return files;
    }

    static void validate(Options o) {
        if (o.runId == null || !o.runId.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || o.runId.length() > 40) {
            throw new IllegalArgumentException("--run-id '" + o.runId + "' must be 1..40 lowercase letters, digits and '-',"
                    + " starting and ending with a letter or digit (it becomes part of Kubernetes names)");
        }
        if (o.shards < 1 || o.shards > dev.xdperf.template.Shard.MAX_COUNT) {
            throw new IllegalArgumentException("--shards " + o.shards + " is outside 1.." + dev.xdperf.template.Shard.MAX_COUNT);
        }
        if (o.image == null || o.image.isBlank()) {
            throw new IllegalArgumentException("--image names no container image");
        }
        if (o.cpus < 1) {
            throw new IllegalArgumentException("--cpus " + o.cpus + " is not a whole number of CPUs (Guaranteed pods get whole CPUs)");
        }
        if (o.memory == null || !o.memory.matches("[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?")) {
            throw new IllegalArgumentException("--memory '" + o.memory + "' is not a Kubernetes quantity (examples: 1Gi, 512Mi)");
        }
        if (o.receivers < 1) {
            throw new IllegalArgumentException("--receivers must be at least 1");
        }
        if (o.duration == null) {
            throw new IllegalArgumentException("give --duration: every agent stops by itself after it");
        }
        if (o.namespace == null || !o.namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
            throw new IllegalArgumentException("--namespace '" + o.namespace + "' is not a Kubernetes namespace name");
        }
    }

    static Map<String, Object> job(Options o, Instant start) {
        Map<String, Object> pod = podSpec(o, "agent", agentArgs(o, start), o.agentNodes);
        pod.put("restartPolicy", "Never");
        // One agent per node: no two pods of this run (agents or sinks) share a node.
        pod.put("affinity", antiAffinity(o));
        long deadline = o.startMargin.toSeconds() + o.duration.toSeconds() + 300;
        Map<String, Object> spec = map("completionMode", "Indexed",
                "completions", o.shards,
                "parallelism", o.shards);
        if (o.independentShards) {
            // Kubernetes >= 1.29: no retries of any shard, and a failed shard leaves the others running.
            spec.put("backoffLimitPerIndex", 0);
            spec.put("maxFailedIndexes", o.shards);
        } else {
            // No retries: a retried agent would start late and refuse. The first failed shard fails the Job,
            // and Kubernetes stops the other agents (each still reports, as stopped).
            spec.put("backoffLimit", 0);
        }
        spec.put("activeDeadlineSeconds", deadline);
        spec.put("ttlSecondsAfterFinished", 86400);
        spec.put("template", map("metadata", map("labels", labels(o, "agent")), "spec", pod));
        return map("apiVersion", "batch/v1", "kind", "Job",
                "metadata", metadata(o, "xdperf-agent-" + o.runId, "agent"),
                "spec", spec);
    }

    static Map<String, Object> daemonSet(Options o, Instant start) {
        Map<String, Object> pod = podSpec(o, "sink", sinkArgs(o, start), o.receiverNodes);
        return map("apiVersion", "apps/v1", "kind", "DaemonSet",
                "metadata", metadata(o, "xdperf-sink-" + o.runId, "sink"),
                "spec", map("selector", map("matchLabels", labels(o, "sink")),
                        "template", map("metadata", map("labels", labels(o, "sink")), "spec", pod)));
    }

    static Map<String, Object> deployment(Options o, Instant start) {
        Map<String, Object> pod = podSpec(o, "sink", sinkArgs(o, start), o.receiverNodes);
        pod.put("affinity", antiAffinity(o));
        return map("apiVersion", "apps/v1", "kind", "Deployment",
                "metadata", metadata(o, "xdperf-sink-" + o.runId, "sink"),
                "spec", map("replicas", o.receivers,
                        // host networking: a second sink cannot start on a node before the first has gone
                        "strategy", map("type", "Recreate"),
                        "selector", map("matchLabels", labels(o, "sink")),
                        "template", map("metadata", map("labels", labels(o, "sink")), "spec", pod)));
    }

    static Map<String, Object> service(Options o) {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, "xdperf");
        labels.put(RUN_LABEL, o.runId);
        return map("apiVersion", "v1", "kind", "Service",
                "metadata", map("name", "xdperf-" + o.runId, "namespace", o.namespace, "labels", labels),
                "spec", map("clusterIP", "None",
                        "selector", new LinkedHashMap<>(labels),
                        "ports", List.of(map("name", "metrics", "port", o.metricsPort, "targetPort", "metrics", "protocol", "TCP"))));
    }

    static Map<String, Object> serviceMonitor(Options o) {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, "xdperf");
        labels.put(RUN_LABEL, o.runId);
        return map("apiVersion", "monitoring.coreos.com/v1", "kind", "ServiceMonitor",
                "metadata", map("name", "xdperf-" + o.runId, "namespace", o.namespace, "labels", labels),
                "spec", map("selector", map("matchLabels", new LinkedHashMap<>(labels)),
                        "namespaceSelector", map("matchNames", List.of(o.namespace)),
                        "endpoints", List.of(map("port", "metrics", "path", "/metrics",
                                "interval", o.scrapeInterval.toSeconds() + "s", "honorLabels", true))));
    }

    /** Not a Kubernetes object: a scrape job for a Prometheus configured by hand (prometheus.yml). */
    static Map<String, Object> scrapeConfig(Options o) {
        String run = "__meta_kubernetes_pod_label_" + RUN_LABEL.replaceAll("[^A-Za-z0-9]", "_");
        return map("scrape_configs", List.of(map(
                "job_name", "xdperf-" + o.runId,
                "scrape_interval", o.scrapeInterval.toSeconds() + "s",
                "honor_labels", true,
                "kubernetes_sd_configs", List.of(map("role", "pod", "namespaces", map("names", List.of(o.namespace)))),
                "relabel_configs", List.of(
                        map("source_labels", List.of(run), "regex", o.runId, "action", "keep"),
                        map("source_labels", List.of("__meta_kubernetes_pod_container_port_name"), "regex", "metrics", "action", "keep"),
                        map("source_labels", List.of("__meta_kubernetes_pod_name"), "target_label", "pod"),
                        map("source_labels", List.of("__meta_kubernetes_pod_node_name"), "target_label", "kubernetes_node")))));
    }

    static List<String> agentArgs(Options o, Instant start) {
        List<String> a = new ArrayList<>(List.of("agent", "--run-id", o.runId, "--shard-count", Integer.toString(o.shards),
                "--start-at", StartTime.format(start), "--duration", seconds(o.duration), "--dev", o.dev));
        if (o.pps != null) {
            a.addAll(List.of("--pps", o.pps));
        }
        if (o.count != null) {
            a.addAll(List.of("--count", o.count));
        }
        if (o.size != null) {
            a.addAll(List.of("--size", Integer.toString(o.size)));
        }
        if (o.dstIp != null) {
            a.addAll(List.of("--dst-ip", o.dstIp));
        }
        if (o.dstMac != null) {
            a.addAll(List.of("--dst-mac", o.dstMac));
        }
        if (o.rtt) {
            a.add("--rtt");
        }
        if (o.maxClockOffset != null) {
            a.addAll(List.of("--max-clock-offset", o.maxClockOffset));
        }
        if (o.allowUnknownClock) {
            a.add("--allow-unknown-clock");
        }
        // Two scrape intervals after the run, so Prometheus sees the final counters.
        a.addAll(List.of("--metrics-port", Integer.toString(o.metricsPort),
                "--metrics-linger", seconds(o.scrapeInterval.multipliedBy(2)), "--quiet"));
        a.addAll(o.agentArgs);
        return a;
    }

    static List<String> sinkArgs(Options o, Instant start) {
        List<String> a = new ArrayList<>(List.of("sink", "--run-id", o.runId, "--dev", o.receiverDev != null ? o.receiverDev : o.dev,
                "--start-at", StartTime.format(start), "--duration", seconds(o.duration)));
        if (o.rtt) {
            a.addAll(List.of("--verdict", "reflect"));
        }
        // The sink reports at the run's end and then keeps serving its final counters instead of exiting:
        // pods of a DaemonSet or Deployment that exit are restarted.
        a.addAll(List.of("--metrics-port", Integer.toString(o.metricsPort), "--metrics-linger", "24h", "--quiet"));
        return a;
    }

    private static Map<String, Object> podSpec(Options o, String component, List<String> args, Map<String, String> nodes) {
        String cpu = Integer.toString(o.cpus);
        Map<String, Object> resources = map(
                "requests", map("cpu", cpu, "memory", o.memory),
                "limits", map("cpu", cpu, "memory", o.memory));
        List<String> caps = new ArrayList<>(CAPABILITIES);
        if (o.oldKernel) {
            caps.add("SYS_RESOURCE");
        }
        Map<String, Object> container = map(
                "name", component,
                "image", o.image,
                "imagePullPolicy", o.pullPolicy,
                "command", List.of("xdperf"),
                "args", args,
                "env", List.of(map("name", "NODE_NAME", "valueFrom", map("fieldRef", map("fieldPath", "spec.nodeName")))),
                "ports", List.of(map("name", "metrics", "containerPort", o.metricsPort, "protocol", "TCP")),
                "resources", resources,
                "securityContext", map(
                        "privileged", false,
                        "allowPrivilegeEscalation", false,
                        "readOnlyRootFilesystem", true,
                        "runAsUser", 0,
                        "capabilities", map("drop", List.of("ALL"), "add", caps)),
                "volumeMounts", List.of(map("name", "tmp", "mountPath", "/tmp")));
        Map<String, Object> pod = map(
                "hostNetwork", true,
                "dnsPolicy", "ClusterFirstWithHostNet",
                "automountServiceAccountToken", false,
                "enableServiceLinks", false,
                "terminationGracePeriodSeconds", 30,
                "containers", List.of(container),
                // the JVM and jnr-ffi unpack native code to /tmp; the root file system stays read-only
                "volumes", List.of(map("name", "tmp", "emptyDir", map("medium", "Memory", "sizeLimit", "256Mi"))));
        if (!nodes.isEmpty()) {
            pod.put("nodeSelector", new LinkedHashMap<>(nodes));
        }
        return pod;
    }

    private static Map<String, Object> antiAffinity(Options o) {
        return map("podAntiAffinity", map("requiredDuringSchedulingIgnoredDuringExecution", List.of(map(
                "labelSelector", map("matchLabels", map(RUN_LABEL, o.runId)),
                "topologyKey", "kubernetes.io/hostname"))));
    }

    private static Map<String, Object> metadata(Options o, String name, String component) {
        return map("name", name, "namespace", o.namespace, "labels", labels(o, component));
    }

    private static Map<String, Object> labels(Options o, String component) {
        return map(NAME_LABEL, "xdperf", COMPONENT_LABEL, component, RUN_LABEL, o.runId);
    }

    /** "90s": a duration as the agents' --duration takes it, rounded up to whole milliseconds. */
    static String seconds(Duration d) {
        if (d.toNanos() % 1_000_000_000L == 0) {
            return d.toSeconds() + "s";
        }
        return (d.toNanos() + 999_999) / 1_000_000 + "ms";
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Block-style YAML, documents separated by "---", keys in the order given. */
    static String dump(List<Map<String, Object>> docs) {
        DumperOptions d = new DumperOptions();
        d.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        d.setIndent(2);
        d.setIndicatorIndent(0);
        d.setWidth(200);
        d.setSplitLines(false);
        Yaml yaml = new Yaml(d);
        StringBuilder b = new StringBuilder("# rendered by xdperf k8s render\n");
        for (int i = 0; i < docs.size(); i++) {
            if (i > 0) {
                b.append("---\n");
            }
            b.append(yaml.dump(docs.get(i)));
        }
        return b.toString();
    }
}
