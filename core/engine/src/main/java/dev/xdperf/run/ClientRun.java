package dev.xdperf.run;

import dev.xdperf.spec.RunSpec;
import dev.xdperf.XdperfException.ControlException;
import dev.xdperf.control.ControlClient;
import dev.xdperf.control.ControlServer;
import dev.xdperf.control.Messages;
import dev.xdperf.control.Start;
import dev.xdperf.stats.MetricsSink;
import dev.xdperf.template.TemplateSource;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.net.Interfaces;
import dev.xdperf.packet.FieldRanges;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.SizeMix;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.rx.Receiver;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.rx.Verdict;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.packet.PcapWriter;
import dev.xdperf.template.FieldEngine;
import dev.xdperf.stats.LiveSample;
import dev.xdperf.stats.RunReport;
import dev.xdperf.template.CompiledSet;
import dev.xdperf.template.TemplateCompiler;
import dev.xdperf.tx.TestHook;
import dev.xdperf.tx.Transmitter;
import dev.xdperf.tx.TxCounters;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One client run: agree with the server (when there is one), build the stream, send, show a
 * sample every second, stop, collect both sides and verify delivery.
 */
public final class ClientRun {
    private final RunSpec o;
    private final Sources sources;
    private final Consumer<LiveSample> live;
    private final MetricsSink metrics;
    private final List<TestHook> testHooks;
    /** Stream id to the name of the stream it belongs to. */
    private final java.util.Map<Integer, String> streamNames = new java.util.TreeMap<>();
    private volatile boolean stopRequested;
    private volatile Transmitter running;

    /**
     * The templates' origins, resolved from the spec before the run: the one source (null: the
     * built-in UDP stream) with its checked options, or one per stream of a mixed run.
     */
    public record Sources(TemplateSource source, List<java.util.Map.Entry<String, String>> options, List<Resolved> streams) {
        public static final Sources BUILT_IN = new Sources(null, List.of(), List.of());
    }

    /** A stream of a mixed run with its plugin loaded (null: the built-in UDP stream) and its options checked. */
    public record Resolved(String name, TemplateSource source, List<java.util.Map.Entry<String, String>> options,
                           double share, int size, SizeMix sizeMix) {
        public Resolved(String name, TemplateSource source, List<java.util.Map.Entry<String, String>> options, double share, int size) {
            this(name, source, options, share, size, null);
        }
    }

    /** Stream id to the size (with FCS) its frames have, for runs with a size mix. */
    private final java.util.Map<Integer, Integer> streamSizes = new java.util.TreeMap<>();

    private ShardPlan shardPlan;
    private long scheduledStartNs;
    private long firstCallNs;

    /** The addresses of a run: resolved from options, the interface, the server and the neighbour table. */
    public record Endpoints(MacAddress srcMac, MacAddress dstMac, InetAddress srcIp, InetAddress dstIp,
                            List<InetAddress> srcAddrs, List<InetAddress> dstAddrs) {}

    public ClientRun(RunSpec spec, Sources sources, Consumer<LiveSample> live, MetricsSink metrics) {
        this.o = spec.withSeedSettled();
        this.sources = sources;
        this.live = live;
        this.metrics = metrics;
        this.testHooks = spec.testHooks().stream().map(TestHook::parse).toList();
    }

    /** Ends the run early; {@link #run()} still collects both sides and returns the reports. */
    public void stop() {
        stopRequested = true;
        Transmitter t = running;
        if (t != null) {
            t.stop();
        }
    }

