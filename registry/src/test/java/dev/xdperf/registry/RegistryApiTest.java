package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.client.Publishing;
import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.client.RegistryException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The registry's API against a real server and SQLite file: what it accepts, and each refusal with its status. */
class RegistryApiTest {
    @RegisterExtension
    final TestRegistry reg = new TestRegistry().withMaxArtifactBytes(64 * 1024);

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void publishThenReadBackEverything() throws Exception {
        RegistryClient.VersionInfo v = reg.publish("quic", "1.0.0");
        assertEquals("xdperf/quic", v.id());
        byte[] artifact = TestRegistry.wasm("xdperfquic1.0.0");
        assertEquals(Digests.sha256Hex(artifact), v.artifactSha256());
        assertEquals(Keys.fingerprint(reg.key.getPublic()), v.key());

        assertArrayEquals(artifact, reg.client.download(v.artifactSha256()));
        RegistryClient.VersionInfo again = reg.client.version("xdperf", "quic", "1.0.0");
        assertArrayEquals(TestRegistry.manifest("quic", "1.0.0", "wasm", "1.0"), again.manifest());
        Release r = new Release("xdperf", "quic", "1.0.0", "wasm", AbiVersion.parse("1.0"), again.artifactSha256(), again.manifestSha256());
        assertTrue(r.verify(reg.key.getPublic(), again.signature()), "the stored signature verifies");

        TestRegistry.Response m = reg.request("GET", "/api/v1/plugins/xdperf/quic/versions/1.0.0/manifest", null, (byte[]) null);
        assertEquals(200, m.status());
        assertEquals(new String(TestRegistry.manifest("quic", "1.0.0", "wasm", "1.0"), StandardCharsets.UTF_8), m.body());

        reg.server.store().flushDownloads();
        RegistryClient.PluginInfo p = reg.client.plugin("xdperf", "quic");
        assertEquals("1.0.0", p.latest());
        assertEquals(1, p.downloads());
        assertEquals(1, p.keys().size());
        assertEquals("test plugin quic", p.description());

        JsonNode health = json(reg.request("GET", "/api/v1/health", null, (byte[]) null).body());
        assertEquals("ok", health.path("status").asText());
        assertEquals(1, health.path("versions").asInt());
    }

    @Test
    void searchByTextKindAndAbi() {
        reg.publish("tcp", "1.0.0");
        reg.publish("tcp", "1.1.0");
        reg.publish("xdperf", reg.token, reg.key, "future", "1.0.0", "1.9");
        reg.publish("acme", reg.acmeToken, reg.acmeKey, "tcpish", "0.1.0", "1.0");

        List<RegistryClient.SearchHit> tcp = reg.client.search("tcp", null, null);
        assertEquals(List.of("xdperf/tcp", "acme/tcpish"), tcp.stream().map(RegistryClient.SearchHit::id).toList(), "official namespace first");
        assertEquals("1.1.0", tcp.get(0).version(), "newest version");
        assertEquals(2, reg.client.search(null, "wasm", AbiVersion.HOST).size(), "future needs ABI 1.9");
        assertEquals(3, reg.client.search(null, null, null).size());
        assertEquals(0, reg.client.search(null, "pf4j", null).size());
        assertEquals(1, reg.client.search("plugin fut", null, null).size(), "description matches");
        assertEquals(0, reg.client.search("%", null, null).size(), "LIKE wildcards are literal");
        assertEquals(400, reg.request("GET", "/api/v1/search?kind=exe", null, (byte[]) null).status());
        assertEquals(400, reg.request("GET", "/api/v1/search?abi=x", null, (byte[]) null).status());
    }

