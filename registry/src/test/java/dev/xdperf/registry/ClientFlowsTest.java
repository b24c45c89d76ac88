package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.registry.client.Installer;
import dev.xdperf.registry.client.KeyRef;
import dev.xdperf.registry.client.Publishing;
import dev.xdperf.registry.client.RegistryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The client flows the plugin commands call (key files, key references, key rotation, yanking), against a real registry. */
class ClientFlowsTest {
    @RegisterExtension
    final TestRegistry reg = new TestRegistry();

    @TempDir
    Path tmp;

    @Test
    void aKeyPairWrittenToFilesReadsBackAndIsPrivateToItsOwner() throws Exception {
        KeyPair kp = Keys.generate();
        Path priv = tmp.resolve("sub/k");
        Keys.writePair(kp, priv, tmp.resolve("sub/k.pub"));
        assertEquals(Keys.fingerprint(kp.getPublic()), Keys.fingerprint(Keys.readPublic(tmp.resolve("sub/k.pub"))));
        assertEquals(Keys.fingerprint(kp.getPublic()), Keys.fingerprint(Keys.publicInKeyFile(priv)));
        assertEquals(kp.getPrivate(), Keys.readPrivate(priv));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
    }

    @Test
    void aKeyIsNamedByItsFingerprintInAnyCaseOrByItsPublicKeyFile() throws Exception {
        KeyPair kp = Keys.generate();
        String fp = Keys.fingerprint(kp.getPublic());
        KeyRef byFingerprint = KeyRef.parse(fp.toUpperCase(Locale.ROOT), "trust");
        assertEquals(fp, byFingerprint.fingerprint());
        assertNull(byFingerprint.key());
        Path pub = tmp.resolve("k.pub");
        Files.writeString(pub, Keys.publicPem(kp.getPublic()));
        KeyRef byFile = KeyRef.parse(pub.toString(), "trust");
        assertEquals(fp, byFile.fingerprint());
        assertEquals(kp.getPublic(), byFile.key());
        assertEquals("untrust: 'nokey' is neither a public key file nor a key fingerprint (64 lowercase hex characters)",
                assertThrows(IllegalArgumentException.class, () -> KeyRef.parse("nokey", "untrust")).getMessage());
    }

    @Test
    void addKeyEndorsedByTheCurrentKeyRotatesIt() {
        KeyPair next = Keys.generate();
        String oldFp = Keys.fingerprint(reg.key.getPublic());
        Publishing.AddedKey added = Publishing.addKey(reg.client, reg.token, next.getPublic(), reg.key.getPrivate(),
                reg.key.getPublic(), true);
        assertEquals(new Publishing.AddedKey("xdperf", Keys.fingerprint(next.getPublic()), oldFp), added);
        // without an endorsement, a publisher that has keys refuses the new one
        RegistryException e = assertThrows(RegistryException.class,
                () -> Publishing.addKey(reg.client, reg.acmeToken, Keys.generate().getPublic(), null, null, false));
        assertEquals(403, e.status());
    }

    @Test
    void yankingABareNameThatIsNotOfficialSaysWhatABareNameMeans() {
        reg.publish("acme", reg.acmeToken, reg.acmeKey, "tcp", "1.0.0", "1.0");
        var v = Publishing.setYanked(reg.client, reg.acmeToken, Installer.Spec.parse("acme/tcp@1.0.0"), false, true);
        assertTrue(v.yanked());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Publishing.setYanked(reg.client, reg.acmeToken, Installer.Spec.parse("tcp@1.0.0"), true, true));
        assertTrue(e.getMessage().endsWith(" (a bare name means the official namespace, xdperf/tcp; name your own release"
                + " PUBLISHER/tcp@1.0.0)"), e.getMessage());
        // with the namespace given, the registry's refusal stays as it is
        RegistryException r = assertThrows(RegistryException.class,
                () -> Publishing.setYanked(reg.client, reg.acmeToken, Installer.Spec.parse("xdperf/tcp@1.0.0"), false, true));
        assertTrue(r.status() >= 400 && r.status() < 500, r.getMessage());
    }
}
