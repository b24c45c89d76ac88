package dev.xdperf.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.xdperf.cli.Main;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * The manifests of `xdperf k8s render`, checked without a cluster: as YAML, as Kubernetes
 * objects of the fabric8 model (unknown fields and wrong types fail), against golden files,
 * and for what a run needs (Indexed Job, one agent per node, host network, exactly the XDP
 * capabilities, whole CPUs, a start time in the future that the agents accept).
 */
class ManifestsTest {
    static final Instant NOW = Instant.parse("2025-01-31T12:00:00Z");
    static final Path GOLDEN = Path.of("src/test/resources/k8s-golden");

    /** Strict: unknown enum values and numbers written as strings fail; unknown fields are caught by the walk below. */
    static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

    static {
        STRICT.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        STRICT.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        STRICT.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    }

    static Manifests.Options options() {
        Manifests.Options o = new Manifests.Options();
        o.runId = "demo";
        o.shards = 3;
        o.image = "registry.example/xdperf:0.1.0";
        o.dev = "eth1";
        o.pps = "3000000";
        o.duration = Duration.ofSeconds(60);
        o.dstIp = "192.0.2.10";
        o.namespace = "xdperf-load";
        return o;
    }

    static Map<String, String> render(Manifests.Options o) {
        Map<String, String> files = new LinkedHashMap<>();
        Manifests.render(o, NOW).forEach(f -> files.put(f.name(), f.yaml()));
        return files;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yaml(String text) {
        List<Map<String, Object>> docs = new ArrayList<>();
        new Yaml().loadAll(text).forEach(d -> docs.add((Map<String, Object>) d));
        return docs;
    }

    /** A YAML document as a typed Kubernetes object: fails on wrong types and on any field the API does not have. */
    static <T extends KubernetesResource> T typed(Map<String, Object> doc, Class<T> type) {
        T t;
        try {
            t = STRICT.convertValue(doc, type);
        } catch (IllegalArgumentException e) {
            throw new AssertionError(doc.get("kind") + " is not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        unknownFields(t, type.getSimpleName(), unknown, new IdentityHashMap<>());
        assertEquals(List.of(), unknown, "fields the Kubernetes API does not know");
        return t;
    }

    /** Every field the model did not recognise lands in an object's additionalProperties: collect them all. */
    static void unknownFields(Object o, String path, List<String> out, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object x : c) {
                unknownFields(x, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || !g.getName().startsWith("get") || g.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object v = g.invoke(o);
                if (g.getName().equals("getAdditionalProperties")) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        out.add(path + ": " + extra.keySet());
                    }
                } else if (!(o instanceof Quantity)) {
                    unknownFields(v, path + "." + g.getName().substring(3), out, seen);
                }
            } catch (ReflectiveOperationException e) {
                fail("read " + path + "." + g.getName() + ": " + e);
            }
        }
    }

    static Container only(PodSpec pod) {
        assertEquals(1, pod.getContainers().size());
        return pod.getContainers().get(0);
    }