    @Test
    void yankHidesFromSearchButKeepsTheVersion() {
        reg.publish("tcp", "1.0.0");
        reg.publish("tcp", "1.1.0");
        RegistryClient.VersionInfo y = reg.client.setYanked(reg.token, "xdperf", "tcp", "1.1.0", true);
        assertTrue(y.yanked());
        assertEquals("1.0.0", reg.client.search("tcp", null, null).get(0).version());
        assertEquals("1.0.0", reg.client.plugin("xdperf", "tcp").latest());
        assertTrue(reg.client.version("xdperf", "tcp", "1.1.0").yanked(), "still there by exact version");
        RegistryException e = assertThrows(RegistryException.class, () -> reg.client.setYanked(reg.acmeToken, "xdperf", "tcp", "1.0.0", true));
        assertEquals(403, e.status());
        assertFalse(reg.client.setYanked(reg.token, "xdperf", "tcp", "1.1.0", false).yanked());
        assertEquals("1.1.0", reg.client.plugin("xdperf", "tcp").latest());
        assertEquals(404, assertThrows(RegistryException.class, () -> reg.client.setYanked(reg.token, "xdperf", "tcp", "9.9.9", true)).status());
    }

    record Parts(byte[] artifact, byte[] manifest, String signature, String key) {
        Parts withArtifact(byte[] a) {
            return new Parts(a, manifest, signature, key);
        }

        Parts withSignature(String s) {
            return new Parts(artifact, manifest, s, key);
        }

        Parts withKey(String k) {
            return new Parts(artifact, manifest, signature, k);
        }

        TestRegistry.Body body() {
            return TestRegistry.publishBody(artifact, manifest, signature, key);
        }
    }

    Parts signed(String publisher, KeyPair signer, String name, String version, byte[] artifact) {
        byte[] manifest = TestRegistry.manifest(name, version, "wasm", "1.0");
        String sig = Release.of(publisher, Manifest.parse(manifest), artifact).sign(signer.getPrivate());
        return new Parts(artifact, manifest, sig, null);
    }

    /** Each refusal: the status, a message that says why, and nothing written (no version row, no blob, nothing left in tmp/). */
    void refused(int status, String fragment, String method, String path, String token, TestRegistry.Body body) throws Exception {
        long blobs = reg.blobCount();
        long versions = reg.server.store().counts().get("versions");
        TestRegistry.Response r = reg.request(method, path, token, body);
        assertEquals(status, r.status(), r.body());
        String error = json(r.body()).path("error").asText();
        assertTrue(error.contains(fragment), "expected '" + fragment + "' in: " + error);
        assertEquals(blobs, reg.blobCount(), "no artifact written");
        assertEquals(versions, reg.server.store().counts().get("versions"), "no version row written");
        try (var tmp = Files.list(reg.server.dataDir().resolve("tmp"))) {
            assertEquals(0, tmp.count(), "no upload left in tmp/");
        }
    }

