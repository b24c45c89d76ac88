package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The signed statement byte for byte (docs/registry.md), pinned by a golden vector that
 * openssl produced: `openssl pkeyutl -sign -inkey K -rawin -in statement | base64`. A test
 * key, used nowhere else.
 */
class ReleaseStatementTest {
    static final String PRIVATE = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJVzFF2NpmXSYv7A5yj7Xqb5Jd22GvuIth2SRRlNqk2o\n-----END PRIVATE KEY-----\n";
    static final String PUBLIC = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAuawbxAUFLRisNzDVKmmOgu7+dkKvBwyh7BKId+jFqg4=\n-----END PUBLIC KEY-----\n";
    static final String OPENSSL_SIGNATURE = "GI00k01OUmsH0yOVek7EmuRcF5CjwyoSrx4ihigRUXsofxEKoZrGBZCW4hVX6/zxVK8apRZQNr6ODgjef0iXAQ==";
    static final Release RELEASE = new Release("xdperf", "tcp", "1.0.0", "wasm", AbiVersion.parse("1.0"), "a".repeat(64),
            "c06ac94791b4dfb6a5e36069d070acef8d5f1a3404b30be78f526e0bd90e2d60");

    @Test
    void statementBytes() {
        assertEquals("xdperf-release-v1\n"
                + "id: xdperf/tcp\n"
                + "version: 1.0.0\n"
                + "kind: wasm\n"
                + "abi: 1.0\n"
                + "artifact-sha256: " + "a".repeat(64) + "\n"
                + "manifest-sha256: c06ac94791b4dfb6a5e36069d070acef8d5f1a3404b30be78f526e0bd90e2d60\n",
                new String(RELEASE.statement(), StandardCharsets.US_ASCII));
    }

    @Test
    void signsLikeOpenssl() {
        PrivateKey key = Keys.parsePrivate(PRIVATE, "test key");
        PublicKey pub = Keys.parsePublic(PUBLIC, "test key");
        assertEquals(OPENSSL_SIGNATURE, RELEASE.sign(key), "Ed25519 is deterministic: Java and openssl agree");
        assertTrue(RELEASE.verify(pub, OPENSSL_SIGNATURE));
        for (Release other : List.of(
                new Release("acme", "tcp", "1.0.0", "wasm", AbiVersion.parse("1.0"), RELEASE.artifactSha256(), RELEASE.manifestSha256()),
                new Release("xdperf", "tcp", "1.0.1", "wasm", AbiVersion.parse("1.0"), RELEASE.artifactSha256(), RELEASE.manifestSha256()),
                new Release("xdperf", "tcp", "1.0.0", "pf4j", AbiVersion.parse("1.0"), RELEASE.artifactSha256(), RELEASE.manifestSha256()),
                new Release("xdperf", "tcp", "1.0.0", "wasm", AbiVersion.parse("1.1"), RELEASE.artifactSha256(), RELEASE.manifestSha256()),
                new Release("xdperf", "tcp", "1.0.0", "wasm", AbiVersion.parse("1.0"), "b".repeat(64), RELEASE.manifestSha256()),
                new Release("xdperf", "tcp", "1.0.0", "wasm", AbiVersion.parse("1.0"), RELEASE.artifactSha256(), "b".repeat(64)))) {
            assertFalse(other.verify(pub, OPENSSL_SIGNATURE), "every field is covered: " + other);
        }
        assertFalse(RELEASE.verify(pub, ""));
        assertFalse(RELEASE.verify(pub, "not base64!"));
        assertEquals(Digests.sha256Hex(java.util.Base64.getDecoder().decode("uawbxAUFLRisNzDVKmmOgu7+dkKvBwyh7BKId+jFqg4=")),
                Keys.fingerprint(pub), "the fingerprint is the sha256 of the raw 32-byte key");
    }

    @Test
    void keyFilesRoundTrip() {
        var kp = Keys.generate();
        String pem = Keys.privatePem(kp.getPrivate()) + Keys.publicPem(kp.getPublic());
        assertEquals(Keys.fingerprint(kp.getPublic()), Keys.fingerprint(Keys.parsePublic(pem.substring(pem.indexOf("-----BEGIN PUBLIC")), "k")));
        byte[] msg = "m".getBytes(StandardCharsets.US_ASCII);
        assertTrue(Keys.verify(kp.getPublic(), msg, Keys.sign(Keys.parsePrivate(pem, "k"), msg)));
        assertThrows(IllegalArgumentException.class, () -> Keys.parsePublic(PRIVATE, "k"));
        assertThrows(IllegalArgumentException.class, () -> Keys.parsePublic("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "k"));
    }

    @Test
    void versionsOrderLikeSemver() {
        List<String> ordered = List.of("0.9.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11",
                "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0");
        for (int i = 1; i < ordered.size(); i++) {
            assertTrue(SemVer.parse(ordered.get(i - 1)).compareTo(SemVer.parse(ordered.get(i))) < 0, ordered.get(i - 1) + " < " + ordered.get(i));
        }
        for (String bad : List.of("1.0", "01.0.0", "1.0.0+build", "v1.0.0", "1.0.0-", "../1.0.0")) {
            assertFalse(SemVer.valid(bad), bad);
        }
    }
}
