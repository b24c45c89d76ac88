package dev.xdperf.cli;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.abi.TemplateValidator;
import dev.xdperf.analyze.pcap.PcapReader;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.PcapWriter;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.plugin.LoadedPlugin;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.template.FieldEngine;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The traffic `xdperf analyze` runs the program over (a picocli mixin): a pcap, a template set, a plugin or the built-in UDP stream. */
final class AnalyzeTrafficOptions {
    @Option(names = {"-P", "--plugin"}, paramLabel = "NAME|PATH", description = "Make the traffic with this plugin.")
    String plugin;

    @Option(names = {"-O", "--plugin-opt"}, paramLabel = "KEY=VALUE", description = "A plugin option (repeatable).")
    List<String> pluginOpts = new ArrayList<>();

    @Option(names = "--templates", paramLabel = "FILE", description = "Make the traffic from an encoded template set (docs/abi.md).")
    Path templates;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Read the traffic from a pcap file (repeatable: files are concatenated).")
    List<Path> pcaps = new ArrayList<>();

    @Option(names = "--interleave", description = "Take packets from the --pcap files in turn instead of one file after the other.")
    boolean interleave;

    @Option(names = "--traffic-out", paramLabel = "FILE.pcap", description = "Also write the analysed traffic to a pcap file.")
    Path trafficOut;

    @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class,
            description = "Packets to analyse (default 1000 generated; all of a pcap).")
    Long count;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size of the built-in UDP stream (default ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = {"-6", "--ipv6"}, description = "Generate IPv6 traffic.")
    boolean ipv6;

    @Option(names = "--src-mac", paramLabel = "MAC", converter = Converters.Mac.class, description = "Default 02:00:00:00:00:01.")
    MacAddress srcMac;

    @Option(names = "--dst-mac", paramLabel = "MAC", converter = Converters.Mac.class, description = "Default 02:00:00:00:00:02.")
    MacAddress dstMac;

    @Option(names = "--src-ip", paramLabel = "IP", converter = Converters.Ip.class, description = "Default 198.18.0.1 (fd00:5844::1 with -6).")
    InetAddress srcIp;

    @Option(names = "--dst-ip", paramLabel = "IP", converter = Converters.Ip.class, description = "Default 198.18.0.2 (fd00:5844::2 with -6).")
    InetAddress dstIp;

    @Option(names = "--src-port", paramLabel = "PORT", description = "UDP source port of the built-in stream (default ${DEFAULT-VALUE}).")
    int srcPort = 5201;

    @Option(names = "--dst-port", paramLabel = "PORT", description = "UDP destination port of the built-in stream (default ${DEFAULT-VALUE}).")
    int dstPort = 5201;

    /** The option combinations that cannot work, refused before anything is read. */
    void check() {
        int sources = (plugin != null ? 1 : 0) + (templates != null ? 1 : 0) + (pcaps.isEmpty() ? 0 : 1);
        if (sources > 1) {
            throw new IllegalArgumentException("give one of --plugin, --templates or --pcap");
        }
        if (!pluginOpts.isEmpty() && plugin == null) {
            throw new IllegalArgumentException("--plugin-opt needs --plugin");
        }
    }

    /** The packets: read from the pcaps, or generated ({@code sizeGiven}: --size was on the command line). */
    List<byte[]> packets(boolean sizeGiven) {
        if (!pcaps.isEmpty()) {
            return PcapReader.readAll(pcaps, interleave, count == null ? -1 : count);
        }
        if (interleave) {
            throw new IllegalArgumentException("--interleave needs --pcap files");
        }
        long n = count == null ? 1000 : count;
        if (n > 10_000_000) {
            throw new IllegalArgumentException("--count " + n + " is more than the 10000000 packets analyze takes");
        }
        TemplateSet set = templateSet(sizeGiven);
        TemplateValidator.validate(set, TemplateSet.MAX_FRAME);
        FieldEngine engine = new FieldEngine(set, 0);   // random rules drawn with seed 0: the same packets every time
        List<byte[]> out = new ArrayList<>((int) n);
        for (long k = 0; k < n; k++) {
            out.add(engine.frame(k));
        }
        return out;
    }

    /** The capture's timestamps, which map updates placed by time need: there must be exactly one capture, read in order. */
    long[] timestamps(int packets, String what, String map) {
        if (pcaps.size() != 1 || interleave) {
            throw new IllegalArgumentException(what + ": an update of " + map + " is placed by"
                    + " time, which needs the timestamps of one --pcap file (give \"packet\" instead)");
        }
        return PcapReader.timestamps(pcaps.get(0), packets);
    }

    private TemplateSet templateSet(boolean sizeGiven) {
        boolean v6 = ipv6 || srcIp instanceof Inet6Address || dstIp instanceof Inet6Address;
        MacAddress sm = srcMac != null ? srcMac : MacAddress.parse("02:00:00:00:00:01");
        MacAddress dm = dstMac != null ? dstMac : MacAddress.parse("02:00:00:00:00:02");
        InetAddress si = srcIp != null ? srcIp : UdpStream.parseIp(v6 ? "fd00:5844::1" : "198.18.0.1");
        InetAddress di = dstIp != null ? dstIp : UdpStream.parseIp(v6 ? "fd00:5844::2" : "198.18.0.2");
        if (templates != null) {
            return PluginResolver.file(templates).generate(null);
        }
        if (plugin != null) {
            LoadedPlugin p = PluginCommand.resolver().load(plugin);
            var options = p.describe().resolveOptions(PluginResolver.parseOptions(pluginOpts));
            RunRequest request = new RunRequest(AbiVersion.HOST, 1500, 1, sm.bytes(), dm.bytes(), sizeGiven ? size : 0, 0,
                    List.of(si), List.of(di), options);
            return p.generate(request);
        }
        return new UdpStream(sm, dm, si, di, srcPort, dstPort, size, 0, true).toTemplateSet();
    }

    static void writePcap(List<byte[]> packets, Path file) throws IOException {
        try (PcapWriter w = new PcapWriter(file)) {
            long t = 0;
            for (byte[] p : packets) {
                w.write(p, t);
                t += 1000;
            }
        }
    }
}
