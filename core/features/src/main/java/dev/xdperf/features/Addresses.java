package dev.xdperf.features;

/** Fast text forms of addresses (dotted quad; RFC 5952 for IPv6), without InetAddress objects. */
final class Addresses {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Addresses() {}

    static void append(StringBuilder sb, byte[] a, int family) {
        if (family == 6) {
            appendV6(sb, a);
            return;
        }
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(a[i] & 0xff);
        }
    }

    static String text(byte[] a, int family) {
        StringBuilder sb = new StringBuilder(40);
        append(sb, a, family);
        return sb.toString();
    }

    private static void appendV6(StringBuilder sb, byte[] a) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero words becomes "::" (the first one if tied).
        int bestAt = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (i > 0 && i != bestAt + bestLen) {
                sb.append(':');
            }
            hex(sb, w[i]);
        }
    }

    private static void hex(StringBuilder sb, int v) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int d = (v >> shift) & 0xf;
            if (d != 0 || started || shift == 0) {
                sb.append(HEX[d]);
                started = true;
            }
        }
    }
}
