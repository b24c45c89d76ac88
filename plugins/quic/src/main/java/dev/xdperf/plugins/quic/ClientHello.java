package dev.xdperf.plugins.quic;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A TLS 1.3 ClientHello as a QUIC client sends it in its first CRYPTO frame (RFC 8446 §4.1.2,
 * RFC 9001 §4, §8): TLS 1.3 only, no session id (no middlebox compatibility mode), an X25519
 * key share, ALPN, and the QUIC transport parameters.
 */
record ClientHello(byte[] random, String serverName, List<String> alpn, byte[] x25519PublicKey, byte[] transportParameters) {
    static final int HANDSHAKE_CLIENT_HELLO = 1;
    static final int EXT_SERVER_NAME = 0;
    static final int EXT_SUPPORTED_GROUPS = 10;
    static final int EXT_SIGNATURE_ALGORITHMS = 13;
    static final int EXT_ALPN = 16;
    static final int EXT_SUPPORTED_VERSIONS = 43;
    static final int EXT_PSK_KEY_EXCHANGE_MODES = 45;
    static final int EXT_KEY_SHARE = 51;
    static final int EXT_QUIC_TRANSPORT_PARAMETERS = 57;
    static final int GROUP_X25519 = 0x001d;
    static final int TLS13 = 0x0304;

    static final int[] CIPHER_SUITES = {0x1301, 0x1302, 0x1303};
    static final int[] GROUPS = {GROUP_X25519, 0x0017, 0x0018};
    static final int[] SIGNATURE_SCHEMES = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0807};

    ClientHello {
        if (random.length != 32) {
            throw new IllegalArgumentException("a ClientHello random has 32 bytes");
        }
        if (x25519PublicKey.length != 32) {
            throw new IllegalArgumentException("an X25519 key share has 32 bytes");
        }
        if (serverName.getBytes(StandardCharsets.US_ASCII).length > 253 || !StandardCharsets.US_ASCII.newEncoder().canEncode(serverName)) {
            throw new IllegalArgumentException("server name '" + serverName + "' is not an ASCII host name of at most 253 bytes");
        }
        alpn = List.copyOf(alpn);
        for (String p : alpn) {
            int n = p.getBytes(StandardCharsets.UTF_8).length;
            if (n < 1 || n > 255) {
                throw new IllegalArgumentException("ALPN protocol '" + p + "' must have 1..255 bytes");
            }
        }
    }

    /** The handshake message: type, 24-bit length, body. */
    byte[] encode() {
        return new Bytes().u8(HANDSHAKE_CLIENT_HELLO).prefixed(3, body -> {
            body.u16(0x0303).bytes(random);
            body.u8(0);                                               // legacy_session_id: empty
            body.prefixed(2, s -> {
                for (int c : CIPHER_SUITES) {
                    s.u16(c);
                }
            });
            body.u8(1).u8(0);                                         // legacy_compression_methods: null
            body.prefixed(2, this::extensions);
        }).toArray();
    }

    private void extensions(Bytes e) {
        if (!serverName.isEmpty()) {
            extension(e, EXT_SERVER_NAME, d -> d.prefixed(2, list -> list.u8(0)
                    .prefixed(2, n -> n.bytes(serverName.getBytes(StandardCharsets.US_ASCII)))));
        }
        extension(e, EXT_SUPPORTED_GROUPS, d -> d.prefixed(2, g -> {
            for (int group : GROUPS) {
                g.u16(group);
            }
        }));
        extension(e, EXT_SIGNATURE_ALGORITHMS, d -> d.prefixed(2, s -> {
            for (int scheme : SIGNATURE_SCHEMES) {
                s.u16(scheme);
            }
        }));
        if (!alpn.isEmpty()) {
            extension(e, EXT_ALPN, d -> d.prefixed(2, list -> {
                for (String p : alpn) {
                    list.prefixed(1, n -> n.bytes(p.getBytes(StandardCharsets.UTF_8)));
                }
            }));
        }
        extension(e, EXT_SUPPORTED_VERSIONS, d -> d.prefixed(1, v -> v.u16(TLS13)));
        extension(e, EXT_PSK_KEY_EXCHANGE_MODES, d -> d.prefixed(1, m -> m.u8(1)));   // psk_dhe_ke
        extension(e, EXT_KEY_SHARE, d -> d.prefixed(2, shares -> shares.u16(GROUP_X25519)
                .prefixed(2, k -> k.bytes(x25519PublicKey))));
        extension(e, EXT_QUIC_TRANSPORT_PARAMETERS, d -> d.bytes(transportParameters));
    }

    private static void extension(Bytes e, int type, java.util.function.Consumer<Bytes> data) {
        e.u16(type).prefixed(2, data);
    }

    /** The client's transport parameters (RFC 9000 §18.2; version_information of RFC 9368 for version 2). */
    static byte[] transportParameters(byte[] scid, QuicVersion v) {
        Bytes p = new Bytes();
        intParameter(p, 0x01, 30_000);          // max_idle_timeout (ms)
        intParameter(p, 0x03, 1472);            // max_udp_payload_size
        intParameter(p, 0x04, 1 << 20);         // initial_max_data
        intParameter(p, 0x05, 1 << 18);         // initial_max_stream_data_bidi_local
        intParameter(p, 0x06, 1 << 18);         // initial_max_stream_data_bidi_remote
        intParameter(p, 0x07, 1 << 18);         // initial_max_stream_data_uni
        intParameter(p, 0x08, 100);             // initial_max_streams_bidi
        intParameter(p, 0x09, 100);             // initial_max_streams_uni
        p.varint(0x0f).varint(scid.length).bytes(scid);   // initial_source_connection_id
        if (v == QuicVersion.V2) {
            // version_information: the chosen version, then the versions this client would use
            p.varint(0x11).varint(12).u32(v.wire & 0xffffffffL).u32(QuicVersion.V2.wire & 0xffffffffL)
                    .u32(QuicVersion.V1.wire & 0xffffffffL);
        }
        return p.toArray();
    }

    private static void intParameter(Bytes p, int id, long value) {
        p.varint(id).varint(Bytes.varintLength(value)).varint(value);
    }
}