    public RunResult run() {
        Interfaces.requireExists(o.dev());
        boolean forward = o.forward();
        boolean backward = o.backward();
        ControlClient control = null;
        Transmitter tx = null;
        Receiver back = null;
        Thread stopper = null;
        try {
            if (o.server() != null) {
                control = ControlClient.connect(o.server(), o.serverPort(), o.connectTimeout(), Messages.Host.of(o.dev()));
            }
            CompiledSet compiled = null;
            List<Integer> cpus = sendingCpus();
            if (forward) {
                Endpoints ends = resolveEndpoints(control == null ? null : control.host());
                compiled = TemplateCompiler.compile(templates(ends, cpus.size()), Interfaces.mtu(o.dev()), o.seed());
                long startAtNs = 0;
                if (o.startAt() != null) {
                    startAtNs = System.nanoTime() + Duration.between(java.time.Instant.now(), o.startAt()).toNanos();
                }
                tx = Transmitter.builder(o.dev(), compiled)
                        .cpus(cpus).startAt(startAtNs)
                        .pps(o.pps()).maxBurst(o.maxBurst()).duration(o.duration()).count(o.count()).xdpMode(o.xdpMode())
                        .attachPass(o.attachPass() && !o.rtt() && !backward).callersPerCpu(o.callersPerCpu())
                        .testHooks(testHooks).testLatencyOffset(o.testLatencyOffset()).build();
            }
            if (o.rtt() || backward) {
                // Counts what comes back (or what the server sends); also the native XDP program on this interface.
                back = Receiver.attach(o.dev(), Verdict.DROP, o.xdpMode());
            }
            if (control != null) {
                long interval = o.pps() == 0 ? 0 : Math.max(1, Math.round(1e9 * cpus.size() / o.pps()));
                control.start(new Start(o, compiled == null ? 0 : compiled.maxLength(), interval));
            }
            DeviceCounters devBefore = Interfaces.counters(o.dev());
            if (tx != null) {
                Transmitter sending = tx;
                stopper = new Thread(sending::stop, "xdperf-client-stop");
                Runtime.getRuntime().addShutdownHook(stopper);
                running = tx;
                tx.start();
                if (stopRequested) {
                    tx.stop();
                }
                scheduledStartNs = tx.startNs();
            }

            long started = tx != null ? tx.startNs() : System.nanoTime();
            long deadline = started + (o.duration() != null ? o.duration().toNanos() : Duration.ofHours(24).toNanos())
                    + Duration.ofSeconds(10).toNanos();
            TxCounters last = new TxCounters(0, 0, 0, 0, 0, started);
            DeviceCounters lastDev = devBefore;
            long lastRx = 0;
            long lastRxNanos = 0;
            Double lastRxPps = null;
            Long previousLost = null;
            long lostConfirmed = 0;
            java.util.Map<Integer, Long> lastSentPerStream = java.util.Map.of();
            java.util.Map<Integer, Long> lastRxPerStream = java.util.Map.of();
            java.util.Map<Integer, Double> lastRxPpsPerStream = new java.util.HashMap<>();
            java.util.Map<Integer, List<Integer>> sizes = compiled == null ? java.util.Map.of() : frameSizes(compiled.set());
            long lastBack = 0;
            long lastBackNanos = started;
            while (true) {
                boolean mineDone = tx == null ? true : tx.await(Duration.ofSeconds(1));
                if (tx == null) {
                    Thread.sleep(1000);
                }
                Messages.Interval iv = control == null ? null : control.lastInterval();
                // The server's direction ends by its own clock too: do not wait for a report of it past that.
                boolean theirsDone = !backward || (iv != null && iv.txDone())
                        || (o.duration() != null && System.nanoTime() > started + o.duration().toNanos() + 500_000_000L);
                if ((mineDone && theirsDone) || System.nanoTime() > deadline) {
                    break;
                }
                TxCounters now = tx == null ? new TxCounters(0, 0, 0, 0, 0, System.nanoTime()) : tx.counters();
                DeviceCounters dev = Interfaces.counters(o.dev());
                // the receiver's rate from the server's first count on (against its start), and the last rate
                // known when no new count arrived this second
                Double rxPps = lastRxPps;
                double rxSeconds = 0;
                boolean freshCount = false;
                if (iv != null && iv.rxPackets() != null) {
                    long rxPackets = iv.rxPackets();
                    long nanos = iv.nanos();
                    long since = lastRxNanos != 0 ? lastRxNanos : iv.rxStartNanos() != null ? iv.rxStartNanos() : 0;
                    if (since != 0 && nanos > since) {
                        rxPps = (rxPackets - lastRx) * 1e9 / (nanos - since);
                        rxSeconds = (nanos - since) / 1e9;
                        freshCount = true;
                    }
                    lastRx = rxPackets;
                    lastRxNanos = nanos;
                    lastRxPps = rxPps;
                }
                double seconds = Math.max(1e-9, (now.nanos() - last.nanos()) / 1e9);
                LiveSample sample = LiveSample.of(now.minus(last), dev.minus(lastDev), (now.nanos() - started) / 1e9, rxPps);
                if (iv != null && iv.lost() != null) {
                    sample = sample.withReceiver(iv.latP50Ns(), iv.latP99Ns(), iv.lost());
                    // a gap still open a count later is older than any reordering: confirmed, and it never goes down
                    if (previousLost != null && freshCount) {
                        lostConfirmed = Math.max(lostConfirmed, Math.min(previousLost, iv.lost()));
                    }
                    if (freshCount) {
                        previousLost = iv.lost();
                    }
                    sample = sample.withLostConfirmed(lostConfirmed);
                }
                if (tx != null) {
                    java.util.Map<Integer, Long> sentNow = tx.sentPerStream();
                    java.util.Map<Integer, Long> rxNow = new java.util.HashMap<>();
                    java.util.Map<Integer, Long> lostNow = new java.util.HashMap<>();
                    if (iv != null) {
                        iv.streams().forEach(c -> {
                            rxNow.put(c.stream(), c.packets());
                            lostNow.put(c.stream(), c.lost());
                        });
                    }
                    List<LiveSample.Stream> points = new ArrayList<>();
                    for (var e : new java.util.TreeMap<>(sentNow).entrySet()) {
                        int id = e.getKey();
                        Long rxCount = rxNow.get(id);
                        Long rxBefore = lastRxPerStream.get(id);
                        Double streamRx = freshCount && rxCount != null
                                ? Double.valueOf((rxCount - (rxBefore == null ? 0 : rxBefore)) / rxSeconds)
                                : lastRxPpsPerStream.get(id);  // boxed on both sides: no unboxing of a missing rate
                        if (streamRx != null) {
                            lastRxPpsPerStream.put(id, streamRx);
                        }
                        points.add(new LiveSample.Stream(id, streamNames.getOrDefault(id, "stream " + id), sizes.getOrDefault(id, List.of()),
                                (e.getValue() - lastSentPerStream.getOrDefault(id, 0L)) / seconds, streamRx, lostNow.get(id)));
                    }
                    sample = sample.withStreams(points);
                    lastSentPerStream = sentNow;
                    if (freshCount) {
                        lastRxPerStream = rxNow;
                    }
                }
                if (backward && back != null) {
                    RxSnapshot b = back.totals();
                    double pps = (b.packets() - lastBack) * 1e9 / Math.max(1, b.nanos() - lastBackNanos);
                    sample = sample.withReverse(pps);
                    lastBack = b.packets();
                    lastBackNanos = b.nanos();
                }
                // A scheduled start (xdperf agent): nothing to show while waiting for it.
                if (sample.elapsed() >= 0) {
                    live.accept(sample);
                }
                if (metrics != null) {
                    metrics.update(new dev.xdperf.stats.MetricsSink.View(tx == null ? null : now,
                            tx == null ? java.util.Map.of() : tx.sentPerStream(), back == null ? null : back.totals(),
                            java.util.Map.of(o.dev(), dev)));
                }
                last = now;
                lastDev = dev;
            }
            TxCounters total = TxCounters.ZERO;
            double seconds = 0;
            java.util.Map<Integer, Long> sentPerStream = java.util.Map.of();
            if (tx != null) {
                tx.stop();
                tx.await(Duration.ofSeconds(10));
                total = tx.counters();
                sentPerStream = tx.sentPerStream();
                seconds = tx.activeSeconds();
                firstCallNs = tx.firstCallNs();
                tx.close();
            }
            // the device counts the last frames a little after xdp_tx returned them: read once it has settled
            DeviceCounters devDelta = Interfaces.settledCounters(o.dev(), SETTLE_STEP, SETTLE_BOUND).minus(devBefore);

            Messages.Result result = null;
            boolean sharedClock = false;
            String serverDev = null;
            if (control != null) {
                result = control.stop(new Messages.Stop(total.sentPackets()), Duration.ofSeconds(30));
                serverDev = control.host().dev();
                sharedClock = control.host().sharesClock();
            }
            RxSnapshot mine = null;
            if (back != null) {
                Thread.sleep(ControlServer.DRAIN.toMillis());
                mine = back.full();
                back.close();
            }
            RunReport fwd = null;
            if (forward) {
                RxSnapshot rx = result == null ? null : result.rx();
                DeviceCounters rxDev = result == null ? null : result.device();
                java.util.Set<Integer> unmeasured = unmeasuredStreams(compiled.set());
                boolean measured = compiled.set().templates().stream().anyMatch(t -> t.mhOffset() > 0);
                List<String> warnings = verify(o.dev(), true, total, devDelta, measured ? rx : null);
                if (shardPlan != null) {
                    warnings.addAll(shardPlan.warnings());
                }
                if (!unmeasured.isEmpty() && rx != null) {
                    warnings.add("stream" + (unmeasured.size() == 1 ? " " : "s ") + unmeasured.stream().map(id -> id
                            + (streamNames.containsKey(id) ? " (" + streamNames.get(id) + ")" : "")).collect(java.util.stream.Collectors.joining(", "))
                            + " carr" + (unmeasured.size() == 1 ? "ies" : "y") + " no measurement header (its packets leave no room for"
                            + " one, as a TCP SYN or a QUIC Initial), so the server's receiver cannot count it: not measured,"
                            + " not lost; see the server's device counters (rx_device)");
                }
                if (total.deficit() > 0) {
                    warnings.add(String.format(java.util.Locale.ROOT, "deficit: %,d departures given up after gaps in sending"
                            + " (%.2f%% of those sent); catching up is bounded to bursts of %d frames per CPU (--max-burst)",
                            total.deficit(), 100.0 * total.deficit() / Math.max(1, total.sentPackets()), o.maxBurst()));
                }
                RxSnapshot returned = o.rtt() ? mine : null;
                if (returned != null && returned.packets() < total.sentPackets()) {
                    warnings.add(String.format("%,d of %,d frames did not come back (round-trip mode)",
                            total.sentPackets() - returned.packets(), total.sentPackets()));
                }
                fwd = new RunReport(o.dev(), cpus, compiled.maxLength(), o.pps(), seconds, total, devDelta,
                        serverDev, rx, rxDev, sharedClock, returned, warnings, sentPerStream, streamNames, unmeasured).withSeed(o.seed());
                double shortfall = fwd.targetShortfallPercent();
                if (shortfall > 0) {
                    warnings.add(String.format(java.util.Locale.ROOT, "target missed: the sender reached %.1f%% of %,d pps (%.1f%% short); %s",
                            100 - shortfall, o.pps(), shortfall, limiter(total, devDelta)));
                    fwd = new RunReport(o.dev(), cpus, compiled.maxLength(), o.pps(), seconds, total, devDelta,
                            serverDev, rx, rxDev, sharedClock, returned, warnings, sentPerStream, streamNames, unmeasured).withSeed(o.seed());
                }
            }
            RunReport rev = null;
            if (backward) {
                Messages.Result.Sent theirs = result.sent();
                if (theirs == null) {
                    throw new ControlException("server " + o.server() + " sent nothing of the reverse direction (use the same xdperf release on both ends)");
                }
                List<String> warnings = verify(serverDev, false, theirs.tx(), result.device(), mine);
                rev = new RunReport(serverDev, theirs.cpus(), theirs.frameSize(), o.reversePps(),
                        theirs.seconds(), theirs.tx(), result.device(), o.dev(), mine, devDelta, sharedClock, null, warnings,
                        java.util.Map.of(), java.util.Map.of());
            }
            if (metrics != null) {
                RunReport p = fwd != null ? fwd : rev;
                metrics.update(new dev.xdperf.stats.MetricsSink.View(p.tx(), p.sentPerStream(), p.returned() != null ? p.returned() : p.rx(),
                        java.util.Map.of(o.dev(), Interfaces.counters(o.dev()))));
            }
            return new RunResult(fwd, rev, shardPlan, scheduledStartNs, firstCallNs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            if (tx != null) {
                tx.close();
            }
            if (back != null) {
                back.close();
            }
            if (control != null) {
                control.close();
            }
            if (stopper != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                } catch (IllegalStateException ignored) {
                    // already shutting down
                }
            }
        }
    }

