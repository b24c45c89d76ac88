package dev.xdperf.plugins.quic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The published test vectors: RFC 9001 Appendix A.1 (keys) and A.2 (client Initial), and the
 * same for QUIC version 2 (RFC 9369 Appendix A.1, A.2). Only the inputs go in; the bytes that
 * come out must match the RFCs exactly.
 */
class RfcVectorsTest {
    static final byte[] DCID = hex("8394c8f03e515708");

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replaceAll("\\s", ""));
    }

    @Test
    void rfc9001A1HkdfLabels() {
        assertArrayEquals(hex("00200f746c73313320636c69656e7420696e00"), Hkdf.hkdfLabel("client in", new byte[0], 32));
        assertArrayEquals(hex("00200f746c7331332073657276657220696e00"), Hkdf.hkdfLabel("server in", new byte[0], 32));
        assertArrayEquals(hex("00100e746c7331332071756963206b657900"), Hkdf.hkdfLabel("quic key", new byte[0], 16));
        assertArrayEquals(hex("000c0d746c733133207175696320697600"), Hkdf.hkdfLabel("quic iv", new byte[0], 12));
        assertArrayEquals(hex("00100d746c733133207175696320687000"), Hkdf.hkdfLabel("quic hp", new byte[0], 16));
    }

    @Test
    void rfc9001A1Keys() {
        assertArrayEquals(hex("7db5df06e7a69e432496adedb0085192 3595221596ae2ae9fb8115c1e9ed0a44"),
                InitialKeys.initialSecret(QuicVersion.V1, DCID));
        InitialKeys client = InitialKeys.client(QuicVersion.V1, DCID);
        assertArrayEquals(hex("c00cf151ca5be075ed0ebfb5c80323c4 2d6b7db67881289af4008f1f6c357aea"), client.secret());
        assertArrayEquals(hex("1f369613dd76d5467730efcbe3b1a22d"), client.key());
        assertArrayEquals(hex("fa044b2f42a3fd3b46fb255c"), client.iv());
        assertArrayEquals(hex("9f50449e04a0e810283a1e9933adedd2"), client.hp());
        InitialKeys server = InitialKeys.server(QuicVersion.V1, DCID);
        assertArrayEquals(hex("3c199828fd139efd216c155ad844cc81 fb82fa8d7446fa7d78be803acdda951b"), server.secret());
        assertArrayEquals(hex("cf3a5331653c364c88f0f379b6067e37"), server.key());
        assertArrayEquals(hex("0ac1493ca1905853b0bba03e"), server.iv());
        assertArrayEquals(hex("c206b8d9b9f0f37644430b490eeaa314"), server.hp());
    }

    @Test
    void rfc9369A1Keys() {
        assertArrayEquals(hex("001010746c73313320717569637632206b657900"), Hkdf.hkdfLabel("quicv2 key", new byte[0], 16));
        assertArrayEquals(hex("000c0f746c7331332071756963763220697600"), Hkdf.hkdfLabel("quicv2 iv", new byte[0], 12));
        assertArrayEquals(hex("00100f746c7331332071756963763220687000"), Hkdf.hkdfLabel("quicv2 hp", new byte[0], 16));
        assertArrayEquals(hex("2062e8b3cd8d52092614b8071d0aa1fb 7c2e3ac193f78b280e72d8f5751f6aba"),
                InitialKeys.initialSecret(QuicVersion.V2, DCID));
        InitialKeys client = InitialKeys.client(QuicVersion.V2, DCID);
        assertArrayEquals(hex("14ec9d6eb9fd7af83bf5a668bc17a7e2 83766aade7ecd0891f70f9ff7f4bf47b"), client.secret());
        assertArrayEquals(hex("8b1a0bc121284290a29e0971b5cd045d"), client.key());
        assertArrayEquals(hex("91f73e2351d8fa91660e909f"), client.iv());
        assertArrayEquals(hex("45b95e15235d6f45a6b19cbcb0294ba9"), client.hp());
    }

    /** A.2: DCID, no SCID, no token, packet number 2 in four bytes, the CRYPTO frame padded to a 1162-byte payload. */
    @Test
    void rfc9001A2ClientInitialByteForByte() throws Exception {
        byte[] crypto = InitialReader.hex("rfc9001-a2-crypto-frame.hex");
        byte[] expected = InitialReader.hex("rfc9001-a2-protected.hex");
        assertEquals(1200, expected.length);
        byte[] packet = InitialPacket.build(QuicVersion.V1, DCID, new byte[0], new byte[0], 2, 4, crypto, 1200);
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(packet));
        assertEquals(1162, InitialPacket.payloadLength(1200, DCID, new byte[0], new byte[0], 4));
    }

    @Test
    void rfc9001A2IntermediateValues() throws Exception {
        byte[] crypto = InitialReader.hex("rfc9001-a2-crypto-frame.hex");
        byte[] payload = new byte[1162];
        System.arraycopy(crypto, 0, payload, 0, crypto.length);
        InitialKeys keys = InitialKeys.client(QuicVersion.V1, DCID);
        byte[] header = hex("c300000001088394c8f03e5157080000449e00000002");
        byte[] sealed = InitialPacket.seal(keys, 2, header, payload);
        assertArrayEquals(hex("d1b1c98dd7689fb8ec11d242b123dc9b"), InitialReader.slice(sealed, 0, 16), "sample");
        assertArrayEquals(hex("437b9aec36"), InitialReader.slice(InitialPacket.headerMask(keys.hp(), sealed, 0), 0, 5), "mask");
    }

    @Test
    void rfc9369A2ClientInitialByteForByte() throws Exception {
        byte[] crypto = InitialReader.hex("rfc9001-a2-crypto-frame.hex");
        byte[] expected = InitialReader.hex("rfc9369-a2-protected.hex");
        byte[] packet = InitialPacket.build(QuicVersion.V2, DCID, new byte[0], new byte[0], 2, 4, crypto, 1200);
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(packet));
    }

    @Test
    void theReaderOpensThePublishedPacket() throws Exception {
        InitialReader.Packet p = InitialReader.open(InitialReader.hex("rfc9001-a2-protected.hex"));
        assertEquals(2, p.packetNumber());
        assertEquals(4, p.pnLength());
        assertArrayEquals(DCID, p.dcid());
        assertArrayEquals(InitialReader.hex("rfc9001-a2-crypto-frame.hex"),
                InitialPacket.cryptoFrame(0, InitialReader.cryptoData(p.payload())));
        InitialReader.Hello h = InitialReader.clientHello(InitialReader.cryptoData(p.payload()));
        assertEquals("example.com", h.sni());
        assertEquals(java.util.List.of("alpn"), h.alpn());
        assertEquals(32, h.keyShares().get(0x001d).length);
    }

    @Test
    void varints() {
        assertArrayEquals(hex("25"), new Bytes().varint(37).toArray());
        assertArrayEquals(hex("7bbd"), new Bytes().varint(15293).toArray());
        assertArrayEquals(hex("9d7f3e7d"), new Bytes().varint(494878333).toArray());
        assertArrayEquals(hex("c2197c5eff14e88c"), new Bytes().varint(151288809941952652L).toArray());
        assertArrayEquals(hex("449e"), new Bytes().varint(1182, 2).toArray());
    }
}
