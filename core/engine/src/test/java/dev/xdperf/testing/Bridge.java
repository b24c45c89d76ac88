package dev.xdperf.testing;

import dev.xdperf.bpf.Cpus;
import dev.xdperf.net.Commands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Network namespaces as nodes: {@code n} node namespaces, each with one interface {@link #IF}
 * (198.18.1.(i+1)/24), joined by a bridge in a switch namespace. The bridge ports run an XDP
 * pass program (so they take frames sent with XDP_TX), know every node's MAC statically and never
 * flood unknown destinations, so a node sees only frames addressed to it. Removed afterwards.
 */
public final class Bridge implements AutoCloseable {
    public static final String IF = "xdperf-n";
    private static final AtomicInteger SEQ = new AtomicInteger();

    public final String sw;
    public final List<String> nodes = new ArrayList<>();
    public final List<String> ips = new ArrayList<>();
    public final List<String> macs = new ArrayList<>();
    private final List<String> created = new ArrayList<>();

    private Bridge(String tag) {
        this.sw = "xdperf-" + tag + "-sw";
    }

    public static Bridge create(int n) {
        Privileged.require();
        Bridge b = new Bridge("b" + ProcessHandle.current().pid() + "x" + SEQ.incrementAndGet());
        try {
            b.build(n);
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    private void build(int n) {
        ns(sw);
        sh(sw, "ip", "link", "add", "br0", "type", "bridge");
        sh(sw, "ip", "link", "set", "br0", "up");
        String queues = Integer.toString(Math.max(1, Cpus.online().size()));
        for (int i = 0; i < n; i++) {
            String node = sw.replace("-sw", "-n" + i);
            String port = "p" + i;
            ns(node);
            nodes.add(node);
            Commands.check(List.of("ip", "link", "add", IF, "netns", node, "type", "veth", "peer", "name", port, "netns", sw));
            sh(node, "ethtool", "-L", IF, "rx", queues, "tx", queues);
            sh(sw, "ethtool", "-L", port, "rx", queues, "tx", queues);
            // A veth drains frames its peer sends with XDP_TX only while it has a native XDP program.
            sh(sw, "ip", "link", "set", "dev", port, "xdpdrv", "obj", passProgram(), "sec", "xdp");
            sh(sw, "ip", "link", "set", port, "master", "br0");
            sh(sw, "ip", "link", "set", port, "up");
            sh(sw, "bridge", "link", "set", "dev", port, "flood", "off", "learning", "off");
            String ip = "198.18.1." + (i + 1);
            ips.add(ip);
            sh(node, "ip", "link", "set", "lo", "up");
            sh(node, "ip", "addr", "add", ip + "/24", "dev", IF);
            sh(node, "ip", "link", "set", IF, "up");
            String mac = Commands.check(List.of("ip", "netns", "exec", node, "cat", "/sys/class/net/" + IF + "/address")).trim();
            macs.add(mac);
            sh(sw, "bridge", "fdb", "add", mac, "dev", port, "master", "static");
        }
    }

    /** The test build's xdp_pass object (src/test/bpf). */
    private static String passProgram() {
        return testObject("xdp_pass.bpf.o");
    }

    /** An object of the test build (src/test/bpf), by file name. */
    public static String testObject(String name) {
        try {
            return java.nio.file.Path.of(Bridge.class.getResource("/bpf-examples/" + name).toURI()).toString();
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("the test BPF object " + name + " is missing (build with mvn)", e);
        }
    }

    /**
     * Puts another XDP program on the bridge port of node {@code i}, in place of the pass program:
     * it sees every frame that node sends, before the bridge (a policer, a shaper, a dropper).
     */
    public void onPortOf(int i, String object, String section) {
        sh(sw, "ip", "-force", "link", "set", "dev", "p" + i, "xdpdrv", "obj", object, "sec", section);
    }

    private void ns(String name) {
        Commands.check(List.of("ip", "netns", "add", name));
        created.add(name);
    }

    private static void sh(String ns, String... cmd) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(List.of(cmd));
        Commands.check(c);
    }

    @Override
    public synchronized void close() {
        for (int i = created.size() - 1; i >= 0; i--) {
            Commands.run(List.of("ip", "netns", "del", created.get(i)));
        }
        created.clear();
    }
}
