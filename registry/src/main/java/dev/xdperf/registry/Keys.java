package dev.xdperf.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Ed25519 keys as PEM files (PKCS#8 private, X.509 SubjectPublicKeyInfo public: the same files
 * openssl reads and writes), their fingerprints, and signing. A fingerprint is the lowercase
 * hex sha256 of the raw 32-byte public key.
 */
public final class Keys {
    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw key follows. */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final String PUBLIC = "PUBLIC KEY";
    private static final String PRIVATE = "PRIVATE KEY";

    private Keys() {}

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("generate Ed25519 key: " + e.getMessage());
        }
    }

    /**
     * Writes {@code pair} as two PEM files: {@code privateFile} (mode 0600, the private key followed
     * by its public key, so that signing can check they belong together) and {@code publicFile}
     * (the public key, to share). Either file is replaced if it exists.
     */
    public static void writePair(KeyPair pair, Path privateFile, Path publicFile) throws IOException {
        Files.createDirectories(privateFile.toAbsolutePath().getParent());
        Files.deleteIfExists(privateFile);
        Files.createFile(privateFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(privateFile, privatePem(pair.getPrivate()) + publicPem(pair.getPublic()), StandardCharsets.US_ASCII);
        Files.writeString(publicFile, publicPem(pair.getPublic()), StandardCharsets.US_ASCII);
    }

    public static String fingerprint(PublicKey key) {
        return Digests.sha256Hex(raw(key));
    }

    /** The raw 32-byte public key. */
    public static byte[] raw(PublicKey key) {
        byte[] der = key.getEncoded();
        if (der.length != SPKI_PREFIX.length + 32 || !Arrays.equals(der, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new IllegalArgumentException("key is not an Ed25519 public key");
        }
        return Arrays.copyOfRange(der, SPKI_PREFIX.length, der.length);
    }

    public static String publicPem(PublicKey key) {
        raw(key);
        return pem(PUBLIC, key.getEncoded());
    }

    public static String privatePem(PrivateKey key) {
        return pem(PRIVATE, key.getEncoded());
    }

    /** Reads a public key from PEM text, or from the bare base64 of its DER encoding. */
    public static PublicKey parsePublic(String text, String what) {
        byte[] der = decode(text, PUBLIC, what);
        try {
            PublicKey k = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            raw(k);
            return k;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not an Ed25519 public key");
        }
    }

    public static PrivateKey parsePrivate(String text, String what) {
        byte[] der = decode(text, PRIVATE, what);
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " is not an Ed25519 private key (PKCS#8 PEM)");
        }
    }

    public static PublicKey readPublic(Path file) {
        return parsePublic(read(file, "public key"), "public key file " + file);
    }

    public static PrivateKey readPrivate(Path file) {
        return parsePrivate(read(file, "private key"), "private key file " + file);
    }

    /**
     * The public key stored beside the private one in a key file that {@code xdperf plugin keygen}
     * wrote (the JDK cannot derive it from a PKCS#8 key); null for a file with a private key only.
     */
    public static PublicKey publicInKeyFile(Path file) {
        String text = read(file, "key");
        return text.contains("-----BEGIN " + PUBLIC + "-----") ? parsePublic(text.substring(text.indexOf("-----BEGIN " + PUBLIC)), "key file " + file) : null;
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("sign with Ed25519: " + e.getMessage());
        }
    }

    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("read " + what + " " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("read " + what + " " + file + ": " + e.getMessage());
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] decode(String text, String type, String what) {
        String t = text.strip();
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = t.indexOf(begin);
        if (b >= 0) {
            int e = t.indexOf(end, b);
            if (e < 0) {
                throw new IllegalArgumentException(what + " has no '" + end + "' line");
            }
            t = t.substring(b + begin.length(), e);
        } else if (t.startsWith("-----BEGIN")) {
            throw new IllegalArgumentException(what + " is not a " + type.toLowerCase() + " PEM file (found "
                    + t.lines().findFirst().orElse("") + ")");
        }
        try {
            return Base64.getMimeDecoder().decode(t.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64 PEM");
        }
    }
}
