package dev.xdperf.packet;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Per-packet ranges of the built-in UDP stream, as pktgen and TRex users know them: packet
 * {@code j} carries the {@code j mod R}-th value of every range given (each counts up on its
 * own). A null range leaves that field as the template has it.
 */
@com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record FieldRanges(AddressRange srcIp, AddressRange dstIp, PortRange srcPort, PortRange dstPort) {
    public static final FieldRanges NONE = new FieldRanges(null, null, null, null);

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return srcIp == null && dstIp == null && srcPort == null && dstPort == null;
    }

    /**
     * Addresses {@code first..last}, compared as unsigned numbers. IPv6 ranges may vary only
     * in the last 32 bits (a field rule is at most 8 bytes wide; 2³² addresses are plenty).
     */
    public record AddressRange(InetAddress first, InetAddress last) {
        public AddressRange {
            if (first.getClass() != last.getClass()) {
                throw new IllegalArgumentException("range " + first.getHostAddress() + "-" + last.getHostAddress()
                        + " mixes IPv4 and IPv6");
            }
            byte[] a = first.getAddress();
            byte[] b = last.getAddress();
            if (!Arrays.equals(a, 0, a.length - 4, b, 0, b.length - 4)) {
                throw new IllegalArgumentException("range " + first.getHostAddress() + "-" + last.getHostAddress()
                        + " differs before the last 32 bits (an IPv6 range may vary only there)");
            }
            if (Long.compareUnsigned(low32(a), low32(b)) > 0) {
                throw new IllegalArgumentException("range " + first.getHostAddress() + "-" + last.getHostAddress()
                        + " ends before it starts");
            }
        }

        public boolean ipv6() {
            return first instanceof Inet6Address;
        }

        /** The last 32 bits of the first and last address, as unsigned values. */
        public long min() {
            return low32(first.getAddress());
        }

        public long max() {
            return low32(last.getAddress());
        }

        public long size() {
            return max() - min() + 1;
        }

        private static long low32(byte[] a) {
            int n = a.length;
            return ((a[n - 4] & 0xffL) << 24) | ((a[n - 3] & 0xffL) << 16) | ((a[n - 2] & 0xffL) << 8) | (a[n - 1] & 0xffL);
        }

        /** "A-B" or a single address "A". */
        public static AddressRange parse(String text) {
            String t = text.trim();
            int dash = t.indexOf('-');
            InetAddress a = UdpStream.parseIp(dash < 0 ? t : t.substring(0, dash));
            InetAddress b = dash < 0 ? a : UdpStream.parseIp(t.substring(dash + 1));
            return new AddressRange(a, b);
        }
    }

    /** Ports {@code first..last}. */
    public record PortRange(int first, int last) {
        public PortRange {
            if (first < 0 || last > 65535 || first > last) {
                throw new IllegalArgumentException("port range " + first + "-" + last + " is not within 0..65535, low to high");
            }
        }

        public long size() {
            return last - first + 1L;
        }

        /** "A-B" or a single port "A". */
        public static PortRange parse(String text) {
            String t = text.trim();
            int dash = t.indexOf('-');
            try {
                int a = Integer.parseInt(dash < 0 ? t : t.substring(0, dash).trim());
                int b = dash < 0 ? a : Integer.parseInt(t.substring(dash + 1).trim());
                return new PortRange(a, b);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a port range (e.g. 1024-2047)");
            }
        }
    }
}