    /** How long the device counters may take to settle after a run, and how often they are read meanwhile. */
    static final Duration SETTLE_STEP = Duration.ofMillis(20);
    static final Duration SETTLE_BOUND = Duration.ofSeconds(1);

    /**
     * Delivery is verified, not assumed: what xdp_tx sent against what the device transmitted and
     * what the receiver counted; frames that vanished get their most likely cause.
     */
    static List<String> verify(String dev, boolean local, TxCounters tx, DeviceCounters d, RxSnapshot rx) {
        List<String> w = new ArrayList<>();
        long sent = tx.sentPackets();
        if (sent == 0) {
            w.add(tx.pacedSkips() > 0 || tx.slots() > 0
                    ? "0 packets sent: every departure was held back or dropped (check --pps, --count, --duration)"
                    : "0 packets sent: xdp_tx never ran (is the interface up?)");
        } else if (!d.xdpCounters()) {
            w.add("the driver of " + dev + " reports no XDP transmit counters: delivery is verified only by a receiver");
        } else if (d.xdpXmit() < sent) {
            w.add(vanished(dev, local, sent, d));
        }
        if (rx != null && sent > 0 && rx.packets() == 0) {
            w.add("the server received none of the frames: check the path, the destination MAC and the server's interface");
        }
        return w;
    }

