package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.client.RegistryException;
import dev.xdperf.registry.server.Blobs;
import dev.xdperf.registry.server.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What keeps a registry tidy and its doors shut: racing publishes leave no stray file, `admin
 * gc` removes the unreferenced ones, revoked and expired tokens get 401, search pages in SQL.
 */
class RegistryUpkeepTest {
    @RegisterExtension
    final TestRegistry reg = new TestRegistry();

    static final ObjectMapper JSON = new ObjectMapper();

    List<Path> blobFiles() throws Exception {
        try (Stream<Path> s = Files.walk(reg.server.dataDir().resolve("blobs"))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    long tmpFiles() throws Exception {
        try (Stream<Path> s = Files.list(reg.server.dataDir().resolve("tmp"))) {
            return s.count();
        }
    }

    @Test
    void racingPublishesOfOneVersionLeaveOneRowAndOneFile() throws Exception {
        int racers = 16;
        for (int round = 0; round < 3; round++) {
            String version = "1.0." + round;
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(racers);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                int racer = i;
                results.add(pool.submit(() -> {
                    RegistryClient own = new RegistryClient(reg.server.url());   // each racer its own connections
                    byte[] artifact = TestRegistry.wasm("racer " + racer + " of " + version + " " + "x".repeat(racer * 1000));
                    Manifest m = Manifest.parse(TestRegistry.manifest("raced", version, "wasm", "1.0"));
                    String sig = Release.of("xdperf", m, artifact).sign(reg.key.getPrivate());
                    go.await();
                    try {
                        return "won " + own.publish(reg.token, "xdperf", "raced", version, artifact, m.bytes(), sig, null).artifactSha256();
                    } catch (RegistryException e) {
                        return e.status() + " " + e.getMessage();
                    }
                }));
            }
            go.countDown();
            List<String> outcomes = new ArrayList<>();
            for (Future<String> f : results) {
                outcomes.add(f.get());
            }
            pool.shutdown();
            List<String> won = outcomes.stream().filter(o -> o.startsWith("won ")).toList();
            assertEquals(1, won.size(), "exactly one racer wins: " + outcomes);
            for (String o : outcomes) {
                assertTrue(o.startsWith("won ") || (o.startsWith("409 ") && o.contains("is already published")), o);
            }
            String sha = won.get(0).substring(4);
            assertEquals(sha, reg.server.store().version("xdperf", "raced", version).artifactSha256());
        }
        // one file per version, each the one its row names, and nothing left in tmp/
        List<Path> files = blobFiles();
        assertEquals(3, files.size(), "no stray file from a lost race: " + files);
        for (int round = 0; round < 3; round++) {
            var row = reg.server.store().version("xdperf", "raced", "1.0." + round);
            assertTrue(files.stream().anyMatch(p -> p.getFileName().toString().equals(row.artifactSha256())));
            assertEquals(row.artifactSha256(), Digests.sha256Hex(reg.client.download(row.artifactSha256())));
        }
        assertEquals(0, tmpFiles());
        assertEquals(List.of(), Blobs.collectGarbage(reg.server.dataDir(), reg.server.store(), true), "nothing for gc to do");
    }

    @Test
    void gcRemovesOnlyUnreferencedFilesAndSaysWhich() throws Exception {
        var kept = reg.publish("tcp", "1.0.0");
        Path blobs = reg.server.dataDir().resolve("blobs");
        String orphan = Digests.sha256Hex("left by a lost race".getBytes());
        Files.createDirectories(blobs.resolve(orphan.substring(0, 2)));
        Files.write(blobs.resolve(orphan.substring(0, 2)).resolve(orphan), "left by a lost race".getBytes());
        Files.createDirectories(blobs.resolve("zz"));
        Files.write(blobs.resolve("zz").resolve("notes.txt"), new byte[5]);
        // a referenced digest under the wrong directory is no blob either
        Files.createDirectories(blobs.resolve("00"));
        Files.write(blobs.resolve("00").resolve(kept.artifactSha256()), new byte[7]);

        List<Blobs.Unreferenced> dry = Blobs.collectGarbage(reg.server.dataDir(), reg.server.store(), true);
        assertEquals(List.of(new Blobs.Unreferenced("blobs/00/" + kept.artifactSha256(), 7),
                new Blobs.Unreferenced("blobs/" + orphan.substring(0, 2) + "/" + orphan, 19),
                new Blobs.Unreferenced("blobs/zz/notes.txt", 5)), dry);
        assertEquals(4, blobFiles().size(), "a dry run removes nothing");

        assertEquals(dry, Blobs.collectGarbage(reg.server.dataDir(), reg.server.store(), false));
        assertEquals(1, blobFiles().size());
        assertArrayEquals(TestRegistry.wasm("xdperftcp1.0.0"), reg.client.download(kept.artifactSha256()), "the referenced file stays");
        assertEquals(List.of(), Blobs.collectGarbage(reg.server.dataDir(), reg.server.store(), false));
    }

    /** gc from another connection (as `registry admin gc` from another process) while versions are published takes none of their files. */
    @Test
    void gcWhilePublishingTakesNothingThatIsPublished() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean publishing = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Blobs.Unreferenced> removed = Collections.synchronizedList(new ArrayList<>());
        Thread gc = new Thread(() -> {
            try (Store other = new Store(reg.server.dataDir().resolve("registry.db"))) {
                while (publishing.get()) {
                    removed.addAll(Blobs.collectGarbage(reg.server.dataDir(), other, false));
                    Thread.sleep(20);   // a gc now and then, not a wall of them: a publish waiting for the lock backs off
                }
            } catch (Exception e) {
                removed.add(new Blobs.Unreferenced("gc failed: " + e, -1));
            }
        });
        gc.start();
        List<RegistryClient.VersionInfo> published = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                published.add(reg.publish("busy", "1.0." + i));
            }
        } finally {
            publishing.set(false);
            gc.join();
        }
        assertEquals(List.of(), removed);
        for (RegistryClient.VersionInfo v : published) {
            assertEquals(v.artifactSha256(), Digests.sha256Hex(reg.client.download(v.artifactSha256())));
        }
    }

    @Test
    void revokedAndExpiredTokensGet401() throws Exception {
        Store store = reg.server.store();
        String byId = store.createToken("acme", "ci");
        String byValue = store.createToken("acme", "laptop");
        String expired = store.createToken("acme", "old", Instant.now().minusSeconds(1));
        String later = store.createToken("acme", "later", Instant.now().plusSeconds(3600));
        assertEquals("acme", reg.client.whoami(byId));
        assertEquals("acme", reg.client.whoami(later), "a token before its expiry works");

        Store.TokenRow revoked = store.revokeToken(Store.tokenId(byId));
        assertNotNull(revoked.revoked());
        assertEquals("ci", revoked.label());
        assertNotNull(store.revokeToken(byValue), "by the token itself too");
        assertNull(store.revokeToken("0123456789ab"), "an unknown id");
        assertThrows(IllegalArgumentException.class, () -> store.revokeToken("not-a-token"));

        for (String[] t : new String[][] {{byId, "was revoked at"}, {byValue, "was revoked at"}, {expired, "expired at"}}) {
            TestRegistry.Response r = reg.request("GET", "/api/v1/whoami", t[0], (byte[]) null);
            assertEquals(401, r.status(), r.body());
            String error = JSON.readTree(r.body()).path("error").asText();
            assertTrue(error.startsWith("the token " + Store.tokenId(t[0]) + " " + t[1]), error);
            // and it publishes nothing
            assertEquals(401, assertThrows(RegistryException.class, () -> reg.publish("acme", t[0], reg.acmeKey, "dns", "1.0.0", "1.0")).status());
        }
        assertEquals(0, reg.server.store().counts().get("versions"));
        assertEquals("acme", reg.client.whoami(later), "other tokens are untouched");
        assertEquals("acme", reg.client.whoami(reg.acmeToken));

        List<Store.TokenRow> listed = store.tokens("acme");
        assertEquals(5, listed.size());
        assertTrue(listed.stream().noneMatch(t -> t.id().length() != 12), "ids, never the tokens");
        assertEquals(3, store.revokeTokens("acme"), "the ones not revoked yet: expired, later and the test's");
        assertEquals(401, reg.request("GET", "/api/v1/whoami", later, (byte[]) null).status());
    }

    @Test
    void searchPagesInSqlWithTheNewestUsableVersion() throws Exception {
        for (String n : List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7")) {
            reg.publish("acme", reg.acmeToken, reg.acmeKey, n, "1.0.0", "1.0");
        }
        reg.publish("tcp", "1.0.0");
        reg.publish("xdperf", reg.token, reg.key, "tcp", "1.5.0-rc.1", "1.0");
        reg.publish("xdperf", reg.token, reg.key, "tcp", "1.10.0", "1.0");
        reg.publish("xdperf", reg.token, reg.key, "tcp", "2.0.0", "2.0");
        reg.publish("xdperf", reg.token, reg.key, "tcp", "1.11.0", "1.0");
        reg.client.setYanked(reg.token, "xdperf", "tcp", "1.11.0", true);

        List<String> seen = new ArrayList<>();
        int offset = 0;
        int pages = 0;
        while (offset >= 0) {
            JsonNode page = JSON.readTree(reg.request("GET", "/api/v1/search?limit=3&offset=" + offset, null, (byte[]) null).body());
            page.path("results").forEach(r -> seen.add(r.path("id").asText() + "@" + r.path("version").asText()));
            offset = page.path("next_offset").isNull() ? -1 : page.path("next_offset").asInt();
            pages++;
        }
        assertEquals(3, pages);
        assertEquals(List.of("xdperf/tcp@2.0.0", "acme/a1@1.0.0", "acme/a2@1.0.0", "acme/a3@1.0.0", "acme/a4@1.0.0", "acme/a5@1.0.0",
                "acme/a6@1.0.0", "acme/a7@1.0.0"), seen, "official first, then by name; each plugin once, its newest version");
        assertEquals(seen, reg.client.search(null, null, null).stream().map(h -> h.id() + "@" + h.version()).toList());
        // a host speaking ABI 1.0 gets the newest version it can run (1.10.0 > 1.5.0-rc.1 > 1.0.0; 1.11.0 is yanked)
        assertEquals("1.10.0", reg.client.search("tcp", null, AbiVersion.parse("1.0")).get(0).version());
        assertEquals(List.of("xdperf/tcp"), reg.client.search("tcp", null, AbiVersion.parse("2.0")).stream().map(RegistryClient.SearchHit::id).toList());
        assertEquals(2, reg.client.search("a", null, null, 2, 0).results().size());
        assertEquals(2, reg.client.search("a", null, null, 2, 0).nextOffset());
        assertEquals(List.of("acme/a3", "acme/a4"), reg.client.search("a", null, null, 2, 2).results().stream().map(RegistryClient.SearchHit::id).toList());
        assertEquals(400, reg.request("GET", "/api/v1/search?offset=-1", null, (byte[]) null).status());
        assertEquals(400, reg.request("GET", "/api/v1/search?offset=x", null, (byte[]) null).status());
        assertTrue(JSON.readTree(reg.request("GET", "/api/v1/search?q=zzz", null, (byte[]) null).body()).path("next_offset").isNull());
    }

    /** A data directory written by the registry before tokens expired and search ran in SQL still opens, and its rows are found. */
    @Test
    void aDatabaseOfTheEarlierSchemaIsUpgradedInPlace() throws Exception {
        Path old = reg.dir.resolve("old");
        Files.createDirectories(old);
        String fp = Keys.fingerprint(reg.key.getPublic());
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + old.resolve("registry.db")); var st = c.createStatement()) {
            st.executeUpdate("CREATE TABLE publishers(name TEXT PRIMARY KEY, created TEXT NOT NULL)");
            st.executeUpdate("CREATE TABLE tokens(hash TEXT PRIMARY KEY, publisher TEXT NOT NULL REFERENCES publishers(name),"
                    + " label TEXT NOT NULL, created TEXT NOT NULL)");
            st.executeUpdate("CREATE TABLE signing_keys(fingerprint TEXT PRIMARY KEY, publisher TEXT NOT NULL REFERENCES publishers(name),"
                    + " public_key TEXT NOT NULL, added TEXT NOT NULL, retired TEXT, endorsed_by TEXT, endorsement TEXT)");
            st.executeUpdate("CREATE TABLE versions(publisher TEXT NOT NULL REFERENCES publishers(name), name TEXT NOT NULL,"
                    + " version TEXT NOT NULL, kind TEXT NOT NULL, abi TEXT NOT NULL, description TEXT NOT NULL, license TEXT NOT NULL,"
                    + " artifact_sha256 TEXT NOT NULL, artifact_size INTEGER NOT NULL, manifest BLOB NOT NULL, manifest_sha256 TEXT NOT NULL,"
                    + " signature TEXT NOT NULL, key_fingerprint TEXT NOT NULL REFERENCES signing_keys(fingerprint),"
                    + " yanked INTEGER NOT NULL DEFAULT 0, published TEXT NOT NULL, downloads INTEGER NOT NULL DEFAULT 0,"
                    + " PRIMARY KEY(publisher, name, version))");
            st.executeUpdate("INSERT INTO publishers VALUES('xdperf', '2026-01-01T00:00:00Z')");
            st.executeUpdate("INSERT INTO tokens VALUES('" + Digests.sha256Hex("xdpt_old".getBytes()) + "', 'xdperf', 'old', '2026-01-01T00:00:00Z')");
            st.executeUpdate("INSERT INTO signing_keys VALUES('" + fp + "', 'xdperf', '" + Keys.publicPem(reg.key.getPublic())
                    + "', '2026-01-01T00:00:00Z', NULL, NULL, NULL)");
            for (String v : List.of("1.2.0", "1.10.0", "1.9.0")) {
                st.executeUpdate("INSERT INTO versions VALUES('xdperf', 'tcp', '" + v + "', 'wasm', '1.0', 'old row', 'MIT', '" + "a".repeat(64)
                        + "', 1, x'7b7d', '" + "b".repeat(64) + "', 'sig', '" + fp + "', 0, '2026-01-01T00:00:00Z', 0)");
            }
        }
        try (Store store = new Store(old.resolve("registry.db"))) {
            assertEquals("1.10.0", store.search("tcp", null, AbiVersion.parse("1.0"), 10).get(0).version(), "sort keys filled in");
            assertEquals(java.util.Optional.of("xdperf"), store.publisherForToken("xdpt_old"), "old tokens never expire");
            assertEquals(1, store.revokeTokens("xdperf"));
            assertEquals(java.util.Optional.empty(), store.publisherForToken("xdpt_old"));
        }
    }

    @Test
    void theSortKeyOrdersAsSemverPrecedence() {
        List<String> ordered = List.of("0.0.1", "0.9.0", "1.0.0-0", "1.0.0-2", "1.0.0-10", "1.0.0-a", "1.0.0-a.1", "1.0.0-a.b",
                "1.0.0-a-", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
                "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0", "10.0.0");
        for (int i = 0; i < ordered.size(); i++) {
            for (int j = 0; j < ordered.size(); j++) {
                SemVer a = SemVer.parse(ordered.get(i));
                SemVer b = SemVer.parse(ordered.get(j));
                assertEquals(Integer.signum(a.compareTo(b)), Integer.signum(Store.sortKey(a).compareTo(Store.sortKey(b))),
                        a + " vs " + b);
            }
        }
        List<String> shuffled = new ArrayList<>(ordered);
        Collections.shuffle(shuffled, new java.util.Random(7));
        shuffled.sort((x, y) -> Store.sortKey(SemVer.parse(x)).compareTo(Store.sortKey(SemVer.parse(y))));
        assertEquals(ordered, shuffled);
    }
}
