package dev.xdperf.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.xdperf.net.DemoTopology;
import dev.xdperf.net.Commands;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A fresh client/server namespace pair for one test, removed afterwards whatever happens. */
public final class Topology implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    public final DemoTopology net;
    public final String client;
    public final String server;

    private Topology(DemoTopology net) {
        this.net = net;
        this.client = net.clientNs();
        this.server = net.serverNs();
    }

    public static Topology create() {
        Privileged.require();
        return new Topology(DemoTopology.create("t" + ProcessHandle.current().pid() + "x" + SEQ.incrementAndGet()));
    }

    /** True when an XDP program is attached to {@code ifname} in {@code ns}. */
    public static boolean xdpAttached(String ns, String ifname) {
        String out = Commands.check(List.of("ip", "-n", ns, "-d", "link", "show", "dev", ifname));
        return out.contains("prog/xdp") || out.contains(" xdp ") || out.contains("xdpgeneric") || out.contains("xdpdrv");
    }

    public void assertNothingAttached() {
        assertFalse(xdpAttached(client, DemoTopology.CLIENT_IF), "an XDP program is left on the client's interface");
        assertFalse(xdpAttached(server, DemoTopology.SERVER_IF), "an XDP program is left on the server's interface");
    }

    @Override
    public void close() {
        net.close();
    }

    public static boolean namespaceExists(String name) {
        return Commands.check(List.of("ip", "netns", "list")).lines().anyMatch(l -> l.split(" ")[0].equals(name));
    }
}
