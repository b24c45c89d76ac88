package dev.xdperf.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.net.Interfaces;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.stats.Json;
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
    }

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
            UdpStream stream = resolveStream(control == null ? null : control.host());
            CompiledSet compiled = TemplateCompiler.compile(stream.toTemplateSet(), Interfaces.mtu(o.dev));
            tx = Transmitter.builder(o.dev, compiled)
                    .cpus(o.cpus == null ? dev.xdperf.bpf.Cpus.online() : o.cpus)
                    .pps(o.pps).duration(o.duration).count(o.count).xdpMode(o.xdpMode)
                    .attachPass(o.attachPass).callersPerCpu(o.callersPerCpu).testHooks(o.testHooks)
                    .build();
            if (control != null) {
                ObjectNode p = Json.MAPPER.createObjectNode();
                p.put("frame_size", o.size);
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
            List<String> warnings = verify(total, devDelta, rx);
            return new RunReport(o.dev, tx.cpus(), o.size, o.pps, seconds, total, devDelta,
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

    private UdpStream resolveStream(JsonNode serverHost) {
        boolean v6 = o.ipv6 || o.dstIp instanceof Inet6Address || o.srcIp instanceof Inet6Address;
        MacAddress srcMac = o.srcMac != null ? o.srcMac : Interfaces.mac(o.dev);
        InetAddress srcIp = o.srcIp;
        if (srcIp == null) {
            List<InetAddress> mine = Interfaces.addresses(o.dev, v6);
            if (mine.isEmpty()) {
                throw new IllegalArgumentException("interface " + o.dev + " has no " + (v6 ? "IPv6" : "IPv4")
                        + " address: give --src-ip");
            }
            srcIp = mine.get(0);
        }
        InetAddress dstIp = o.dstIp;
        if (dstIp == null && serverHost != null) {
            List<InetAddress> theirs = Json.addresses(serverHost.path(v6 ? "ipv6" : "ipv4"));
            if (!theirs.isEmpty()) {
                dstIp = theirs.get(0);
            }
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
        return new UdpStream(srcMac, dstMac, srcIp, dstIp, o.srcPort, o.dstPort, o.size, o.streamId, o.measurement);
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
