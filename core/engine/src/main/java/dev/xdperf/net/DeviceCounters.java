package dev.xdperf.net;

/**
 * The kernel's own counters of an interface: what the device says it sent and received,
 * beside what xdperf counted, so a generator limit can be told from a NIC limit.
 */
public record DeviceCounters(long txPackets, long rxPackets, long txDropped, long rxDropped,
                             long xdpXmit, long xdpXmitErrors, long nanos) {
    public DeviceCounters minus(DeviceCounters before) {
        return new DeviceCounters(txPackets - before.txPackets, rxPackets - before.rxPackets,
                txDropped - before.txDropped, rxDropped - before.rxDropped,
                xdpXmit - before.xdpXmit, xdpXmitErrors - before.xdpXmitErrors, nanos - before.nanos);
    }
}
