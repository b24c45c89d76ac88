package dev.xdperf.cli;

import dev.xdperf.k8s.Manifests;
import picocli.CommandLine.Option;

/** Where the agents send and what, as every agent is told (`k8s render`). */
final class K8sTrafficOptions {
    @Option(names = "--dst-ip", paramLabel = "IP", description = "Where the agents send (a receiver's address on the test network).")
    String dstIp;

    @Option(names = "--dst-mac", paramLabel = "MAC", description = "Next hop's MAC (default: each node's neighbour table).")
    String dstMac;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size.")
    Integer size;

    @Option(names = "--rtt", description = "Sinks reflect, agents measure round-trip latency (merged by xdperf merge).")
    boolean rtt;

    /** The addresses checked here, as the agents would check them, and written in their canonical form. */
    void applyTo(Manifests.Options o) {
        o.dstIp = dstIp == null ? null : new Converters.Ip().convert(dstIp).getHostAddress();
        o.dstMac = dstMac == null ? null : new Converters.Mac().convert(dstMac).toString();
        o.size = size;
        o.rtt = rtt;
    }
}
