package dev.xdperf.bench;

import dev.xdperf.analyze.maps.MapContents;
import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.abi.AbiCodec;
import dev.xdperf.net.DemoTopology;
import dev.xdperf.net.Interfaces;
import dev.xdperf.stats.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live mode. On an interface ({@link #onDevice}): attach, measure, report. In fresh namespaces
 * ({@link #inNamespaces}): a veth pair from {@link DemoTopology}; this same xdperf attaches the
 * program under test from inside the server namespace ({@code bench --dev}, measuring until its
 * standard input closes), and a real {@code xdperf client} in the client namespace sends the
 * traffic at the program's interface. Everything is removed afterwards, also on failure and Ctrl-C.
 */
public final class LiveBench {
    static final String READY = "bench: attached ";
    private static final Pattern READY_MAC = Pattern.compile("\\(mac ([0-9a-f:]{17})\\)");
    static final Duration DEFAULT_DURATION = Duration.ofSeconds(5);

    private final BenchOptions o;
    private final PrintStream status;
    private final List<Process> children = new ArrayList<>();
    private DemoTopology topology;
    private Path captureFile;
    private String captureText;

    private LiveBench(BenchOptions o, PrintStream status) {
        this.o = o;
        this.status = status;
    }

    /**
     * Attaches the program to {@code o.dev} in this namespace and measures whatever arrives for
     * the run's duration, or, with {@code untilEof}, until standard input closes.
     */
    public static BenchReport onDevice(BenchOptions o, boolean untilEof, PrintStream status) throws InterruptedException {
        Interfaces.requireExists(o.dev);
        try (ProgramUnderTest p = ProgramUnderTest.load(o.program, o.section, o.mapContents());
             LiveSession s = LiveSession.start(p, o.dev, o.xdpMode, o.verdicts)) {
            status.printf("%s%s (id %d) to %s (mac %s), measuring%s%n", READY, p.name(), p.id(), o.dev, Interfaces.mac(o.dev),
                    untilEof ? " until standard input closes" : " for " + seconds(duration(o)) + " s");
            status.flush();
            if (untilEof) {
                AtomicBoolean eof = new AtomicBoolean();
                Thread reader = new Thread(() -> {
                    try {
                        InputStream in = System.in;
                        while (in.read() >= 0) {
                            // wait for the end
                        }
                    } catch (IOException ignored) {
                        // closed
                    }
                    eof.set(true);
                }, "xdperf-bench-stdin");
                reader.setDaemon(true);
                reader.start();
                s.measure(eof::get);
            } else {
                long end = System.nanoTime() + duration(o).toNanos();
                s.measure(() -> System.nanoTime() >= end);
            }
            return new BenchReport(o.name != null ? o.name : p.name(), o.program.toString(), p.name(), p.section(), s.finish(),
                    null, null, List.of());
        }
    }

    /** Fresh namespaces, the program on the receiving end, our client sending at it. */
    public static BenchReport inNamespaces(BenchOptions o, PrintStream status) throws IOException, InterruptedException {
        return new LiveBench(o, status).run();
    }

    static Duration duration(BenchOptions o) {
        return o.duration != null ? o.duration : DEFAULT_DURATION;
    }

    private static String seconds(Duration d) {
        return String.format("%.1f", d.toMillis() / 1000.0);
    }

    private BenchReport run() throws IOException, InterruptedException {
        String function;
        List<BenchReport.KernelVerdict> expected;
        VerdictProbe.Choice.parse(o.verdicts);
        CaptureTraffic capture = o.traffic == null ? null : CaptureTraffic.read(o.traffic);
        try (ProgramUnderTest p = ProgramUnderTest.load(o.program, o.section, o.mapContents())) {
            function = p.name();   // fail here, before any namespace exists, on a bad file or a verifier rejection
            expected = MicroBench.kernelVerdicts(p, capture != null ? capture.templates() : MicroBench.templates(o));
        }
        if (capture != null) {
            // The sender takes the capture's frames as a template-set file.
            captureFile = Files.createTempFile("xdperf-bench-capture-", ".tset");
            Files.write(captureFile, AbiCodec.encode(capture.templates()));
            captureText = capture.describe();
        }
        Thread cleanup = new Thread(this::cleanUp, "xdperf-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            topology = DemoTopology.create("b" + ProcessHandle.current().pid());
            status.printf("bench: namespaces %s (sender %s) and %s (program under test on %s)%n", topology.clientNs(),
                    DemoTopology.CLIENT_IF, topology.serverNs(), DemoTopology.SERVER_IF);

            Attacher attacher = startAttacher(function);
            List<String> client = clientCommand(attacher.mac);
            status.printf("bench: sending %s%n", describeTraffic());
            Process c = start(client, java.util.Map.of(dev.xdperf.template.TemplateCompiler.COPY_ALWAYS_ENV, "1"));
            CompletableFuture<String> cOut = drain(c.getInputStream());
            CompletableFuture<String> cErr = drain(c.getErrorStream());
            long limit = (o.duration != null ? o.duration.toSeconds() : (o.count > 0 ? 600 : DEFAULT_DURATION.toSeconds())) + 120;
            if (!c.waitFor(limit, TimeUnit.SECONDS)) {
                throw new IllegalStateException("send traffic: the client did not finish within " + limit + " s");
            }
            int code = c.exitValue();
            String clientOut = cOut.join();
            if (code != 0 && code != 3) {
                throw new IllegalStateException("send traffic: " + lastLine(cErr.join()));
            }
            Thread.sleep(300);   // frames still in flight on the veth
            attacher.process.getOutputStream().close();
            if (!attacher.process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("measure " + function + ": the measuring process did not finish");
            }
            String report = attacher.out.join();
            if (attacher.process.exitValue() != 0) {
                throw new IllegalStateException(lastLine(attacher.err()));
            }
            JsonNode sent = Json.MAPPER.readTree(clientOut);
            List<String> warnings = new ArrayList<>();
            sent.path("warnings").forEach(w -> warnings.add("sender: " + w.asText()));
            BenchReport.Traffic traffic = new BenchReport.Traffic(describeTraffic(), sent.path("sent_packets").asLong(),
                    sent.path("seconds").asDouble(), sent.path("tx_pps").asDouble(), sent.path("frame_size").asInt());
            return BenchReport.fromJson(Json.MAPPER.readTree(report)).withTraffic(o.program.toString(), traffic, warnings)
                    .withKernelVerdicts(expected);
        } finally {
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // shutting down: the hook cleans up
            }
        }
    }

    private record Attacher(Process process, String mac, CompletableFuture<String> out, StringBuffer errText) {
        String err() {
            return errText.toString();
        }
    }

    private Attacher startAttacher(String function) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", topology.serverNs()));
        cmd.addAll(dev.xdperf.SelfProcess.command());
        cmd.addAll(List.of("bench", "--dev", DemoTopology.SERVER_IF, "--prog", o.program.toAbsolutePath().toString(),
                "--section", function, "--xdp-mode", o.xdpMode.name().toLowerCase(java.util.Locale.ROOT),
                "--format", "json", "--until-eof", "--verdicts", o.verdicts));
        if (o.name != null) {
            cmd.addAll(List.of("--name", o.name));
        }
        for (MapContents m : o.mapContents()) {
            cmd.addAll(List.of("--map", m.map() + "=" + m.file().toAbsolutePath()));
        }
        Process p = start(cmd);
        CompletableFuture<String> out = drain(p.getInputStream());
        StringBuffer err = new StringBuffer();
        CountDownLatch ready = new CountDownLatch(1);
        String[] mac = new String[1];
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    err.append(line).append('\n');
                    if (line.startsWith(READY)) {
                        status.println(line);
                        Matcher m = READY_MAC.matcher(line);
                        if (m.find()) {
                            mac[0] = m.group(1);
                        }
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // gone
            } finally {
                ready.countDown();
            }
        }, "xdperf-bench-attacher-output");
        pump.setDaemon(true);
        pump.start();
        if (!ready.await(60, TimeUnit.SECONDS) || mac[0] == null) {
            p.waitFor(5, TimeUnit.SECONDS);
            pump.join(2000);
            String why = err.toString().isBlank() ? "it did not start within 60 s" : lastLine(err.toString());
            throw new IllegalStateException(why);
        }
        return new Attacher(p, mac[0], out, err);
    }

    private List<String> clientCommand(String mac) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", topology.clientNs()));
        cmd.addAll(dev.xdperf.SelfProcess.command());
        // the bench measures the program under test: frames the veth ring drops on the way are not its failure
        cmd.addAll(List.of("client", "--max-loss", "100", "--dev", DemoTopology.CLIENT_IF, "--dst-ip", DemoTopology.SERVER_IP, "--dst-mac", mac,
                "--json", "--quiet"));
        if (o.count > 0) {
            cmd.addAll(List.of("--count", Long.toString(o.count)));
        }
        if (o.duration != null || o.count == 0) {
            cmd.addAll(List.of("--duration", duration(o).toMillis() + "ms"));
        }
        if (o.pps > 0) {
            cmd.addAll(List.of("--pps", Long.toString(o.pps)));
        }
        if (o.cpus != null) {
            cmd.addAll(List.of("--cpus", o.cpus));
        }
        if (o.size != null) {
            cmd.addAll(List.of("--size", Integer.toString(o.size)));
        }
        cmd.addAll(List.of("--src-port", Integer.toString(o.srcPort), "--dst-port", Integer.toString(o.dstPort)));
        if (o.plugin != null) {
            String plugin = o.plugin.contains("/") || o.plugin.endsWith(".wasm")
                    ? java.nio.file.Path.of(o.plugin).toAbsolutePath().toString() : o.plugin;
            cmd.addAll(List.of("--plugin", plugin));
            for (String opt : o.pluginOptions) {
                cmd.addAll(List.of("--plugin-opt", opt));
            }
        }
        if (o.templates != null) {
            cmd.addAll(List.of("--templates", o.templates.toAbsolutePath().toString()));
        }
        if (captureFile != null) {
            cmd.addAll(List.of("--templates", captureFile.toAbsolutePath().toString()));
        }
        return cmd;
    }

    private String describeTraffic() {
        if (o.plugin != null) {
            return "plugin " + o.plugin;
        }
        if (o.templates != null) {
            return "templates from " + o.templates.getFileName();
        }
        if (captureText != null) {
            return captureText;
        }
        return "built-in UDP stream to port " + o.dstPort;
    }

    private Process start(List<String> cmd) throws IOException {
        return start(cmd, java.util.Map.of());
    }

    private synchronized Process start(List<String> cmd, java.util.Map<String, String> env) throws IOException {
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.environment().putAll(env);
        Process p = b.start();
        children.add(p);
        return p;
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("");
            }
        }, "xdperf-bench-drain");
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** A child's one-sentence failure, without its "xdperf: " prefix. */
    static String lastLine(String stderr) {
        String last = "";
        for (String l : stderr.strip().split("\n")) {
            if (l.startsWith("xdperf: ")) {
                return l.substring("xdperf: ".length());
            }
            if (!l.isBlank()) {
                last = l;
            }
        }
        return last.isEmpty() ? "failed without a message" : last;
    }

    private synchronized void cleanUp() {
        for (Process p : children) {
            if (p.isAlive()) {
                try {
                    OutputStream in = p.getOutputStream();
                    in.close();
                } catch (IOException ignored) {
                    // already closed
                }
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
        }
        children.clear();
        if (topology != null) {
            topology.close();
            topology = null;
        }
        if (captureFile != null) {
            try {
                Files.deleteIfExists(captureFile);
            } catch (IOException ignored) {
                // a temporary file; the system cleans it eventually
            }
            captureFile = null;
        }
    }
}