    /** "N of M frames vanished on the way out of DEV: cause" — the sentence the report and the exit code rest on. */
    static String vanished(String dev, boolean local, long sent, DeviceCounters d) {
        long gone = sent - d.xdpXmit();
        String cause;
        if (local && !Interfaces.up(dev)) {
            cause = "the link is down";
        } else if (d.xdpXmitErrors() > 0) {
            cause = String.format("the device failed to transmit %,d of them (XDP transmit errors: its transmit ring was full,"
                    + " or its driver refused them)", d.xdpXmitErrors());
        } else if (local && Interfaces.isVeth(dev)) {
            cause = "the veth peer has no XDP program (and no GRO), so the kernel drops XDP_TX frames without counting them"
                    + " (run xdperf server on the peer, attach an XDP program there, or enable GRO on it)";
        } else {
            cause = "the device did not transmit them and counted no error (check its queues and link)";
        }
        return String.format("%,d of %,d frames vanished on the way out of %s: %s", gone, sent, dev, cause);
    }

    /** What most likely held the sender below its target. */
    private static String limiter(TxCounters tx, DeviceCounters d) {
        if (d.xdpXmitErrors() > 0) {
            return "limited by the device (XDP transmit errors)";
        }
        return tx.pacedSkips() == 0 ? "limited by the sender: the CPUs never had to wait (more --cpus, or a smaller template set)"
                : "the sender waited at times, so other work on its CPUs held it back";
    }

