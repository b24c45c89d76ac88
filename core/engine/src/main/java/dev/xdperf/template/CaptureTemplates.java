package dev.xdperf.template;

import dev.xdperf.XdperfException.ConfigException;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.ChecksumRule;
import dev.xdperf.abi.Checksums;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.packet.Capture;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.MeasurementHeader;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A capture as templates: one template per frame, weight 1, in file order, so the template
 * cycle sends the frames in the capture's order. Frames xdperf cannot send as they are are
 * skipped and counted by kind. MACs and IP addresses may be rewritten (checksums updated
 * incrementally, RFC 1624); the measurement header goes only into UDP frames with room for it.
 * A capture with more frames than {@link TemplateSet#MAX_TEMPLATES} is refused: swapping
 * templates between transmit calls would leave a gap at every swap.
 */
public final class CaptureTemplates {
    private CaptureTemplates() {}

    /** What to change in every frame; null or empty: nothing. */
    public record Rewrite(MacAddress srcMac, MacAddress dstMac, Map<InetAddress, InetAddress> ips, boolean measure) {
        public Rewrite {
            ips = ips == null ? Map.of() : Map.copyOf(ips);
        }
    }

    /** The templates and what was left out, kind by kind. */
    public record Plan(Path file, String format, TemplateSet set, int captured, int tooLong, int truncated, int notEthernet,
                       int runts, int measured) {
        public int frames() {
            return set.templates().size();
        }

        /** One line per kind of frame left out, for the report. */
        public List<String> warnings() {
            List<String> w = new ArrayList<>();
            if (tooLong > 0) {
                w.add("replay " + file + ": skipped " + tooLong + " frame" + s(tooLong) + " longer than the interface MTU + 14");
            }
            if (truncated > 0) {
                w.add("replay " + file + ": skipped " + truncated + " truncated frame" + s(truncated)
                        + " (the capture's snaplen cut them)");
            }
            if (notEthernet > 0) {
                w.add("replay " + file + ": skipped " + notEthernet + " frame" + s(notEthernet) + " of a non-Ethernet link type");
            }
            if (runts > 0) {
                w.add("replay " + file + ": skipped " + runts + " frame" + s(runts) + " shorter than an Ethernet header");
            }
            return w;
        }

        /** The set with its stream ids moved to {@code base}. */
        public TemplateSource source() {
            String name = "replay " + file.getFileName();
            return new TemplateSource() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public TemplateSet generate(RunRequest request) {
                    List<PacketTemplate> out = new ArrayList<>();
                    for (PacketTemplate t : set.templates()) {
                        byte[] f = t.frame();
                        if (t.mhOffset() > 0) {
                            MeasurementHeader.writeTemplate(f, t.mhOffset(), request.streamBase());
                        }
                        out.add(new PacketTemplate(f, request.streamBase(), 1, 1, t.mhOffset(), t.fields(), t.checksums()));
                    }
                    return new TemplateSet(set.abi(), out);
                }
            };
        }

        private static String s(int n) {
            return n == 1 ? "" : "s";
        }
    }

    public static Plan plan(Path file, Rewrite rewrite, int mtu) {
        Capture c = Capture.read(file);
        if (c.frames().isEmpty()) {
            throw new ConfigException(file + ": the capture holds no frames");
        }
        int tooLong = 0;
        int truncated = 0;
        int notEthernet = 0;
        int runts = 0;
        int measured = 0;
        int firstOther = -1;
        List<PacketTemplate> out = new ArrayList<>();
        for (Capture.Frame fr : c.frames()) {
            if (fr.linkType() != Capture.LINKTYPE_ETHERNET) {
                notEthernet++;
                firstOther = fr.linkType();
                continue;
            }
            if (fr.truncated()) {
                truncated++;
                continue;
            }
            byte[] f = fr.data();
            if (f.length < TemplateSet.MIN_FRAME) {
                runts++;
                continue;
            }
            if (mtu > 0 && f.length > mtu + 14) {
                tooLong++;
                continue;
            }
            PacketTemplate t = template(f, rewrite);
            measured += t.mhOffset() > 0 ? 1 : 0;
            out.add(t);
        }
        if (notEthernet == c.frames().size()) {
            throw new ConfigException(file + ": link type " + firstOther + " is not Ethernet (1): xdperf replays Ethernet captures");
        }
        if (out.isEmpty()) {
            throw new ConfigException(file + ": none of its " + c.frames().size() + " frames can be sent (" + tooLong
                    + " longer than the MTU " + mtu + " + 14, " + truncated + " truncated, " + notEthernet + " not Ethernet, "
                    + runts + " shorter than 14 bytes)");
        }
        if (out.size() > TemplateSet.MAX_TEMPLATES) {
            throw new ConfigException(file + ": " + out.size() + " frames to send, more than the " + TemplateSet.MAX_TEMPLATES
                    + " templates xdp_tx holds; replay at most " + TemplateSet.MAX_TEMPLATES + " frames at a time"
                    + " (editcap -r " + file.getFileName() + " part.pcap 1-" + TemplateSet.MAX_TEMPLATES + ")");
        }
        return new Plan(file, c.format(), new TemplateSet(AbiVersion.HOST, out), c.frames().size(), tooLong, truncated,
                notEthernet, runts, measured);
    }

    /** One frame, rewritten: addresses, then (when asked and possible) the measurement header. */
    static PacketTemplate template(byte[] frame, Rewrite r) {
        byte[] f = frame.clone();
        if (r.dstMac() != null) {
            System.arraycopy(r.dstMac().bytes(), 0, f, 0, 6);
        }
        if (r.srcMac() != null) {
            System.arraycopy(r.srcMac().bytes(), 0, f, 6, 6);
        }
        int off = 12;
        int type = u16(f, off);
        while ((type == 0x8100 || type == 0x88a8) && off + 6 <= f.length) {
            off += 4;
            type = u16(f, off);
        }
        int l3 = off + 2;
        if (type == 0x0800 && f.length >= l3 + 20 && (f[l3] & 0xf0) == 0x40) {
            return ipv4(f, l3, r);
        }
        if (type == 0x86DD && f.length >= l3 + 40 && (f[l3] & 0xf0) == 0x60) {
            return ipv6(f, l3, r);
        }
        return PacketTemplate.of(f);
    }

    private static PacketTemplate ipv4(byte[] f, int l3, Rewrite r) {
        int ihl = (f[l3] & 0x0f) * 4;
        if (ihl < 20 || f.length < l3 + ihl) {
            return PacketTemplate.of(f);
        }
        int proto = f[l3 + 9] & 0xff;
        int frag = u16(f, l3 + 6);
        boolean firstFragment = (frag & 0x1fff) == 0;
        boolean whole = firstFragment && (frag & 0x2000) == 0;
        int l4 = l3 + ihl;
        int l4Sum = !firstFragment ? -1 : proto == 6 ? l4 + 16 : proto == 17 ? l4 + 6 : -1;
        if (l4Sum + 2 > f.length) {
            l4Sum = -1;
        }
        boolean changed = rewrite(f, l3 + 12, 4, r, l4Sum, proto == 17);
        changed |= rewrite(f, l3 + 16, 4, r, l4Sum, proto == 17);
        if (changed) {
            f[l3 + 10] = 0;
            f[l3 + 11] = 0;
            int sum = Checksums.ipv4Header(f, l3, ihl);
            f[l3 + 10] = (byte) (sum >>> 8);
            f[l3 + 11] = (byte) sum;
        }
        boolean exact = u16(f, l3 + 2) == f.length - l3;
        if (r.measure() && proto == 17 && whole && exact && f.length >= l4 + 8 && u16(f, l4 + 4) == f.length - l4) {
            return measured(f, l3, l4);
        }
        return PacketTemplate.of(f);
    }

    private static PacketTemplate ipv6(byte[] f, int l3, Rewrite r) {
        int next = f[l3 + 6] & 0xff;
        int l4 = l3 + 40;
        int l4Sum = next == 6 ? l4 + 16 : next == 17 ? l4 + 6 : next == 58 ? l4 + 2 : -1;
        if (l4Sum + 2 > f.length) {
            l4Sum = -1;
        }
        rewrite(f, l3 + 8, 16, r, l4Sum, next == 17);
        rewrite(f, l3 + 24, 16, r, l4Sum, next == 17);
        boolean exact = u16(f, l3 + 4) + 40 == f.length - l3;
        if (r.measure() && next == 17 && exact && f.length >= l4 + 8 && u16(f, l4 + 4) == f.length - l4) {
            return measured(f, l3, l4);
        }
        return PacketTemplate.of(f);
    }

    private static PacketTemplate measured(byte[] f, int l3, int l4) {
        int mh = l4 + 8;
        if (f.length - mh < MeasurementHeader.SIZE) {
            return PacketTemplate.of(f);
        }
        MeasurementHeader.writeTemplate(f, mh, 0);
        return new PacketTemplate(f, 0, 1, 1, mh, List.of(), List.of(ChecksumRule.of(ChecksumRule.Kind.UDP, l3, l4)));
    }

    /** Replaces the address at {@code at} when the rewrite names it, updating the L4 checksum at {@code l4Sum} (-1: none). */
    private static boolean rewrite(byte[] f, int at, int len, Rewrite r, int l4Sum, boolean udp) {
        if (r.ips().isEmpty()) {
            return false;
        }
        byte[] old = java.util.Arrays.copyOfRange(f, at, at + len);
        for (Map.Entry<InetAddress, InetAddress> e : r.ips().entrySet()) {
            if (java.util.Arrays.equals(e.getKey().getAddress(), old)) {
                byte[] neu = e.getValue().getAddress();
                System.arraycopy(neu, 0, f, at, len);
                if (l4Sum >= 0) {
                    adjust(f, l4Sum, old, neu, udp);
                }
                return true;
            }
        }
        return false;
    }

    /** RFC 1624: HC' = ~(~HC + ~m + m'), word by word; a UDP checksum of 0 (none, IPv4) stays 0. */
    static void adjust(byte[] f, int at, byte[] old, byte[] neu, boolean udp) {
        int hc = u16(f, at);
        if (udp && hc == 0) {
            return;
        }
        long sum = ~hc & 0xffff;
        for (int i = 0; i < old.length; i += 2) {
            sum += ~u16(old, i) & 0xffff;
            sum += u16(neu, i);
        }
        int r = Checksums.fold(sum);
        if (udp && r == 0) {
            r = 0xffff;
        }
        f[at] = (byte) (r >>> 8);
        f[at + 1] = (byte) r;
    }

    private static int u16(byte[] b, int at) {
        return at + 1 < b.length ? ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff) : 0;
    }
}
