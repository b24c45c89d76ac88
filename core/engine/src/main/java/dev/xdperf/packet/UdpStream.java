package dev.xdperf.packet;
import dev.xdperf.abi.Checksums;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.ChecksumRule;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The built-in stream: Ethernet, IPv4 or IPv6, UDP, the measurement header, zero padding.
 * {@code frameSize} counts the bytes handed to the device (no FCS), 64..1514 by default; a
 * size mix ({@link SizeMix}) goes down to Ethernet's 60.
 */
public record UdpStream(MacAddress srcMac, MacAddress dstMac, InetAddress srcIp, InetAddress dstIp,
                        int srcPort, int dstPort, int frameSize, int streamId, boolean measurement) {
    public static final int MIN_FRAME = 64;
    /** Ethernet's minimum without the FCS: the 64-byte frames of a size mix such as IMIX. */
    public static final int MIN_ETHERNET = 60;
    public static final int MAX_FRAME = 1514;
    public static final int ETH_LEN = 14;
    public static final int IPV4_LEN = 20;
    public static final int IPV6_LEN = 40;
    public static final int UDP_LEN = 8;
    public static final int PROTO_UDP = 17;

    public UdpStream {
        Objects.requireNonNull(srcMac, "source MAC");
        Objects.requireNonNull(dstMac, "destination MAC");
        Objects.requireNonNull(srcIp, "source address");
        Objects.requireNonNull(dstIp, "destination address");
        if (srcIp.getClass() != dstIp.getClass()) {
            throw new IllegalArgumentException("source " + srcIp.getHostAddress() + " and destination "
                    + dstIp.getHostAddress() + " are not of the same IP version");
        }
        checkPort("source port", srcPort);
        checkPort("destination port", dstPort);
        if (streamId < 0 || streamId > 0xffff) {
            throw new IllegalArgumentException("stream id " + streamId + " is outside 0..65535");
        }
        int min = Math.max(MIN_ETHERNET, headerBytes(srcIp instanceof Inet6Address, measurement));
        if (frameSize < min || frameSize > MAX_FRAME) {
            throw new IllegalArgumentException("frame size " + frameSize + " is outside " + min + ".." + MAX_FRAME
                    + " for " + (srcIp instanceof Inet6Address ? "IPv6" : "IPv4") + "/UDP"
                    + (measurement ? " with the measurement header" : ""));
        }
    }

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + " is outside 0..65535");
        }
    }

    /** Bytes before the padding: headers plus the measurement header when present. */
    public static int headerBytes(boolean ipv6, boolean measurement) {
        return ETH_LEN + (ipv6 ? IPV6_LEN : IPV4_LEN) + UDP_LEN + (measurement ? MeasurementHeader.SIZE : 0);
    }

    public boolean ipv6() {
        return srcIp instanceof Inet6Address;
    }

    public int l3Offset() {
        return ETH_LEN;
    }

    public int l4Offset() {
        return ETH_LEN + (ipv6() ? IPV6_LEN : IPV4_LEN);
    }

    public int payloadOffset() {
        return l4Offset() + UDP_LEN;
    }

    /** The stream as a one-template set: checksum rules for the IP header and UDP, the measurement header. */
    public TemplateSet toTemplateSet() {
        return new TemplateSet(AbiVersion.HOST, List.of(toTemplate()));
    }

    /**
     * The stream as {@code flows} flows: flow f has source port {@code srcPort + f} (a per-flow
     * increment rule), everything else as {@link #toTemplate()}. One flow is the plain stream.
     */
    public TemplateSet toTemplateSet(long flows) {
        return toTemplateSet(flows, FieldRanges.NONE);
    }

    /**
     * As {@link #toTemplateSet(long)}, plus one per-packet increment rule for each range given
     * (addresses: their last 32 bits; ports). The IPv4 header and UDP checksums cover every
     * one of these fields; xdp_tx updates them per packet.
     */
    public TemplateSet toTemplateSet(long flows, FieldRanges ranges) {
        if (flows < 1 || srcPort + flows - 1 > 65535) {
            throw new IllegalArgumentException(flows + " flows from source port " + srcPort + " run past port 65535"
                    + " (give a lower --src-port or fewer --flows)");
        }
        if (flows > 1 && ranges.srcPort() != null) {
            throw new IllegalArgumentException("--flows and --src-port-range both set the source port: give one of them");
        }
        PacketTemplate t = toTemplate();
        if (flows == 1 && ranges.isEmpty()) {
            return new TemplateSet(AbiVersion.HOST, List.of(t));
        }
        List<FieldRule> rules = new ArrayList<>();
        if (flows > 1) {
            rules.add(FieldRule.increment(l4Offset(), 2, FieldRule.Scope.FLOW, srcPort, srcPort + flows - 1, 1));
        }
        int addrLen = ipv6() ? 16 : 4;
        int srcAddr = ETH_LEN + (ipv6() ? 8 : 12);
        addressRule(rules, "--src-ip-range", ranges.srcIp(), srcAddr + addrLen - 4);
        addressRule(rules, "--dst-ip-range", ranges.dstIp(), srcAddr + 2 * addrLen - 4);
        if (ranges.srcPort() != null) {
            rules.add(FieldRule.increment(l4Offset(), 2, FieldRule.Scope.PACKET, ranges.srcPort().first(), ranges.srcPort().last(), 1));
        }
        if (ranges.dstPort() != null) {
            rules.add(FieldRule.increment(l4Offset() + 2, 2, FieldRule.Scope.PACKET, ranges.dstPort().first(), ranges.dstPort().last(), 1));
        }
        return new TemplateSet(AbiVersion.HOST, List.of(new PacketTemplate(t.frame(), t.streamId(), t.weight(), flows,
                t.mhOffset(), rules, t.checksums())));
    }

    private void addressRule(List<FieldRule> rules, String option, FieldRanges.AddressRange r, int offset) {
        if (r == null) {
            return;
        }
        if (r.ipv6() != ipv6()) {
            throw new IllegalArgumentException(option + " " + r.first().getHostAddress() + "-" + r.last().getHostAddress()
                    + " is not of the stream's IP version (" + (ipv6() ? "IPv6" : "IPv4") + ")");
        }
        byte[] a = r.first().getAddress();
        byte[] own = (option.startsWith("--src") ? srcIp : dstIp).getAddress();
        if (ipv6() && !java.util.Arrays.equals(a, 0, 12, own, 0, 12)) {
            throw new IllegalArgumentException(option + " " + r.first().getHostAddress() + "-" + r.last().getHostAddress()
                    + " must share its first 96 bits with " + (option.startsWith("--src") ? srcIp : dstIp).getHostAddress());
        }
        rules.add(FieldRule.increment(offset, 4, FieldRule.Scope.PACKET, r.min(), r.max(), 1));
    }

    public PacketTemplate toTemplate() {
        byte[] f = new byte[frameSize];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.put(dstMac.bytes()).put(srcMac.bytes());
        int l4 = l4Offset();
        int udpLen = frameSize - l4;
        if (ipv6()) {
            b.putShort((short) 0x86DD);
            b.putInt(0x60000000);                 // version 6, no traffic class, no flow label
            b.putShort((short) udpLen);
            b.put((byte) PROTO_UDP).put((byte) 64);
            b.put(srcIp.getAddress()).put(dstIp.getAddress());
        } else {
            b.putShort((short) 0x0800);
            b.put((byte) 0x45).put((byte) 0);
            b.putShort((short) (frameSize - ETH_LEN));
            b.putShort((short) 0).putShort((short) 0x4000);   // id 0, don't fragment
            b.put((byte) 64).put((byte) PROTO_UDP).putShort((short) 0);
            b.put(srcIp.getAddress()).put(dstIp.getAddress());
            b.putShort(ETH_LEN + 10, (short) Checksums.ipv4Header(f, ETH_LEN, IPV4_LEN));
        }
        b.putShort(l4, (short) srcPort);
        b.putShort(l4 + 2, (short) dstPort);
        b.putShort(l4 + 4, (short) udpLen);
        b.putShort(l4 + 6, (short) 0);
        int mh = measurement ? payloadOffset() : 0;
        if (measurement) {
            MeasurementHeader.writeTemplate(f, mh, streamId);
        }
        int csum = Checksums.transport(srcIp.getAddress(), dstIp.getAddress(), PROTO_UDP, f, l4, udpLen);
        b.putShort(l4 + 6, (short) (csum == 0 ? 0xffff : csum));
        List<ChecksumRule> sums = ipv6()
                ? List.of(ChecksumRule.of(ChecksumRule.Kind.UDP, ETH_LEN, l4))
                : List.of(ChecksumRule.ipv4Header(ETH_LEN), ChecksumRule.of(ChecksumRule.Kind.UDP, ETH_LEN, l4));
        return new PacketTemplate(f, streamId, 1, 1, mh, List.of(), sums);
    }

    public static InetAddress parseIp(String text) {
        String t = text.trim();
        if (t.isEmpty() || !(t.contains(":") || t.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
        try {
            InetAddress a = InetAddress.getByName(t);   // literal: no name lookup happens
            if (!(a instanceof Inet4Address) && !(a instanceof Inet6Address)) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
            }
            return a;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
    }
}
