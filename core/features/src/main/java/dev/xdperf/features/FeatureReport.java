package dev.xdperf.features;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.bpf.ProgramInfo;
import dev.xdperf.stats.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a features run did and what it missed: the receiver's completeness counters, the
 * driver's drop counters, where CPU time went (per CPU from /proc/stat, this process, and the
 * BPF programs' own run time) and a sentence for every loss.
 */
public record FeatureReport(String receiver, String ifname, FeatureTier tier, FeatureFormat format, String out,
                            double seconds, Map<String, Long> completeness, Map<String, Long> device,
                            CpuTimes cpu, Map<String, ProgramInfo> programs, List<String> warnings) {

    public long recordsWritten() {
        return completeness.getOrDefault("records_written", 0L);
    }

    public long recordsLost() {
        return completeness.getOrDefault("records_lost", 0L);
    }

    static List<String> warnings(FeatureTier tier, Map<String, Long> c, Map<String, Long> device, String receiver) {
        List<String> w = new ArrayList<>();
        long lost = c.getOrDefault("records_lost", 0L);
        if (tier.perPacket() && lost > 0) {
            w.add("lost " + lost + " records: "
                    + (receiver.equals("xdp")
                    ? c.getOrDefault("ring_reservation_failures", 0L) + " ring buffer reservations failed (a bigger --features-ring or a faster consumer helps)"
                    : c.getOrDefault("socket_drops", 0L) + " packets dropped by the socket before extraction (a bigger --features-ring helps)"));
        }
        if (!tier.perPacket()) {
            if (c.getOrDefault("flows_evicted", 0L) > 0) {
                w.add(c.get("flows_evicted") + " flows were evicted from the flow table before their last export: "
                        + "their packets since the previous export are missing (raise --features-max-flows)");
            }
            long missing = c.getOrDefault("flow_packets_missing", 0L);
            if (missing > 0) {
                w.add(missing + " packets are missing from the exported flows");
            }
        }
        for (var e : device.entrySet()) {
            if (!e.getKey().equals("rx_packets") && e.getValue() > 0) {
                w.add("the driver of the interface counted " + e.getValue() + " " + e.getKey());
            }
        }
        return w;
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("receiver", receiver);
        n.put("interface", ifname);
        n.put("tier", tier.kind().name().toLowerCase(java.util.Locale.ROOT));
        n.put("sampling_rate", tier.sampleN());
        n.put("format", format.extension);
        n.put("out", out);
        n.put("seconds", seconds);
        ObjectNode c = n.putObject("completeness");
        completeness.forEach(c::put);
        ObjectNode d = n.putObject("device");
        device.forEach(d::put);
        ObjectNode cpuNode = n.putObject("cpu");
        cpuNode.put("process_ns", cpu.processNs());
        cpuNode.put("wall_ns", cpu.wallNs());
        ObjectNode per = cpuNode.putObject("per_cpu_ns");
        cpu.perCpuNs().forEach((id, v) -> {
            ObjectNode o = per.putObject(Integer.toString(id));
            o.put("user", v[0] + v[1]);
            o.put("system", v[2]);
            o.put("irq", v[5]);
            o.put("softirq", v[6]);
            o.put("busy", CpuTimes.busy(v));
        });
        ObjectNode bpf = n.putObject("bpf");
        programs.forEach((name, info) -> {
            ObjectNode o = bpf.putObject(name);
            o.put("run_time_ns", info.runTimeNs());
            o.put("run_count", info.runCount());
        });
        var ws = n.putArray("warnings");
        warnings.forEach(ws::add);
        return n;
    }

    public List<String> toText() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("features %s on %s with %s: %,d records written to %s (%s), %.2f s", tier, ifname, receiver,
                recordsWritten(), out, format.extension, seconds));
        StringBuilder sb = new StringBuilder("completeness:");
        completeness.forEach((k, v) -> sb.append(' ').append(k).append(' ').append(String.format("%,d", v)).append(','));
        sb.setLength(sb.length() - 1);
        lines.add(sb.toString());
        StringBuilder dev = new StringBuilder("device " + ifname + ":");
        device.forEach((k, v) -> dev.append(' ').append(k).append(' ').append(String.format("%,d", v)).append(','));
        dev.setLength(dev.length() - 1);
        lines.add(dev.toString());
        StringBuilder cpus = new StringBuilder(String.format("cpu: this process %.3f s", cpu.processNs() / 1e9));
        cpu.perCpuNs().forEach((id, v) -> cpus.append(String.format(", cpu%d busy %.3f s (softirq %.3f)", id,
                CpuTimes.busy(v) / 1e9, v[6] / 1e9)));
        programs.forEach((name, info) -> cpus.append(String.format(", %s %.3f s in %,d runs", name, info.runTimeNs() / 1e9,
                info.runCount())));
        lines.add(cpus.toString());
        warnings.forEach(w -> lines.add("warning: " + w));
        return lines;
    }
}
