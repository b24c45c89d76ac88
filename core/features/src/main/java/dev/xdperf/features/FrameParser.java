package dev.xdperf.features;

import dev.xdperf.bpf.Structs;
import java.util.Arrays;

/**
 * The user-space twin of xdp_features' parser, for the AF_PACKET baseline: Ethernet, up to two
 * VLAN tags, IPv4/IPv6, TCP/UDP ports and flags, ICMP (no ports), and the xdperf measurement
 * header after the transport header. Same rules, same results: FrameParserTest and the
 * baseline tests hold the two to each other.
 */
public final class FrameParser {
    private static final int ETH_P_IP = 0x0800;
    private static final int ETH_P_IPV6 = 0x86DD;
    private static final int ETH_P_8021Q = 0x8100;
    private static final int ETH_P_8021AD = 0x88A8;

    private FrameParser() {}

    /**
     * Fills {@code r} from the first {@code caplen} bytes of a frame. {@code wireLen} is the
     * frame's length as received; {@code strippedTci} is a VLAN tag the kernel took out of the
     * frame (AF_PACKET reports it beside the data), or -1. Returns false for frames that carry
     * no IP packet (they get no features).
     */
    public static boolean parse(byte[] f, int caplen, int wireLen, int strippedTci, PacketRecord r) {
        int end = Math.min(caplen, f.length);
        r.vlan = -1;
        r.len = wireLen;
        if (strippedTci >= 0) {
            r.vlan = strippedTci & 0x0fff;
            r.len = wireLen + 4;   // the tag was on the wire: count it as XDP does
        }
        r.tcpFlags = 0;
        r.xdperf = false;
        r.stream = 0;
        r.txCpu = 0;
        r.seq = 0;
        r.sport = 0;
        r.dport = 0;
        if (end < 14) {
            return false;
        }
        int cur = 14;
        int proto = u16(f, 12);
        for (int i = 0; i < 2; i++) {
            if (proto != ETH_P_8021Q && proto != ETH_P_8021AD) {
                break;
            }
            if (cur + 4 > end) {
                return false;
            }
            if (r.vlan < 0) {
                r.vlan = u16(f, cur) & 0x0fff;
            }
            proto = u16(f, cur + 2);
            cur += 4;
        }
        int l4;
        if (proto == ETH_P_IP) {
            if (cur + 20 > end || (f[cur] & 0x0f) < 5) {
                return false;
            }
            r.family = 4;
            Arrays.fill(r.src, (byte) 0);
            Arrays.fill(r.dst, (byte) 0);
            System.arraycopy(f, cur + 12, r.src, 0, 4);
            System.arraycopy(f, cur + 16, r.dst, 0, 4);
            l4 = f[cur + 9] & 0xff;
            r.proto = l4;
            if ((u16(f, cur + 6) & 0x1fff) != 0) {
                return true;   // a later fragment: no transport header
            }
            cur += (f[cur] & 0x0f) * 4;
        } else if (proto == ETH_P_IPV6) {
            if (cur + 40 > end) {
                return false;
            }
            r.family = 6;
            System.arraycopy(f, cur + 8, r.src, 0, 16);
            System.arraycopy(f, cur + 24, r.dst, 0, 16);
            l4 = f[cur + 6] & 0xff;
            r.proto = l4;
            cur += 40;
        } else {
            return false;
        }
        if (l4 == 17) {
            if (cur + 8 > end) {
                return true;
            }
            r.sport = u16(f, cur);
            r.dport = u16(f, cur + 2);
            cur += 8;
        } else if (l4 == 6) {
            if (cur + 20 > end || ((f[cur + 12] & 0xff) >> 4) < 5) {
                return true;
            }
            r.sport = u16(f, cur);
            r.dport = u16(f, cur + 2);
            r.tcpFlags = f[cur + 13] & 0xff;
            cur += ((f[cur + 12] & 0xff) >> 4) * 4;
        } else if (l4 == 1 || l4 == 58) {
            if (cur + 8 > end) {
                return true;
            }
            cur += 8;
        } else {
            return true;
        }
        if (cur + Structs.Mh.SIZE <= end && u16(f, cur) == Structs.MH_MAGIC) {
            r.xdperf = true;
            r.stream = u16(f, cur + Structs.Mh.STREAM_ID);
            r.seq = ((long) u16(f, cur + Structs.Mh.SEQ) << 16) | u16(f, cur + Structs.Mh.SEQ + 2);
            r.txCpu = f[cur + Structs.Mh.CPU] & 0xff;
        }
        return true;
    }

    /** The record's 5-tuple as struct xdperf_flow_key bytes. */
    public static byte[] flowKey(PacketRecord r) {
        byte[] k = new byte[Structs.FlowKey.SIZE];
        System.arraycopy(r.src, 0, k, Structs.FlowKey.SRC, r.addressLength());
        System.arraycopy(r.dst, 0, k, Structs.FlowKey.DST, r.addressLength());
        k[Structs.FlowKey.SPORT] = (byte) r.sport;
        k[Structs.FlowKey.SPORT + 1] = (byte) (r.sport >> 8);
        k[Structs.FlowKey.DPORT] = (byte) r.dport;
        k[Structs.FlowKey.DPORT + 1] = (byte) (r.dport >> 8);
        k[Structs.FlowKey.PROTO] = (byte) r.proto;
        k[Structs.FlowKey.FAMILY] = (byte) r.family;
        return k;
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xff) << 8 | (f[at + 1] & 0xff);
    }
}
