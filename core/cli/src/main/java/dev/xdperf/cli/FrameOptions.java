package dev.xdperf.cli;

import dev.xdperf.bpf.XdpMode;
import dev.xdperf.spec.RunSpec;
import dev.xdperf.packet.MacAddress;
import java.net.InetAddress;
import picocli.CommandLine.Option;

/** The addresses of the built-in stream and how XDP attaches: the same for `client` and `agent`. */
final class FrameOptions {
    @Option(names = "--src-mac", converter = Converters.Mac.class, description = "Default: the interface's MAC.")
    MacAddress srcMac;

    @Option(names = "--dst-mac", converter = Converters.Mac.class,
            description = "Default: the server's MAC, else the neighbour table's entry for --dst-ip.")
    MacAddress dstMac;

    @Option(names = "--src-ip", converter = Converters.Ip.class, description = "IPv4 or IPv6. Default: the interface's address.")
    InetAddress srcIp;

    @Option(names = "--dst-ip", converter = Converters.Ip.class, description = "IPv4 or IPv6. Default: the server's address.")
    InetAddress dstIp;

    @Option(names = {"-6", "--ipv6"}, description = "Use IPv6 addresses by default.")
    boolean ipv6;

    @Option(names = "--dst-port", description = "UDP destination port (default ${DEFAULT-VALUE}).")
    int dstPort = RunSpec.DEFAULT_UDP_PORT;

    @Option(names = "--xdp-mode", converter = Converters.Mode.class, paramLabel = "MODE", description = "native (default) or generic.")
    XdpMode xdpMode = XdpMode.NATIVE;

    @Option(names = "--no-pass-prog", description = "Do not attach the pass-through XDP program to --dev.")
    boolean noPass;

    void applyTo(RunSpec.Builder b) {
        applyTo(b, option -> true);
    }

    /** Only the options {@code given} accepts (with a profile: those on the command line). */
    void applyTo(RunSpec.Builder b, java.util.function.Predicate<String> given) {
        if (given.test("--src-mac")) {
            b.srcMac(srcMac);
        }
        if (given.test("--dst-mac")) {
            b.dstMac(dstMac);
        }
        if (given.test("--src-ip")) {
            b.srcIp(srcIp);
        }
        if (given.test("--dst-ip")) {
            b.dstIp(dstIp);
        }
        if (given.test("--ipv6")) {
            b.ipv6(ipv6);
        }
        if (given.test("--dst-port")) {
            b.dstPort(dstPort);
        }
        if (given.test("--xdp-mode")) {
            b.xdpMode(xdpMode);
        }
        if (given.test("--no-pass-prog")) {
            b.attachPass(!noPass);
        }
    }
}
