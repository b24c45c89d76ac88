package dev.xdperf.plugins.quic;

import java.util.HexFormat;

/**
 * What differs between the QUIC versions this plugin speaks: the version number on the wire,
 * the Initial salt, the HKDF label prefix and the Initial packet type (RFC 9001 §5.2, RFC 9369 §3).
 */
enum QuicVersion {
    V1(0x00000001, "38762cf7f55934b34d179ae6a4c80cadccbb7f0a", "quic ", 0b00),
    V2(0x6b3343cf, "0dede3def700a6db819381be6e269dcbf9bd2ed9", "quicv2 ", 0b01);

    /** The Version field of the long header. */
    final int wire;
    private final byte[] salt;
    private final String labelPrefix;
    /** The two Long Packet Type bits of an Initial packet. */
    final int initialType;

    QuicVersion(int wire, String saltHex, String labelPrefix, int initialType) {
        this.wire = wire;
        this.salt = HexFormat.of().parseHex(saltHex);
        this.labelPrefix = labelPrefix;
        this.initialType = initialType;
    }

    byte[] salt() {
        return salt.clone();
    }

    String keyLabel() {
        return labelPrefix + "key";
    }

    String ivLabel() {
        return labelPrefix + "iv";
    }

    String hpLabel() {
        return labelPrefix + "hp";
    }

    /** "1" or "2", as the plugin's version option names them. */
    static QuicVersion of(String option) {
        return switch (option) {
            case "1" -> V1;
            case "2" -> V2;
            default -> throw new IllegalArgumentException("QUIC version " + option + " is not 1 or 2");
        };
    }

    /** Versions of the form 0x?a?a?a?a are reserved to force version negotiation (RFC 9000 §15). */
    static boolean isReserved(int version) {
        return (version & 0x0f0f0f0f) == 0x0a0a0a0a;
    }
}
