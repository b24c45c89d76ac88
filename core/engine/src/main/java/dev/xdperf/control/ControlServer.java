package dev.xdperf.control;

import dev.xdperf.spec.RunSpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.net.Interfaces;
import dev.xdperf.rx.Receiver;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.rx.Verdict;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.stats.Json;
import dev.xdperf.template.CompiledSet;
import dev.xdperf.template.TemplateCompiler;
import dev.xdperf.tx.Transmitter;
import java.util.List;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * `xdperf server`: waits for clients on TCP, runs one measurement at a time with xdp_rx on
 * its interface, and serves one run after another. A second client during a run, or a
 * client speaking another protocol version, is refused with a message that says why.
 */
public final class ControlServer implements AutoCloseable {
    public static final int DEFAULT_PORT = dev.xdperf.spec.RunSpec.DEFAULT_SERVER_PORT;
    public static final Duration DRAIN = Duration.ofMillis(300);

    private final String ifname;
    private final Verdict verdict;
    private final XdpMode mode;
    private final int maxRuns;
    private final Consumer<String> log;
    private final ServerSocket socket;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean closed;
    private int runs;
    private volatile dev.xdperf.stats.MetricsSink metrics;

    /** Publishes every run's receive counters on this Prometheus endpoint. */
    public void metrics(dev.xdperf.stats.MetricsSink m) {
        this.metrics = m;
    }

    private ControlServer(String ifname, Verdict verdict, XdpMode mode, int maxRuns, Consumer<String> log,
                          ServerSocket socket) {
        this.ifname = ifname;
        this.verdict = verdict;
        this.mode = mode;
        this.maxRuns = maxRuns;
        this.log = log;
        this.socket = socket;
    }

