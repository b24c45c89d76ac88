package dev.xdperf.cli;

import dev.xdperf.web.Metrics;
import dev.xdperf.web.Dashboard;

import dev.xdperf.spec.Profile;
import dev.xdperf.run.Run;
import dev.xdperf.run.RunResult;
import dev.xdperf.spec.RunSpec;
import dev.xdperf.control.ControlServer;
import dev.xdperf.packet.FieldRanges;
import dev.xdperf.packet.SizeMix;
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
    @Option(names = "--dev", paramLabel = "IF", description = "Interface to send on (required unless the profile names it or --pcap is given).")
    String dev;

    @Option(names = "--profile", paramLabel = "FILE",
            description = {"Run the RunSpec in FILE (.yaml/.yml or .json; docs/profiles.md).",
                    "Options given on the command line override the file's values."})
    java.nio.file.Path profile;

    @Option(names = "--print-profile", paramLabel = "FORMAT", arity = "0..1", fallbackValue = "yaml",
            description = "Print the profile this command line means (yaml, the default, or json) and exit without sending.")
    String printProfile;

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

    @Option(names = "--size", paramLabel = "BYTES|MIX",
            description = "Frame size without FCS, 64..1514 (default ${DEFAULT-VALUE}); or a mix of sizes with FCS, 64..1518,"
                    + " interleaved packet by packet: imix (64:7,594:4,1518:1) or SIZE:WEIGHT,... (docs/imix.md).")
    String size = "64";

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

    @Mixin
    TrafficOptions traffic = new TrafficOptions();

    @Option(names = "--templates", paramLabel = "FILE", description = "Send an encoded template set (docs/abi.md) from a file.")
    java.nio.file.Path templateFile;

    @Option(names = "--replay", paramLabel = "FILE",
            description = "Send the frames of a pcap or pcapng capture in their order (one CPU unless --cpus names more; docs/replay.md).")
    java.nio.file.Path replayFile;

    @Option(names = "--loop", paramLabel = "N", description = "Replay the capture N times (instead of --duration or --count).")
    Long loop;

    @Option(names = "--rewrite-ip", paramLabel = "A=B", description = "Replace IP address A by B in replayed frames, checksums updated (repeatable).")
    List<String> rewriteIps = new ArrayList<>();

    @Option(names = "--measure", description = "Put the measurement header into replayed UDP frames that have room for it (off by default).")
    boolean measure;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = {"Write the packets the run would send (--count of them, default 1000) to a pcap file; send nothing.",
                    "Needs no --dev: addresses not given come from the device, else from the documentation ranges"
                            + " (192.0.2.1 -> 198.51.100.1, 2001:db8::1 -> ::2, MACs 02:00:00:00:00:01 -> :02)."})
    java.nio.file.Path pcap;

    @Mixin
    LiveViewOptions live = new LiveViewOptions();

    @Option(names = "--run-id", paramLabel = "ID", description = "Label of this run in metrics (default: random).")
    String runId;

    @Option(names = "--max-loss", paramLabel = "PCT", converter = Converters.Percent.class,
            description = "Frames that may vanish on the way out of --dev, in percent, before the run fails with exit 4 (default 0).")
    double maxLoss;

    @Option(names = "--max-burst", paramLabel = "N",
            description = "Paced: the most frames a CPU sends back to back to catch up after a gap (default 32); a token"
                    + " bucket this deep at the rate passes the stream, later departures are reported as the deficit.")
    Integer maxBurst;

    @Option(names = "--seed", paramLabel = "N", converter = Converters.Seed.class,
            description = "Key of the random field rules: the same seed sends the same frames, and --pcap writes them"
                    + " (default: a fresh one, printed in the report).")
    Long seed;

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
        RunSpec spec = spec();
        if (printProfile != null) {
            System.out.print(Profile.write(spec, profileFormat(printProfile)));
            return 0;
        }
        if (pcap == null) {
            Privileges.requireXdp("client");
        }
        if (pcap != null) {
            spec = spec.withSeedSettled();
            List<String> notes = new ArrayList<>();
            long n = Run.writePcap(spec, PluginCommand.resolver(), pcap, count == null ? 1000 : count, notes::add);
            String seedText = Long.toUnsignedString(spec.seed());
            notes.add("seed " + seedText + " (a run with --seed " + seedText + " sends these frames)");
            System.err.println("wrote " + n + " packets to " + pcap + "; " + String.join("; ", notes));
            return 0;
        }
        PrintStream out = System.out;
        String id = runId != null ? runId : java.util.UUID.randomUUID().toString().substring(0, 8);
        Run.Starter starter = Run.with(spec).plugins(PluginCommand.resolver()).subscribe(liveLines(out));
        Metrics metrics = live.metricsPort == null ? null
                : Metrics.start(live.metricsPort, null, java.util.Map.of("run", id, "role", "client"));
        Dashboard web = live.webPort == null ? null : Dashboard.start(live.webPort, id, describeRun(spec));
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
                web.closeAfter(java.time.Duration.ofSeconds(live.webLinger));
            }
        }
        Reports.print(result, out, json, jsonStream);
        if (result.sentNothing()) {
            return 3;
        }
        String vanished = result.vanishedBeyond(spec.maxLossPercent());
        if (vanished != null) {
            System.err.println("xdperf: " + vanished + (spec.maxLossPercent() > 0 ? " (more than --max-loss " + maxLoss + "%)" : ""));
            return 4;
        }
        return 0;
    }

    /**
     * The command line as a run spec; every default and check is the builder's. With a profile,
     * the file is the base and only the options given on the command line change it.
     */
    RunSpec spec() {
        if (traffic.plugin != null && templateFile != null) {
            throw new IllegalArgumentException("give --plugin or --templates, not both");
        }
        if (reverse && bidir) {
            throw new IllegalArgumentException("give --reverse or --bidir, not both");
        }
        RunSpec.Builder b;
        if (profile != null) {
            b = Profile.read(profile, given("--dev") ? dev : null).toBuilder();
        } else if (dev == null && pcap != null) {
            b = RunSpec.builder(Run.NO_DEVICE);   // a pcap needs no device
        } else if (dev == null) {
            String msg = "Missing required option: '--dev=IF' (or a --profile that names the interface, or --pcap FILE)";
            throw spec != null ? new picocli.CommandLine.ParameterException(spec.commandLine(), msg) : new IllegalArgumentException(msg);
        } else {
            b = RunSpec.builder(dev);
        }
        RunSpec base = b.build();
        if (given("--server")) {
            b.server(server);
        }
        if (given("--port")) {
            b.serverPort(port);
        }
        if (given("--cpus")) {
            b.cpus(cpus);
        }
        if (given("--pps")) {
            b.pps(pps == null ? 0 : pps);
        }
        // the command line's end condition replaces the file's: --count alone means exactly that many
        if (given("--duration")) {
            b.duration(duration);
            if (profile != null && !given("--count")) {
                b.count(0);
            }
        }
        if (given("--count")) {
            b.count(count == null ? 0 : count);
            if (profile != null && !given("--duration")) {
                b.duration(null);
            }
        }
        if (sizeGiven()) {
            if (SizeMix.isMix(size)) {
                b.sizeMix(sizeMix("--size", size)).size(null);
            } else {
                b.size(frameBytes("--size", size)).sizeMix(null);
            }
        }
        if (given("--src-port")) {
            b.srcPort(srcPort);
        }
        if (given("--flows")) {
            b.flows(flows);
        }
        FieldRanges r = base.ranges();
        b.ranges(new FieldRanges(
                given("--src-ip-range") ? range(srcIpRange, FieldRanges.AddressRange::parse) : r.srcIp(),
                given("--dst-ip-range") ? range(dstIpRange, FieldRanges.AddressRange::parse) : r.dstIp(),
                given("--src-port-range") ? range(srcPortRange, FieldRanges.PortRange::parse) : r.srcPort(),
                given("--dst-port-range") ? range(dstPortRange, FieldRanges.PortRange::parse) : r.dstPort()));
        if (given("--stream-id")) {
            b.streamId(stream);
        }
        if (given("--no-measure")) {
            b.measurement(!noMeasure);
        }
        if (given("--callers")) {
            b.callersPerCpu(callers);
        }
        if (given("--test-hook")) {
            b.testHooks(testHooks);
        }
        if (given("--rtt")) {
            b.rtt(rtt);
        }
        if (given("--reverse") || given("--bidir")) {
            b.direction(bidir ? RunSpec.Direction.BIDIR : reverse ? RunSpec.Direction.REVERSE : RunSpec.Direction.FORWARD);
        }
        if (given("--reverse-pps")) {
            b.reversePps(reversePps);
        }
        if (given("--test-latency-offset")) {
            b.testLatencyOffset(testLatencyOffset);
        }
        b.plugin(traffic.plugin).templates(templateFile);
        if (profile == null) {
            b.pluginOptions(PluginResolver.parseOptions(traffic.pluginOpts));
        } else {
            PluginResolver.parseOptions(traffic.pluginOpts).forEach(b::pluginOption);
        }
        if (given("--stream")) {
            b.streams(parseStreams(traffic.streamSpecs));
        }
        RunSpec.Replay replay = base.replay();
        if (replayFile != null) {
            // absolute: a printed profile names the same file wherever it is kept
            java.nio.file.Path file = replayFile.toAbsolutePath().normalize();
            replay = replay == null ? RunSpec.Replay.of(file) : new RunSpec.Replay(file, replay.loop(), replay.rewriteIp(), replay.measure());
        }
        if (replay == null && (loop != null || !rewriteIps.isEmpty() || measure)) {
            throw new IllegalArgumentException("--loop, --rewrite-ip and --measure go with --replay FILE");
        }
        if (replay != null) {
            if (loop != null) {
                replay = replay.withLoop(loop);
            }
            if (!rewriteIps.isEmpty()) {
                java.util.Map<String, String> ips = new java.util.LinkedHashMap<>();
                for (String rw : rewriteIps) {
                    String[] ab = rw.split("=", 2);
                    if (ab.length != 2) {
                        throw new IllegalArgumentException("--rewrite-ip '" + rw + "' is not A=B (e.g. 10.0.0.1=192.0.2.1)");
                    }
                    ips.put(ab[0].trim(), ab[1].trim());
                }
                replay = replay.withRewriteIp(ips);
            }
            if (measure) {
                replay = replay.withMeasure(true);
            }
            b.replay(replay);
        }
        if (given("--max-loss")) {
            b.maxLossPercent(maxLoss);
        }
        if (given("--seed")) {
            b.seed(seed);
        }
        if (given("--max-burst") && maxBurst != null) {
            if (maxBurst < 1) {
                throw new IllegalArgumentException("--max-burst " + maxBurst + " is below 1 frame");
            }
            b.maxBurst(maxBurst);
        }
        frame.applyTo(b, this::given);
        return b.build();
    }

    /** Without a profile every option counts (its default too); with one, only those on the command line. */
    private boolean given(String option) {
        return profile == null || matched(option);
    }

    private boolean matched(String option) {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private static <T> T range(String text, java.util.function.Function<String, T> parse) {
        return text == null ? null : parse.apply(text);
    }

    static SizeMix sizeMix(String where, String text) {
        try {
            return SizeMix.parse(text);
        } catch (dev.xdperf.XdperfException.ConfigException e) {
            throw new IllegalArgumentException(where + " " + text + ": " + e.getMessage());
        }
    }

    static int frameBytes(String where, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " '" + text + "' is not a frame size (BYTES, imix, or SIZE:WEIGHT,...)");
        }
    }

    static Profile.Format profileFormat(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "yaml", "yml" -> Profile.Format.YAML;
            case "json" -> Profile.Format.JSON;
            default -> throw new IllegalArgumentException("--print-profile " + name + ": give yaml or json");
        };
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

    /** "udp|PLUGIN[,share=N|,pps=RATE][,size=BYTES|imix|SIZE:WEIGHT,...][,KEY=VALUE...]" of one --stream. */
    static RunSpec.Stream parseStream(String spec) {
        String[] parts = spec.split(",");
        String what = parts[0].trim();
        if (what.isEmpty()) {
            throw new IllegalArgumentException("--stream '" + spec + "' names no stream (udp or a plugin)");
        }
        double share = 1;
        Long rate = null;
        int size = 0;
        String mix = null;
        java.util.Map<String, String> opts = new java.util.LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            if (mix != null && parts[i].trim().matches("\\d+:\\d+")) {
                mix += "," + parts[i].trim();   // size=64:7,594:4,1518:1: the commas belong to the mix
                continue;
            }
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
                    case "size" -> {
                        if (SizeMix.isMix(v)) {
                            mix = v;
                        } else {
                            size = Integer.parseInt(v);
                        }
                    }
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
        if (mix != null) {
            s = s.withSizeMix(sizeMix("--stream '" + spec + "': size", mix));
        }
        return rate == null ? s : s.withPps(rate);
    }


    private java.util.Map<String, String> describeRun(RunSpec run) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("dev", run.dev());
        m.put("server", server == null ? "-" : server + ":" + port);
        m.put("cpus", cpus == null ? "all" : cpus.toString());
        m.put("pps", pps == null ? "flat out" : Long.toString(pps));
        m.put("duration", duration == null ? (count == null ? "10 s" : "-") : duration.toMillis() / 1000.0 + " s");
        m.put("count", count == null ? "-" : Long.toString(count));
        m.put("size", sizeGiven() ? size + (SizeMix.isMix(size) ? "" : " B") : "each stream's own (frame sizes below)");
        m.put("plugin", traffic.plugin == null ? (traffic.streamSpecs.isEmpty() ? "built-in udp" : String.join(" + ", traffic.streamSpecs)) : traffic.plugin);
        return m;
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private boolean sizeGiven() {
        return matched("--size");
    }

    static {
        Json.MAPPER.getClass();  // load Jackson early: the first report should not wait for it
    }
}
