package dev.xdperf.control;

import dev.xdperf.XdperfException.ControlException;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** The client's end of the control channel: hello, start, the server's intervals, stop, result. */
public final class ControlClient implements AutoCloseable {
    private final Wire wire;
    private final String address;
    private Messages.Host host;
    private final AtomicReference<Messages.Interval> lastInterval = new AtomicReference<>();
    private final CompletableFuture<Messages.Result> result = new CompletableFuture<>();
    private Thread reader;

    private ControlClient(Wire wire, String address) {
        this.wire = wire;
        this.address = address;
    }

    /** Connects and says hello; a busy server or another protocol version is refused here. */
    public static ControlClient connect(String hostName, int port, Duration timeout) {
        return connect(hostName, port, timeout, null);
    }

    /** As {@link #connect(String, int, Duration)}, telling the server about this end (needed for --reverse). */
    public static ControlClient connect(String hostName, int port, Duration timeout, Messages.Host myHost) {
        String address = hostName + ":" + port;
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(hostName, port), (int) timeout.toMillis());
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) Math.max(timeout.toMillis(), 5000));
            ControlClient c = new ControlClient(new Wire(s), address);
            c.hello(myHost);
            s.setSoTimeout(0);
            return c;
        } catch (UnknownHostException e) {
            close(s);
            throw new ControlException("connect to server " + address + ": unknown host");
        } catch (ConnectException e) {
            close(s);
            throw new ControlException("connect to server " + address + ": " + e.getMessage().toLowerCase()
                    + " (is 'xdperf server' running there?)");
        } catch (SocketTimeoutException e) {
            close(s);
            throw new ControlException("connect to server " + address + ": no answer within " + timeout.toSeconds() + " s");
        } catch (Wire.PeerRefusedException e) {
            close(s);
            throw new ControlException("server " + address + " refused the run: " + e.getMessage());
        } catch (IOException e) {
            close(s);
            throw new ControlException("connect to server " + address + ": " + e.getMessage());
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }

    private void hello(Messages.Host myHost) throws IOException {
        wire.send(Messages.toMessage(Messages.Hello.TYPE, new Messages.Hello(Wire.PROTOCOL_VERSION, myHost)));
        Messages.Hello reply = Messages.fromMessage(wire.expect(Messages.Hello.TYPE), Messages.Hello.class);
        if (reply.version() != Wire.PROTOCOL_VERSION) {
            throw new Wire.PeerRefusedException("it speaks protocol version " + reply.version()
                    + ", this client speaks " + Wire.PROTOCOL_VERSION);
        }
        if (reply.host() == null) {
            throw new Wire.ProtocolException("the server did not say who it is (use the same xdperf release on both ends)");
        }
        host = reply.host();
    }

    /** The server's interface, MAC, addresses and boot id. */
    public Messages.Host host() {
        return host;
    }

    public String address() {
        return address;
    }

    /** Asks the server to attach its receiver; returns once it is receiving. */
    public void start(Start start) {
        try {
            wire.send(start.toMessage());
            wire.expect("ready");
        } catch (Wire.PeerRefusedException e) {
            throw new ControlException("server " + address + ": " + e.getMessage());
        } catch (IOException e) {
            throw new ControlException("start run on server " + address + ": " + e.getMessage());
        }
        reader = new Thread(this::readLoop, "xdperf-control-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        try {
            while (true) {
                JsonNode m = wire.receive();
                if (m == null) {
                    result.completeExceptionally(new ControlException("server " + address + " closed the connection during the run"));
                    return;
                }
                switch (m.path("type").asText()) {
                    case Messages.Interval.TYPE -> lastInterval.set(Messages.fromMessage(m, Messages.Interval.class));
                    case Messages.Result.TYPE -> {
                        result.complete(Messages.Result.fromMessage(m));
                        return;
                    }
                    case "error" -> {
                        result.completeExceptionally(new ControlException("server " + address + ": " + m.path("message").asText()));
                        return;
                    }
                    default -> { }
                }
            }
        } catch (IOException e) {
            result.completeExceptionally(new ControlException("server " + address + ": " + e.getMessage()));
        }
    }

    /** The server's latest once-a-second counters, or null before the first. */
    public Messages.Interval lastInterval() {
        return lastInterval.get();
    }

    /** Tells the server the run is over and waits for its results. */
    public Messages.Result stop(Messages.Stop stop, Duration timeout) {
        try {
            wire.send(Messages.toMessage(Messages.Stop.TYPE, stop));
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ControlException c ? c : new ControlException(e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new ControlException("server " + address + " sent no results within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new ControlException("stop run on server " + address + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException("interrupted while waiting for the server's results");
        }
    }

    @Override
    public void close() {
        wire.close();
    }
}
