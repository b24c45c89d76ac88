package dev.xdperf.stats;

import dev.xdperf.rx.LatencyHistogram;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.tx.TxCounters;
import java.util.List;
import java.util.Locale;

/**
 * The final report of a run: the sender's side, the receiver's side when there is one, the
 * devices' own counters, and what xdperf could and could not verify. {@code rx} is null
 * when the client ran alone.
 */
public record RunReport(String dev, List<Integer> cpus, int frameSize, long targetPps, double seconds,
                        TxCounters tx, DeviceCounters txDevice,
                        String rxDev, RxSnapshot rx, DeviceCounters rxDevice,
                        boolean sharedClock, RxSnapshot returned, List<String> warnings,
                        java.util.Map<Integer, Long> sentPerStream, java.util.Map<Integer, String> streamNames,
                        java.util.Set<Integer> unmeasuredStreams, java.util.Map<Integer, Integer> streamSizes, Long seed) {
    /** Bytes a frame occupies on an Ethernet wire beyond those handed to the device: preamble, FCS, gap. */
    public static final int WIRE_OVERHEAD = 24;
    /** The FCS: sizes of a size mix count it, frame bytes do not. */
    public static final int FCS = 4;

    public RunReport {
        cpus = List.copyOf(cpus);
        warnings = List.copyOf(warnings);
        sentPerStream = java.util.Map.copyOf(sentPerStream);
        streamNames = java.util.Map.copyOf(streamNames);
        unmeasuredStreams = java.util.Set.copyOf(unmeasuredStreams);
        streamSizes = streamSizes == null ? java.util.Map.of() : java.util.Map.copyOf(streamSizes);
    }

    /** A report whose frames all carry the measurement header. */
    public RunReport(String dev, List<Integer> cpus, int frameSize, long targetPps, double seconds,
                     TxCounters tx, DeviceCounters txDevice, String rxDev, RxSnapshot rx, DeviceCounters rxDevice,
                     boolean sharedClock, RxSnapshot returned, List<String> warnings,
                     java.util.Map<Integer, Long> sentPerStream, java.util.Map<Integer, String> streamNames) {
        this(dev, cpus, frameSize, targetPps, seconds, tx, txDevice, rxDev, rx, rxDevice, sharedClock, returned, warnings,
                sentPerStream, streamNames, java.util.Set.of(), java.util.Map.of(), null);
    }

    /** A report of streams some of which carry no measurement header, without a size mix. */
    public RunReport(String dev, List<Integer> cpus, int frameSize, long targetPps, double seconds,
                     TxCounters tx, DeviceCounters txDevice, String rxDev, RxSnapshot rx, DeviceCounters rxDevice,
                     boolean sharedClock, RxSnapshot returned, List<String> warnings,
                     java.util.Map<Integer, Long> sentPerStream, java.util.Map<Integer, String> streamNames,
                     java.util.Set<Integer> unmeasuredStreams) {
        this(dev, cpus, frameSize, targetPps, seconds, tx, txDevice, rxDev, rx, rxDevice, sharedClock, returned, warnings,
                sentPerStream, streamNames, unmeasuredStreams, java.util.Map.of(), null);
    }

    /** A run falls short of its target rate when the sender's rate is more than this far below it. */
    public static final double TARGET_TOLERANCE = 0.01;

    /** Frames xdp_tx sent that the device did not transmit; null when its driver has no XDP transmit counters. */
    public Long vanished() {
        return txDevice.xdpCounters() ? Math.max(0, sent() - txDevice.xdpXmit()) : null;
    }

    public double vanishedPercent() {
        Long v = vanished();
        return v == null || sent() == 0 ? 0 : 100.0 * v / sent();
    }

    /** Frames of the streams the receiver can count: those whose frames carry the measurement header. */
    public long sentMeasured() {
        return sent() - sentPerStream.entrySet().stream().filter(e -> unmeasuredStreams.contains(e.getKey()))
                .mapToLong(java.util.Map.Entry::getValue).sum();
    }

    /** Whether the receiver could count any of this run's frames: some stream carries the measurement header. */
    public boolean measured() {
        return unmeasuredStreams.isEmpty() || sentMeasured() > 0;
    }

    /** Time a run's edges may add to its length (the last call's teardown, noticing the end) without a missed target. */
    public static final double TARGET_SLACK_SECONDS = 0.1;

    /**
     * The sender's shortfall against the target rate in percent, or 0 when flat out or within
     * tolerance: more than 1 % below the target, and longer than the frames sent needed at that
     * rate by more than the run's edges can explain (a 2,000-frame run at 1 kpps is not "2 % short").
     */
    public double targetShortfallPercent() {
        if (targetPps <= 0 || seconds <= 0) {
            return 0;
        }
        double shortBy = 1 - txPps() / targetPps;
        double late = seconds - (double) sent() / targetPps;
        return shortBy > TARGET_TOLERANCE && late > TARGET_SLACK_SECONDS ? 100 * shortBy : 0;
    }

    /** This report with the size (with FCS) of each stream id of a size mix: it then counts per size. */
    public RunReport withStreamSizes(java.util.Map<Integer, Integer> sizes) {
        return new RunReport(dev, cpus, frameSize, targetPps, seconds, tx, txDevice, rxDev, rx, rxDevice, sharedClock, returned,
                warnings, sentPerStream, streamNames, unmeasuredStreams, sizes, seed);
    }

    /** This report with the seed its random field rules were drawn with (RunSpec.seed). */
    public RunReport withSeed(Long runSeed) {
        return new RunReport(dev, cpus, frameSize, targetPps, seconds, tx, txDevice, rxDev, rx, rxDevice, sharedClock, returned,
                warnings, sentPerStream, streamNames, unmeasuredStreams, streamSizes, runSeed);
    }

    /** This report with {@code more} warnings after its own. */
    public RunReport withWarnings(List<String> more) {
        List<String> all = new java.util.ArrayList<>(warnings);
        all.addAll(more);
        return new RunReport(dev, cpus, frameSize, targetPps, seconds, tx, txDevice, rxDev, rx, rxDevice, sharedClock, returned,
                all, sentPerStream, streamNames, unmeasuredStreams, streamSizes, seed);
    }

    /** One size of a size mix: its frames sent and received. */
    public record SizeCount(int size, long sent, long received) {
        public int frameBytes() {
            return size - FCS;
        }
    }

    /** Per size of a size mix, smallest first; empty without one. */
    public List<SizeCount> sizes() {
        java.util.TreeMap<Integer, long[]> by = new java.util.TreeMap<>();
        streamSizes.forEach((id, size) -> by.computeIfAbsent(size, k -> new long[2])[0] += sentPerStream.getOrDefault(id, 0L));
        if (rx != null) {
            for (var st : rx.streams()) {
                Integer size = streamSizes.get(st.streamId());
                if (size != null) {
                    by.computeIfAbsent(size, k -> new long[2])[1] += st.packets();
                }
            }
        }
        List<SizeCount> out = new java.util.ArrayList<>();
        by.forEach((size, c) -> out.add(new SizeCount(size, c[0], c[1])));
        return out;
    }

    /** Mean bytes per frame sent, without FCS. */
    public double averageFrameBytes() {
        return sent() == 0 ? 0 : (double) tx.sentBytes() / sent();
    }

    /** Bits per second on the wire: frames plus FCS, preamble and inter-frame gap. */
    public double txWireBps() {
        return seconds > 0 ? (tx.sentBytes() + (double) WIRE_OVERHEAD * sent()) * 8 / seconds : 0;
    }

    public double rxWireBps() {
        return seconds > 0 && rx != null ? (rx.bytes() + (double) WIRE_OVERHEAD * received()) * 8 / seconds : 0;
    }

    public long sent() {
        return tx.sentPackets();
    }

    public long received() {
        return rx == null ? 0 : rx.packets();
    }

    /**
     * Gaps in the sequence space, or sent minus distinct received when that is larger (tail
     * losses); only over the measured streams: frames without the header are not measured, never lost.
     */
    public long lost() {
        if (rx == null || !measured()) {
            return 0;
        }
        long unique = rx.packets() - rx.duplicates();
        return Math.max(rx.seqLost(), Math.max(0, sentMeasured() - unique));
    }

    public double lostPercent() {
        long base = Math.max(sentMeasured(), rx == null ? 0 : rx.expected());
        return base == 0 ? 0 : 100.0 * lost() / base;
    }

    public double txPps() {
        return seconds > 0 ? sent() / seconds : 0;
    }

    public double rxPps() {
        return seconds > 0 ? received() / seconds : 0;
    }

    public double txBps() {
        return seconds > 0 ? tx.sentBytes() * 8.0 / seconds : 0;
    }

    public double rxBps() {
        return seconds > 0 && rx != null ? rx.bytes() * 8.0 / seconds : 0;
    }

    /** The latency this run can show: round trips when frames came back, one-way with a shared clock. */
    public LatencyHistogram latency() {
        if (returned != null) {
            return returned.latency();
        }
        return rx != null && sharedClock ? rx.latency() : null;
    }

    public String latencyKind() {
        if (returned != null) {
            return "round-trip";
        }
        if (rx == null) {
            return "none: no receiver";
        }
        return sharedClock ? "one-way" : "none: sender and receiver do not share a clock (use --rtt)";
    }

    public boolean hasLatency() {
        return latency() != null && latency().count() > 0;
    }

    /** Mean RFC 3550 jitter over the measured streams, or -1. */
    public long jitterNs() {
        RxSnapshot s = returned != null ? returned : (rx != null && sharedClock ? rx : null);
        if (s == null || s.streams().isEmpty()) {
            return -1;
        }
        return (long) s.streams().stream().mapToLong(st -> st.jitterNs()).average().orElse(-1);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("dev", dev);
        ArrayNode c = n.putArray("cpus");
        cpus.forEach(c::add);
        n.put("frame_size", frameSize);
        if (targetPps > 0) {
            n.put("target_pps", targetPps);
        } else {
            n.putNull("target_pps");
        }
        n.put("seconds", seconds);
        if (seed != null) {
            // unsigned: what --seed takes back (fresh seeds stay below 2^53, exact in any JSON reader)
            n.put("seed", new java.math.BigInteger(Long.toUnsignedString(seed)));
        }
        n.put("sent_packets", sent());
        n.put("sent_bytes", tx.sentBytes());
        n.put("tx_pps", round(txPps()));
        n.put("tx_bps", round(txBps()));
        if (rx != null) {
            n.put("received_packets", received());
            n.put("received_bytes", rx.bytes());
            n.put("rx_pps", round(rxPps()));
            n.put("rx_bps", round(rxBps()));
            n.put("lost_packets", lost());
            n.put("lost_percent", lostPercent());
            n.put("duplicates", rx.duplicates());
            n.put("reordered", rx.reordered());
            ArrayNode streams = n.putArray("streams");
            for (int id : new java.util.TreeSet<>(unmeasuredStreams)) {
                ObjectNode o = streams.addObject();
                o.put("stream", id);
                if (streamNames.containsKey(id)) {
                    o.put("name", streamNames.get(id));
                }
                o.put("sent_packets", sentPerStream.getOrDefault(id, 0L));
                o.put("measured", false);
                o.putNull("received_packets");
                o.putNull("lost_packets");
            }
            for (var st : rx.streams()) {
                ObjectNode o = streams.addObject();
                o.put("stream", st.streamId());
                if (streamNames.containsKey(st.streamId())) {
                    o.put("name", streamNames.get(st.streamId()));
                }
                if (sentPerStream.containsKey(st.streamId())) {
                    o.put("sent_packets", sentPerStream.get(st.streamId()));
                }
                o.put("received_packets", st.packets());
                o.put("received_bytes", st.bytes());
                o.put("lost_packets", st.lost());
                o.put("duplicates", st.duplicates());
                o.put("reordered", st.reordered() + st.late());
                o.put("mean_latency_ns", sharedClock ? st.meanLatencyNs() : -1);
            }
        } else {
            n.putNull("received_packets");
            n.putNull("rx_pps");
            n.putNull("lost_packets");
        }
        if (!streamSizes.isEmpty()) {
            // a size mix: frame bytes exclude the FCS, wire bits add FCS, preamble and gap (24 bytes a frame)
            n.put("avg_frame_size", round(averageFrameBytes()));
            n.put("tx_wire_bps", round(txWireBps()));
            if (rx != null) {
                n.put("rx_wire_bps", round(rxWireBps()));
            }
            ArrayNode sizes = n.putArray("sizes");
            for (SizeCount sc : sizes()) {
                ObjectNode o = sizes.addObject();
                o.put("size", sc.size());
                o.put("frame_bytes", sc.frameBytes());
                o.put("sent_packets", sc.sent());
                if (rx != null) {
                    o.put("received_packets", sc.received());
                }
            }
        }
        ObjectNode lat = n.putObject("latency_ns");
        lat.put("kind", latencyKind());
        if (hasLatency()) {
            putPercentiles(lat, latency());
            lat.put("jitter", jitterNs());
            // The raw kernel buckets: reports of several agents merge by adding these, never by averaging percentiles.
            n.set("latency_buckets", Json.buckets(latency()));
        } else {
            lat.putNull("p50");
            lat.putNull("p99");
            lat.putNull("max");
        }
        if (returned != null) {
            n.put("returned_packets", returned.packets());
        }
        ObjectNode rate = n.putObject("rate");
        if (targetPps > 0) {
            rate.put("target_pps", targetPps);
        } else {
            rate.putNull("target_pps");
        }
        rate.put("sender_pps", round(txPps()));
        if (targetPps > 0) {
            rate.put("deficit_packets", tx.deficit());
        }
        if (rx != null && rx.largestBurst() > 0) {
            // the depth a token bucket at the target rate (per sending CPU) needs to pass what arrived
            rate.put("largest_burst", rx.largestBurst());
        }
        if (rx != null) {
            rate.put("receiver_pps", round(rxPps()));
            if (rx.gaps().count() > 0) {
                rate.put("gap_p50_ns", rx.gaps().percentile(50));
                rate.put("gap_p99_ns", rx.gaps().percentile(99));
                rate.put("send_gap_p50_ns", rx.sendGaps().percentile(50));
                rate.put("send_gap_p99_ns", rx.sendGaps().percentile(99));
                if (targetPps > 0) {
                    rate.put("gap_target_ns", Math.round(1e9 * cpus.size() / targetPps));
                }
            }
        }
        Long vanished = vanished();
        if (vanished != null) {
            n.put("vanished_packets", vanished);
        } else {
            n.putNull("vanished_packets");
        }
        ObjectNode delivery = n.putObject("delivery");
        delivery.put("sent", sent());
        if (vanished != null) {
            delivery.put("device", txDevice.xdpXmit());
        } else {
            delivery.putNull("device");
        }
        delivery.put("device_errors", txDevice.xdpXmitErrors());
        if (rx != null && measured()) {
            delivery.put("received", received());
        } else {
            delivery.putNull("received");
        }
        if (targetShortfallPercent() > 0) {
            ObjectNode missed = n.putObject("target_missed");
            missed.put("target_pps", targetPps);
            missed.put("sender_pps", round(txPps()));
            missed.put("shortfall_percent", round(targetShortfallPercent()));
        } else {
            n.putNull("target_missed");
        }
        n.set("tx_device", Json.device(dev, txDevice));
        if (rxDevice != null) {
            n.set("rx_device", Json.device(rxDev, rxDevice));
        }
        n.put("xdp_xmit_errors", txDevice.xdpXmitErrors());
        ArrayNode w = n.putArray("warnings");
        warnings.forEach(w::add);
        return n;
    }

    /** count, min, mean, p50 .. p99.99 and max of a histogram: the one way every report computes them. */
    public static void putPercentiles(ObjectNode lat, LatencyHistogram latency) {
        org.HdrHistogram.Histogram h = latency.toHdr();
        lat.put("count", h.getTotalCount());
        lat.put("min", latency.min());
        lat.put("mean", Math.round(h.getMean()));
        lat.put("p50", h.getValueAtPercentile(50));
        lat.put("p90", h.getValueAtPercentile(90));
        lat.put("p99", h.getValueAtPercentile(99));
        lat.put("p999", h.getValueAtPercentile(99.9));
        lat.put("p9999", h.getValueAtPercentile(99.99));
        lat.put("max", latency.max());
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-14s %22s %22s%n", "", "sent (" + dev + ")",
                rx == null ? "received" : "received (" + rxDev + ")"));
        b.append(row("packets", Units.count(sent()), rx == null ? "-" : Units.count(received())));
        b.append(row("rate", Units.pps(txPps()), rx == null ? "-" : Units.pps(rxPps())));
        b.append(row("bit rate", Units.bits(txBps()), rx == null ? "-" : Units.bits(rxBps())));
        if (rx != null && !measured()) {
            b.append(row("lost", "not measured (no measurement header)", ""));
        } else if (rx != null) {
            b.append(row("lost", Units.count(lost()) + " (" + Units.percent(lostPercent()) + ")", ""));
            b.append(row("duplicates", Units.count(rx.duplicates()), ""));
            b.append(row("reordered", Units.count(rx.reordered()), ""));
        }
        if (rx != null && rx.streams().size() + unmeasuredStreams.size() > 1) {
            for (int id : new java.util.TreeSet<>(unmeasuredStreams)) {
                String label = "stream " + id + (streamNames.containsKey(id) ? " (" + streamNames.get(id) + ")" : "");
                b.append(String.format(Locale.ROOT, "  %-20s %16s %22s   not measured%n", label,
                        Units.count(sentPerStream.getOrDefault(id, 0L)), "-"));
            }
            for (var st : rx.streams()) {
                String label = "stream " + st.streamId() + (streamNames.containsKey(st.streamId())
                        ? " (" + streamNames.get(st.streamId()) + ")" : "");
                Long sentHere = sentPerStream.get(st.streamId());
                b.append(String.format(Locale.ROOT, "  %-20s %16s %22s   lost %s%n", label,
                        sentHere == null ? "" : Units.count(sentHere), Units.count(st.packets()), Units.count(st.lost())));
            }
        }
        if (!streamSizes.isEmpty()) {
            b.append(row("wire rate", Units.bits(txWireBps()), rx == null ? "-" : Units.bits(rxWireBps())));
            b.append(String.format(Locale.ROOT, "  average frame %.1f bytes without FCS%n", averageFrameBytes()));
            for (SizeCount c : sizes()) {
                b.append(String.format(Locale.ROOT, "  %-20s %16s %22s%n", "size " + c.size() + " (" + c.frameBytes() + "+FCS)",
                        Units.count(c.sent()), rx == null ? "-" : Units.count(c.received())));
            }
        }
        if (returned != null) {
            b.append(row("returned", Units.count(returned.packets()), ""));
        }
        if (hasLatency()) {
            org.HdrHistogram.Histogram h = latency().toHdr();
            b.append(String.format(Locale.ROOT, "latency (%s): min %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  jitter %s%n",
                    latencyKind(), Units.nanos(latency().min()), Units.nanos(h.getValueAtPercentile(50)),
                    Units.nanos(h.getValueAtPercentile(90)), Units.nanos(h.getValueAtPercentile(99)),
                    Units.nanos(h.getValueAtPercentile(99.9)), Units.nanos(latency().max()), Units.nanos(jitterNs())));
        } else if (rx != null) {
            b.append("latency: ").append(latencyKind()).append('\n');
        }
        if (rx != null && rx.gaps().count() > 0) {
            b.append(String.format(Locale.ROOT, "rate: target %s, sender %s, receiver %s; gaps per flow: departures p50 %s"
                            + " p99 %s, arrivals p50 %s p99 %s%n",
                    targetPps > 0 ? Units.pps(targetPps) : "flat out", Units.pps(txPps()), Units.pps(rxPps()),
                    Units.nanos(rx.sendGaps().percentile(50)), Units.nanos(rx.sendGaps().percentile(99)),
                    Units.nanos(rx.gaps().percentile(50)), Units.nanos(rx.gaps().percentile(99))));
            if (rx.largestBurst() > 0) {
                b.append(String.format(Locale.ROOT, "largest burst: %d frames (the depth a token bucket at the target rate per CPU needs"
                        + " to pass every frame that arrived)%n", rx.largestBurst()));
            }
        }
        b.append(String.format(Locale.ROOT, "device %s: tx_packets %s, xdp_xmit %s, xdp_xmit_errors %s, tx_dropped %s%n",
                dev, Units.count(txDevice.txPackets()), txDevice.xdpCounters() ? Units.count(txDevice.xdpXmit()) : "not reported",
                txDevice.xdpCounters() ? Units.count(txDevice.xdpXmitErrors()) : "not reported", Units.count(txDevice.txDropped())));
        b.append(String.format(Locale.ROOT, "delivery: sent %s, device took %s, receiver counted %s%s%n", Units.count(sent()),
                vanished() == null ? "unknown (no XDP transmit counters)" : Units.count(txDevice.xdpXmit()),
                rx == null ? "- (no receiver)" : measured() ? Units.count(received()) : "- (not measured)",
                vanished() != null ? "; " + Units.count(vanished()) + " vanished (" + Units.percent(vanishedPercent()) + ")" : ""));
        if (rxDevice != null) {
            b.append(String.format(Locale.ROOT, "device %s: rx_packets %s, rx_dropped %s%n",
                    rxDev, Units.count(rxDevice.rxPackets()), Units.count(rxDevice.rxDropped())));
        }
        double mean = averageFrameBytes();
        String frames = sent() == 0 || Math.abs(mean - frameSize) < 0.5 ? frameSize + "-byte frames"
                : String.format(Locale.ROOT, "frames of up to %d bytes (mean %.1f)", frameSize, mean);   // a size mix
        b.append(String.format(Locale.ROOT, "%d CPU%s %s, %s, %.2f s%s%n", cpus.size(),
                cpus.size() == 1 ? "" : "s", cpus, frames, seconds,
                targetPps > 0 ? ", target " + Units.pps(targetPps) : ", flat out"));
        if (seed != null) {
            b.append("seed ").append(Long.toUnsignedString(seed)).append(" (--seed ").append(Long.toUnsignedString(seed))
                    .append(" draws the same random field values)\n");
        }
        for (String w : warnings) {
            b.append("warning: ").append(w).append('\n');
        }
        return b.toString();
    }

    private static String row(String label, String sent, String received) {
        return String.format(Locale.ROOT, "%-14s %22s %22s%n", label, sent, received);
    }
}
