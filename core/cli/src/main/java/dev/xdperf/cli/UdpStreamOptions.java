package dev.xdperf.cli;

import dev.xdperf.packet.FieldRanges;
import dev.xdperf.packet.SizeMix;
import dev.xdperf.spec.RunSpec;
import java.util.function.Function;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/** The frames of the built-in UDP stream: their size or size mix, ports, flows, address and port ranges, stream id (`client`). */
final class UdpStreamOptions {
    @Option(names = "--size", paramLabel = "BYTES|MIX",
            description = "Frame size without FCS, 64..1514 (default ${DEFAULT-VALUE}); or a mix of sizes with FCS, 64..1518,"
                    + " interleaved packet by packet: imix (64:7,594:4,1518:1) or SIZE:WEIGHT,... (docs/imix.md).")
    String size = "64";

    @Option(names = "--src-port", description = "UDP source port (default ${DEFAULT-VALUE}).")
    int srcPort = RunSpec.DEFAULT_UDP_PORT;

    @Option(names = "--flows", paramLabel = "F",
            description = "Flows of the built-in UDP stream: source ports --src-port .. --src-port + F - 1 (default 1).")
    long flows = 1;

    @Option(names = "--src-ip-range", paramLabel = "A-B",
            description = "Source addresses of the built-in UDP stream, one more per packet: A, A+1, .. B, A, ...")
    String srcIpRange;

    @Option(names = "--dst-ip-range", paramLabel = "A-B", description = "Destination addresses, one more per packet, as --src-ip-range.")
    String dstIpRange;

    @Option(names = "--src-port-range", paramLabel = "A-B", description = "UDP source ports, one more per packet (not with --flows).")
    String srcPortRange;

    @Option(names = "--dst-port-range", paramLabel = "A-B", description = "UDP destination ports, one more per packet.")
    String dstPortRange;

    @Option(names = "--stream-id", paramLabel = "ID", description = "Stream id carried in the measurement header (default 0).")
    int stream;

    /**
     * The options {@code given} accepts, over the {@code ranges} the base spec has; the size only
     * when {@code matched} (else each stream's own, or the file's).
     */
    void applyTo(RunSpec.Builder b, FieldRanges ranges, Predicate<String> given, Predicate<String> matched) {
        if (matched.test("--size")) {
            if (SizeMix.isMix(size)) {
                b.sizeMix(StreamSpecs.sizeMix("--size", size)).size(null);
            } else {
                b.size(frameBytes(size)).sizeMix(null);
            }
        }
        if (given.test("--src-port")) {
            b.srcPort(srcPort);
        }
        if (given.test("--flows")) {
            b.flows(flows);
        }
        b.ranges(new FieldRanges(
                given.test("--src-ip-range") ? range(srcIpRange, FieldRanges.AddressRange::parse) : ranges.srcIp(),
                given.test("--dst-ip-range") ? range(dstIpRange, FieldRanges.AddressRange::parse) : ranges.dstIp(),
                given.test("--src-port-range") ? range(srcPortRange, FieldRanges.PortRange::parse) : ranges.srcPort(),
                given.test("--dst-port-range") ? range(dstPortRange, FieldRanges.PortRange::parse) : ranges.dstPort()));
        if (given.test("--stream-id")) {
            b.streamId(stream);
        }
    }

    /** The size as the dashboard shows it, when --size was given ({@code matched}). */
    String describeSize(boolean matched) {
        return matched ? size + (SizeMix.isMix(size) ? "" : " B") : "each stream's own (frame sizes below)";
    }

    private static <T> T range(String text, Function<String, T> parse) {
        return text == null ? null : parse.apply(text);
    }

    private static int frameBytes(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size '" + text + "' is not a frame size (BYTES, imix, or SIZE:WEIGHT,...)");
        }
    }
}
