package dev.xdperf.abi;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks of docs/abi.md, "Limits and validation". Each refusal names the template, the
 * rule and the offending value, so a plugin author can find the bug from the message alone.
 */
public final class TemplateValidator {
    public static final int MEASUREMENT_HEADER_SIZE = 18;

    private TemplateValidator() {}

    /** Validates a whole set for an interface with {@code mtu} (0: only the ABI's own limits). */
    public static void validate(TemplateSet set, int mtu) {
        if (set.templates().isEmpty() || set.templates().size() > TemplateSet.MAX_TEMPLATES) {
            throw new AbiException("template set: " + set.templates().size() + " templates, expected 1.." + TemplateSet.MAX_TEMPLATES);
        }
        for (int i = 0; i < set.templates().size(); i++) {
            validate(i, set.templates().get(i), mtu);
        }
    }

    static void validate(int index, PacketTemplate t, int mtu) {
        String where = "template " + index;
        int len = t.length();
        if (len < TemplateSet.MIN_FRAME || len > TemplateSet.MAX_FRAME) {
            throw new AbiException(where + ": frame length " + len + " is outside " + TemplateSet.MIN_FRAME + ".." + TemplateSet.MAX_FRAME);
        }
        if (mtu > 0 && len > mtu + 14) {
            throw new AbiException(where + ": frame length " + len + " exceeds the interface MTU " + mtu + " + 14");
        }
        if (t.streamId() < 0 || t.streamId() > 0xffff) {
            throw new AbiException(where + ": stream id " + t.streamId() + " is outside 0..65535");
        }
        if (t.weight() < 1 || t.weight() > 0xffff) {
            throw new AbiException(where + ": weight " + t.weight() + " is outside 1..65535");
        }
        if (t.flows() < 1 || t.flows() > 0xffffffffL) {
            throw new AbiException(where + ": flows " + t.flows() + " is outside 1..4294967295");
        }
        if (t.fields().size() > TemplateSet.MAX_FIELDS) {
            throw new AbiException(where + ": " + t.fields().size() + " field rules, at most " + TemplateSet.MAX_FIELDS);
        }
        if (t.checksums().size() > TemplateSet.MAX_CHECKSUMS) {
            throw new AbiException(where + ": " + t.checksums().size() + " checksum rules, at most " + TemplateSet.MAX_CHECKSUMS);
        }
        List<int[]> taken = new ArrayList<>();   // {start, end, kind, index}: 0 field, 1 checksum, 2 measurement header
        if (t.mhOffset() != 0) {
            if (t.mhOffset() < 14 || t.mhOffset() + MEASUREMENT_HEADER_SIZE > len) {
                throw new AbiException(where + ": measurement header at " + t.mhOffset() + " does not fit in " + len + " bytes");
            }
            taken.add(new int[] {t.mhOffset(), t.mhOffset() + MEASUREMENT_HEADER_SIZE, 2, 0});
        }
        for (int c = 0; c < t.checksums().size(); c++) {
            ChecksumRule r = t.checksums().get(c);
            String cw = where + " checksum rule " + c + " (" + r.kind().name().toLowerCase() + ")";
            int ipVersion = ipVersion(t, r.l3Offset(), cw);
            if (r.kind() == ChecksumRule.Kind.IPV4_HEADER || r.kind() == ChecksumRule.Kind.ICMP) {
                if (ipVersion != 4) {
                    throw new AbiException(cw + ": the header at " + r.l3Offset() + " is IPv" + ipVersion + ", not IPv4");
                }
            }
            if (r.kind() == ChecksumRule.Kind.ICMPV6 && ipVersion != 6) {
                throw new AbiException(cw + ": ICMPv6 needs an IPv6 header at " + r.l3Offset());
            }
            if (r.kind() == ChecksumRule.Kind.IPV4_HEADER) {
                int ihl = (t.frame()[r.l3Offset()] & 0x0f) * 4;
                if (ihl < 20 || r.l3Offset() + ihl > len) {
                    throw new AbiException(cw + ": IPv4 header length " + ihl + " at " + r.l3Offset() + " does not fit");
                }
            } else {
                int minL3 = ipVersion == 4 ? 20 : 40;
                if (r.l4Offset() < r.l3Offset() + minL3) {
                    throw new AbiException(cw + ": L4 offset " + r.l4Offset() + " lies inside the IP header at " + r.l3Offset());
                }
            }
            int at = r.checksumOffset();
            if (at + 2 > len) {
                throw new AbiException(cw + ": checksum at " + at + " is outside the " + len + "-byte frame");
            }
            if ((r.l3Offset() & 1) != 0 || (r.kind() != ChecksumRule.Kind.IPV4_HEADER && (r.l4Offset() & 1) != 0)) {
                throw new AbiException(cw + ": the IP and L4 headers must start at even offsets (got "
                        + r.l3Offset() + ", " + r.l4Offset() + ")");
            }
            for (int[] other : taken) {
                if (at < other[1] && other[0] < at + 2) {
                    throw new AbiException(cw + ": its checksum at " + at + " overlaps "
                            + (other[2] == 2 ? "the measurement header" : "the checksum of checksum rule " + other[3]));
                }
            }
            taken.add(new int[] {at, at + 2, 1, c});
        }
        for (int f = 0; f < t.fields().size(); f++) {
            FieldRule r = t.fields().get(f);
            String fw = where + " field rule " + f;
            int w = r.width();
            if (w != 1 && w != 2 && w != 4 && w != 8) {
                throw new AbiException(fw + ": width " + w + " is not 1, 2, 4 or 8");
            }
            if (r.offset() < 0 || r.offset() + w > len) {
                throw new AbiException(fw + ": bytes " + r.offset() + ".." + (r.offset() + w - 1) + " are outside the " + len + "-byte frame");
            }
            long mask = r.widthMask();
            if (r.op() == FieldRule.Op.LIST) {
                if (r.values().isEmpty() || r.values().size() > FieldRule.MAX_LIST) {
                    throw new AbiException(fw + ": a list holds 1.." + FieldRule.MAX_LIST + " values, not " + r.values().size());
                }
                for (long v : r.values()) {
                    if ((v & ~mask) != 0) {
                        throw new AbiException(fw + ": list value " + Long.toUnsignedString(v) + " does not fit " + w + " bytes");
                    }
                }
            } else {
                if (!r.values().isEmpty()) {
                    throw new AbiException(fw + ": only a list rule carries values");
                }
                if (Long.compareUnsigned(r.min(), r.max()) > 0) {
                    throw new AbiException(fw + ": min " + Long.toUnsignedString(r.min()) + " is above max " + Long.toUnsignedString(r.max()));
                }
                if ((r.max() & ~mask) != 0) {
                    throw new AbiException(fw + ": max " + Long.toUnsignedString(r.max()) + " does not fit " + w + " bytes");
                }
                if (r.op() != FieldRule.Op.RANDOM && r.step() == 0) {
                    throw new AbiException(fw + ": step 0 never changes the field");
                }
            }
            int[] span = {r.offset(), r.offset() + w, 0, f};
            for (int[] other : taken) {
                if (span[0] < other[1] && other[0] < span[1]) {
                    String what = switch (other[2]) {
                        case 0 -> "field rule " + other[3];
                        case 1 -> "the checksum of checksum rule " + other[3];
                        default -> "the measurement header";
                    };
                    throw new AbiException(fw + ": bytes " + span[0] + ".." + (span[1] - 1) + " overlap " + what);
                }
            }
            taken.add(span);
        }
    }

    private static int ipVersion(PacketTemplate t, int l3, String where) {
        if (l3 < 0 || l3 >= t.length()) {
            throw new AbiException(where + ": IP header offset " + l3 + " is outside the frame");
        }
        int v = (t.frame()[l3] & 0xff) >>> 4;
        if (v != 4 && v != 6) {
            throw new AbiException(where + ": no IPv4 or IPv6 header at " + l3 + " (version nibble " + v + ")");
        }
        if (l3 + (v == 4 ? 20 : 40) > t.length()) {
            throw new AbiException(where + ": the IPv" + v + " header at " + l3 + " does not fit in the frame");
        }
        return v;
    }
}