    /** What every pod of a run needs: host network, exactly the XDP capabilities, no privilege, whole CPUs. */
    static void checkPod(PodSpec pod, Manifests.Options o) {
        assertTrue(pod.getHostNetwork(), "host network: XDP on the node's own interface");
        assertEquals("ClusterFirstWithHostNet", pod.getDnsPolicy());
        Container c = only(pod);
        var sc = c.getSecurityContext();
        assertFalse(sc.getPrivileged(), "not privileged");
        assertFalse(sc.getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertEquals(List.of("BPF", "NET_ADMIN", "PERFMON"), sc.getCapabilities().getAdd(), "what XDP needs, and nothing more");
        Map<String, Quantity> req = c.getResources().getRequests();
        Map<String, Quantity> lim = c.getResources().getLimits();
        assertEquals(req, lim, "requests = limits: Guaranteed QoS");
        assertEquals(Integer.toString(o.cpus), req.get("cpu").toString(), "whole CPUs, for the static CPU manager");
        assertTrue(req.containsKey("memory"));
        assertEquals("metrics", c.getPorts().get(0).getName());
        assertEquals(o.metricsPort, c.getPorts().get(0).getContainerPort());
        assertEquals("spec.nodeName", c.getEnv().get(0).getValueFrom().getFieldRef().getFieldPath());
        assertTrue(pod.getAutomountServiceAccountToken() == Boolean.FALSE, "the agents never talk to the API server");
    }

    /** The container's arguments parse as an xdperf command line: what the pod runs is a valid invocation. */
    static CommandLine.ParseResult parses(Container c) {
        assertEquals(List.of("xdperf"), c.getCommand());
        return new CommandLine(new Main()).parseArgs(c.getArgs().toArray(String[]::new));
    }

    static String arg(List<String> args, String name) {
        int i = args.indexOf(name);
        assertTrue(i >= 0 && i + 1 < args.size(), "no " + name + " in " + args);
        return args.get(i + 1);
    }

    @Test
    void theAgentsAreAnIndexedJobOfOnePodPerNodeThatStartsInTheFuture() {
        Manifests.Options o = options();
        Map<String, String> files = render(o);
        assertEquals(List.of("receivers.yaml", "agents.yaml", "metrics.yaml", "servicemonitor.yaml", "prometheus/scrape-config.yaml"),
                List.copyOf(files.keySet()));
        List<Map<String, Object>> docs = yaml(files.get("agents.yaml"));
        assertEquals(1, docs.size());
        Job job = typed(docs.get(0), Job.class);
        assertEquals("batch/v1", job.getApiVersion());
        assertEquals("xdperf-agent-demo", job.getMetadata().getName());
        assertEquals("xdperf-load", job.getMetadata().getNamespace());
        var spec = job.getSpec();
        assertEquals("Indexed", spec.getCompletionMode());
        assertEquals(3, spec.getCompletions());
        assertEquals(3, spec.getParallelism());
        assertEquals(0, spec.getBackoffLimit(), "no retries: a retried agent would start late");
        assertNull(spec.getBackoffLimitPerIndex());
        PodSpec pod = spec.getTemplate().getSpec();
        assertEquals("Never", pod.getRestartPolicy());
        checkPod(pod, o);
        assertEquals(Map.of("xdperf.dev/role", "sender"), pod.getNodeSelector());

        // One agent per node: a required anti-affinity on the node name against every pod of this run.
        var terms = pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        assertEquals(1, terms.size());
        assertEquals("kubernetes.io/hostname", terms.get(0).getTopologyKey());
        Map<String, String> podLabels = spec.getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(terms.get(0).getLabelSelector().getMatchLabels().entrySet()),
                "the anti-affinity matches the agents themselves");

        CommandLine.ParseResult agent = parses(only(pod)).subcommand();
        assertEquals("agent", agent.commandSpec().name());
        List<String> args = only(pod).getArgs();
        assertFalse(args.contains("--shard-index"), "the shard is the Job's completion index (JOB_COMPLETION_INDEX)");
        assertEquals("3", arg(args, "--shard-count"));
        assertEquals("demo", arg(args, "--run-id"));
        assertEquals("3000000", arg(args, "--pps"), "the whole run's rate: each agent takes its share");
        Instant start = Instant.parse(arg(args, "--start-at"));
        assertEquals(NOW.plusSeconds(60), start, "now + the default margin of 60 s, RFC 3339");
        assertTrue(start.isAfter(NOW));
        assertEquals("60s", arg(args, "--duration"));
        assertEquals("9464", arg(args, "--metrics-port"));
        assertTrue(spec.getActiveDeadlineSeconds() > 60 + 60, "the Job outlives the margin and the run");
    }

