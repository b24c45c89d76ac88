package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.registry.server.RegistryAdmin;
import dev.xdperf.registry.server.Store;
import dev.xdperf.registry.server.TokenExpiry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `xdperf registry admin` does, as the Java API: publishers, tokens, expiry, garbage. */
class AdminTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path data;

    @Test
    void publishersTokensAndRevocation() {
        KeyPair kp = Keys.generate();
        try (RegistryAdmin a = RegistryAdmin.open(data)) {
            a.createPublisher("acme", kp.getPublic());
            a.createPublisher("bob", null);
            var publishers = a.publishers();
            assertEquals(List.of("acme", "bob"), List.copyOf(publishers.keySet()));
            assertEquals(Keys.fingerprint(kp.getPublic()), publishers.get("acme").get(0).fingerprint());
            assertTrue(publishers.get("bob").isEmpty());

            RegistryAdmin.NewToken t = a.createToken("acme", "ci", null);
            assertEquals(Store.tokenId(t.token()), t.id());
            a.createToken("bob", "", Instant.now().plusSeconds(3600));
            assertEquals(List.of(t.id()), a.tokens("acme").stream().map(Store.TokenRow::id).toList());
            assertEquals(2, a.tokens(null).size());

            assertEquals("acme", a.revokeToken(t.id()).publisher());
            assertNull(a.revokeToken("0".repeat(12)));
            assertEquals(1, a.revokeTokens("bob"));
            assertEquals("revoke tokens: no publisher named carol",
                    assertThrows(IllegalArgumentException.class, () -> a.revokeTokens("carol")).getMessage());
        }
    }

    @Test
    void garbageIsOnlyWhatNoVersionRefersTo() throws Exception {
        assertFalse(RegistryAdmin.isDataDirectory(data));
        Path orphan = data.resolve("blobs/ab/ab" + "c".repeat(62));
        Files.createDirectories(orphan.getParent());
        Files.write(orphan, new byte[7]);
        assertTrue(RegistryAdmin.isDataDirectory(data));
        try (RegistryAdmin a = RegistryAdmin.open(data)) {
            assertEquals(7, a.collectGarbage(true).get(0).bytes());
            assertTrue(Files.exists(orphan));
            assertEquals(1, a.collectGarbage(false).size());
            assertFalse(Files.exists(orphan));
        }
    }

    @Test
    void expiryIsADurationADateOrAnInstantInTheFuture() {
        assertEquals(Instant.parse("2026-01-15T00:00:00Z"), TokenExpiry.parse("2w", NOW, "expiry"));
        assertEquals(Instant.parse("2026-01-01T00:00:30Z"), TokenExpiry.parse("30s", NOW, "expiry"));
        assertEquals(Instant.parse("2030-06-01T00:00:00Z"), TokenExpiry.parse("2030-06-01", NOW, "expiry"));
        assertEquals(Instant.parse("2030-06-01T12:00:00Z"), TokenExpiry.parse("2030-06-01T14:00:00+02:00", NOW, "expiry"));
        assertEquals("expiry 'soon' is neither a duration (90d, 12h, 30m, 2w) nor a date (2027-01-31) or instant (2027-01-31T12:00:00Z)",
                assertThrows(IllegalArgumentException.class, () -> TokenExpiry.parse("soon", NOW, "expiry")).getMessage());
        assertEquals("expiry '2020-01-01' is 2020-01-01T00:00:00Z, which is not in the future",
                assertThrows(IllegalArgumentException.class, () -> TokenExpiry.parse("2020-01-01", NOW, "expiry")).getMessage());
    }
}
