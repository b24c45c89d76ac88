package dev.xdperf.net;

import java.util.List;
import java.util.Optional;

/**
 * What a veth device counts for the XDP program on its receiving side ({@code ethtool -S},
 * summed over queues): frames run through XDP, and how many ended in drop, tx and redirect;
 * {@code errors} are frames the program sent on (tx or redirect) that the device then dropped.
 */
public record XdpRxCounters(long packets, long drops, long tx, long redirect, long errors) {
    public XdpRxCounters minus(XdpRxCounters before) {
        return new XdpRxCounters(packets - before.packets, drops - before.drops, tx - before.tx,
                redirect - before.redirect, errors - before.errors);
    }

    /** The counters of {@code ifname} when its driver reports them per queue as veth does; empty otherwise. */
    public static Optional<XdpRxCounters> read(String ifname) {
        Optional<java.util.Map<String, Long>> stats = EthtoolStats.read(ifname);
        if (stats.isEmpty()) {
            return Optional.empty();
        }
        long packets = 0;
        long drops = 0;
        long tx = 0;
        long redirect = 0;
        long errors = 0;
        boolean found = false;
        for (java.util.Map.Entry<String, Long> e : stats.get().entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("rx_queue_")) {
                continue;
            }
            long v = e.getValue();
            String stat = key.substring(key.indexOf('_', "rx_queue_".length()) + 1);
            switch (stat) {
                case "xdp_packets" -> {
                    packets += v;
                    found = true;
                }
                case "xdp_drops" -> drops += v;
                case "xdp_tx" -> tx += v;
                case "xdp_redirect" -> redirect += v;
                case "drops" -> errors += v;
                default -> { }
            }
        }
        return found ? Optional.of(new XdpRxCounters(packets, drops, tx, redirect, errors)) : Optional.empty();
    }
}
