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

    /** A copy to keep (receivers reuse the original). */
    public PacketRecord copy() {
        PacketRecord r = new PacketRecord();
        r.timeNs = timeNs;
        r.family = family;
        System.arraycopy(src, 0, r.src, 0, 16);
        System.arraycopy(dst, 0, r.dst, 0, 16);
        r.sport = sport;
        r.dport = dport;
        r.proto = proto;
        r.len = len;
        r.vlan = vlan;
        r.tcpFlags = tcpFlags;
        r.xdperf = xdperf;
        r.stream = stream;
        r.txCpu = txCpu;
        r.seq = seq;
        return r;
    }

    /** Every field but the arrival time, as text: two receivers' records of one packet compare equal. */
    public String content() {
        return family + " " + srcText() + " " + dstText() + " " + sport + " " + dport + " " + proto + " len " + len
                + " vlan " + vlan + " flags " + tcpFlags + (xdperf ? " stream " + stream + " cpu " + txCpu + " seq " + seq : "");
    }

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