    static TestRegistry.Body raw(String contentType, String body) {
        return new TestRegistry.Body(body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    @Test
    void refusals() throws Exception {
        reg.publish("tcp", "1.0.0");
        String put = "/api/v1/plugins/xdperf/tcp/versions/1.1.0";
        byte[] artifact = TestRegistry.wasm("new");
        Parts goodParts = signed("xdperf", reg.key, "tcp", "1.1.0", artifact);
        TestRegistry.Body good = goodParts.body();
        String multipart = "multipart/form-data; boundary=" + TestRegistry.BOUNDARY;

        refused(401, "needs a publisher token", "PUT", put, null, good);
        refused(401, "not known", "PUT", put, "xdpt_nope", good);
        refused(403, "belongs to publisher acme, not xdperf", "PUT", put, reg.acmeToken, good);
        // the body's form
        refused(415, "a publish is multipart/form-data with the parts manifest, signature, key (optional) and artifact", "PUT", put,
                reg.token, raw("application/json", "{\"artifact\": \"AA==\"}"));
        refused(415, "not a body without Content-Type", "PUT", put, reg.token, new TestRegistry.Body(new byte[10], null));
        refused(400, "has no boundary", "PUT", put, reg.token, raw("multipart/form-data", "--x--\r\n"));
        refused(400, "no boundary line", "PUT", put, reg.token, raw(multipart, "just some bytes"));
        refused(400, "ends inside the part \"artifact\"", "PUT", put, reg.token,
                raw(multipart, "--" + TestRegistry.BOUNDARY + "\r\nContent-Disposition: form-data; name=\"artifact\"\r\n\r\n\0asm cut off"));
        refused(400, "no Content-Disposition", "PUT", put, reg.token,
                raw(multipart, "--" + TestRegistry.BOUNDARY + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + TestRegistry.BOUNDARY + "--\r\n"));
        refused(400, "has the part \"readme\"", "PUT", put, reg.token, TestRegistry.multipart(java.util.Map.of("readme", new byte[3])));
        refused(400, "no \"manifest\" part", "PUT", put, reg.token, TestRegistry.multipart(java.util.Map.of("artifact", artifact)));
        refused(400, "no \"artifact\" part", "PUT", put, reg.token, TestRegistry.multipart(java.util.Map.of("manifest", goodParts.manifest())));
        refused(400, "the part \"signature\" is more than 4096 bytes", "PUT", put, reg.token,
                goodParts.withSignature("A".repeat(5000)).body());
        refused(422, "artifact is empty", "PUT", put, reg.token, goodParts.withArtifact(new byte[0]).body());
        // signed by another key (acme's), and a signature over other bytes
        refused(422, "signature does not verify", "PUT", put, reg.token, signed("xdperf", reg.acmeKey, "tcp", "1.1.0", artifact).body());
        refused(422, "signature does not verify", "PUT", put, reg.token,
                signed("xdperf", reg.key, "tcp", "1.1.0", TestRegistry.wasm("other")).withArtifact(artifact).body());
        refused(422, "not signed", "PUT", put, reg.token, goodParts.withSignature("").body());
        refused(422, "not signed", "PUT", put, reg.token, goodParts.withSignature(null).body());
        refused(422, "is not an active signing key of publisher xdperf", "PUT", put, reg.token,
                goodParts.withKey(Keys.fingerprint(reg.acmeKey.getPublic())).body());
        // the manifest must describe what the path publishes
        refused(422, "manifest says tcp 1.1.0 but the request publishes tcp 1.2.0", "PUT", "/api/v1/plugins/xdperf/tcp/versions/1.2.0",
                reg.token, good);
        refused(422, "manifest is not JSON", "PUT", put, reg.token, new Parts(artifact, "{".getBytes(StandardCharsets.UTF_8), "x", null).body());
        refused(422, "not a WebAssembly module", "PUT", put, reg.token, signed("xdperf", reg.key, "tcp", "1.1.0",
                "MZ not wasm".getBytes(StandardCharsets.UTF_8)).body());
        // a second publish of a published version, even with other bytes
        refused(409, "already published", "PUT", "/api/v1/plugins/xdperf/tcp/versions/1.0.0", reg.token,
                signed("xdperf", reg.key, "tcp", "1.0.0", TestRegistry.wasm("again")).body());
        // names with path separators or dots
        refused(400, "is not a plugin name", "PUT", "/api/v1/plugins/xdperf/..%2E/versions/1.1.0", reg.token, good);
        refused(400, "is not a plugin name", "PUT", "/api/v1/plugins/xdperf/a.b/versions/1.1.0", reg.token, good);
        refused(400, "is not a publisher name", "PUT", "/api/v1/plugins/..%2E/tcp/versions/1.1.0", reg.token, good);
        refused(400, "is not a version", "PUT", "/api/v1/plugins/xdperf/tcp/versions/1.1", reg.token, good);
        assertTrue(List.of(400, 404).contains(reg.request("PUT", "/api/v1/plugins/xdperf/a%2Fb/versions/1.1.0", reg.token, good).status()));
        assertTrue(List.of(400, 404).contains(reg.request("PUT", "/api/v1/plugins/xdperf/../tcp/versions/1.1.0", reg.token, good).status()));
        // over the size limit (64 KiB here): the artifact (read to its end, so the client hears why), and a body too big to read at all
        refused(413, "artifact is 71680 bytes, over this registry's limit of 65536", "PUT", put, reg.token,
                signed("xdperf", reg.key, "tcp", "1.1.0", big()).body());
        refused(413, "request body is 1048576 bytes, over this registry's limit", "PUT", put, reg.token,
                new TestRegistry.Body(new byte[1024 * 1024], multipart));

        // and the good one still goes through afterwards, with the file whole
        TestRegistry.Response ok = reg.request("PUT", put, reg.token, good);
        assertEquals(201, ok.status(), ok.body());
        assertEquals(2, reg.server.store().versions("xdperf", "tcp").size());
        assertArrayEquals(artifact, reg.client.download(json(ok.body()).path("artifact_sha256").asText()));
    }

    /** A delimiter's prefix inside the file (CR LF - -, and most of the boundary) is the file's, not the end of the part. */
    @Test
    void anArtifactHoldingPartsOfTheBoundaryArrivesWhole() throws Exception {
        String b = TestRegistry.BOUNDARY;
        byte[] tricky = (new String(TestRegistry.wasm("x"), StandardCharsets.ISO_8859_1) + "\r\n--" + b.substring(0, b.length() - 1)
                + "\r\n\r\n-\r\n--\r\n--" + b.substring(0, 4) + "\r\r\n--" + b + "X").getBytes(StandardCharsets.ISO_8859_1);
        // the last "\r\n--BOUNDARY" + "X" would end the part: the file stops before it
        byte[] file = java.util.Arrays.copyOf(tricky, tricky.length - ("\r\n--" + b + "X").length());
        Parts p = signed("xdperf", reg.key, "tricky", "1.0.0", file);
        TestRegistry.Response r = reg.request("PUT", "/api/v1/plugins/xdperf/tricky/versions/1.0.0", reg.token, p.body());
        assertEquals(201, r.status(), r.body());
        assertArrayEquals(file, reg.client.download(json(r.body()).path("artifact_sha256").asText()));
    }

    static byte[] big() {
        byte[] b = new byte[70 * 1024];
        System.arraycopy(TestRegistry.wasm(""), 0, b, 0, 8);
        return b;
    }

    @Test
    void archiveEntryEscapingItsDirectoryIsRefused() throws Exception {
        for (String entry : List.of("../evil.class", "lib/../../evil.jar", "/etc/cron.d/evil")) {
            ByteArrayOutputStream jar = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(jar)) {
                z.putNextEntry(new ZipEntry("plugin.properties"));
                z.write("plugin.id=evil\n".getBytes(StandardCharsets.UTF_8));
                z.putNextEntry(new ZipEntry(entry));
                z.write(1);
            }
            byte[] manifest = TestRegistry.manifest("evil", "1.0.0", "pf4j", "1.0");
            String sig = Release.of("xdperf", Manifest.parse(manifest), jar.toByteArray()).sign(reg.key.getPrivate());
            refused(422, "escapes the plugin's directory", "PUT", "/api/v1/plugins/xdperf/evil/versions/1.0.0", reg.token,
                    TestRegistry.publishBody(jar.toByteArray(), manifest, sig, null));
        }
        // a clean jar is fine
        ByteArrayOutputStream jar = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(jar)) {
            z.putNextEntry(new ZipEntry("lib/ok.jar"));
            z.write(1);
        }
        byte[] manifest = TestRegistry.manifest("good", "1.0.0", "pf4j", "1.0");
        String sig = Release.of("xdperf", Manifest.parse(manifest), jar.toByteArray()).sign(reg.key.getPrivate());
        assertEquals(201, reg.request("PUT", "/api/v1/plugins/xdperf/good/versions/1.0.0", reg.token,
                TestRegistry.publishBody(jar.toByteArray(), manifest, sig, null)).status());
    }

