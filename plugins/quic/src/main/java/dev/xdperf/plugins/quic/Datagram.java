package dev.xdperf.plugins.quic;

import dev.xdperf.abi.ChecksumRule;
import dev.xdperf.abi.PacketTemplate;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Ethernet + IPv4 or IPv6 + UDP around a payload, as a template: checksum rules for the IPv4
 * header and UDP (the host fills both in), no field rules, no measurement header (the payload
 * is encrypted end to end, so nothing in it may change).
 */
final class Datagram {
    static final int ETH = 14;
    static final int IPV4 = 20;
    static final int IPV6 = 40;
    static final int UDP = 8;

    private Datagram() {}

    static int ipHeaderLength(boolean ipv6) {
        return ipv6 ? IPV6 : IPV4;
    }

    static PacketTemplate template(byte[] srcMac, byte[] dstMac, InetAddress src, InetAddress dst, int srcPort, int dstPort,
                                   byte[] payload, int streamId) {
        boolean v4 = src instanceof Inet4Address;
        int ip = ipHeaderLength(!v4);
        int udpLength = UDP + payload.length;
        Bytes f = new Bytes().bytes(dstMac).bytes(srcMac).u16(v4 ? 0x0800 : 0x86dd);
        if (v4) {
            f.u8(0x45).u8(0).u16(IPV4 + udpLength)   // version, IHL; DSCP/ECN; total length
                    .u16(0).u16(0x4000)             // identification; don't fragment
                    .u8(64).u8(17).u16(0)           // TTL; UDP; checksum (the host fills it in)
                    .bytes(src.getAddress()).bytes(dst.getAddress());
        } else {
            f.u32(0x6000_0000L).u16(udpLength).u8(17).u8(64)
                    .bytes(src.getAddress()).bytes(dst.getAddress());
        }
        f.u16(srcPort).u16(dstPort).u16(udpLength).u16(0).bytes(payload);
        int l4 = ETH + ip;
        List<ChecksumRule> sums = v4
                ? List.of(ChecksumRule.ipv4Header(ETH), ChecksumRule.of(ChecksumRule.Kind.UDP, ETH, l4))
                : List.of(ChecksumRule.of(ChecksumRule.Kind.UDP, ETH, l4));
        return new PacketTemplate(f.toArray(), streamId, 1, 1, 0, List.of(), sums);
    }
}
