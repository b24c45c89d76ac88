package dev.xdperf.cli;

import dev.xdperf.web.Metrics;
import dev.xdperf.web.Dashboard;

import dev.xdperf.run.Run;
import dev.xdperf.run.RunResult;
import dev.xdperf.run.RunSpec;
import dev.xdperf.control.ControlServer;
import dev.xdperf.packet.FieldRanges;
import dev.xdperf.plugin.PluginLimits;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.plugin.LoadedPlugin;
import dev.xdperf.probe.Privileges;
import dev.xdperf.stats.Json;
import dev.xdperf.stats.LiveSample;
import dev.xdperf.tx.TestHook;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "client", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send packets out of an interface with XDP, one transmit loop per CPU.",
                "With --server, the server counts what arrives and both sides are reported."})
final class ClientCommand implements Callable<Integer> {
    @Option(names = "--dev", required = true, paramLabel = "IF", description = "Interface to send on.")
    String dev;

    @Mixin
    FrameOptions frame = new FrameOptions();

    @Option(names = {"-c", "--server"}, paramLabel = "HOST", description = "xdperf server to agree the run with (its control address).")
    String server;

    @Option(names = "--port", paramLabel = "P", description = "Server's control port (default ${DEFAULT-VALUE}).")
    int port = ControlServer.DEFAULT_PORT;

    @Option(names = "--cpus", paramLabel = "LIST", converter = Converters.CpuList.class,
            description = "Sending CPUs, e.g. 0, 0-3, 1,3 (default: all online).")
    List<Integer> cpus;

    @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Target rate over all CPUs, e.g. 100k, 2M (default: flat out).")
    Long pps;

    @Option(names = {"-t", "--duration"}, paramLabel = "TIME", converter = Converters.Time.class,
            description = "How long to send, e.g. 10, 500ms, 2m (default 10 s unless --count is given).")
    Duration duration;

