package dev.xdperf.plugins.quic;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The receiving side, for tests only: removes header protection from a client Initial,
 * decrypts it with the Initial keys of its DCID, and takes the ClientHello apart. Written from
 * RFC 9000/9001/8446 independently of the builder, so that the two check each other.
 */
final class InitialReader {
    record Packet(int firstByte, int version, byte[] dcid, byte[] scid, byte[] token, long packetNumber, int pnLength,
                  byte[] payload) {}

    record Hello(String sni, List<String> alpn, Map<Integer, byte[]> keyShares, List<Integer> versions,
                 Map<Long, byte[]> transportParameters, List<Integer> extensionOrder) {}

    static Packet open(byte[] packet) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(packet);
        int first = b.get() & 0xff;
        if ((first & 0xc0) != 0xc0) {
            throw new AssertionError("not a long header with the fixed bit: " + Integer.toHexString(first));
        }
        int version = b.getInt();
        QuicVersion v = version == QuicVersion.V2.wire ? QuicVersion.V2 : QuicVersion.V1;
        if (version != v.wire) {
            throw new AssertionError("version " + Integer.toHexString(version));
        }
        if ((first >> 4 & 3) != v.initialType) {
            throw new AssertionError("not an Initial packet of version " + v);
        }
        byte[] dcid = take(b, b.get() & 0xff);
        byte[] scid = take(b, b.get() & 0xff);
        byte[] token = take(b, (int) varint(b));
        long length = varint(b);
        int pnOffset = b.position();
        if (pnOffset + length != packet.length) {
            throw new AssertionError("Length " + length + " does not reach the end of the " + packet.length + "-byte packet");
        }
        InitialKeys keys = InitialKeys.client(v, dcid);
        byte[] p = packet.clone();
        byte[] mask = InitialPacket.headerMask(keys.hp(), p, pnOffset + 4);
        p[0] ^= (byte) (mask[0] & 0x0f);
        int pnLength = (p[0] & 3) + 1;
        long pn = 0;
        for (int i = 0; i < pnLength; i++) {
            p[pnOffset + i] ^= mask[1 + i];
            pn = pn << 8 | (p[pnOffset + i] & 0xff);
        }
        if ((p[0] & 0x0c) != 0) {
            throw new AssertionError("reserved bits are not 0 after header protection is removed");
        }
        int headerLength = pnOffset + pnLength;
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keys.key(), "AES"), new GCMParameterSpec(128, keys.nonce(pn)));
        gcm.updateAAD(p, 0, headerLength);
        byte[] payload = gcm.doFinal(p, headerLength, p.length - headerLength);
        return new Packet(p[0] & 0xff, version, dcid, scid, token, pn, pnLength, payload);
    }

    /** The CRYPTO data at offset 0 of a payload of CRYPTO, PADDING and PING frames. */
    static byte[] cryptoData(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        byte[] data = null;
        while (b.hasRemaining()) {
            long type = varint(b);
            if (type == 0x00 || type == 0x01) {
                continue;
            }
            if (type != 0x06) {
                throw new AssertionError("frame type " + type + " in a client Initial");
            }
            long offset = varint(b);
            byte[] d = take(b, (int) varint(b));
            if (offset != 0 || data != null) {
                throw new AssertionError("expected one CRYPTO frame at offset 0");
            }
            data = d;
        }
        return data;
    }

    static Hello clientHello(byte[] handshake) {
        ByteBuffer b = ByteBuffer.wrap(handshake);
        if (b.get() != 1) {
            throw new AssertionError("not a ClientHello");
        }
        int length = u24(b);
        if (length != b.remaining()) {
            throw new AssertionError("ClientHello length " + length + " but " + b.remaining() + " bytes follow");
        }
        if (b.getShort() != 0x0303) {
            throw new AssertionError("legacy_version is not 0x0303");
        }
        take(b, 32);
        take(b, b.get() & 0xff);
        take(b, b.getShort() & 0xffff);
        take(b, b.get() & 0xff);
        ByteBuffer ext = ByteBuffer.wrap(take(b, b.getShort() & 0xffff));
        if (b.hasRemaining()) {
            throw new AssertionError("bytes after the extensions");
        }
        String sni = null;
        List<String> alpn = new ArrayList<>();
        Map<Integer, byte[]> shares = new HashMap<>();
        List<Integer> versions = new ArrayList<>();
        Map<Long, byte[]> params = new HashMap<>();
        List<Integer> order = new ArrayList<>();
        while (ext.hasRemaining()) {
            int type = ext.getShort() & 0xffff;
            ByteBuffer d = ByteBuffer.wrap(take(ext, ext.getShort() & 0xffff));
            order.add(type);
            switch (type) {
                case 0 -> {
                    ByteBuffer list = ByteBuffer.wrap(take(d, d.getShort() & 0xffff));
                    if (list.get() != 0) {
                        throw new AssertionError("server name type is not host_name");
                    }
                    sni = new String(take(list, list.getShort() & 0xffff), StandardCharsets.US_ASCII);
                }
                case 16 -> {
                    ByteBuffer list = ByteBuffer.wrap(take(d, d.getShort() & 0xffff));
                    while (list.hasRemaining()) {
                        alpn.add(new String(take(list, list.get() & 0xff), StandardCharsets.UTF_8));
                    }
                }
                case 43 -> {
                    ByteBuffer list = ByteBuffer.wrap(take(d, d.get() & 0xff));
                    while (list.hasRemaining()) {
                        versions.add(list.getShort() & 0xffff);
                    }
                }
                case 51 -> {
                    ByteBuffer list = ByteBuffer.wrap(take(d, d.getShort() & 0xffff));
                    while (list.hasRemaining()) {
                        int group = list.getShort() & 0xffff;
                        shares.put(group, take(list, list.getShort() & 0xffff));
                    }
                }
                case 57 -> {
                    while (d.hasRemaining()) {
                        long id = varint(d);
                        params.put(id, take(d, (int) varint(d)));
                    }
                }
                default -> d.position(d.limit());
            }
            if (d.hasRemaining()) {
                throw new AssertionError("extension " + type + " has trailing bytes");
            }
        }
        return new Hello(sni, alpn, shares, versions, params, order);
    }

    static long varint(ByteBuffer b) {
        int first = b.get() & 0xff;
        int len = 1 << (first >> 6);
        long v = first & 0x3f;
        for (int i = 1; i < len; i++) {
            v = v << 8 | (b.get() & 0xff);
        }
        return v;
    }

    static long varint(byte[] bytes) {
        return varint(ByteBuffer.wrap(bytes));
    }

    private static int u24(ByteBuffer b) {
        return (b.get() & 0xff) << 16 | (b.get() & 0xff) << 8 | (b.get() & 0xff);
    }

    private static byte[] take(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    static byte[] hex(String resource) throws Exception {
        try (var in = InitialReader.class.getResourceAsStream("/" + resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            StringBuilder h = new StringBuilder();
            for (String line : text.split("\n")) {
                if (!line.startsWith("#")) {
                    h.append(line.replaceAll("\\s", ""));
                }
            }
            return java.util.HexFormat.of().parseHex(h);
        }
    }

    static byte[] slice(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }
}
