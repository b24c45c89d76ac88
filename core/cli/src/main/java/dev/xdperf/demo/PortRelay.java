package dev.xdperf.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * localhost:PORT on this host, relayed to the same port at an address inside the demo's
 * client namespace: the dashboard and metrics the client serves there are reachable as if it
 * ran here. One thread per direction of each connection (a dashboard holds an event stream open).
 */
final class PortRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    PortRelay(int port, String targetAddress) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getByName(targetAddress), port);
        try {
            this.listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalArgumentException("serve port " + port + " on localhost for the demo: " + e.getMessage() + " (pick another port)");
        }
        Thread t = new Thread(this::accept, "xdperf-demo-relay-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket();
                open.add(in);
                open.add(out);
                try {
                    out.connect(target, 2000);
                } catch (IOException e) {
                    in.close();   // the client does not serve it (yet): the browser retries
                    out.close();
                    continue;
                }
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // closed
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                i.transferTo(o);
            } catch (IOException e) {
                // one side went away
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }, "xdperf-demo-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