    /** Each stream's distinct frame lengths, as its templates make them. */
    static java.util.Map<Integer, List<Integer>> frameSizes(TemplateSet set) {
        java.util.Map<Integer, java.util.TreeSet<Integer>> m = new java.util.TreeMap<>();
        set.templates().forEach(t -> m.computeIfAbsent(t.streamId(), k -> new java.util.TreeSet<>()).add(t.length()));
        java.util.Map<Integer, List<Integer>> out = new java.util.TreeMap<>();
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    /** Stream ids whose every template lacks the measurement header: the receiver cannot count them. */
    static java.util.Set<Integer> unmeasuredStreams(TemplateSet set) {
        java.util.Map<Integer, Boolean> measured = new java.util.TreeMap<>();
        set.templates().forEach(t -> measured.merge(t.streamId(), t.mhOffset() > 0, Boolean::logicalOr));
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        measured.forEach((id, m) -> {
            if (!m) {
                out.add(id);
            }
        });
        return out;
    }

    /**
     * The run's templates: from the source when there is one, else the built-in UDP stream. A
     * shard gets its own block of stream ids (the plugin is asked again with the block's base,
     * so the receiver tells the shards apart) and its slice of the flows.
     */
    public TemplateSet templates(Endpoints e, int cpus) {
        if (o.shard() == null) {
            return generate(e, cpus, o.streamId());
        }
        TemplateSet full = generate(e, cpus, o.streamId());
        int span = streamSpan(full, o.streamId());
        int base = o.streamId() + o.shard().index() * span;
        List<String> warnings = new ArrayList<>();
        if ((long) o.streamId() + (long) o.shard().count() * span - 1 > 0xffff) {
            throw new IllegalArgumentException(o.shard().count() + " shards of " + span + " stream id" + (span == 1 ? "" : "s")
                    + " from " + o.streamId() + " run past stream id 65535 (use fewer shards or streams)");
        }
        TemplateSet mine = full;
        if (base != o.streamId()) {
            streamNames.clear();
            streamSizes.clear();
            mine = generate(e, cpus, base);
            if (streamSpan(mine, base) != span || mine.templates().stream().anyMatch(t -> t.streamId() < base)) {
                warnings.add("the templates do not move to the stream base " + base + " (a plugin that ignores the"
                        + " run request's stream base): shards share stream ids and the receiver mixes their sequences");
            }
        }
        if (base + span > dev.xdperf.bpf.Structs.MAX_STREAMS) {
            warnings.add("stream ids " + base + ".." + (base + span - 1) + " are beyond the " + dev.xdperf.bpf.Structs.MAX_STREAMS
                    + " the receiver counts per stream: it counts these frames in its totals only");
        }
        dev.xdperf.template.FlowSlicer.Result sliced = dev.xdperf.template.FlowSlicer.slice(mine, o.shard(), o.seed());
        warnings.addAll(sliced.warnings());
        boolean measured = sliced.set().templates().stream().allMatch(t -> t.mhOffset() > 0);
        shardPlan = new ShardPlan(o.shard(), base, span, sliced.slices(), measured, warnings);
        return sliced.set();
    }

    /** How many stream ids a set uses from {@code base}: up to its largest id, at least one. */
    static int streamSpan(TemplateSet set, int base) {
        int max = set.templates().stream().mapToInt(dev.xdperf.abi.PacketTemplate::streamId).max().orElse(base);
        return Math.max(1, max - base + 1);
    }

    private TemplateSet generate(Endpoints e, int cpus, int streamBase) {
        if (!sources.streams().isEmpty()) {
            List<dev.xdperf.template.StreamMix.Part> parts = new ArrayList<>();
            int base = streamBase;
            for (Resolved spec : sources.streams()) {
                // the run's size (or mix) is the built-in stream's default, as --size is
                SizeMix mix = spec.sizeMix() != null ? spec.sizeMix()
                        : spec.source() == null && spec.size() == 0 ? o.sizeMix() : null;
                TemplateSet set;
                if (mix != null) {
                    set = sized(spec.name(), mix, base, (bytes, b) -> stream(spec, e, cpus, bytes, b));
                } else {
                    set = stream(spec, e, cpus, spec.source() == null && spec.size() == 0 ? o.frameSize() : spec.size(), base);
                }
                int max = set.templates().stream().mapToInt(dev.xdperf.abi.PacketTemplate::streamId).max().orElse(base);
                streamNames.putIfAbsent(base, spec.name());
                for (var t : set.templates()) {
                    streamNames.putIfAbsent(t.streamId(), spec.name());
                }
                base = Math.max(base, max) + 1;
                parts.add(new dev.xdperf.template.StreamMix.Part(spec.name(), set, spec.share()));
            }
            return dev.xdperf.template.StreamMix.combine(parts);
        }
        if (sources.source() == null) {
            if (o.sizeMix() != null) {
                return sized("udp", o.sizeMix(), streamBase, (bytes, b) -> udp(e, bytes, b));
            }
            return udp(e, o.frameSize(), streamBase);
        }
        if (o.sizeMix() != null) {
            return sized(sources.source().name(), o.sizeMix(), streamBase, (bytes, b) -> plugin(sources.source(),
                    sources.options(), e, cpus, bytes, b));
        }
        return plugin(sources.source(), sources.options(), e, cpus, o.size() == null ? 0 : o.size(), streamBase);
    }

    /** One stream of a mixed run at one frame size (plugins: 0 is the plugin's own). */
    private TemplateSet stream(Resolved spec, Endpoints e, int cpus, int frameBytes, int base) {
        return spec.source() == null ? udp(e, frameBytes, base) : plugin(spec.source(), spec.options(), e, cpus, frameBytes, base);
    }

    private TemplateSet udp(Endpoints e, int frameBytes, int base) {
        return new UdpStream(e.srcMac(), e.dstMac(), e.srcIp(), e.dstIp(), o.srcPort(), o.dstPort(), frameBytes, base,
                o.measurement()).toTemplateSet(o.flows(), o.ranges());
    }

    private TemplateSet plugin(TemplateSource source, List<java.util.Map.Entry<String, String>> options, Endpoints e, int cpus,
                               int frameBytes, int base) {
        RunRequest request = new RunRequest(AbiVersion.HOST, Math.min(mtu(), 65535), cpus, e.srcMac().bytes(),
                e.dstMac().bytes(), frameBytes, base, e.srcAddrs(), e.dstAddrs(), options);
        return source.generate(request);
    }

    /**
     * A size mix: the stream made once per size, each size with its own stream ids (the receiver
     * counts them apart), weighted so that one cycle of the template schedule holds exactly the
     * mix; the schedule's smooth weighted round-robin interleaves the sizes packet by packet.
     */
    private TemplateSet sized(String name, SizeMix mix, int base, java.util.function.BiFunction<Integer, Integer, TemplateSet> make) {
        List<TemplateSet> sets = new ArrayList<>();
        long lcm = 1;
        int b = base;
        for (SizeMix.Entry entry : mix.entries()) {
            TemplateSet set = make.apply(entry.frameBytes(), b);
            for (var t : set.templates()) {
                if (t.length() != entry.frameBytes()) {
                    throw new IllegalArgumentException(name + " made " + t.length() + "-byte frames when asked for "
                            + entry.frameBytes() + " (size " + entry.size() + " with FCS): a size mix needs a plugin that pads"
                            + " its packets to the size asked");
                }
                streamSizes.put(t.streamId(), entry.size());
                streamNames.putIfAbsent(t.streamId(), name + " " + entry.size() + "B");
            }
            long w = set.templates().stream().mapToLong(dev.xdperf.abi.PacketTemplate::weight).sum();
            lcm = lcm / gcd(lcm, w) * w;
            sets.add(set);
            b = set.templates().stream().mapToInt(dev.xdperf.abi.PacketTemplate::streamId).max().orElse(b) + 1;
        }
        List<dev.xdperf.abi.PacketTemplate> out = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            TemplateSet set = sets.get(i);
            long w = set.templates().stream().mapToLong(dev.xdperf.abi.PacketTemplate::weight).sum();
            for (var t : set.templates()) {
                long weight = t.weight() * (lcm / w) * mix.entries().get(i).weight();
                if (weight > dev.xdperf.template.Schedule.MAX_CYCLE) {
                    throw new IllegalArgumentException("size mix " + mix + " of " + name + " needs a cycle longer than "
                            + dev.xdperf.template.Schedule.MAX_CYCLE + " packets (the templates' own weights times the mix's)");
                }
                out.add(new dev.xdperf.abi.PacketTemplate(t.frame(), t.streamId(), (int) weight, t.flows(), t.mhOffset(),
                        t.fields(), t.checksums()));
            }
        }
        return new TemplateSet(sets.get(0).abi(), out);
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Stream id to the frame size (with FCS) of a run with a size mix; empty otherwise. */
    public java.util.Map<Integer, Integer> streamSizes() {
        return java.util.Map.copyOf(streamSizes);
    }

    /** Resolves MACs and addresses: options first, then the server's hello, the interface and the neighbour table. */
    public Endpoints resolveEndpoints(Messages.Host serverHost) {
        if (o.replay() != null) {
            // a capture brings its own addresses; the rewrites given are already in its templates
            MacAddress none = MacAddress.parse("00:00:00:00:00:00");
            return new Endpoints(o.srcMac() != null ? o.srcMac() : none, o.dstMac() != null ? o.dstMac() : none, null, null,
                    List.of(), List.of());
        }
        boolean v6 = o.ipv6() || o.dstIp() instanceof Inet6Address || o.srcIp() instanceof Inet6Address;
        MacAddress srcMac = o.srcMac() != null ? o.srcMac() : Interfaces.mac(o.dev());
        List<InetAddress> mine = new ArrayList<>(Interfaces.addresses(o.dev(), v6));
        InetAddress srcIp = o.srcIp();
        if (srcIp == null) {
            if (mine.isEmpty()) {
                throw new IllegalArgumentException("interface " + o.dev() + " has no " + (v6 ? "IPv6" : "IPv4")
                        + " address: give --src-ip");
            }
            srcIp = mine.get(0);
        }
        List<InetAddress> theirs = serverHost == null ? List.of() : serverHost.addresses(v6).stream().map(UdpStream::parseIp).toList();
        InetAddress dstIp = o.dstIp();
        if (dstIp == null && !theirs.isEmpty()) {
            dstIp = theirs.get(0);
        }
        if (dstIp == null) {
            throw new IllegalArgumentException("no destination address: give --dst-ip"
                    + (serverHost != null ? " (the server's interface has no " + (v6 ? "IPv6" : "IPv4") + " address)" : ""));
        }
        MacAddress dstMac = o.dstMac();
        // Routed destinations go to the gateway's MAC; on-link ones to the server's own.
        Optional<InetAddress> gateway = dstMac == null ? Interfaces.gateway(o.dev(), dstIp) : Optional.empty();
        if (dstMac == null && gateway.isEmpty() && serverHost != null
                && dstIp.getHostAddress().equals(firstMatching(serverHost, dstIp))) {
            dstMac = MacAddress.parse(serverHost.mac());
        }
        if (dstMac == null) {
            InetAddress hop = gateway.orElse(dstIp);
            Optional<MacAddress> n = Interfaces.neighbour(o.dev(), hop);
            if (n.isEmpty()) {
                throw new IllegalArgumentException("no MAC address known for " + hop.getHostAddress()
                        + (gateway.isPresent() ? " (the gateway to " + dstIp.getHostAddress() + ")" : "") + " on " + o.dev()
                        + ": give --dst-mac, or reach it once (ping) so the neighbour table has it");
            }
            dstMac = n.get();
        }
        List<InetAddress> srcAddrs = new ArrayList<>(List.of(srcIp));
        mine.stream().filter(a -> !srcAddrs.contains(a)).limit(RunRequest.MAX_ADDRS - 1).forEach(srcAddrs::add);
        List<InetAddress> dstAddrs = new ArrayList<>(List.of(dstIp));
        InetAddress first = dstIp;
        theirs.stream().filter(a -> !a.equals(first)).limit(RunRequest.MAX_ADDRS - 1).forEach(dstAddrs::add);
        return new Endpoints(srcMac, dstMac, srcIp, dstIp, srcAddrs, dstAddrs);
    }

    /** The run's CPUs, or those {@link Transmitter#defaultCpus} picks for its rate. */
    private List<Integer> sendingCpus() {
        return o.cpus().isEmpty() ? Transmitter.defaultCpus(o.pps(), dev.xdperf.bpf.Cpus.online()) : o.cpus();
    }

    /**
     * Writes the first {@code count} packets the run would send, computed by the reference
     * engine, to a pcap file; sends nothing. Sequence numbers and CPUs are stamped as xdp_tx
     * would on the given CPUs; send times are 0.
     */
    public long writePcap(java.nio.file.Path file, long count, Consumer<String> notes) throws java.io.IOException {
        boolean device = !Run.NO_DEVICE.equals(o.dev());
        if (device) {
            Interfaces.requireExists(o.dev());
        }
        Endpoints ends = o.replay() != null ? resolveEndpoints(null) : pcapEndpoints(device, notes);
        List<Integer> cpus = sendingCpus();
        TemplateSet set = templates(ends, cpus.size());
        TemplateCompiler.compile(set, mtu(), o.seed());
        FieldEngine engine = new FieldEngine(set, o.seed());
        // xdp_tx numbers each stream's frames per sending CPU: CPU rank r sends packets k = r, r + n, r + 2n, ...
        java.util.Map<Long, Long> seqs = new java.util.HashMap<>();
        try (PcapWriter w = new PcapWriter(file)) {
            for (long k = 0; k < count; k++) {
                byte[] f = engine.frame(k);
                var t = engine.template(engine.templateOf(k));
                if (t.mhOffset() > 0) {
                    int rank = (int) (k % cpus.size());
                    long seq = seqs.merge(((long) t.streamId() << 32) | rank, 1L, Long::sum) - 1;
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f);
                    b.putInt(t.mhOffset() + 4, (int) seq);
                    f[t.mhOffset() + 16] = (byte) (int) cpus.get(rank);
                    f = dev.xdperf.abi.ChecksumFiller.fill(t, f);
                }
                w.write(f, k * 1000);
            }
        }
        return count;
    }

