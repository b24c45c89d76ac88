package dev.xdperf.plugins.quic;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A client Initial packet (RFC 9000 §17.2.2), protected as RFC 9001 §5 says: the payload with
 * AEAD_AES_128_GCM under the client's Initial keys, then the header (the low bits of the
 * first byte and the packet number) with an AES-ECB mask computed from a sample of the
 * ciphertext.
 */
final class InitialPacket {
    static final int TAG_LENGTH = 16;
    static final int SAMPLE_LENGTH = 16;
    /** The smallest UDP payload that may carry a client Initial (RFC 9000 §14.1). */
    static final int MIN_DATAGRAM = 1200;

    private InitialPacket() {}

    /**
     * The length of the header up to and including the packet number. The Length field is
     * always written as a two-byte varint (as RFC 9001's example does), so the header length does
     * not depend on the payload.
     */
    static int headerLength(byte[] dcid, byte[] scid, byte[] token, int pnLength) {
        return 1 + 4 + 1 + dcid.length + 1 + scid.length + Bytes.varintLength(token.length) + token.length + 2 + pnLength;
    }

    /** The payload length that makes the whole protected packet {@code packetSize} bytes. */
    static int payloadLength(int packetSize, byte[] dcid, byte[] scid, byte[] token, int pnLength) {
        return packetSize - headerLength(dcid, scid, token, pnLength) - TAG_LENGTH;
    }

    /**
     * Builds and protects a client Initial whose payload is {@code frames} followed by PADDING
     * frames (zero bytes) up to {@code packetSize} bytes in all.
     */
    static byte[] build(QuicVersion v, byte[] dcid, byte[] scid, byte[] token, long packetNumber, int pnLength,
                        byte[] frames, int packetSize) {
        int payload = payloadLength(packetSize, dcid, scid, token, pnLength);
        if (frames.length > payload) {
            throw new IllegalArgumentException("the frames take " + frames.length + " bytes, more than the " + payload
                    + " a " + packetSize + "-byte Initial packet has room for");
        }
        byte[] padded = new byte[payload];
        System.arraycopy(frames, 0, padded, 0, frames.length);
        return protect(v, dcid, scid, token, packetNumber, pnLength, padded);
    }

    /** Builds the header for {@code payload} (already padded), encrypts the payload and protects the header. */
    static byte[] protect(QuicVersion v, byte[] dcid, byte[] scid, byte[] token, long packetNumber, int pnLength, byte[] payload) {
        if (dcid.length > 20 || scid.length > 20) {
            throw new IllegalArgumentException("connection ids have at most 20 bytes");
        }
        if (pnLength < 1 || pnLength > 4 || packetNumber < 0 || packetNumber >= 1L << (8 * pnLength)) {
            throw new IllegalArgumentException("packet number " + packetNumber + " does not fit " + pnLength + " bytes");
        }
        // the sample starts 4 bytes after the packet number's start and must lie in the ciphertext
        if (payload.length + TAG_LENGTH < 4 - pnLength + SAMPLE_LENGTH) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes is too short to sample for header protection");
        }
        Bytes h = new Bytes()
                .u8(0xc0 | v.initialType << 4 | (pnLength - 1))
                .u32(v.wire & 0xffffffffL)
                .u8(dcid.length).bytes(dcid)
                .u8(scid.length).bytes(scid)
                .varint(token.length).bytes(token)
                .varint(pnLength + payload.length + TAG_LENGTH, 2);
        int pnOffset = h.size();
        for (int i = pnLength - 1; i >= 0; i--) {
            h.u8((int) (packetNumber >>> (8 * i)));
        }
        byte[] header = h.toArray();
        InitialKeys keys = InitialKeys.client(v, dcid);
        byte[] sealed = seal(keys, packetNumber, header, payload);
        byte[] packet = new byte[header.length + sealed.length];
        System.arraycopy(header, 0, packet, 0, header.length);
        System.arraycopy(sealed, 0, packet, header.length, sealed.length);
        byte[] mask = headerMask(keys.hp(), packet, pnOffset + 4);
        packet[0] ^= (byte) (mask[0] & 0x0f);
        for (int i = 0; i < pnLength; i++) {
            packet[pnOffset + i] ^= mask[1 + i];
        }
        return packet;
    }

    /** AEAD_AES_128_GCM over the payload, the header as associated data; returns ciphertext and tag. */
    static byte[] seal(InitialKeys keys, long packetNumber, byte[] header, byte[] payload) {
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.key(), "AES"),
                    new GCMParameterSpec(TAG_LENGTH * 8, keys.nonce(packetNumber)));
            gcm.updateAAD(header);
            return gcm.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128-GCM failed: " + e.getMessage(), e);
        }
    }

    /** The header protection mask (RFC 9001 §5.4.3): AES-ECB of the 16-byte sample at {@code sampleOffset}. */
    static byte[] headerMask(byte[] hp, byte[] packet, int sampleOffset) {
        try {
            Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "AES"));
            return ecb.doFinal(packet, sampleOffset, SAMPLE_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-ECB failed: " + e.getMessage(), e);
        }
    }

    /** A CRYPTO frame (RFC 9000 §19.6) carrying {@code data} at {@code offset}. */
    static byte[] cryptoFrame(long offset, byte[] data) {
        return new Bytes().varint(0x06).varint(offset).varint(data.length).bytes(data).toArray();
    }

    /**
     * A version negotiation probe: a long header with a reserved version, which a server must
     * answer with a Version Negotiation packet when the datagram is at least 1200 bytes
     * (RFC 9000 §6.1, §14.1). Only the invariant fields (RFC 8999) matter; the rest is {@code filler}.
     */
    static byte[] versionProbe(int version, byte[] dcid, byte[] scid, byte[] filler, int packetSize) {
        if (!QuicVersion.isReserved(version)) {
            throw new IllegalArgumentException(String.format("0x%08x is not a reserved version (0x?a?a?a?a)", version));
        }
        Bytes h = new Bytes().u8(0xc0 | filler[0] & 0x3f).u32(version & 0xffffffffL)
                .u8(dcid.length).bytes(dcid).u8(scid.length).bytes(scid);
        int rest = packetSize - h.size();
        if (rest < 0 || rest > filler.length) {
            throw new IllegalArgumentException("a probe of " + packetSize + " bytes does not fit");
        }
        byte[] tail = new byte[rest];
        System.arraycopy(filler, 0, tail, 0, rest);
        return h.bytes(tail).toArray();
    }
}