    /** Binds the control port; "port in use" and bad addresses fail here, before any run. */
    public static ControlServer bind(String ifname, String bindAddress, int port, Verdict verdict, XdpMode mode,
                                     int maxRuns, Consumer<String> log) {
        Interfaces.requireExists(ifname);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port " + port + " is outside 0..65535");
        }
        ServerSocket s = null;
        try {
            s = new ServerSocket();
            s.setReuseAddress(true);
            InetAddress addr = bindAddress == null ? null : InetAddress.getByName(bindAddress);
            s.bind(addr == null ? new InetSocketAddress(port) : new InetSocketAddress(addr, port));
            return new ControlServer(ifname, verdict, mode, maxRuns, Objects.requireNonNull(log), s);
        } catch (BindException e) {
            closeQuietly(s);
            throw new IllegalArgumentException("bind control port " + (bindAddress == null ? "*" : bindAddress) + ":" + port
                    + ": " + e.getMessage().toLowerCase().replaceAll(" \\(bind failed\\)", "")
                    + " (another xdperf server or program uses it; pick one with --port)");
        } catch (IOException e) {
            closeQuietly(s);
            throw new IllegalArgumentException("bind control port " + port + ": " + e.getMessage());
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Accepts clients until closed or until {@code maxRuns} runs have completed (0 = forever). */
    public void serve() throws IOException {
        log.accept("xdperf server: listening on port " + port() + ", receiving on " + ifname);
        while (!closed) {
            Socket client;
            try {
                client = socket.accept();
            } catch (SocketException e) {
                if (closed) {
                    return;
                }
                throw e;
            }
            client.setTcpNoDelay(true);
            Wire wire = new Wire(client);
            if (!busy.compareAndSet(false, true)) {
                refuse(wire, "server busy: another client's run is in progress; try again when it ends");
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    session(wire);
                } finally {
                    wire.close();
                    busy.set(false);
                    synchronized (this) {
                        if (maxRuns > 0 && runs >= maxRuns) {
                            close();
                        }
                    }
                }
            }, "xdperf-session");
            t.start();
        }
    }

    private void refuse(Wire wire, String message) {
        try {
            ObjectNode e = Wire.message("error");
            e.put("message", message);
            wire.send(e);
        } catch (IOException ignored) {
            // the client is gone already
        } finally {
            wire.close();
        }
    }

    private void session(Wire wire) {
        String peer = wire.peer();
        Receiver receiver = null;
        Transmitter reverse = null;
        Thread ticker = null;
        try {
            JsonNode helloMessage = wire.expect(Messages.Hello.TYPE);
            int version = helloMessage.path("version").asInt(-1);
            if (version != Wire.PROTOCOL_VERSION) {
                refuse(wire, "protocol version " + version + " is not supported by this server (it speaks version "
                        + Wire.PROTOCOL_VERSION + "); use the same xdperf release on both ends");
                log.accept("refused " + peer + ": protocol version " + version);
                return;
            }
            Messages.Hello hello = Messages.fromMessage(helloMessage, Messages.Hello.class);
            wire.send(Messages.toMessage(Messages.Hello.TYPE, new Messages.Hello(Wire.PROTOCOL_VERSION, Messages.Host.of(ifname))));

            Start start = Start.fromMessage(wire.expect(Start.TYPE));
            RunSpec spec = start.spec();
            Verdict runVerdict = spec.rtt() ? Verdict.REFLECT : verdict;
            boolean forward = spec.forward();
            boolean backward = spec.backward();
            DeviceCounters devBefore = Interfaces.counters(ifname);
            try {
                if (forward) {
                    receiver = Receiver.attach(ifname, runVerdict, mode, start.pacedIntervalNs());
                }
                if (backward) {
                    reverse = reverseTransmitter(hello.host(), start, !forward);
                    reverse.start();
                }
            } catch (RuntimeException e) {
                refuse(wire, "server could not start the run: " + e.getMessage());
                log.accept("run from " + peer + " failed: " + e.getMessage());
                return;
            }
            log.accept("run from " + peer + ": " + (forward ? "receiving on " + ifname : "")
                    + (runVerdict == Verdict.REFLECT ? ", reflecting" : "")
                    + (backward ? (forward ? ", " : "") + "sending to the client" : ""));
            wire.send(Wire.message("ready"));

            Receiver r = receiver;
            Transmitter t = reverse;
            ticker = new Thread(() -> tick(wire, r, t), "xdperf-server-ticker");
            ticker.setDaemon(true);
            ticker.start();

            Messages.Stop stop = Messages.fromMessage(wire.expect(Messages.Stop.TYPE), Messages.Stop.class);
            Messages.Result.Sent sent = null;
            if (reverse != null) {
                reverse.stop();
                reverse.await(Duration.ofSeconds(10));
                sent = new Messages.Result.Sent(reverse.counters(), reverse.activeSeconds(), reverse.templates().maxLength(),
                        spec.reversePps(), reverse.cpus());
                reverse.close();
            }
            Thread.sleep(DRAIN.toMillis());
            ticker.interrupt();
            ticker.join(2000);
            DeviceCounters devDelta = Interfaces.counters(ifname).minus(devBefore);
            RxSnapshot snap = receiver == null ? null : receiver.full();
            wire.send(new Messages.Result(snap, ifname, devDelta, sent).toMessage());
            synchronized (this) {
                runs++;
            }
            log.accept("run from " + peer + " done" + (snap == null ? "" : ": received " + snap.packets() + " packets"
                    + " of " + stop.sentPackets() + " sent"));
        } catch (Wire.ProtocolException e) {
            refuse(wire, e.getMessage());
            log.accept("session with " + peer + " ended: " + e.getMessage());
        } catch (IOException e) {
            log.accept("session with " + peer + " ended: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            refuse(wire, "server failed: " + e.getMessage());
            log.accept("session with " + peer + " failed: " + e.getMessage());
        } finally {
            if (ticker != null) {
                ticker.interrupt();
            }
            if (reverse != null) {
                reverse.close();
            }
            if (receiver != null) {
                receiver.close();
            }
        }
    }

    /** The server's side of --reverse/--bidir: the built-in UDP stream to the client's interface. */
    private Transmitter reverseTransmitter(Messages.Host clientHost, Start start, boolean attachPass) {
        RunSpec p = start.spec();
        if (clientHost == null || clientHost.mac() == null) {
            throw new IllegalArgumentException("the client did not say where to send (upgrade the client)");
        }
        boolean v6 = p.ipv6() || p.srcIp() instanceof java.net.Inet6Address || p.dstIp() instanceof java.net.Inet6Address;
        List<java.net.InetAddress> theirs = clientHost.addresses(v6).stream().map(UdpStream::parseIp).toList();
        List<java.net.InetAddress> mine = Interfaces.addresses(ifname, v6);
        if (theirs.isEmpty() || mine.isEmpty()) {
            throw new IllegalArgumentException("no " + (v6 ? "IPv6" : "IPv4") + " address on both ends for the reverse direction");
        }
        UdpStream stream = new UdpStream(Interfaces.mac(ifname), MacAddress.parse(clientHost.mac()),
                mine.get(0), theirs.get(0), RunSpec.DEFAULT_UDP_PORT, RunSpec.DEFAULT_UDP_PORT,
                p.frameSize(), start.reverseStreamId(), true);
        CompiledSet set = TemplateCompiler.compile(stream.toTemplateSet(), Interfaces.mtu(ifname), 0);   // no random rules
        return Transmitter.builder(ifname, set).pps(p.reversePps()).count(p.count())
                .duration(p.duration())
                .xdpMode(mode).attachPass(attachPass).build();
    }

    /** Sends the receive (and, in reverse, transmit) counters once a second while a run is on. */
    private void tick(Wire wire, Receiver receiver, Transmitter sender) {
        // the receiver counts from its attach: the client's first rate is taken from here
        Long rxStart = receiver == null ? null : receiver.totals().nanos();
        try {
            // counts come every 250 ms in the first second, so the client's first live line already has a receive rate
            for (int tick = 0; !Thread.currentThread().isInterrupted(); tick++) {
                Thread.sleep((sender != null && !sender.finished()) || tick < 4 ? 250 : 1000);
                Long p50 = null;
                Long p99 = null;
                Long lost = null;
                Long rxPackets = null;
                Long rxBytes = null;
                long nanos = System.nanoTime();
                List<Messages.StreamCount> perStream = List.of();
                if (receiver != null) {
                    RxSnapshot full = receiver.full();
                    perStream = full.streams().stream().map(st -> new Messages.StreamCount(st.streamId(), st.packets(), st.lost())).toList();
                    if (full.latency().count() > 0) {
                        p50 = full.latency().percentile(50);
                        p99 = full.latency().percentile(99);
                    }
                    lost = full.seqLost();
                    if (metrics != null) {
                        metrics.update(new dev.xdperf.stats.MetricsSink.View(sender == null ? null : sender.counters(),
                                sender == null ? java.util.Map.of() : sender.sentPerStream(), full,
                                java.util.Map.of(ifname, Interfaces.counters(ifname))));
                    }
                    RxSnapshot s = receiver.totals();
                    rxPackets = s.packets();
                    rxBytes = s.bytes();
                    nanos = s.nanos();
                }
                var c = sender == null ? null : sender.counters();
                DeviceCounters d = Interfaces.counters(ifname);
                Messages.Interval m = new Messages.Interval(nanos, p50, p99, lost, rxPackets, rxBytes,
                        c == null ? null : c.sentPackets(), c == null ? null : c.sentBytes(), c == null ? null : c.nanos(),
                        sender == null ? null : sender.finished(), d.rxPackets(), d.rxDropped(), rxStart, perStream);
                wire.send(Messages.toMessage(Messages.Interval.TYPE, m));
            }
        } catch (InterruptedException e) {
            // run over
        } catch (IOException e) {
            // the session thread notices a dead connection itself
        } catch (RuntimeException e) {
            log.accept("counters of the run could not be read: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(socket);
    }

    private static void closeQuietly(ServerSocket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