    @Test
    void aByteChangedInAStoredFileIsNeverServed() throws Exception {
        RegistryClient.VersionInfo v = reg.publish("tcp", "1.0.0");
        Path blob = reg.server.dataDir().resolve("blobs").resolve(v.artifactSha256().substring(0, 2)).resolve(v.artifactSha256());
        byte[] b = Files.readAllBytes(blob);
        b[b.length - 1] ^= 1;
        Files.write(blob, b);
        TestRegistry.Response r = reg.request("GET", "/api/v1/blobs/sha256/" + v.artifactSha256(), null, (byte[]) null);
        assertEquals(500, r.status());
        assertTrue(json(r.body()).path("error").asText().contains("is corrupt on disk"), r.body());
        assertEquals(404, reg.request("GET", "/api/v1/blobs/sha256/" + "0".repeat(64), null, (byte[]) null).status());
        assertEquals(400, reg.request("GET", "/api/v1/blobs/sha256/..%2F..%2Fregistry.db", null, (byte[]) null).status());
    }

    @Test
    void keyRotationNeedsACurrentKeysSignature() throws Exception {
        KeyPair next = Keys.generate();
        String oldFp = Keys.fingerprint(reg.key.getPublic());
        // no endorsement, an endorsement by a stranger, an endorsement of another key: refused
        RegistryException e = assertThrows(RegistryException.class,
                () -> reg.client.addKey(reg.token, "xdperf", next.getPublic(), null, null, false));
        assertEquals(403, e.status());
        assertTrue(e.getMessage().contains("must be signed by one of its current keys"), e.getMessage());
        assertEquals(403, assertThrows(RegistryException.class, () -> reg.client.addKey(reg.token, "xdperf", next.getPublic(),
                Keys.fingerprint(reg.acmeKey.getPublic()), Publishing.endorse("xdperf", next.getPublic(), reg.acmeKey.getPrivate()), false)).status());
        assertEquals(403, assertThrows(RegistryException.class, () -> reg.client.addKey(reg.token, "xdperf", next.getPublic(),
                oldFp, Publishing.endorse("xdperf", Keys.generate().getPublic(), reg.key.getPrivate()), false)).status());
        assertEquals(403, assertThrows(RegistryException.class, () -> reg.client.addKey(reg.acmeToken, "xdperf", next.getPublic(),
                oldFp, Publishing.endorse("xdperf", next.getPublic(), reg.key.getPrivate()), false)).status());

        // endorsed by the current key, retiring it: accepted
        RegistryClient.KeyInfo added = reg.client.addKey(reg.token, "xdperf", next.getPublic(), oldFp,
                Publishing.endorse("xdperf", next.getPublic(), reg.key.getPrivate()), true);
        assertEquals(Keys.fingerprint(next.getPublic()), added.fingerprint());
        assertNull(added.retired());
        assertEquals(409, assertThrows(RegistryException.class, () -> reg.client.addKey(reg.token, "xdperf", next.getPublic(),
                added.fingerprint(), Publishing.endorse("xdperf", next.getPublic(), next.getPrivate()), false)).status());
        JsonNode keys = json(reg.request("GET", "/api/v1/publishers/xdperf", null, (byte[]) null).body()).path("keys");
        assertEquals(2, keys.size());
        assertTrue(keys.get(0).path("retired").isTextual(), "the old key is retired");
        assertEquals(oldFp, json(reg.request("GET", "/api/v1/keys/" + oldFp, null, (byte[]) null).body()).path("fingerprint").asText());

        // the retired key signs no more; the new one does
        RegistryException old = assertThrows(RegistryException.class,
                () -> reg.publish("xdperf", reg.token, reg.key, "tcp", "1.0.0", "1.0"));
        assertEquals(422, old.status());
        assertTrue(old.getMessage().contains("is not an active signing key"), old.getMessage());
        assertEquals(added.fingerprint(), reg.publish("xdperf", reg.token, next, "tcp", "1.0.0", "1.0").key());
    }
}
