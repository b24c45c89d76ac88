package {{PACKAGE}};

import dev.xdperf.abi.ChecksumRule;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.OptionSpec;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplatePlugin;
import dev.xdperf.abi.TemplateSet;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * xdperf plugin "{{NAME}}": UDP requests, each carrying a 16-bit request id that counts up per
 * packet, from one source port per flow, with a measurement header so the receiver counts
 * loss, reordering and latency. Written by {@code xdperf plugin new}; make it yours.
 */
@Extension
public final class {{CLASS}} implements TemplatePlugin {
    static final String ID = "{{NAME}}";
    private static final int ETH = 14;
    private static final int UDP = 8;
    private static final int MH = 18;

    @Override
    public PluginDescription describe() {
        return PluginDescription.builder(ID, "0.1.0", ABI_MAJOR, ABI_MINOR)
                .description("UDP requests with a per-packet request id and a measurement header")
                .license("Apache-2.0")
                .option(OptionSpec.integer("dst-port", 9000, 1, 65535, "destination UDP port"))
                .option(OptionSpec.of("src-ports", "port-range", "1024-65535", "source ports the flows take in turn"))
                .option(OptionSpec.integer("flows", 1, 1, 65536, "flows: distinct source ports"))
                .option(OptionSpec.integer("payload", 32, 20, 1472,
                        "UDP payload bytes: measurement header, request id, pattern (a frame size given to the run takes precedence)"))
                .option(OptionSpec.bool("ipv6", false, "send over IPv6 even when the run has IPv4 addresses"))
                .build();
    }

    @Override
    public TemplateSet generate(RunRequest request) {
        // the host sends every declared option, checked against its type, defaults filled in
        Map<String, String> o = new java.util.HashMap<>();
        request.options().forEach(e -> o.put(e.getKey(), e.getValue()));
        int dstPort = Integer.parseInt(o.get("dst-port"));
        String[] ports = o.get("src-ports").split("-");
        int lo = Integer.parseInt(ports[0]);
        int hi = Integer.parseInt(ports[1]);
        int flows = Integer.parseInt(o.get("flows"));
        if (hi - lo + 1 < flows) {
            throw new IllegalArgumentException("option flows: " + flows + " flows need " + flows + " source ports, src-ports "
                    + lo + "-" + hi + " has " + (hi - lo + 1));
        }
        InetAddress[] pair = pick(request, Boolean.parseBoolean(o.get("ipv6")));
        boolean v4 = pair[1] instanceof Inet4Address;
        int l4 = ETH + (v4 ? 20 : 40);
        int data = l4 + UDP;
        int payload = Integer.parseInt(o.get("payload"));
        if (request.frameSize() != 0) {
            if (request.frameSize() < data + MH + 2) {
                throw new IllegalArgumentException("frame size " + request.frameSize() + " is smaller than the " + (data + MH + 2)
                        + " bytes of headers, measurement header and request id");
            }
            payload = request.frameSize() - data;
        }
        int len = data + payload;
        if (len > TemplateSet.MAX_FRAME || len > request.mtu() + ETH) {
            throw new IllegalArgumentException("a " + len + "-byte frame does not fit the sending interface (MTU " + request.mtu()
                    + "): lower payload");
        }
        int stream = request.streamBase();
        ByteBuffer f = ByteBuffer.allocate(len);
        f.put(request.dstMac()).put(request.srcMac()).putShort((short) (v4 ? 0x0800 : 0x86DD));
        if (v4) {
            f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + UDP + payload)).putShort((short) 0)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0)
                    .put(pair[0].getAddress()).put(pair[1].getAddress());
        } else {
            f.putInt(0x60000000).putShort((short) (UDP + payload)).put((byte) 17).put((byte) 64)
                    .put(pair[0].getAddress()).put(pair[1].getAddress());
        }
        f.putShort((short) lo).putShort((short) dstPort).putShort((short) (UDP + payload)).putShort((short) 0);
        // the measurement header right after the UDP header: magic, stream id, version; xdp_tx stamps the rest
        f.putShort((short) 0x58DF).putShort((short) stream).put(new byte[13]).put((byte) 1);
        int id = f.position();
        // the request id (2 bytes, written per packet by its field rule), then a pattern
        for (int i = id + 2; i < len; i++) {
            f.put(i, (byte) i);
        }
        List<FieldRule> fields = List.of(
                FieldRule.increment(l4, 2, FieldRule.Scope.FLOW, lo, lo + flows - 1, 1),
                // the request id counts this template's packets (docs/abi.md: counters are per template)
                FieldRule.increment(id, 2, FieldRule.Scope.PACKET, 0, 0xffff, 1));
        List<ChecksumRule> checksums = v4
                ? List.of(ChecksumRule.ipv4Header(ETH), ChecksumRule.of(ChecksumRule.Kind.UDP, ETH, l4))
                : List.of(ChecksumRule.of(ChecksumRule.Kind.UDP, ETH, l4));
        PacketTemplate t = new PacketTemplate(f.array(), stream, 1, flows, data, fields, checksums);
        return new TemplateSet(describe().abi(), List.of(t));
    }

    /** The run's first source and destination of one family: IPv4 unless asked for IPv6 or there is none. */
    private static InetAddress[] pick(RunRequest r, boolean ipv6) {
        for (boolean want6 : ipv6 ? new boolean[] {true} : new boolean[] {false, true}) {
            for (InetAddress d : r.dstAddrs()) {
                if ((d instanceof Inet4Address) == want6) {
                    continue;
                }
                for (InetAddress s : r.srcAddrs()) {
                    if (s.getClass() == d.getClass()) {
                        return new InetAddress[] {s, d};
                    }
                }
            }
        }
        throw new IllegalArgumentException("the run has no source and destination address of the same family (sources "
                + r.srcAddrs() + ", destinations " + r.dstAddrs() + ")");
    }
}
