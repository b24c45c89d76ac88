package dev.xdperf.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.net.Interfaces;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.packet.PcapWriter;
import dev.xdperf.stats.Json;
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
    public static final int DEFAULT_PORT = 5201;

    private final Options o;

    /** What `xdperf client` takes; null means "work it out" (from the interface, the server, the neighbour table). */
    public static final class Options {
        public String dev;
        public String server;
        public int serverPort = ControlServer.DEFAULT_PORT;
        public MacAddress srcMac;
        public MacAddress dstMac;
        public InetAddress srcIp;
        public InetAddress dstIp;
        public boolean ipv6;
        public int srcPort = DEFAULT_PORT;
        public int dstPort = DEFAULT_PORT;
        public int size = UdpStream.MIN_FRAME;
        public int streamId;
        public boolean measurement = true;
        public List<Integer> cpus;
        public long pps;
        public Duration duration;
        public long count;
        public XdpMode xdpMode = XdpMode.NATIVE;
        public boolean attachPass = true;
        public int callersPerCpu = 2;
        public List<TestHook> testHooks = List.of();
        public Duration connectTimeout = Duration.ofSeconds(5);
        /** Where the templates come from; null: the built-in UDP stream. */
        public TemplateSource source;
        /** Whether --size was given (plugins choose their own size otherwise). */
        public boolean sizeGiven;
        /** The plugin's options, checked against what it declares. */
        public List<java.util.Map.Entry<String, String>> pluginOptions = List.of();
    }

    /** A plugin, or a template-set file: turns the run's request into templates. */
    public interface TemplateSource {
        String name();

        TemplateSet generate(RunRequest request);
    }

    /** The addresses of a run: resolved from options, the interface, the server and the neighbour table. */
    public record Endpoints(MacAddress srcMac, MacAddress dstMac, InetAddress srcIp, InetAddress dstIp,
                            List<InetAddress> srcAddrs, List<InetAddress> dstAddrs) {}

    public ClientRun(Options options) {
        this.o = options;
    }

    public RunReport run(Consumer<LiveSample> live) {
        Interfaces.requireExists(o.dev);
        ControlClient control = null;
        Transmitter tx = null;
        Thread stopper = null;
        try {
            if (o.server != null) {
                control = ControlClient.connect(o.server, o.serverPort, o.connectTimeout);
            }
            Endpoints ends = resolveEndpoints(control == null ? null : control.host());
            List<Integer> cpus = o.cpus == null ? dev.xdperf.bpf.Cpus.online() : o.cpus;
            CompiledSet compiled = TemplateCompiler.compile(templates(ends, cpus.size()), Interfaces.mtu(o.dev));
            tx = Transmitter.builder(o.dev, compiled)
                    .cpus(cpus)
                    .pps(o.pps).duration(o.duration).count(o.count).xdpMode(o.xdpMode)
                    .attachPass(o.attachPass).callersPerCpu(o.callersPerCpu).testHooks(o.testHooks)
                    .build();
            if (control != null) {
                ObjectNode p = Json.MAPPER.createObjectNode();
                p.put("frame_size", compiled.maxLength());
                p.put("stream", o.streamId);
                control.start(p);
            }
            DeviceCounters devBefore = Interfaces.counters(o.dev);
            Transmitter running = tx;
            stopper = new Thread(running::stop, "xdperf-client-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            tx.start();

            long started = tx.startNs();
            TxCounters last = new TxCounters(0, 0, 0, 0, 0, started);
            DeviceCounters lastDev = devBefore;
            long lastRx = 0;
            long lastRxNanos = 0;
            while (!tx.await(Duration.ofSeconds(1))) {
                TxCounters now = tx.counters();
                DeviceCounters dev = Interfaces.counters(o.dev);
                Double rxPps = null;
                JsonNode iv = control == null ? null : control.lastInterval();
                if (iv != null) {
                    long rxPackets = iv.path("rx_packets").asLong();
                    long nanos = iv.path("nanos").asLong();
                    if (lastRxNanos != 0 && nanos > lastRxNanos) {
                        rxPps = (rxPackets - lastRx) * 1e9 / (nanos - lastRxNanos);
                    }
                    lastRx = rxPackets;
                    lastRxNanos = nanos;
                }
                live.accept(LiveSample.of(now.minus(last), dev.minus(lastDev), (now.nanos() - started) / 1e9, rxPps));
                last = now;
                lastDev = dev;
            }
            long finished = tx.endNs() == 0 ? System.nanoTime() : Math.min(System.nanoTime(), tx.endNs());
            TxCounters total = tx.counters();
            tx.close();
            DeviceCounters devDelta = Interfaces.counters(o.dev).minus(devBefore);
            double seconds = Math.max(1e-9, (finished - started) / 1e9);

            RxSnapshot rx = null;
            DeviceCounters rxDev = null;
            String rxDevName = null;
            boolean sharedClock = false;
            if (control != null) {
                ObjectNode summary = Json.MAPPER.createObjectNode();
                summary.put("sent_packets", total.sentPackets());
                JsonNode result = control.stop(summary, Duration.ofSeconds(30));
                rx = Json.rx(result.path("rx"));
                rxDev = Json.device(result.path("device"));
                rxDevName = control.host().path("dev").asText();
                sharedClock = control.host().path("boot_id").asText().equals(Json.bootId());
            }
            boolean measured = compiled.set().templates().stream().anyMatch(t -> t.mhOffset() > 0);
            List<String> warnings = verify(total, devDelta, measured ? rx : null);
            if (!measured && rx != null) {
                warnings.add("the frames carry no measurement header (an encrypted payload cannot), so the server's"
                        + " receiver does not count them: see the server's device counters (rx_device) instead");
            }
            return new RunReport(o.dev, tx.cpus(), compiled.maxLength(), o.pps, seconds, total, devDelta,
                    rxDevName, rx, rxDev, sharedClock, warnings);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            if (tx != null) {
                tx.close();
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

    /** Delivery is verified, not assumed: what the kernel accepted against what the devices did. */
    static List<String> verify(TxCounters tx, DeviceCounters dev, RxSnapshot rx) {
        List<String> w = new ArrayList<>();
        if (dev.xdpXmitErrors() > 0) {
            w.add(String.format("%,d frames were accepted by xdp_tx but the device failed to transmit them"
                    + " (XDP transmit errors: the device's transmit ring was full or its driver refused them;"
                    + " on veth the peer also needs a native XDP program)", dev.xdpXmitErrors()));
        }
        if (tx.sentPackets() == 0) {
            w.add(tx.pacedSkips() > 0 || tx.slots() > 0
                    ? "0 packets sent: every departure was held back or dropped (check --pps, --count, --duration)"
                    : "0 packets sent: xdp_tx never ran (is the interface up?)");
        } else if (dev.xdpXmit() == 0 && dev.xdpXmitErrors() == 0 && dev.txPackets() < tx.sentPackets() / 2) {
            w.add("the device reports no XDP transmit counters: delivery is verified only by a receiver");
        }
        if (rx != null && tx.sentPackets() > 0 && rx.packets() == 0) {
            w.add("the server received none of the frames: check the path, the destination MAC and the server's interface");
        }
        return w;
    }

    /** The run's templates: from the source when there is one, else the built-in UDP stream. */
    public TemplateSet templates(Endpoints e, int cpus) {
        if (o.source == null) {
            return new UdpStream(e.srcMac(), e.dstMac(), e.srcIp(), e.dstIp(), o.srcPort, o.dstPort, o.size,
                    o.streamId, o.measurement).toTemplateSet();
        }
        RunRequest request = new RunRequest(AbiVersion.HOST, Interfaces.mtu(o.dev), cpus, e.srcMac().bytes(),
                e.dstMac().bytes(), o.sizeGiven ? o.size : 0, o.streamId, e.srcAddrs(), e.dstAddrs(), o.pluginOptions);
        return o.source.generate(request);
    }

    /** Resolves MACs and addresses: options first, then the server's hello, the interface and the neighbour table. */
    public Endpoints resolveEndpoints(JsonNode serverHost) {
        boolean v6 = o.ipv6 || o.dstIp instanceof Inet6Address || o.srcIp instanceof Inet6Address;
        MacAddress srcMac = o.srcMac != null ? o.srcMac : Interfaces.mac(o.dev);
        List<InetAddress> mine = new ArrayList<>(Interfaces.addresses(o.dev, v6));
        InetAddress srcIp = o.srcIp;
        if (srcIp == null) {
            if (mine.isEmpty()) {
                throw new IllegalArgumentException("interface " + o.dev + " has no " + (v6 ? "IPv6" : "IPv4")
                        + " address: give --src-ip");
            }
            srcIp = mine.get(0);
        }
        List<InetAddress> theirs = serverHost == null ? List.of() : Json.addresses(serverHost.path(v6 ? "ipv6" : "ipv4"));
        InetAddress dstIp = o.dstIp;
        if (dstIp == null && !theirs.isEmpty()) {
            dstIp = theirs.get(0);
        }
        if (dstIp == null) {
            throw new IllegalArgumentException("no destination address: give --dst-ip"
                    + (serverHost != null ? " (the server's interface has no " + (v6 ? "IPv6" : "IPv4") + " address)" : ""));
        }
        MacAddress dstMac = o.dstMac;
        if (dstMac == null && serverHost != null && dstIp.getHostAddress().equals(firstMatching(serverHost, dstIp))) {
            dstMac = MacAddress.parse(serverHost.path("mac").asText());
        }
        if (dstMac == null) {
            Optional<MacAddress> n = Interfaces.neighbour(o.dev, dstIp);
            if (n.isEmpty()) {
                throw new IllegalArgumentException("no MAC address known for " + dstIp.getHostAddress() + " on " + o.dev
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

    /**
     * Writes the first {@code count} packets the run would send, computed by the reference
     * engine, to a pcap file; sends nothing. Sequence numbers and CPUs are stamped as xdp_tx
     * would on the given CPUs; send times are 0.
     */
    public long writePcap(java.nio.file.Path file, long count) throws java.io.IOException {
        Interfaces.requireExists(o.dev);
        Endpoints ends = resolveEndpoints(null);
        List<Integer> cpus = o.cpus == null ? dev.xdperf.bpf.Cpus.online() : o.cpus;
        TemplateSet set = templates(ends, cpus.size());
        TemplateCompiler.compile(set, Interfaces.mtu(o.dev));
        FieldEngine engine = new FieldEngine(set);
        try (PcapWriter w = new PcapWriter(file)) {
            for (long k = 0; k < count; k++) {
                byte[] f = engine.frame(k);
                var t = engine.template(engine.templateOf(k));
                if (t.mhOffset() > 0) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f);
                    b.putInt(t.mhOffset() + 4, (int) (k / cpus.size()));
                    f[t.mhOffset() + 16] = (byte) (int) cpus.get((int) (k % cpus.size()));
                    f = dev.xdperf.abi.ChecksumFiller.fill(t, f);
                }
                w.write(f, k * 1000);
            }
        }
        return count;
    }

    private static String firstMatching(JsonNode host, InetAddress ip) {
        for (JsonNode a : host.path(ip instanceof Inet6Address ? "ipv6" : "ipv4")) {
            if (UdpStream.parseIp(a.asText()).equals(ip)) {
                return ip.getHostAddress();
            }
        }
        return null;
    }
}