    /** Addresses from the documentation ranges, for a pcap that names no device or leaves addresses out. */
    static final MacAddress DOC_SRC_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress DOC_DST_MAC = MacAddress.parse("02:00:00:00:00:02");
    static final InetAddress DOC_SRC_IP4 = UdpStream.parseIp("192.0.2.1");
    static final InetAddress DOC_DST_IP4 = UdpStream.parseIp("198.51.100.1");
    static final InetAddress DOC_SRC_IP6 = UdpStream.parseIp("2001:db8::1");
    static final InetAddress DOC_DST_IP6 = UdpStream.parseIp("2001:db8::2");

    private int mtu() {
        return Run.NO_DEVICE.equals(o.dev()) ? 1500 : Interfaces.mtu(o.dev());
    }

    /**
     * The endpoints of a pcap-only run: each address the spec gives; else the device's (its MAC
     * and first address, the neighbour table's MAC for the destination); else a documentation
     * address, and {@code notes} hears which were taken so.
     */
    private Endpoints pcapEndpoints(boolean device, Consumer<String> notes) {
        boolean v6 = o.ipv6() || o.dstIp() instanceof Inet6Address || o.srcIp() instanceof Inet6Address;
        List<String> doc = new ArrayList<>();
        MacAddress srcMac = o.srcMac() != null ? o.srcMac() : device ? Interfaces.mac(o.dev()) : null;
        if (srcMac == null) {
            srcMac = DOC_SRC_MAC;
            doc.add("source MAC " + srcMac);
        }
        List<InetAddress> mine = device ? Interfaces.addresses(o.dev(), v6) : List.of();
        InetAddress srcIp = o.srcIp() != null ? o.srcIp() : mine.isEmpty() ? null : mine.get(0);
        if (srcIp == null) {
            srcIp = v6 ? DOC_SRC_IP6 : DOC_SRC_IP4;
            doc.add("source " + (v6 ? "2001:db8::1" : "192.0.2.1"));
        }
        InetAddress dstIp = o.dstIp();
        if (dstIp == null) {
            dstIp = v6 ? DOC_DST_IP6 : DOC_DST_IP4;
            doc.add("destination " + (v6 ? "2001:db8::2" : "198.51.100.1"));
        }
        MacAddress dstMac = o.dstMac();
        if (dstMac == null && device) {
            InetAddress hop = Interfaces.gateway(o.dev(), dstIp).orElse(dstIp);
            dstMac = Interfaces.neighbour(o.dev(), hop).orElse(null);
        }
        if (dstMac == null) {
            dstMac = DOC_DST_MAC;
            doc.add("destination MAC " + dstMac);
        }
        if (!doc.isEmpty()) {
            notes.accept("documentation addresses where none was given: " + String.join(", ", doc));
        }
        List<InetAddress> srcAddrs = new ArrayList<>(List.of(srcIp));
        InetAddress first = srcIp;
        mine.stream().filter(a -> !a.equals(first)).limit(RunRequest.MAX_ADDRS - 1).forEach(srcAddrs::add);
        return new Endpoints(srcMac, dstMac, srcIp, dstIp, srcAddrs, List.of(dstIp));
    }

    private static String firstMatching(Messages.Host host, InetAddress ip) {
        for (String a : host.addresses(ip instanceof Inet6Address)) {
            if (UdpStream.parseIp(a).equals(ip)) {
                return ip.getHostAddress();
            }
        }
        return null;
    }
}
