package dev.xdperf.features;

import dev.xdperf.bpf.BpfObject;
import dev.xdperf.bpf.PacketRing;
import dev.xdperf.bpf.ProgramInfo;
import dev.xdperf.bpf.XdpLink;
import dev.xdperf.bpf.XdpMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Pointer;

/**
 * The baseline: the same extraction in user space from an AF_PACKET TPACKET_V3 ring
 * (incoming packets only). Every packet crosses into an skb and the socket; parsing,
 * sampling (1 in N packets of the socket) and flow aggregation happen here, the writers are
 * the same. On veth, frames that the peer sends with XDP_TX are only delivered when the
 * receiving end runs NAPI, so the baseline attaches xdperf's xdp_pass (it returns XDP_PASS;
 * its run time is reported) unless told not to; a physical NIC does not need it.
 */
final class AfPacketFeatureReceiver implements FeatureReceiver {
    static final int BLOCK_SIZE = 1 << 20;
    static final int SNAPLEN = 256;   // Ethernet + 2 VLAN tags + IPv6 + TCP with options + measurement header fit
    private static final int BLOCK_TIMEOUT_MS = 10;

    private final FeatureTier tier;
    private final PacketRing ring;
    private final BpfObject passObject;
    private final XdpLink passLink;
    private final byte[] frame = new byte[SNAPLEN];
    private final PacketRecord record = new PacketRecord();
    private final Map<FlowKey, long[]> counts = new HashMap<>();
    private final FlowTable flows = new FlowTable();
    private FeatureWriter sink;
    private long seen;
    private long ip;
    private long other;
    private long xdperf;
    private long bytes;
    private long selected;

    private AfPacketFeatureReceiver(FeatureTier tier, PacketRing ring, BpfObject passObject, XdpLink passLink) {
        this.tier = tier;
        this.ring = ring;
        this.passObject = passObject;
        this.passLink = passLink;
    }

    /** {@code ringBytes} is rounded to whole 1 MiB blocks. */
    static AfPacketFeatureReceiver start(String ifname, FeatureTier tier, XdpMode mode, boolean attachPass, long ringBytes) {
        BpfObject o = null;
        XdpLink l = null;
        PacketRing r = null;
        try {
            if (attachPass) {
                o = BpfObject.loadBundled("tx", List.of("xdp_pass"));
                l = XdpLink.attach(o.program("xdp_pass"), ifname, mode);
            }
            int blocks = (int) Math.max(2, ringBytes / BLOCK_SIZE);
            r = PacketRing.open(ifname, BLOCK_SIZE, blocks, BLOCK_TIMEOUT_MS, SNAPLEN);
            return new AfPacketFeatureReceiver(tier, r, o, l);
        } catch (RuntimeException e) {
            if (r != null) {
                r.close();
            }
            if (l != null) {
                l.close();
            }
            if (o != null) {
                o.close();
            }
            throw e;
        }
    }

    @Override
    public String name() {
        return "af_packet";
    }

    @Override
    public int poll(FeatureWriter w, int waitMs) throws IOException {
        sink = w;
        try {
            return ring.receive(this::packet, waitMs);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void packet(Pointer mem, long offset, int caplen, int wireLen, int vlanTci, long realtimeNs) {
        int n = Math.min(caplen, frame.length);
        mem.get(offset, frame, 0, n);
        seen++;
        PacketRecord r = record;
        if (!FrameParser.parse(frame, n, wireLen, vlanTci, r)) {
            other++;
            bytes += wireLen + (vlanTci >= 0 ? 4 : 0);
            return;
        }
        bytes += r.len;
        ip++;
        if (r.xdperf) {
            xdperf++;
        }
        r.timeNs = realtimeNs;
        if (!tier.perPacket()) {
            long[] c = counts.computeIfAbsent(new FlowKey(FrameParser.flowKey(r)), k -> new long[] {0, 0, realtimeNs, 0, 0});
            c[0]++;
            c[1] += r.len;
            c[3] = realtimeNs;
            c[4] |= r.tcpFlags;
            return;
        }
        if (tier.sampleN() > 1 && (ip - 1) % tier.sampleN() != 0) {
            return;
        }
        selected++;
        try {
            sink.packet(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void exportFlows(FeatureWriter w) throws IOException {
        Map<FlowKey, FlowTable.Cumulative> current = new HashMap<>();
        counts.forEach((k, c) -> current.put(k, new FlowTable.Cumulative(c[0], c[1], c[2], c[3], (int) c[4])));
        flows.export(current, w);
    }

    @Override
    public long packetsSeen() {
        return seen;
    }

    @Override
    public Map<String, Long> completeness(FeatureWriter w) {
        PacketRing.Stats s = ring.statistics();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("packets_seen", seen);
        m.put("bytes_seen", bytes);
        m.put("ip_packets", ip);
        m.put("packets_without_features", other);
        m.put("xdperf_packets", xdperf);
        m.put("socket_packets", s.packets());
        m.put("socket_drops", s.drops());
        m.put("socket_queue_freezes", s.freezes());
        if (tier.perPacket()) {
            m.put("records_selected", selected);
            m.put("records_written", w.written());
            // A packet the socket dropped never reached the parser: its record is lost
            // (for the sampled tier, the sampler never saw it: about 1 in N of them).
            m.put("records_lost", tier.sampleN() > 1 ? (s.drops() + tier.sampleN() - 1) / tier.sampleN() : s.drops());
        } else {
            m.put("flows", (long) flows.flows());
            m.put("records_written", w.written());
            m.put("flow_packets_exported", flows.packetsExported());
            m.put("records_lost", 0L);
            m.put("flow_packets_missing", s.drops());
        }
        return m;
    }

    @Override
    public Map<String, ProgramInfo> programs() {
        return passObject == null ? Map.of() : Map.of("xdp_pass", ProgramInfo.of(passObject.program("xdp_pass").fd()));
    }

    /** The socket keeps receiving until closed; the final drain takes what the kernel queued. */
    @Override
    public void detach() {
    }

    @Override
    public void close() {
        ring.close();
        if (passLink != null) {
            passLink.close();
        }
        if (passObject != null) {
            passObject.close();
        }
    }
}
