package dev.xdperf.features;

import dev.xdperf.bpf.BpfMap;
import dev.xdperf.bpf.BpfObject;
import dev.xdperf.bpf.Cpus;
import dev.xdperf.bpf.ProgramInfo;
import dev.xdperf.bpf.RingBuffer;
import dev.xdperf.bpf.Structs;
import dev.xdperf.bpf.XdpLink;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.rx.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import jnr.ffi.Pointer;

/**
 * xdp_features on an interface: its own object (features.bpf.o), one ring buffer per online
 * CPU in the program's ARRAY_OF_MAPS (per-packet tiers), the per-CPU LRU flow table (flows
 * tier). The program never wakes the consumer (BPF_RB_NO_WAKEUP); {@link #poll} drains every
 * ring in batches and sleeps briefly when all are empty, so a ring must hold what arrives
 * during one sleep (16 MiB per CPU holds about 0.2 s at 1 Mpps).
 */
final class XdpFeatureReceiver implements FeatureReceiver {
    static final long DEFAULT_RING_BYTES = 16L << 20;
    static final int DEFAULT_MAX_FLOWS = 65536;
    private static final int DRAIN_BATCH = 8192;

    private final FeatureTier tier;
    private final BpfObject object;
    private final List<RingBuffer> rings = new ArrayList<>();
    private XdpLink link;
    private final long realtimeOffset;
    private final FlowTable flows = new FlowTable();
    private final PacketRecord record = new PacketRecord();
    private FeatureWriter sink;
    private long written;

    private XdpFeatureReceiver(FeatureTier tier, BpfObject object, List<RingBuffer> rings, long realtimeOffset) {
        this.tier = tier;
        this.object = object;
        this.rings.addAll(rings);
        this.realtimeOffset = realtimeOffset;
    }

