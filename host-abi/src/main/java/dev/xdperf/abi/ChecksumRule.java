package dev.xdperf.abi;

/** A checksum the host fills in and xdp_tx keeps right as fields change (docs/abi.md, "Checksum rule"). */
public record ChecksumRule(Kind kind, int l3Offset, int l4Offset) {
    public static final int ENCODED_SIZE = 8;

    public enum Kind {
        IPV4_HEADER(1, 10), UDP(2, 6), TCP(3, 16), ICMP(4, 2), ICMPV6(5, 2);

        public final int code;
        /** Where the checksum sits, from the start of the header it protects. */
        public final int fieldOffset;

        Kind(int code, int fieldOffset) {
            this.code = code;
            this.fieldOffset = fieldOffset;
        }

        static Kind of(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new AbiException("checksum kind " + code + " is not 1..5");
        }

        /** Whether the checksum includes an IP pseudo-header. */
        public boolean pseudoHeader() {
            return this == UDP || this == TCP || this == ICMPV6;
        }

        public int protocol() {
            return switch (this) {
                case UDP -> 17;
                case TCP -> 6;
                case ICMP -> 1;
                case ICMPV6 -> 58;
                case IPV4_HEADER -> 0;
            };
        }
    }

    public static ChecksumRule ipv4Header(int l3) {
        return new ChecksumRule(Kind.IPV4_HEADER, l3, 0);
    }

    public static ChecksumRule of(Kind kind, int l3, int l4) {
        return new ChecksumRule(kind, l3, l4);
    }

    /** Offset of the 16-bit checksum in the frame. */
    public int checksumOffset() {
        return (kind == Kind.IPV4_HEADER ? l3Offset : l4Offset) + kind.fieldOffset;
    }
}