    @Test
    void theSinksAreADaemonSetOrADeploymentOnReceiverNodes() {
        Manifests.Options o = options();
        DaemonSet ds = typed(yaml(render(o).get("receivers.yaml")).get(0), DaemonSet.class);
        assertEquals("apps/v1", ds.getApiVersion());
        Map<String, String> labels = ds.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(labels.entrySet().containsAll(ds.getSpec().getSelector().getMatchLabels().entrySet()), "the selector selects its pods");
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        checkPod(pod, o);
        assertEquals(Map.of("xdperf.dev/role", "receiver"), pod.getNodeSelector());
        CommandLine.ParseResult sink = parses(only(pod)).subcommand();
        assertEquals("sink", sink.commandSpec().name());
        List<String> args = only(pod).getArgs();
        assertEquals(arg(yamlAgentArgs(o), "--start-at"), arg(args, "--start-at"), "sinks know when the run ends");
        assertEquals("60s", arg(args, "--duration"));

        o.serverMode = Manifests.ServerMode.DEPLOYMENT;
        o.receivers = 2;
        o.rtt = true;
        Deployment d = typed(yaml(render(o).get("receivers.yaml")).get(0), Deployment.class);
        assertEquals(2, d.getSpec().getReplicas());
        assertEquals("Recreate", d.getSpec().getStrategy().getType());
        PodSpec dpod = d.getSpec().getTemplate().getSpec();
        checkPod(dpod, o);
        assertEquals("kubernetes.io/hostname",
                dpod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().get(0).getTopologyKey());
        assertEquals("reflect", arg(only(dpod).getArgs(), "--verdict"), "--rtt: the sinks send the frames back");
        assertTrue(yamlAgentArgs(o).contains("--rtt"));
    }

