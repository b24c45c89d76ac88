package dev.xdperf.stats;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.tx.TxCounters;
import java.util.Locale;

/** One second of a run: what xdp_tx sent, what the device did, and the receiver's rate when known. */
public record LiveSample(double elapsed, double txPps, double txBps, Double rxPps,
                         long devTxPackets, long devXdpXmit, long devXdpXmitErrors, long devTxDropped, Double reverseRxPps,
                         Long latP50, Long latP99, Long lost, Long lostConfirmed, java.util.List<Stream> streams) {

    /**
     * One stream's second: its name and frame sizes, the sender's rate, and (when the server counts it)
     * the receiver's rate and losses; null where unknown.
     */
    public record Stream(int id, String name, java.util.List<Integer> frameSizes, double txPps, Double rxPps, Long lost) {
        public Stream {
            frameSizes = java.util.List.copyOf(frameSizes);
        }
    }

    public LiveSample {
        streams = streams == null ? java.util.List.of() : java.util.List.copyOf(streams);
    }

    public static LiveSample of(TxCounters delta, DeviceCounters dev, double elapsed, Double rxPps) {
        double s = Math.max(1e-9, delta.nanos() / 1e9);
        return new LiveSample(elapsed, delta.sentPackets() / s, delta.sentBytes() * 8.0 / s, rxPps,
                dev.txPackets(), dev.xdpXmit(), dev.xdpXmitErrors(), dev.txDropped(), null, null, null, null, null, java.util.List.of());
    }

    /** The same second with the receiver's latency percentiles and losses so far. */
    public LiveSample withReceiver(Long p50, Long p99, Long lostSoFar) {
        return new LiveSample(elapsed, txPps, txBps, rxPps, devTxPackets, devXdpXmit, devXdpXmitErrors, devTxDropped,
                reverseRxPps, p50, p99, lostSoFar, lostConfirmed, streams);
    }

    /**
     * The same second with the losses that are certain: a gap that stayed open across two of the
     * server's counts a second apart is older than any reordering, so this never goes down.
     */
    public LiveSample withLostConfirmed(long confirmed) {
        return new LiveSample(elapsed, txPps, txBps, rxPps, devTxPackets, devXdpXmit, devXdpXmitErrors, devTxDropped,
                reverseRxPps, latP50, latP99, lost, confirmed, streams);
    }

    /** The same second with each stream's own figures. */
    public LiveSample withStreams(java.util.List<Stream> perStream) {
        return new LiveSample(elapsed, txPps, txBps, rxPps, devTxPackets, devXdpXmit, devXdpXmitErrors, devTxDropped,
                reverseRxPps, latP50, latP99, lost, lostConfirmed, perStream);
    }

    /** The same second with what arrived here from the server (--reverse, --bidir). */
    public LiveSample withReverse(double pps) {
        return new LiveSample(elapsed, txPps, txBps, rxPps, devTxPackets, devXdpXmit, devXdpXmitErrors, devTxDropped, pps,
                latP50, latP99, lost, lostConfirmed, streams);
    }

    public String toText() {
        return String.format(Locale.ROOT, "[%6.1fs] tx %12s %13s | rx %12s | dev xdp_xmit %,d errors %,d tx_dropped %,d%s",
                elapsed, Units.pps(txPps), Units.bits(txBps), rxPps == null ? "-" : Units.pps(rxPps),
                devXdpXmit, devXdpXmitErrors, devTxDropped,
                reverseRxPps == null ? "" : " | reverse rx " + Units.pps(reverseRxPps));
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", "interval");
        n.put("elapsed", Math.round(elapsed * 1000) / 1000.0);
        n.put("tx_pps", Math.round(txPps));
        n.put("tx_bps", Math.round(txBps));
        if (rxPps == null) {
            n.putNull("rx_pps");
        } else {
            n.put("rx_pps", Math.round(rxPps));
        }
        n.put("dev_tx_packets", devTxPackets);
        n.put("dev_xdp_xmit", devXdpXmit);
        n.put("dev_xdp_xmit_errors", devXdpXmitErrors);
        n.put("dev_tx_dropped", devTxDropped);
        if (reverseRxPps != null) {
            n.put("reverse_rx_pps", Math.round(reverseRxPps));
        }
        if (latP50 != null) {
            n.put("latency_p50_ns", latP50);
            n.put("latency_p99_ns", latP99);
        }
        if (lost != null) {
            n.put("lost", lost);
        }
        if (lostConfirmed != null) {
            n.put("lost_confirmed", lostConfirmed);
        }
        if (!streams.isEmpty()) {
            var arr = n.putArray("streams");
            for (Stream st : streams) {
                ObjectNode o = arr.addObject();
                o.put("stream", st.id());
                o.put("name", st.name());
                var sizes = o.putArray("frame_sizes");
                st.frameSizes().forEach(sizes::add);
                o.put("tx_pps", Math.round(st.txPps()));
                if (st.rxPps() == null) {
                    o.putNull("rx_pps");
                } else {
                    o.put("rx_pps", Math.round(st.rxPps()));
                }
                if (st.lost() == null) {
                    o.putNull("lost");
                } else {
                    o.put("lost", st.lost());
                }
            }
        }
        return n;
    }
}
