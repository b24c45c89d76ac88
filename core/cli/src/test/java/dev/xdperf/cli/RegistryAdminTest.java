package dev.xdperf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.client.RegistryException;
import dev.xdperf.registry.server.RegistryServer;
import dev.xdperf.registry.server.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * `xdperf registry admin` against the data directory of a running registry: token expiry and
 * revocation take effect at once (401 with the reason), and gc removes only unreferenced files.
 */
class RegistryAdminTest {
    Path dir;
    RegistryServer server;
    RegistryClient client;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("xdperf-registry-admin");
        server = RegistryServer.builder(dir).withPort(0).build().start();
        client = new RegistryClient(server.url());
        MainTest.Run r = admin("create-publisher", "acme");
        assertEquals(0, r.exit(), r.toString());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    MainTest.Run admin(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "registry";
        all[1] = "admin";
        all[2] = "--data";
        all[3] = dir.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return MainTest.run(all);
    }

    @Test
    void revokedTokensGet401AtOnceByIdOrValue() {
        MainTest.Run made = admin("create-token", "acme", "--label", "ci", "--expires", "30d");
        assertEquals(0, made.exit(), made.toString());
        String token = made.out().strip();
        assertTrue(token.startsWith("xdpt_") && token.lines().count() == 1, "stdout is the token alone: " + made.out());
        String id = Store.tokenId(token);
        assertTrue(made.err().startsWith("token " + id + " for acme, expires "), made.err());
        assertFalse(made.err().contains(token), "the token itself is printed once, on stdout");
        assertEquals("acme", client.whoami(token));

        MainTest.Run listed = admin("tokens", "acme");
        assertTrue(listed.out().startsWith(id + "  acme  valid until "), listed.out());
        assertTrue(listed.out().contains("  ci"), listed.out());
        assertFalse(listed.out().contains(token));

        MainTest.Run revoked = admin("revoke-token", id);
        assertEquals(0, revoked.exit(), revoked.toString());
        assertTrue(revoked.out().startsWith("revoked token " + id + " of acme at "), revoked.out());
        RegistryException e = assertThrows(RegistryException.class, () -> client.whoami(token));
        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains("the token " + id + " was revoked at "), e.getMessage());
        assertTrue(admin("tokens").out().contains(id + "  acme  revoked "));

        String second = admin("create-token", "acme").out().strip();
        assertEquals(0, admin("revoke-token", second).exit(), "by the token's value too");
        assertEquals(401, assertThrows(RegistryException.class, () -> client.whoami(second)).status());

        MainTest.assertOneSentence(admin("revoke-token", "0123456789ab"), 1, "revoke token: no token with id 0123456789ab");
        MainTest.assertOneSentence(admin("revoke-token", "nonsense"), 1, "is neither a token id");
        MainTest.assertOneSentence(admin("revoke-token"), 2, "one of the two");

        String third = admin("create-token", "acme").out().strip();
        MainTest.Run all = admin("revoke-token", "--all-of", "acme");
        assertEquals("revoked 1 tokens of acme", all.out().strip());
        assertEquals(401, assertThrows(RegistryException.class, () -> client.whoami(third)).status());
    }

    @Test
    void anExpiredTokenGets401() throws Exception {
        String token = admin("create-token", "acme", "--expires", "1s").out().strip();
        assertEquals("acme", client.whoami(token));
        Thread.sleep(1500);
        RegistryException e = assertThrows(RegistryException.class, () -> client.whoami(token));
        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains("the token " + Store.tokenId(token) + " expired at "), e.getMessage());
        assertTrue(admin("tokens").out().contains("  acme  expired "));

        MainTest.assertOneSentence(admin("create-token", "acme", "--expires", "soon"), 1,
                "--expires 'soon' is neither a duration (90d, 12h, 30m, 2w) nor a date");
        MainTest.assertOneSentence(admin("create-token", "acme", "--expires", "2020-01-01"), 1,
                "--expires '2020-01-01' is 2020-01-01T00:00:00Z, which is not in the future");
    }

    @Test
    void gcRemovesUnreferencedFilesAndSaysWhich() throws Exception {
        String orphan = "ab" + "c".repeat(62);
        Path file = dir.resolve("blobs").resolve("ab").resolve(orphan);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[42]);

        MainTest.Run dry = admin("gc", "--dry-run");
        assertEquals(0, dry.exit(), dry.toString());
        assertEquals("would remove blobs/ab/" + orphan + " (42 bytes)\nwould remove 1 unreferenced files, 42 bytes\n", dry.out());
        assertTrue(Files.exists(file));

        MainTest.Run gc = admin("gc");
        assertEquals("removed blobs/ab/" + orphan + " (42 bytes)\nremoved 1 unreferenced files, 42 bytes\n", gc.out());
        assertFalse(Files.exists(file));
        assertEquals("removed 0 unreferenced files, 0 bytes\n", admin("gc").out());
        MainTest.assertOneSentence(MainTest.run("registry", "admin", "--data", dir.resolve("nowhere").toString(), "gc"), 1,
                "is not a registry's data directory");
    }
}
