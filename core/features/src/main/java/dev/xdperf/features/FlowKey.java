package dev.xdperf.features;

import dev.xdperf.bpf.Structs;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A 5-tuple in the byte layout of struct xdperf_flow_key (IPv4 in the first 4 address bytes,
 * ports in host order, little-endian): the XDP map's raw keys and the AF_PACKET baseline's
 * keys are the same bytes, so both aggregate identically.
 */
public final class FlowKey {
    private final byte[] raw;
    private final int hash;

    public FlowKey(byte[] raw) {
        if (raw.length != Structs.FlowKey.SIZE) {
            throw new IllegalArgumentException("flow key of " + raw.length + " bytes, not " + Structs.FlowKey.SIZE);
        }
        this.raw = raw;
        this.hash = Arrays.hashCode(raw);
    }

    public byte[] raw() {
        return raw.clone();
    }

    public int family() {
        return raw[Structs.FlowKey.FAMILY];
    }

    public int proto() {
        return raw[Structs.FlowKey.PROTO] & 0xff;
    }

    public int sport() {
        return (raw[Structs.FlowKey.SPORT] & 0xff) | (raw[Structs.FlowKey.SPORT + 1] & 0xff) << 8;
    }

    public int dport() {
        return (raw[Structs.FlowKey.DPORT] & 0xff) | (raw[Structs.FlowKey.DPORT + 1] & 0xff) << 8;
    }

    /** The source address bytes: 4 for IPv4, 16 for IPv6. */
    public byte[] src() {
        return Arrays.copyOfRange(raw, Structs.FlowKey.SRC, Structs.FlowKey.SRC + (family() == 6 ? 16 : 4));
    }

    public byte[] dst() {
        return Arrays.copyOfRange(raw, Structs.FlowKey.DST, Structs.FlowKey.DST + (family() == 6 ? 16 : 4));
    }

    public String srcText() {
        return text(src());
    }

    public String dstText() {
        return text(dst());
    }

    static String text(byte[] a) {
        try {
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.hash == hash && Arrays.equals(k.raw, raw);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return srcText() + ":" + sport() + " > " + dstText() + ":" + dport() + " proto " + proto();
    }
}