    @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class,
            description = "Send exactly N packets.")
    Long count;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size without FCS, 64..1514 (default ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--src-port", description = "UDP source port (default ${DEFAULT-VALUE}).")
    int srcPort = RunSpec.DEFAULT_UDP_PORT;

    @Option(names = "--flows", paramLabel = "F",
            description = "Flows of the built-in UDP stream: source ports --src-port .. --src-port + F - 1 (default 1).")
    long flows = 1;

    @Option(names = "--src-ip-range", paramLabel = "A-B",
            description = "Source addresses of the built-in UDP stream, one more per packet: A, A+1, .. B, A, ...")
    String srcIpRange;

    @Option(names = "--dst-ip-range", paramLabel = "A-B", description = "Destination addresses, one more per packet, as --src-ip-range.")
    String dstIpRange;

    @Option(names = "--src-port-range", paramLabel = "A-B", description = "UDP source ports, one more per packet (not with --flows).")
    String srcPortRange;

    @Option(names = "--dst-port-range", paramLabel = "A-B", description = "UDP destination ports, one more per packet.")
    String dstPortRange;

    @Option(names = "--stream-id", paramLabel = "ID", description = "Stream id carried in the measurement header (default 0).")
    int stream;

    @Option(names = {"-R", "--reverse"}, description = "The server sends and this end receives (as iperf3 -R).")
    boolean reverse;

    @Option(names = "--bidir", description = "Both directions at once, each counted and reported on its own.")
    boolean bidir;

    @Option(names = "--reverse-pps", paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Rate of the server's direction (default: --pps, or flat out).")
    Long reversePps;

    @Option(names = "--rtt", description = "Round-trip latency: the server reflects the frames and this end measures them.")
    boolean rtt;

    @Option(names = "--no-measure", description = "Send frames without the xdperf measurement header.")
    boolean noMeasure;

    @Option(names = "--callers", paramLabel = "N", description = "Transmit callers per CPU, 1..4 (default ${DEFAULT-VALUE}).")
    int callers = RunSpec.DEFAULT_CALLERS_PER_CPU;

    @Option(names = {"-P", "--plugin"}, paramLabel = "NAME|PATH",
            description = "Protocol plugin that makes the templates (a bundled or installed name, or a .wasm, .jar or .zip file).")
    String plugin;

    @Option(names = {"-O", "--plugin-opt"}, paramLabel = "KEY=VALUE", description = "A plugin option (repeatable); see 'xdperf plugin describe'.")
    List<String> pluginOpts = new ArrayList<>();

    @Option(names = "--stream", paramLabel = "SPEC",
            description = {"A stream of a mixed run (repeatable): udp or a plugin, then ,share=N or ,pps=RATE,",
                    ",size=BYTES and the plugin's options; e.g. --stream udp,share=80 --stream icmp,share=20,flows=8"})
    List<String> streamSpecs = new ArrayList<>();

    @Option(names = "--templates", paramLabel = "FILE", description = "Send an encoded template set (docs/abi.md) from a file.")
    java.nio.file.Path templateFile;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Write the packets the run would send (--count of them, default 1000) to a pcap file; send nothing.")
    java.nio.file.Path pcap;

    @Option(names = "--metrics-port", paramLabel = "P", description = "Serve Prometheus metrics of the run on port P (/metrics).")
    Integer metricsPort;

    @Option(names = "--web", paramLabel = "P", description = "Serve a live dashboard of the run on port P.")
    Integer webPort;

    @Option(names = "--run-id", paramLabel = "ID", description = "Label of this run in metrics (default: random).")
    String runId;

    @Option(names = "--json", description = "Print the final report as JSON (live lines go to stderr).")
    boolean json;

    @Option(names = "--json-stream", description = "Print one JSON object per second, then the final report.")
    boolean jsonStream;

    @Option(names = {"-q", "--quiet"}, description = "No live lines.")
    boolean quiet;

    @Option(names = "--test-hook", hidden = true, description = "Sender faults for tests: drop:SEQ or stamp:SEQ=VALUE.")
    List<String> testHooks = new ArrayList<>();

    @Option(names = "--test-latency-offset", hidden = true, converter = Converters.Time.class,
            description = "Tests only: stamp send times this much earlier (a known delay to measure).")
    Duration testLatencyOffset;

    @Override
    public Integer call() throws java.io.IOException {
        if (pcap == null) {
            Privileges.requireXdp("client");
        }
        RunSpec spec = spec();
        if (pcap != null) {
            long n = Run.writePcap(spec, pcap, count == null ? 1000 : count);
            System.err.println("wrote " + n + " packets to " + pcap);
            return 0;
        }
        PrintStream out = System.out;
        String id = runId != null ? runId : java.util.UUID.randomUUID().toString().substring(0, 8);
        Run.Starter starter = Run.with(spec).plugins(PluginCommand.resolver()).subscribe(liveLines(out));
        Metrics metrics = metricsPort == null ? null
                : Metrics.start(metricsPort, null, java.util.Map.of("run", id, "role", "client"));
        Dashboard web = webPort == null ? null : Dashboard.start(webPort, id, describeRun());
        if (metrics != null) {
            starter.metrics(metrics);
            System.err.println("metrics: http://localhost:" + metrics.port() + "/metrics");
        }
        if (web != null) {
            starter.subscribe(web::publish);
            System.err.println("dashboard: http://localhost:" + web.port() + "/");
        }
        RunResult result;
        try {
            result = starter.run();
            if (web != null) {
                web.finish(result.primary().toJson());
            }
        } finally {
            if (metrics != null) {
                metrics.close();
            }
            if (web != null) {
                web.closeAfter(java.time.Duration.ofSeconds(webLinger));
            }
        }
        Reports.print(result, out, json, jsonStream);
        return result.sentNothing() ? 3 : 0;
    }

    /** The command line as a run spec; every default and check is the builder's. */
    RunSpec spec() {
        if (plugin != null && templateFile != null) {
            throw new IllegalArgumentException("give --plugin or --templates, not both");
        }
        if (reverse && bidir) {
            throw new IllegalArgumentException("give --reverse or --bidir, not both");
        }
        RunSpec.Builder b = RunSpec.builder(dev).server(server, port).cpus(cpus).pps(pps == null ? 0 : pps)
                .duration(duration).count(count == null ? 0 : count).size(sizeGiven() ? size : null).srcPort(srcPort)
                .flows(flows).ranges(new FieldRanges(
                        srcIpRange == null ? null : FieldRanges.AddressRange.parse(srcIpRange),
                        dstIpRange == null ? null : FieldRanges.AddressRange.parse(dstIpRange),
                        srcPortRange == null ? null : FieldRanges.PortRange.parse(srcPortRange),
                        dstPortRange == null ? null : FieldRanges.PortRange.parse(dstPortRange)))
                .streamId(stream).measurement(!noMeasure).callersPerCpu(callers).testHooks(testHooks).rtt(rtt)
                .direction(bidir ? RunSpec.Direction.BIDIR : reverse ? RunSpec.Direction.REVERSE : RunSpec.Direction.FORWARD)
                .reversePps(reversePps).testLatencyOffset(testLatencyOffset)
                .plugin(plugin).templates(templateFile).pluginOptions(PluginResolver.parseOptions(pluginOpts))
                .streams(parseStreams(streamSpecs));
        frame.applyTo(b);
        return b.build();
    }

    /** What the terminal shows every second: a line, a JSON object, or nothing. */
    private java.util.function.Consumer<dev.xdperf.stats.LiveSample> liveLines(PrintStream out) {
        if (jsonStream) {
            return s -> out.println(s.toJson());
        }
        if (quiet) {
            return s -> { };
        }
        PrintStream lines = json ? System.err : out;
        return s -> lines.println(s.toText());
    }

    /** Every --stream; rates on all of them or on none, as the spec wants it (said here in the flags' words). */
    static List<RunSpec.Stream> parseStreams(List<String> specs) {
        List<RunSpec.Stream> streams = specs.stream().map(ClientCommand::parseStream).toList();
        long withRate = streams.stream().filter(st -> st.pps() != null).count();
        if (withRate > 0 && withRate != streams.size()) {
            throw new IllegalArgumentException("give every --stream a pps=RATE, or none (and shares instead)");
        }
        return streams;
    }

    /** "udp|PLUGIN[,share=N|,pps=RATE][,size=BYTES][,KEY=VALUE...]" of one --stream. */
    static RunSpec.Stream parseStream(String spec) {
        String[] parts = spec.split(",");
        String what = parts[0].trim();
        if (what.isEmpty()) {
            throw new IllegalArgumentException("--stream '" + spec + "' names no stream (udp or a plugin)");
        }
        double share = 1;
        Long rate = null;
        int size = 0;
        java.util.Map<String, String> opts = new java.util.LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("--stream '" + spec + "': '" + parts[i] + "' is not key=value");
            }
            String k = kv[0].trim();
            String v = kv[1].trim();
            try {
                switch (k) {
                    case "share" -> share = Double.parseDouble(v.replace("%", ""));
                    case "pps" -> rate = new Converters.Rate().convert(v);
                    case "size" -> size = Integer.parseInt(v);
                    default -> opts.put(k, v);
                }
            } catch (NumberFormatException | picocli.CommandLine.TypeConversionException e) {
                throw new IllegalArgumentException("--stream '" + spec + "': bad value for " + k + " ('" + v + "')");
            }
        }
        if (!(share > 0)) {
            throw new IllegalArgumentException("--stream '" + spec + "': share must be positive");
        }
        if (what.equals("udp") && !opts.isEmpty()) {
            throw new IllegalArgumentException("--stream udp takes share, pps and size, not " + String.join(", ", opts.keySet()));
        }
        RunSpec.Stream s = what.equals("udp") ? RunSpec.Stream.udp(share) : RunSpec.Stream.plugin(what, opts, share);
        s = s.withSize(size);
        return rate == null ? s : s.withPps(rate);
    }

    @Option(names = "--web-linger", paramLabel = "S", description = "Keep the dashboard up this many seconds after the run (default ${DEFAULT-VALUE}).")
    int webLinger = 0;

    private java.util.Map<String, String> describeRun() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("dev", dev);
        m.put("server", server == null ? "-" : server + ":" + port);
        m.put("cpus", cpus == null ? "all" : cpus.toString());
        m.put("pps", pps == null ? "flat out" : Long.toString(pps));
        m.put("duration", duration == null ? (count == null ? "10 s" : "-") : duration.toMillis() / 1000.0 + " s");
        m.put("count", count == null ? "-" : Long.toString(count));
        m.put("size", Integer.toString(size));
        m.put("plugin", plugin == null ? (streamSpecs.isEmpty() ? "built-in udp" : String.join(" + ", streamSpecs)) : plugin);
        return m;
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private boolean sizeGiven() {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption("--size");
    }

    static {
        Json.MAPPER.getClass();  // load Jackson early: the first report should not wait for it
    }
}
