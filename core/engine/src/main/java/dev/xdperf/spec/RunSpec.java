package dev.xdperf.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.xdperf.XdperfException.ConfigException;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.packet.FieldRanges;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.SizeMix;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.template.FieldEngine;
import dev.xdperf.template.Shard;
import dev.xdperf.tx.TestHook;
import dev.xdperf.tx.Transmitter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run, as a value: what to send, where, how fast and for how long, and how to measure it.
 * Built and checked in one place ({@link #builder(String)}), carried over the control channel as
 * it is ({@link SpecJson}), executed by {@code Run.start(spec)} (package run). An agent's shard is a
 * RunSpec with {@link #shard()} set. Null or zero means "work it out": addresses from the
 * interface, the server and the neighbour table; CPUs all online; rate flat out.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunSpec(
        String dev,
        String server,
        int serverPort,
        List<Integer> cpus,
        long pps,
        Duration duration,
        long count,
        Integer size,
        SizeMix sizeMix,
        MacAddress srcMac,
        MacAddress dstMac,
        InetAddress srcIp,
        InetAddress dstIp,
        boolean ipv6,
        int srcPort,
        int dstPort,
        long flows,
        FieldRanges ranges,
        int streamId,
        boolean measurement,
        Source source,
        Map<String, String> pluginOptions,
        List<Stream> streams,
        Replay replay,
        Direction direction,
        long reversePps,
        boolean rtt,
        XdpMode xdpMode,
        boolean attachPass,
        int callersPerCpu,
        Shard shard,
        Instant startAt,
        Duration connectTimeout,
        Duration testLatencyOffset,
        List<String> testHooks,
        double maxLossPercent,
        Long seed,
        int maxBurst) {

    /** The control port an xdperf server listens on unless told otherwise. */
    public static final int DEFAULT_SERVER_PORT = 5210;
    /** UDP ports of the built-in stream. */
    public static final int DEFAULT_UDP_PORT = 5201;
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    public static final int DEFAULT_CALLERS_PER_CPU = 2;
    public static final int MAX_CALLERS_PER_CPU = 4;

    /** Which way the traffic flows, as iperf3 calls it: forward (client sends), reverse (-R), both. */
    public enum Direction { FORWARD, REVERSE, BIDIR }

    /** Where the templates of a one-source run come from: a plugin (name or file) or an encoded template-set file. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(String plugin, Path templates) {
        public Source {
            if ((plugin == null) == (templates == null)) {
                throw new ConfigException("source: give a plugin or a template file, exactly one");
            }
        }

        public static Source plugin(String nameOrPath) {
            return new Source(nameOrPath, null);
        }

        public static Source templates(Path file) {
            return new Source(null, file);
        }

        public String name() {
            return plugin != null ? plugin.replaceFirst(".*/", "").replaceFirst("\\.(wasm|jar|zip)$", "") : templates.getFileName().toString();
        }
    }

    /**
     * One stream of a mixed run: the built-in UDP stream ({@code plugin} null) or a plugin with its
     * options, and its share of the total rate (or its own rate, {@code pps}); {@code size} 0 is
     * the run's (or the plugin's) size; {@code sizeMix} a mix of sizes instead (a plugin must pad).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Stream(String name, String plugin, Map<String, String> options, double share, Long pps, int size,
                         SizeMix sizeMix) {
        public Stream(String name, String plugin, Map<String, String> options, double share, Long pps, int size) {
            this(name, plugin, options, share, pps, size, null);
        }

        public Stream {
            options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
            if (plugin == null && !options.isEmpty()) {
                throw new ConfigException("stream udp takes share, pps and size, not " + String.join(", ", options.keySet()));
            }
            if (name == null) {
                name = plugin == null ? "udp" : Source.plugin(plugin).name();
            }
        }

        public static Stream udp(double share) {
            return new Stream("udp", null, Map.of(), share, null, 0);
        }

        public static Stream plugin(String plugin, Map<String, String> options, double share) {
            return new Stream(null, plugin, options, share, null, 0);
        }

        public Stream withPps(long rate) {
            return new Stream(name, plugin, options, share, rate, size, sizeMix);
        }

        public Stream withSize(int bytes) {
            return new Stream(name, plugin, options, share, pps, bytes, sizeMix);
        }

        public Stream withSizeMix(SizeMix mix) {
            return new Stream(name, plugin, options, share, pps, size, mix);
        }
    }

    /**
     * A capture to send instead of generated templates: its frames in file order, {@code loop}
     * times (0: until the duration ends); {@code rewriteIp} maps addresses to replace (checksums
     * updated); {@code measure} puts the measurement header into UDP frames with room for it.
     * The run's src_mac/dst_mac, when set, rewrite the Ethernet addresses.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Replay(Path file, long loop, Map<String, String> rewriteIp, boolean measure) {
        public Replay {
            rewriteIp = rewriteIp == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rewriteIp));
            if (file == null) {
                throw new ConfigException("replay.file is required: the capture to send");
            }
            if (loop < 0) {
                throw new ConfigException("replay.loop must be positive (0: until the duration ends)");
            }
            for (Map.Entry<String, String> e : rewriteIp.entrySet()) {
                InetAddress from = ip("replay.rewrite_ip", e.getKey());
                InetAddress to = ip("replay.rewrite_ip." + e.getKey(), e.getValue());
                if (from.getClass() != to.getClass()) {
                    throw new ConfigException("replay.rewrite_ip: " + e.getKey() + " and " + e.getValue() + " are not of the same family");
                }
            }
        }

        public static Replay of(Path file) {
            return new Replay(file, 0, Map.of(), false);
        }

        public Replay withLoop(long n) {
            return new Replay(file, n, rewriteIp, measure);
        }

        public Replay withRewriteIp(Map<String, String> ips) {
            return new Replay(file, loop, ips, measure);
        }

        public Replay withMeasure(boolean on) {
            return new Replay(file, loop, rewriteIp, on);
        }

        /** The rewrites as addresses. */
        public Map<InetAddress, InetAddress> rewriteAddresses() {
            Map<InetAddress, InetAddress> m = new LinkedHashMap<>();
            rewriteIp.forEach((a, b) -> m.put(UdpStream.parseIp(a), UdpStream.parseIp(b)));
            return m;
        }

        private static InetAddress ip(String field, String text) {
            try {
                return UdpStream.parseIp(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(field + ": " + e.getMessage());
            }
        }
    }

    public RunSpec {
        cpus = cpus == null ? List.of() : List.copyOf(cpus);
        pluginOptions = pluginOptions == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pluginOptions));
        streams = streams == null ? List.of() : List.copyOf(streams);
        testHooks = testHooks == null ? List.of() : List.copyOf(testHooks);
        ranges = ranges == null ? FieldRanges.NONE : ranges;
        direction = direction == null ? Direction.FORWARD : direction;
        xdpMode = xdpMode == null ? XdpMode.NATIVE : xdpMode;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        testLatencyOffset = testLatencyOffset == null ? Duration.ZERO : testLatencyOffset;
        Checks.all(dev, server, serverPort, cpus, pps, duration, count, size, sizeMix, srcMac, dstMac, srcIp, dstIp, ipv6, srcPort,
                dstPort, flows, ranges, streamId, measurement, source, pluginOptions, streams, replay, direction, reversePps, rtt,
                callersPerCpu);
        maxBurst = maxBurst == 0 ? Transmitter.DEFAULT_MAX_BURST : maxBurst;   // absent from a profile or a start message
        if (maxBurst < 1) {
            throw new ConfigException("max_burst must be at least 1 frame");
        }
        if (!(maxLossPercent >= 0 && maxLossPercent <= 100)) {
            throw new ConfigException("max_loss_percent " + maxLossPercent + " is outside 0..100");
        }
    }

    public static Builder builder(String dev) {
        return new Builder(dev);
    }

    /** A builder that starts from this spec: change a few things, build a new one (checked again). */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The frame length the built-in UDP stream uses: {@link #size()}, or the smallest frame. */
    public int frameSize() {
        return size == null ? UdpStream.MIN_FRAME : size;
    }

    /**
     * This spec with its seed settled: the given one, or for an agent's shard one derived from the
     * shared start time (every shard of a run then draws from the same key space, without being
     * told a seed), or a fresh random one.
     */
    public RunSpec withSeedSettled() {
        if (seed != null) {
            return this;
        }
        long s;
        if (shard != null && startAt != null) {
            s = FieldEngine.splitmix64(startAt.getEpochSecond() * 1_000_000_000L + startAt.getNano());
        } else {
            s = new java.security.SecureRandom().nextLong() >>> 11;   // below 2^53: exact in any JSON reader
        }
        return toBuilder().seed(s).build();
    }

    public boolean hasServer() {
        return server != null;
    }

    /** The run sends forward (this end to the server), backward (the server to this end), or both. */
    public boolean forward() {
        return direction != Direction.REVERSE;
    }

    public boolean backward() {
        return direction != Direction.FORWARD;
    }

    /** Every check in one place; messages name the field, not a command-line flag. */
    private static final class Checks {
        static void all(String dev, String server, int serverPort, List<Integer> cpus, long pps, Duration duration, long count,
                        Integer size, SizeMix sizeMix, MacAddress srcMac, MacAddress dstMac, InetAddress srcIp, InetAddress dstIp, boolean ipv6,
                        int srcPort, int dstPort, long flows, FieldRanges ranges, int streamId, boolean measurement,
                        Source source, Map<String, String> pluginOptions, List<Stream> streams, Replay replay, Direction direction,
                        long reversePps, boolean rtt, int callersPerCpu) {
            if (dev == null || dev.isBlank()) {
                throw new ConfigException("dev is required: the interface to send on");
            }
            if (serverPort < 0 || serverPort > 65535) {
                throw new ConfigException("server_port " + serverPort + " is outside 0..65535");
            }
            for (int c : cpus) {
                if (c < 0) {
                    throw new ConfigException("cpus: " + c + " is not a CPU number");
                }
            }
            if (cpus.stream().distinct().count() != cpus.size()) {
                throw new ConfigException("cpus " + cpus + " names a CPU twice");
            }
            if (pps < 0) {
                throw new ConfigException("pps must be positive (0 means flat out)");
            }
            if (reversePps < 0) {
                throw new ConfigException("reverse_pps must be positive (0 means flat out)");
            }
            if (duration != null && (duration.isZero() || duration.isNegative())) {
                throw new ConfigException("duration must be positive");
            }
            if (count < 0) {
                throw new ConfigException("count must be positive (0 means no limit)");
            }
            if (duration == null && count == 0 && (replay == null || replay.loop() == 0)) {
                throw new ConfigException("give a duration or a count: the run would never end");
            }
            if (replay != null) {
                if (source != null || !streams.isEmpty()) {
                    throw new ConfigException("replay is the run's source: give it without source or streams");
                }
                if (size != null || sizeMix != null) {
                    throw new ConfigException("size and size_mix do not resize a replayed capture's frames");
                }
                if (flows != 1 || !ranges.isEmpty()) {
                    throw new ConfigException("flows and ranges shape the built-in UDP stream, not a replayed capture");
                }
                if (rtt) {
                    throw new ConfigException("rtt is not available with replay");
                }
                if (replay.loop() > 0 && count > 0) {
                    throw new ConfigException("replay.loop and count both end the run: give one of them");
                }
            }
            if (size != null && (size < UdpStream.MIN_FRAME || size > UdpStream.MAX_FRAME)) {
                throw new ConfigException("size " + size + " is outside " + UdpStream.MIN_FRAME + ".." + UdpStream.MAX_FRAME
                        + " (frame bytes without the FCS)");
            }
            if (size != null && sizeMix != null) {
                throw new ConfigException("size and size_mix both set the frame size: give one of them");
            }
            if (sizeMix != null && source != null && source.templates() != null) {
                throw new ConfigException("size_mix cannot resize the frames of a template file");
            }
            checkPort("src_port", srcPort);
            checkPort("dst_port", dstPort);
            if (streamId < 0 || streamId > 0xffff) {
                throw new ConfigException("stream_id " + streamId + " is outside 0..65535");
            }
            if (callersPerCpu < 1 || callersPerCpu > MAX_CALLERS_PER_CPU) {
                throw new ConfigException("callers_per_cpu " + callersPerCpu + " is outside 1.." + MAX_CALLERS_PER_CPU);
            }
            boolean v6 = ipv6 || srcIp instanceof Inet6Address || dstIp instanceof Inet6Address;
            if (srcIp != null && dstIp != null && (srcIp instanceof Inet6Address) != (dstIp instanceof Inet6Address)) {
                throw new ConfigException("src_ip " + srcIp.getHostAddress() + " and dst_ip " + dstIp.getHostAddress()
                        + " are not of the same family");
            }
            if (flows < 1) {
                throw new ConfigException("flows must be at least 1");
            }
            boolean builtIn = source == null && streams.isEmpty();
            if (flows != 1 && !builtIn && streams.isEmpty()) {
                throw new ConfigException("flows shapes the built-in UDP stream; a plugin's flows are its own option (plugin_options)");
            }
            if (flows != 1 && ranges.srcPort() != null) {
                throw new ConfigException("flows and ranges.src_port both set the source port: give one of them");
            }
            if (!ranges.isEmpty() && source != null) {
                throw new ConfigException("ranges shape the built-in UDP stream, not a plugin's or a file's templates");
            }
            if (!pluginOptions.isEmpty() && (source == null || source.plugin() == null)) {
                throw new ConfigException("plugin_options need a plugin source");
            }
            if (!streams.isEmpty() && source != null) {
                throw new ConfigException("streams replace source: give the plugin in the stream");
            }
            for (int i = 0; i < streams.size(); i++) {
                Stream s = streams.get(i);
                if (!(s.share() > 0)) {
                    throw new ConfigException("streams[" + i + "].share must be positive");
                }
                if (s.pps() != null && s.pps() <= 0) {
                    throw new ConfigException("streams[" + i + "].pps must be positive");
                }
                if (s.size() != 0 && (s.size() < UdpStream.MIN_FRAME || s.size() > UdpStream.MAX_FRAME)) {
                    throw new ConfigException("streams[" + i + "].size " + s.size() + " is outside " + UdpStream.MIN_FRAME + ".."
                            + UdpStream.MAX_FRAME);
                }
                if (s.size() != 0 && s.sizeMix() != null) {
                    throw new ConfigException("streams[" + i + "].size and streams[" + i + "].size_mix both set the frame size: give one");
                }
            }
            if (direction != Direction.FORWARD && server == null) {
                throw new ConfigException("direction " + direction.name().toLowerCase(java.util.Locale.ROOT) + " needs a server");
            }
            if (direction != Direction.FORWARD && rtt) {
                throw new ConfigException("rtt measures round trips of the forward direction: use direction forward");
            }
            if (rtt && !measurement) {
                throw new ConfigException("rtt needs the measurement header (measurement true)");
            }
            if (v6 && (ranges.srcIp() != null && !(ranges.srcIp().first() instanceof Inet6Address)
                    || ranges.dstIp() != null && !(ranges.dstIp().first() instanceof Inet6Address))) {
                throw new ConfigException("ranges: IPv4 address ranges in an IPv6 run");
            }
        }

        private static void checkPort(String field, int port) {
            if (port < 0 || port > 65535) {
                throw new ConfigException(field + " " + port + " is outside 0..65535");
            }
        }
    }

    /** Holds every default; {@link #build()} checks. */
    public static final class Builder {
        private String dev;
        private String server;
        private int serverPort = DEFAULT_SERVER_PORT;
        private List<Integer> cpus = List.of();
        private long pps;
        private Duration duration;
        private long count;
        private Integer size;
        private SizeMix sizeMix;
        private MacAddress srcMac;
        private MacAddress dstMac;
        private InetAddress srcIp;
        private InetAddress dstIp;
        private boolean ipv6;
        private int srcPort = DEFAULT_UDP_PORT;
        private int dstPort = DEFAULT_UDP_PORT;
        private long flows = 1;
        private FieldRanges ranges = FieldRanges.NONE;
        private int streamId;
        private boolean measurement = true;
        private Source source;
        private Map<String, String> pluginOptions = new LinkedHashMap<>();
        private List<Stream> streams = new ArrayList<>();
        private Replay replay;
        private Direction direction = Direction.FORWARD;
        private Long reversePps;
        private boolean rtt;
        private XdpMode xdpMode = XdpMode.NATIVE;
        private boolean attachPass = true;
        private int callersPerCpu = DEFAULT_CALLERS_PER_CPU;
        private Shard shard;
        private Instant startAt;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration testLatencyOffset = Duration.ZERO;
        private List<String> testHooks = List.of();
        private double maxLossPercent;
        private Long seed;
        private int maxBurst = Transmitter.DEFAULT_MAX_BURST;

        private Builder(String dev) {
            this.dev = dev;
        }

        /** For {@link Profile}: a builder whose keys come from a file (the interface too). */
        private Builder() {
        }

        private Builder(RunSpec s) {
            dev = s.dev; server = s.server; serverPort = s.serverPort; cpus = s.cpus; pps = s.pps; duration = s.duration;
            count = s.count; size = s.size; sizeMix = s.sizeMix; srcMac = s.srcMac; dstMac = s.dstMac; srcIp = s.srcIp; dstIp = s.dstIp;
            ipv6 = s.ipv6; srcPort = s.srcPort; dstPort = s.dstPort; flows = s.flows; ranges = s.ranges; streamId = s.streamId;
            measurement = s.measurement; source = s.source; pluginOptions = new LinkedHashMap<>(s.pluginOptions);
            streams = new ArrayList<>(s.streams); replay = s.replay; direction = s.direction; reversePps = s.reversePps; rtt = s.rtt;
            xdpMode = s.xdpMode; attachPass = s.attachPass; callersPerCpu = s.callersPerCpu; shard = s.shard;
            startAt = s.startAt; connectTimeout = s.connectTimeout; testLatencyOffset = s.testLatencyOffset;
            testHooks = s.testHooks; maxLossPercent = s.maxLossPercent; seed = s.seed; maxBurst = s.maxBurst;
        }

        public Builder dev(String ifname) { this.dev = ifname; return this; }
        public Builder server(String host) { this.server = host; return this; }
        public Builder server(String host, int port) { this.server = host; this.serverPort = port; return this; }
        public Builder serverPort(int port) { this.serverPort = port; return this; }
        /** Sending CPUs; empty or null: all online. */
        public Builder cpus(List<Integer> list) { this.cpus = list == null ? List.of() : list; return this; }
        /** Target rate over all CPUs; 0: flat out. */
        public Builder pps(long rate) { this.pps = rate; return this; }
        public Builder duration(Duration d) { this.duration = d; return this; }
        public Builder count(long n) { this.count = n; return this; }
        /** Frame size without FCS; null: 64 for the built-in stream, the plugin's own choice for plugins. */
        public Builder size(Integer bytes) { this.size = bytes; return this; }
        /** Sizes with weights, interleaved packet by packet (e.g. {@link SizeMix#IMIX}); null: one size. */
        public Builder sizeMix(SizeMix mix) { this.sizeMix = mix; return this; }
        public Builder srcMac(MacAddress m) { this.srcMac = m; return this; }
        public Builder dstMac(MacAddress m) { this.dstMac = m; return this; }
        public Builder srcIp(InetAddress a) { this.srcIp = a; return this; }
        public Builder dstIp(InetAddress a) { this.dstIp = a; return this; }
        public Builder ipv6(boolean v6) { this.ipv6 = v6; return this; }
        public Builder srcPort(int port) { this.srcPort = port; return this; }
        public Builder dstPort(int port) { this.dstPort = port; return this; }
        public Builder flows(long n) { this.flows = n; return this; }
        public Builder ranges(FieldRanges r) { this.ranges = r == null ? FieldRanges.NONE : r; return this; }
        public Builder streamId(int id) { this.streamId = id; return this; }
        public Builder measurement(boolean on) { this.measurement = on; return this; }
        public Builder source(Source s) { this.source = s; return this; }
        /** A plugin by name, NS/NAME or file; null leaves the source as it is. */
        public Builder plugin(String nameOrPath) { if (nameOrPath != null) { this.source = Source.plugin(nameOrPath); } return this; }
        /** An encoded template-set file; null leaves the source as it is. */
        public Builder templates(Path file) { if (file != null) { this.source = Source.templates(file); } return this; }
        public Builder pluginOption(String key, String value) { this.pluginOptions.put(key, value); return this; }
        public Builder pluginOptions(Map<String, String> options) { this.pluginOptions = new LinkedHashMap<>(options); return this; }
        public Builder stream(Stream s) { this.streams.add(s); return this; }
        public Builder streams(List<Stream> list) { this.streams = new ArrayList<>(list); return this; }
        /** Send a capture's frames (null: generated templates). */
        public Builder replay(Replay r) { this.replay = r; return this; }
        public Builder direction(Direction d) { this.direction = d; return this; }
        /** Rate of the server's direction in reverse/bidir runs; default: the forward rate. */
        public Builder reversePps(Long rate) { this.reversePps = rate; return this; }
        public Builder rtt(boolean on) { this.rtt = on; return this; }
        public Builder xdpMode(XdpMode m) { this.xdpMode = m; return this; }
        public Builder attachPass(boolean on) { this.attachPass = on; return this; }
        public Builder callersPerCpu(int n) { this.callersPerCpu = n; return this; }
        public Builder shard(Shard s) { this.shard = s; return this; }
        public Builder startAt(Instant t) { this.startAt = t; return this; }
        public Builder connectTimeout(Duration t) { this.connectTimeout = t; return this; }
        public Builder testLatencyOffset(Duration d) { this.testLatencyOffset = d == null ? Duration.ZERO : d; return this; }
        public Builder testHooks(List<String> hooks) { this.testHooks = hooks == null ? List.of() : hooks; return this; }
        /** How many of the sent frames may vanish on the way out (percent) before the run counts as failed; default 0. */
        public Builder maxLossPercent(double percent) { this.maxLossPercent = percent; return this; }
        /**
         * The key of every random field rule: the same seed sends the same frames (docs/abi.md,
         * "Random values"); null: a fresh one, chosen when the run starts and given in its report.
         */
        public Builder seed(Long s) { this.seed = s; return this; }
        /**
         * Paced runs: the most frames a CPU sends back to back when it catches up after a gap in
         * sending (default 32); a token bucket this deep at the target rate passes the stream, and
         * departures beyond it are given up and reported as the deficit.
         */
        public Builder maxBurst(int frames) { this.maxBurst = frames; return this; }

        /**
         * The spec, with defaults filled in: 10 s when neither duration nor count is given; per-stream
         * rates become shares of their sum, which is the run's rate.
         */
        public RunSpec build() {
            boolean looped = replay != null && replay.loop() > 0;
            Duration d = duration == null && count == 0 && !looped ? DEFAULT_DURATION : duration;
            long rate = pps;
            List<Stream> mixed = streams;
            long withRate = streams.stream().filter(s -> s.pps() != null).count();
            if (withRate > 0) {
                for (int i = 0; i < streams.size(); i++) {
                    Long r = streams.get(i).pps();
                    if (r != null && r <= 0) {
                        throw new ConfigException("streams[" + i + "].pps must be positive");
                    }
                }
                if (withRate != streams.size()) {
                    throw new ConfigException("streams: give every stream a pps, or none (and shares instead)");
                }
                if (pps > 0) {
                    throw new ConfigException("pps and the streams' own pps contradict each other: the total is their sum");
                }
                rate = streams.stream().mapToLong(Stream::pps).sum();
                mixed = streams.stream().map(s -> new Stream(s.name(), s.plugin(), s.options(), s.pps(), null, s.size(), s.sizeMix()))
                        .toList();
            }
            long reverse = reversePps != null ? reversePps : rate;
            for (String h : testHooks) {
                TestHook.parse(h);
            }
            return new RunSpec(dev, server, serverPort, cpus, rate, d, count, size, sizeMix, srcMac, dstMac, srcIp, dstIp, ipv6, srcPort,
                    dstPort, flows, ranges, streamId, measurement, source, pluginOptions, mixed, replay, direction, reverse, rtt, xdpMode,
                    attachPass, callersPerCpu, shard, startAt, connectTimeout, testLatencyOffset, testHooks, maxLossPercent, seed, maxBurst);
        }
    }

}
