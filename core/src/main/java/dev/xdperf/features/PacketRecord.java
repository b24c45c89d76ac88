package dev.xdperf.features;

/**
 * One packet's features. Mutable and reused by the receivers (one allocation per run, not per
 * packet): a writer must copy what it keeps.
 */
public final class PacketRecord {
    /** CLOCK_REALTIME nanoseconds of arrival. */
    public long timeNs;
    public int family;
    public final byte[] src = new byte[16];
    public final byte[] dst = new byte[16];
    public int sport;
    public int dport;
    public int proto;
    /** Frame length without FCS, including VLAN tags. */
    public int len;
    /** VLAN id of the outer tag, or -1. */
    public int vlan = -1;
    public int tcpFlags;
    /** True when the xdperf measurement header was found: then stream, txCpu and seq are set. */
    public boolean xdperf;
    public int stream;
    public int txCpu;
    public long seq;

    public int addressLength() {
        return family == 6 ? 16 : 4;
    }

    public String srcText() {
        return FlowKey.text(java.util.Arrays.copyOf(src, addressLength()));
    }

    public String dstText() {
        return FlowKey.text(java.util.Arrays.copyOf(dst, addressLength()));
    }
}
