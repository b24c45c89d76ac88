package dev.xdperf.stats;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.tx.TxCounters;
import java.util.Locale;

/** One second of a run: what xdp_tx sent, what the device did, and the receiver's rate when known. */
public record LiveSample(double elapsed, double txPps, double txBps, Double rxPps,
                         long devTxPackets, long devXdpXmit, long devXdpXmitErrors, long devTxDropped, Double reverseRxPps,
                         Long latP50, Long latP99, Long lost) {

    public static LiveSample of(TxCounters delta, DeviceCounters dev, double elapsed, Double rxPps) {
        double s = Math.max(1e-9, delta.nanos() / 1e9);
        return new LiveSample(elapsed, delta.sentPackets() / s, delta.sentBytes() * 8.0 / s, rxPps,
                dev.txPackets(), dev.xdpXmit(), dev.xdpXmitErrors(), dev.txDropped(), null, null, null, null);
    }

    /** The same second with the receiver's latency percentiles and losses so far. */
    public LiveSample withReceiver(Long p50, Long p99, Long lostSoFar) {
        return new LiveSample(elapsed, txPps, txBps, rxPps, devTxPackets, devXdpXmit, devXdpXmitErrors, devTxDropped,
                reverseRxPps, p50, p99, lostSoFar);
    }

    /** The same second with what arrived here from the server (--reverse, --bidir). */
    public LiveSample withReverse(double pps) {
        return new LiveSample(elapsed, txPps, txBps, rxPps, devTxPackets, devXdpXmit, devXdpXmitErrors, devTxDropped, pps,
                latP50, latP99, lost);
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
        return n;
    }
}
