package dev.xdperf.features;

/**
 * One flow as exported: packets and bytes since the flow's previous export (deltas, so rows of
 * one flow add up to its totals), its first and last packet (CLOCK_REALTIME nanoseconds) and
 * the OR of its TCP flags.
 */
public record FlowRecord(FlowKey key, long packets, long bytes, long firstNs, long lastNs, int tcpFlags) {}
