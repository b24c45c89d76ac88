package dev.xdperf.plugins.quic;

/**
 * The packet protection keys of one side's Initial packets (RFC 9001 §5.2): derived from the
 * client's first Destination Connection ID, so anyone who sees the packet can remove the
 * protection; AEAD_AES_128_GCM with SHA-256.
 */
record InitialKeys(byte[] secret, byte[] key, byte[] iv, byte[] hp) {
    static final int KEY_LENGTH = 16;
    static final int IV_LENGTH = 12;

    static byte[] initialSecret(QuicVersion v, byte[] dcid) {
        return Hkdf.extract(v.salt(), dcid);
    }

    static InitialKeys client(QuicVersion v, byte[] dcid) {
        return of(v, Hkdf.expandLabel(initialSecret(v, dcid), "client in", new byte[0], Hkdf.HASH_LENGTH));
    }

    static InitialKeys server(QuicVersion v, byte[] dcid) {
        return of(v, Hkdf.expandLabel(initialSecret(v, dcid), "server in", new byte[0], Hkdf.HASH_LENGTH));
    }

    private static InitialKeys of(QuicVersion v, byte[] secret) {
        return new InitialKeys(secret,
                Hkdf.expandLabel(secret, v.keyLabel(), new byte[0], KEY_LENGTH),
                Hkdf.expandLabel(secret, v.ivLabel(), new byte[0], IV_LENGTH),
                Hkdf.expandLabel(secret, v.hpLabel(), new byte[0], KEY_LENGTH));
    }

    /** The AEAD nonce of a packet: the IV with the packet number XORed into its last bytes (RFC 9001 §5.3). */
    byte[] nonce(long packetNumber) {
        byte[] n = iv.clone();
        for (int i = 0; i < 8; i++) {
            n[n.length - 1 - i] ^= (byte) (packetNumber >>> (8 * i));
        }
        return n;
    }
}