    static XdpFeatureReceiver start(String ifname, FeatureTier tier, Verdict verdict, XdpMode mode, long ringBytes,
                                    int maxFlows) {
        XdpFeatureReceiver r = load(tier, verdict, ringBytes, maxFlows);
        try {
            r.link = XdpLink.attach(r.object.program("xdp_features"), ifname, mode);
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** Loads the program, its maps and the rings without attaching it (tests run it with BPF_PROG_TEST_RUN). */
    static XdpFeatureReceiver load(FeatureTier tier, Verdict verdict, long ringBytes, int maxFlows) {
        BpfObject o;
        try (BpfObject.Opened opened = BpfObject.openBundled("features")) {
            opened.setMaxEntries("feat_flows", maxFlows);
            o = opened.load();
        }
        List<RingBuffer> rings = new ArrayList<>();
        try {
            ByteBuffer cfg = BpfMap.allocate(Structs.FeatConfig.SIZE);
            cfg.putInt(Structs.FeatConfig.TIER, switch (tier.kind()) {
                case FLOWS -> Structs.FEAT_FLOWS;
                case SAMPLED -> Structs.FEAT_SAMPLED;
                case FULL -> Structs.FEAT_FULL;
            });
            cfg.putInt(Structs.FeatConfig.SAMPLE_N, tier.sampleN());
            cfg.putInt(Structs.FeatConfig.VERDICT, verdict.code());
            o.map("feat_config").update(0, cfg);
            if (tier.perPacket()) {
                BpfMap slots = o.map("feat_rings");
                for (int cpu : Cpus.online()) {
                    if (cpu >= slots.maxEntries()) {
                        break;   // counted as no_ring when that CPU sees a packet
                    }
                    RingBuffer r = RingBuffer.create("feat_rb" + cpu, ringBytes);
                    rings.add(r);
                    slots.updateFd(cpu, r.fd());
                }
            }
            return new XdpFeatureReceiver(tier, o, rings, realtimeNanos() - System.nanoTime());
        } catch (RuntimeException e) {
            rings.forEach(RingBuffer::close);
            o.close();
            throw e;
        }
    }

    static long realtimeNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public String name() {
        return "xdp";
    }

    @Override
    public int poll(FeatureWriter w, int waitMs) throws IOException {
        if (!tier.perPacket()) {
            LockSupport.parkNanos(waitMs * 1_000_000L);
            return 0;
        }
        sink = w;
        int total = 0;
        try {
            for (RingBuffer r : rings) {
                int n;
                do {
                    n = r.drain(this::decode, DRAIN_BATCH);
                    total += n;
                } while (n == DRAIN_BATCH);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        written += total;
        if (total == 0) {
            // Nothing woke us (no wakeups by design): look again soon.
            LockSupport.parkNanos(Math.min(waitMs, 1) * 1_000_000L);
        }
        return total;
    }

    private void decode(Pointer p, long at, int length) {
        PacketRecord r = record;
        r.timeNs = p.getLong(at + Structs.FeatRecord.TS_NS) + realtimeOffset;
        p.get(at + Structs.FeatRecord.SRC, r.src, 0, 16);
        p.get(at + Structs.FeatRecord.DST, r.dst, 0, 16);
        r.sport = p.getShort(at + Structs.FeatRecord.SPORT) & 0xffff;
        r.dport = p.getShort(at + Structs.FeatRecord.DPORT) & 0xffff;
        r.len = p.getShort(at + Structs.FeatRecord.LEN) & 0xffff;
        int flags = p.getByte(at + Structs.FeatRecord.FLAGS);
        r.vlan = (flags & Structs.FEAT_HAS_VLAN) != 0 ? p.getShort(at + Structs.FeatRecord.VLAN) & 0xffff : -1;
        r.proto = p.getByte(at + Structs.FeatRecord.PROTO) & 0xff;
        r.family = p.getByte(at + Structs.FeatRecord.FAMILY);
        r.tcpFlags = p.getByte(at + Structs.FeatRecord.TCP_FLAGS) & 0xff;
        r.xdperf = (flags & Structs.FEAT_HAS_MH) != 0;
        r.stream = p.getShort(at + Structs.FeatRecord.STREAM_ID) & 0xffff;
        r.txCpu = p.getByte(at + Structs.FeatRecord.TX_CPU) & 0xff;
        r.seq = p.getInt(at + Structs.FeatRecord.SEQ) & 0xffffffffL;
        try {
            sink.packet(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void exportFlows(FeatureWriter w) throws IOException {
        BpfMap m = object.map("feat_flows");
        Map<FlowKey, FlowTable.Cumulative> current = new HashMap<>();
        for (byte[] k : m.keys()) {
            ByteBuffer[] cpus = m.lookupPerCpu(k);
            if (cpus == null) {
                continue;   // evicted since listed: counted in flows_evicted
            }
            long packets = 0;
            long bytes = 0;
            long first = Long.MAX_VALUE;
            long last = 0;
            int flags = 0;
            for (ByteBuffer b : cpus) {
                long p = b.getLong(Structs.FlowValue.PACKETS);
                if (p == 0) {
                    continue;
                }
                packets += p;
                bytes += b.getLong(Structs.FlowValue.BYTES);
                first = Math.min(first, b.getLong(Structs.FlowValue.FIRST_NS));
                last = Math.max(last, b.getLong(Structs.FlowValue.LAST_NS));
                flags |= b.get(Structs.FlowValue.TCP_FLAGS) & 0xff;
            }
            if (packets > 0) {
                current.put(new FlowKey(k), new FlowTable.Cumulative(packets, bytes, first + realtimeOffset,
                        last + realtimeOffset, flags));
            }
        }
        written += flows.export(current, w);
    }

    private long[] counters() {
        long[] sum = new long[Structs.FeatCounters.SIZE / 8];
        for (ByteBuffer b : object.map("feat_counters").lookupPerCpu(0)) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += b.getLong(i * 8);
            }
        }
        return sum;
    }

    private static long at(long[] c, int offset) {
        return c[offset / 8];
    }

    @Override
    public long packetsSeen() {
        return at(counters(), Structs.FeatCounters.PACKETS);
    }

    @Override
    public Map<String, Long> completeness(FeatureWriter w) {
        long[] c = counters();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("packets_seen", at(c, Structs.FeatCounters.PACKETS));
        m.put("bytes_seen", at(c, Structs.FeatCounters.BYTES));
        m.put("ip_packets", at(c, Structs.FeatCounters.IP_PACKETS));
        m.put("packets_without_features", at(c, Structs.FeatCounters.OTHER_PACKETS));
        m.put("xdperf_packets", at(c, Structs.FeatCounters.XDPERF_PACKETS));
        m.put("xdperf_bytes", at(c, Structs.FeatCounters.XDPERF_BYTES));
        if (tier.perPacket()) {
            long ringFull = at(c, Structs.FeatCounters.RING_FULL);
            long noRing = at(c, Structs.FeatCounters.NO_RING);
            m.put("records_selected", at(c, Structs.FeatCounters.SELECTED));
            m.put("records_submitted", at(c, Structs.FeatCounters.SUBMITTED));
            m.put("records_written", w.written());
            m.put("ring_reservation_failures", ringFull);
            m.put("records_without_ring", noRing);
            m.put("records_lost", ringFull + noRing + Math.max(0, at(c, Structs.FeatCounters.SUBMITTED) - written));
            int cpu = 0;
            for (ByteBuffer b : object.map("feat_counters").lookupPerCpu(0)) {
                long f = b.getLong(Structs.FeatCounters.RING_FULL);
                if (f > 0) {
                    m.put("ring_reservation_failures_cpu" + cpu, f);
                }
                cpu++;
            }
        } else {
            long created = at(c, Structs.FeatCounters.FLOWS_CREATED);
            long present = object.map("feat_flows").keys().size();
            long ip = at(c, Structs.FeatCounters.IP_PACKETS);
            m.put("flows", (long) flows.flows());
            m.put("records_written", w.written());
            m.put("flows_created", created);
            m.put("flows_evicted", Math.max(0, created - present));
            m.put("flow_update_failures", at(c, Structs.FeatCounters.FLOW_FAILURES));
            m.put("flow_packets_exported", flows.packetsExported());
            m.put("records_lost", Math.max(0, created - present));
            m.put("flow_packets_missing", Math.max(0, ip - flows.packetsExported()));
        }
        return m;
    }

    @Override
    public Map<String, ProgramInfo> programs() {
        return Map.of("xdp_features", ProgramInfo.of(object.program("xdp_features").fd()));
    }

    BpfObject object() {
        return object;
    }

    @Override
    public void detach() {
        if (link != null) {
            link.close();
        }
    }

    @Override
    public void close() {
        detach();
        rings.forEach(RingBuffer::close);
        object.close();
    }
}
