package dev.xdperf.abi;

import java.util.Arrays;

/** Computes every checksum rule of a template over its bytes, as the host does before compiling it. */
public final class ChecksumFiller {
    private ChecksumFiller() {}

    /** Returns a copy of {@code frame} with the checksums of {@code t}'s rules filled in. */
    public static byte[] fill(PacketTemplate t, byte[] frame) {
        byte[] f = frame.clone();
        // L4 checksums do not cover the IPv4 header checksum, and the other way round: order does not matter.
        for (ChecksumRule r : t.checksums()) {
            int at = r.checksumOffset();
            f[at] = 0;
            f[at + 1] = 0;
            int sum = compute(r, f);
            if (r.kind() == ChecksumRule.Kind.UDP && sum == 0) {
                sum = 0xffff;
            }
            f[at] = (byte) (sum >>> 8);
            f[at + 1] = (byte) sum;
        }
        return f;
    }

    public static PacketTemplate fill(PacketTemplate t) {
        return t.withFrame(fill(t, t.frame()));
    }

    /** The checksum of rule {@code r} over {@code f} as it stands (0 in a correct frame's field means it verifies). */
    public static int compute(ChecksumRule r, byte[] f) {
        if (r.kind() == ChecksumRule.Kind.IPV4_HEADER) {
            int ihl = (f[r.l3Offset()] & 0x0f) * 4;
            return Checksums.ipv4Header(f, r.l3Offset(), ihl);
        }
        int l4len = f.length - r.l4Offset();
        if (!r.kind().pseudoHeader()) {
            return Checksums.fold(Checksums.sum(f, r.l4Offset(), l4len, 0));
        }
        boolean v6 = (f[r.l3Offset()] & 0xf0) == 0x60;
        byte[] src = v6 ? Arrays.copyOfRange(f, r.l3Offset() + 8, r.l3Offset() + 24) : Arrays.copyOfRange(f, r.l3Offset() + 12, r.l3Offset() + 16);
        byte[] dst = v6 ? Arrays.copyOfRange(f, r.l3Offset() + 24, r.l3Offset() + 40) : Arrays.copyOfRange(f, r.l3Offset() + 16, r.l3Offset() + 20);
        return Checksums.transport(src, dst, r.kind().protocol(), f, r.l4Offset(), l4len);
    }

    /** True when every checksum rule of {@code t} verifies over {@code f}. */
    public static boolean verifies(PacketTemplate t, byte[] f) {
        for (ChecksumRule r : t.checksums()) {
            int at = r.checksumOffset();
            int stored = ((f[at] & 0xff) << 8) | (f[at + 1] & 0xff);
            byte[] z = f.clone();
            z[at] = 0;
            z[at + 1] = 0;
            int want = compute(r, z);
            if (r.kind() == ChecksumRule.Kind.UDP && want == 0) {
                want = 0xffff;
            }
            if (stored != want) {
                return false;
            }
        }
        return true;
    }
}
