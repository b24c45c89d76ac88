package dev.xdperf.testing;

import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A fresh namespace pair with a real `xdperf server` listening on the server's end. */
public final class ServerTopology implements AutoCloseable {
    public final Topology topology;
    public final Xdperf.Background server;

    private ServerTopology(Topology topology, Xdperf.Background server) {
        this.topology = topology;
        this.server = server;
    }

    /** Creates the topology and starts the server with {@code extra} options (e.g. --verdict pass). */
    public static ServerTopology start(String... extra) {
        Topology t = Topology.create();
        try {
            List<String> args = new ArrayList<>(List.of("server", "--dev", SERVER_IF, "--bind", SERVER_IP));
            args.addAll(List.of(extra));
            return new ServerTopology(t, Xdperf.Background.start(t.server, "listening on port", args.toArray(String[]::new)));
        } catch (RuntimeException | AssertionError e) {
            t.close();
            throw e;
        }
    }

    /** Stops the server, checks that nothing stayed attached, removes the namespaces. */
    @Override
    public void close() {
        try {
            server.close();
            topology.assertNothingAttached();
        } finally {
            topology.close();
        }
    }

    /**
     * One topology and server for every test of a class:
     * {@code @RegisterExtension static final ServerTopology.PerClass net = new ServerTopology.PerClass(...)}.
     */
    public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private final String[] serverArgs;
        private ServerTopology started;

        public PerClass(String... serverArgs) {
            this.serverArgs = serverArgs.clone();
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            started = start(serverArgs);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (started != null) {
                started.close();
                started = null;
            }
        }

        public Topology topology() {
            if (started == null) {
                throw new IllegalStateException("the server topology is started before the class's tests");
            }
            return started.topology;
        }
    }
}
