package dev.xdperf.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.net.Interfaces;
import dev.xdperf.rx.Receiver;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.rx.Verdict;
import dev.xdperf.stats.Json;
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
    public static final int DEFAULT_PORT = 5210;
    static final Duration DRAIN = Duration.ofMillis(300);

    private final String ifname;
    private final Verdict verdict;
    private final XdpMode mode;
    private final int maxRuns;
    private final Consumer<String> log;
    private final ServerSocket socket;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean closed;
    private int runs;

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
        Thread ticker = null;
        try {
            JsonNode hello = wire.expect("hello");
            int version = hello.path("version").asInt(-1);
            if (version != Wire.PROTOCOL_VERSION) {
                refuse(wire, "protocol version " + version + " is not supported by this server (it speaks version "
                        + Wire.PROTOCOL_VERSION + "); use the same xdperf release on both ends");
                log.accept("refused " + peer + ": protocol version " + version);
                return;
            }
            ObjectNode reply = Wire.message("hello");
            reply.put("version", Wire.PROTOCOL_VERSION);
            reply.set("host", Json.hostInfo(ifname));
            wire.send(reply);

            JsonNode start = wire.expect("start");
            Verdict runVerdict = start.path("verdict").asText("").equals("reflect") ? Verdict.REFLECT : verdict;
            DeviceCounters devBefore = Interfaces.counters(ifname);
            try {
                receiver = Receiver.attach(ifname, runVerdict, mode);
            } catch (RuntimeException e) {
                refuse(wire, "server could not start receiving: " + e.getMessage());
                log.accept("run from " + peer + " failed: " + e.getMessage());
                return;
            }
            log.accept("run from " + peer + ": receiving on " + ifname + (runVerdict == Verdict.REFLECT ? ", reflecting" : ""));
            wire.send(Wire.message("ready"));

            Receiver r = receiver;
            ticker = new Thread(() -> tick(wire, r), "xdperf-server-ticker");
            ticker.setDaemon(true);
            ticker.start();

            JsonNode stop = wire.expect("stop");
            Thread.sleep(DRAIN.toMillis());
            ticker.interrupt();
            ticker.join(2000);
            RxSnapshot snap = receiver.full();
            DeviceCounters devDelta = Interfaces.counters(ifname).minus(devBefore);
            ObjectNode result = Wire.message("result");
            result.set("rx", Json.rx(snap));
            result.set("device", Json.device(ifname, devDelta));
            wire.send(result);
            synchronized (this) {
                runs++;
            }
            log.accept("run from " + peer + " done: received " + snap.packets() + " packets"
                    + (stop.path("sent_packets").isNumber() ? " of " + stop.path("sent_packets").asLong() + " sent" : ""));
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
            if (receiver != null) {
                receiver.close();
            }
        }
    }

    /** Sends the receive counters once a second while a run is on. */
    private void tick(Wire wire, Receiver receiver) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(1000);
                RxSnapshot s = receiver.totals();
                DeviceCounters d = Interfaces.counters(ifname);
                ObjectNode m = Wire.message("interval");
                m.put("rx_packets", s.packets());
                m.put("rx_bytes", s.bytes());
                m.put("nanos", s.nanos());
                m.put("dev_rx_packets", d.rxPackets());
                m.put("dev_rx_dropped", d.rxDropped());
                wire.send(m);
            }
        } catch (InterruptedException e) {
            // run over
        } catch (IOException | RuntimeException e) {
            // the session thread notices a dead connection itself
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
