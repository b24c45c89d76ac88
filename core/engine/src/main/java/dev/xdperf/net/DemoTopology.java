package dev.xdperf.net;

import dev.xdperf.bpf.Cpus;
import java.util.ArrayList;
import java.util.List;

/**
 * Two network namespaces joined by a veth pair with one queue per CPU: the client's end and
 * the server's end. Everything it creates is removed by {@link #close()}; deleting the
 * namespaces also destroys the veth pair and detaches every program on it.
 */
public final class DemoTopology implements AutoCloseable {
    public static final String CLIENT_IP = "198.18.0.1";   // RFC 2544 benchmarking range
    public static final String SERVER_IP = "198.18.0.2";
    public static final String CLIENT_IP6 = "fd00:5844::1";
    public static final String SERVER_IP6 = "fd00:5844::2";
    public static final String CLIENT_IF = "xdperf-c";
    public static final String SERVER_IF = "xdperf-s";

    private final String clientNs;
    private final String serverNs;
    private final String tag;
    private String hostLink;
    private final List<String> created = new ArrayList<>();

    private DemoTopology(String tag) {
        this.tag = tag;
        this.clientNs = "xdperf-" + tag + "-c";
        this.serverNs = "xdperf-" + tag + "-s";
    }

    /** Creates the namespaces and the veth pair; on failure removes whatever it made and rethrows. */
    public static DemoTopology create(String tag) {
        DemoTopology t = new DemoTopology(tag);
        try {
            t.build();
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw new IllegalStateException("create demo topology: " + e.getMessage());
        }
    }

    private void build() {
        for (String ns : List.of(clientNs, serverNs)) {
            Commands.check(List.of("ip", "netns", "add", ns));
            created.add(ns);
        }
        Commands.check(List.of("ip", "link", "add", CLIENT_IF, "netns", clientNs, "type", "veth",
                "peer", "name", SERVER_IF, "netns", serverNs));
        int queues = Math.max(1, Cpus.online().size());
        // The receiving end first: queues added while a program is attached get none.
        for (String[] end : List.of(new String[] {serverNs, SERVER_IF}, new String[] {clientNs, CLIENT_IF})) {
            Commands.check(List.of("ip", "netns", "exec", end[0], "ethtool", "-L", end[1],
                    "rx", Integer.toString(queues), "tx", Integer.toString(queues)));
        }
        configure(clientNs, CLIENT_IF, CLIENT_IP, CLIENT_IP6);
        configure(serverNs, SERVER_IF, SERVER_IP, SERVER_IP6);
    }

    private static void configure(String ns, String ifname, String ip4, String ip6) {
        Commands.check(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        Commands.check(List.of("ip", "-n", ns, "addr", "add", ip4 + "/30", "dev", ifname));
        Commands.check(List.of("ip", "-n", ns, "addr", "add", ip6 + "/64", "dev", ifname, "nodad"));
        Commands.check(List.of("ip", "-n", ns, "link", "set", ifname, "up"));
    }

    /**
     * A second veth pair from this host's namespace into the client's, for services the client
     * runs there (a dashboard, metrics) to be reached from this host; returns the client end's
     * address. Its /30 comes from the tag (198.18.128.0/17), so demos running at once do not
     * share one; it goes with the client's namespace.
     */
    public synchronized String linkHost() {
        int n = Math.floorMod(tag.hashCode(), 8192) * 4;
        String net = "198.18." + (128 + n / 256) + ".";
        String host = net + (n % 256 + 1);
        String client = net + (n % 256 + 2);
        String hostIf = ("xdpm" + tag).substring(0, Math.min(15, 4 + tag.length()));
        Commands.check(List.of("ip", "link", "add", hostIf, "type", "veth", "peer", "name", "xdperf-m", "netns", clientNs));
        hostLink = hostIf;
        Commands.check(List.of("ip", "addr", "add", host + "/30", "dev", hostIf));
        Commands.check(List.of("ip", "link", "set", hostIf, "up"));
        Commands.check(List.of("ip", "-n", clientNs, "addr", "add", client + "/30", "dev", "xdperf-m"));
        Commands.check(List.of("ip", "-n", clientNs, "link", "set", "xdperf-m", "up"));
        return client;
    }

    public String clientNs() {
        return clientNs;
    }

    public String serverNs() {
        return serverNs;
    }

    /** Removes the namespaces (and with them the veth pair). Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (hostLink != null) {
            // removed here: a namespace's own links go when the kernel gets to it, later
            Commands.run(List.of("ip", "link", "del", hostLink));
            hostLink = null;
        }
        for (int i = created.size() - 1; i >= 0; i--) {
            Commands.run(List.of("ip", "netns", "del", created.get(i)));
        }
        created.clear();
    }
}
