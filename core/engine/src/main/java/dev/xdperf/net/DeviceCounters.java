package dev.xdperf.net;

/**
 * The kernel's own counters of an interface: what the device says it sent and received,
 * beside what xdperf counted, so a generator limit can be told from a NIC limit.
 * {@code xdpCounters} says whether the driver reports XDP transmit counters at all: without
 * them {@code xdpXmit} is unknown, not 0.
 */
public record DeviceCounters(long txPackets, long rxPackets, long txDropped, long rxDropped,
                             long xdpXmit, long xdpXmitErrors, long nanos, boolean xdpCounters) {
    /** Counters of a driver that reports XDP transmit counters (veth, and most XDP drivers). */
    public DeviceCounters(long txPackets, long rxPackets, long txDropped, long rxDropped, long xdpXmit, long xdpXmitErrors,
                          long nanos) {
        this(txPackets, rxPackets, txDropped, rxDropped, xdpXmit, xdpXmitErrors, nanos, true);
    }

    public DeviceCounters minus(DeviceCounters before) {
        return new DeviceCounters(txPackets - before.txPackets, rxPackets - before.rxPackets,
                txDropped - before.txDropped, rxDropped - before.rxDropped,
                xdpXmit - before.xdpXmit, xdpXmitErrors - before.xdpXmitErrors, nanos - before.nanos,
                xdpCounters && before.xdpCounters);
    }
}