    @SuppressWarnings("unchecked")
    static List<String> yamlAgentArgs(Manifests.Options o) {
        Map<String, Object> job = yaml(render(o).get("agents.yaml")).get(0);
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) job.get("spec")).get("template")).get("spec");
        return (List<String>) ((List<Map<String, Object>>) pod.get("containers")).get(0).get("args");
    }

    @Test
    void prometheusFindsEveryPodOfTheRun() {
        Manifests.Options o = options();
        Map<String, String> files = render(o);
        Service svc = typed(yaml(files.get("metrics.yaml")).get(0), Service.class);
        assertEquals("None", svc.getSpec().getClusterIP(), "headless: one endpoint per pod");
        Map<String, String> selector = svc.getSpec().getSelector();
        Job job = typed(yaml(files.get("agents.yaml")).get(0), Job.class);
        DaemonSet ds = typed(yaml(files.get("receivers.yaml")).get(0), DaemonSet.class);
        assertTrue(job.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()));
        assertTrue(ds.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()));
        assertEquals("metrics", svc.getSpec().getPorts().get(0).getTargetPort().getStrVal());

        ServiceMonitor sm = typed(yaml(files.get("servicemonitor.yaml")).get(0), ServiceMonitor.class);
        assertEquals("monitoring.coreos.com/v1", sm.getApiVersion());
        assertTrue(svc.getMetadata().getLabels().entrySet().containsAll(sm.getSpec().getSelector().getMatchLabels().entrySet()));
        assertEquals("metrics", sm.getSpec().getEndpoints().get(0).getPort());
        assertEquals(List.of("xdperf-load"), sm.getSpec().getNamespaceSelector().getMatchNames());

        Map<String, Object> scrape = yaml(files.get("prometheus/scrape-config.yaml")).get(0);
        String text = files.get("prometheus/scrape-config.yaml");
        assertTrue(scrape.containsKey("scrape_configs"));
        assertTrue(text.contains("__meta_kubernetes_pod_label_xdperf_dev_run"), text);
        assertTrue(text.contains("regex: demo"), text);

        o.serviceMonitor = false;
        assertFalse(render(o).containsKey("servicemonitor.yaml"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSchemaCheckCatchesMisspelledFieldsAndWrongTypes() {
        Map<String, Object> typo = yaml(render(options()).get("agents.yaml")).get(0);
        ((Map<String, Object>) typo.get("spec")).put("completion", 3);
        AssertionError e = assertThrows(AssertionError.class, () -> typed(typo, Job.class));
        assertTrue(e.getMessage().contains("Job.Spec: [completion]"), e.getMessage());
        Map<String, Object> deep = yaml(render(options()).get("agents.yaml")).get(0);
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deep.get("spec")).get("template")).get("spec");
        pod.put("hostNetworking", true);
        assertThrows(AssertionError.class, () -> typed(deep, Job.class));
        Map<String, Object> type = yaml(render(options()).get("agents.yaml")).get(0);
        ((Map<String, Object>) type.get("spec")).put("completions", "3");
        assertThrows(AssertionError.class, () -> typed(type, Job.class));
    }

    @Test
    void independentShardsUseTheBackoffLimitPerIndex() {
        Manifests.Options o = options();
        o.independentShards = true;
        Job job = typed(yaml(render(o).get("agents.yaml")).get(0), Job.class);
        assertEquals(0, job.getSpec().getBackoffLimitPerIndex());
        assertEquals(3, job.getSpec().getMaxFailedIndexes());
        assertNull(job.getSpec().getBackoffLimit());
    }

    @Test
    void oldKernelsAlsoGetSysResource() {
        Manifests.Options o = options();
        o.oldKernel = true;
        Job job = typed(yaml(render(o).get("agents.yaml")).get(0), Job.class);
        assertEquals(List.of("BPF", "NET_ADMIN", "PERFMON", "SYS_RESOURCE"),
                only(job.getSpec().getTemplate().getSpec()).getSecurityContext().getCapabilities().getAdd());
    }

    @Test
    void badOptionsAreRefusedInOneSentence() {
        Manifests.Options o = options();
        o.runId = "Demo_1";
        assertEquals("--run-id 'Demo_1' must be 1..40 lowercase letters, digits and '-', starting and ending with a letter or digit"
                + " (it becomes part of Kubernetes names)", assertThrows(IllegalArgumentException.class, () -> render(o)).getMessage());
        Manifests.Options late = options();
        late.startAt = NOW.minusSeconds(1);
        assertEquals("--start-at 2025-01-31T11:59:59Z is not in the future: the agents would refuse to start",
                assertThrows(IllegalArgumentException.class, () -> render(late)).getMessage());
        Manifests.Options noCpu = options();
        noCpu.cpus = 0;
        assertThrows(IllegalArgumentException.class, () -> render(noCpu));
        Manifests.Options memory = options();
        memory.memory = "lots";
        assertEquals("--memory 'lots' is not a Kubernetes quantity (examples: 1Gi, 512Mi)",
                assertThrows(IllegalArgumentException.class, () -> render(memory)).getMessage());
    }

    /** Golden files: any change to the manifests shows up in review. Regenerate with -Dxdperf.updateGolden=true. */
    @Test
    void theManifestsMatchTheGoldenFiles() throws Exception {
        Manifests.Options daemon = options();
        Manifests.Options deploy = options();
        deploy.serverMode = Manifests.ServerMode.DEPLOYMENT;
        deploy.receivers = 2;
        deploy.rtt = true;
        deploy.agentArgs = List.of("--plugin", "tcp", "--plugin-opt", "flows=1000");
        Map<String, String> all = new LinkedHashMap<>();
        render(daemon).forEach((name, text) -> all.put("daemonset/" + name, text));
        render(deploy).forEach((name, text) -> all.put("deployment/" + name, text));
        boolean update = Boolean.getBoolean("xdperf.updateGolden");
        for (var e : all.entrySet()) {
            Path golden = GOLDEN.resolve(e.getKey());
            if (update) {
                Files.createDirectories(golden.getParent());
                Files.writeString(golden, e.getValue());
            }
            assertTrue(Files.exists(golden), golden + " is missing (run with -Dxdperf.updateGolden=true)");
            assertEquals(Files.readString(golden), e.getValue(), e.getKey() + " differs from its golden file");
        }
    }

    /** What `xdperf k8s render --out DIR` writes: every rendered file under DIR (folders made), and the start time they fix. */
    @Test
    void writeWritesEveryRenderedFileAndTellsTheStart(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Manifests.Options o = options();
        Path out = dir.resolve("run-demo");
        Manifests.Written w = Manifests.write(o, out, NOW);
        Map<String, String> rendered = render(o);
        assertEquals(rendered.keySet().stream().map(out::resolve).toList(), w.files());
        for (var e : rendered.entrySet()) {
            assertEquals(e.getValue(), Files.readString(out.resolve(e.getKey())), e.getKey());
        }
        assertEquals(Manifests.startAt(o, NOW), w.startAt());
    }
}
