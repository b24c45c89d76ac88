package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.client.Installer;
import dev.xdperf.registry.client.LockFile;
import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.client.TrustStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Installing from a real registry: resolution, trust, and every way a download can be refused without touching the plugin directory. */
class InstallerTest {
    @RegisterExtension
    final TestRegistry reg = new TestRegistry();

    Path pluginDir;
    TrustStore trust;
    final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        pluginDir = reg.dir.resolve("plugins");
        // the test registry's "xdperf" publisher signs with a throwaway key that stands in for the first-party one
        trust = new TrustStore(reg.dir.resolve("config/trusted-keys"), reg.key.getPublic());
    }

    Installer installer(String url) {
        return new Installer(new RegistryClient(url), trust, pluginDir, AbiVersion.HOST, warnings::add);
    }

    Installer installer() {
        return installer(reg.server.url());
    }

    /** The plugin directory's files and their bytes, to show a refused install changed nothing. */
    Map<String, String> snapshot() throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        if (Files.isDirectory(pluginDir)) {
            try (Stream<Path> s = Files.walk(pluginDir)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    out.put(pluginDir.relativize(p).toString(), Digests.sha256Hex(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    @Test
    void resolvesNewestUsableVersionAndRecordsIt() throws Exception {
        reg.publish("xdperf", reg.token, reg.key, "tcp", "1.0.0", "1.0");
        reg.publish("xdperf", reg.token, reg.key, "tcp", "1.1.0", "1.0");
        reg.publish("xdperf", reg.token, reg.key, "tcp", "1.2.0", "1.0");
        reg.publish("xdperf", reg.token, reg.key, "tcp", "1.3.0-rc.1", "1.0");
        reg.publish("xdperf", reg.token, reg.key, "tcp", "2.0.0", "2.0");
        reg.publish("xdperf", reg.token, reg.key, "tcp", "1.4.0", "1.1");
        reg.client.setYanked(reg.token, "xdperf", "tcp", "1.2.0", true);

        Installer.Installed i = installer().install("tcp");
        assertEquals("1.1.0", i.version(), "newest that is not yanked, not a prerelease, and runs on ABI " + AbiVersion.HOST);
        assertEquals(pluginDir.resolve("xdperf/tcp.wasm"), i.file());
        assertArrayEquals(TestRegistry.wasm("xdperftcp1.1.0"), Files.readAllBytes(i.file()));
        LockFile.Entry e = LockFile.read(pluginDir).get("xdperf/tcp");
        assertEquals("xdperf/tcp", e.id());
        assertEquals("1.1.0", e.version());
        assertEquals(Digests.sha256Hex(Files.readAllBytes(i.file())), e.sha256());
        assertEquals(Keys.fingerprint(reg.key.getPublic()), e.key());
        assertTrue(warnings.isEmpty(), warnings.toString());

        // a yanked version by exact version: installed, with a warning
        assertEquals("1.2.0", installer().install("xdperf/tcp@1.2.0").version());
        assertTrue(warnings.get(0).contains("is yanked"), warnings.toString());
        assertEquals("1.2.0", LockFile.read(pluginDir).get("xdperf/tcp").version());
        assertEquals("xdperf/tcp", installer().verify("tcp").id());

        // an exact version for another ABI: refused, saying both
        IllegalStateException abi = assertThrows(IllegalStateException.class, () -> installer().install("tcp@2.0.0"));
        assertTrue(abi.getMessage().contains("built for template ABI 2.0, this xdperf supports 1.0"), abi.getMessage());
        assertEquals("1.2.0", LockFile.read(pluginDir).get("xdperf/tcp").version(), "unchanged");

        // --locked reinstalls exactly what the lock file says
        Files.delete(pluginDir.resolve("xdperf/tcp.wasm"));
        assertEquals("1.2.0", installer().installLocked("tcp").version());
        assertTrue(installer().remove("tcp"));
        assertFalse(Files.exists(pluginDir.resolve("xdperf/tcp.wasm")));
        assertFalse(LockFile.read(pluginDir).containsKey("xdperf/tcp"));

        RuntimeException none = assertThrows(dev.xdperf.registry.client.RegistryException.class, () -> installer().install("nosuch"));
        assertTrue(none.getMessage().contains("no plugin xdperf/nosuch"), none.getMessage());
    }

    @Test
    void untrustedKeyIsRefused() throws Exception {
        reg.publish("acme", reg.acmeToken, reg.acmeKey, "quic", "1.0.0", "1.0");
        String acmeFp = Keys.fingerprint(reg.acmeKey.getPublic());
        SecurityException e = assertThrows(SecurityException.class, () -> installer().install("acme/quic"));
        assertTrue(e.getMessage().contains("signed by key " + acmeFp + ", which this xdperf does not trust"), e.getMessage());
        assertTrue(e.getMessage().contains("xdperf plugin trust " + acmeFp), e.getMessage());
        assertEquals(Map.of(), snapshot());
        // trusting the fingerprint alone is enough: the key comes from the registry and is checked against it
        trust.add(acmeFp, null, "acme", "acme");
        assertEquals("1.0.0", installer().install("acme/quic").version());
    }

    @Test
    void tamperedDownloadsAreRefusedAndNothingIsInstalled() throws Exception {
        reg.publish("tcp", "1.0.0");
        installer().install("tcp");
        reg.publish("tcp", "1.1.0");
        Map<String, String> before = snapshot();
        KeyPair stranger = Keys.generate();
        try (TamperingProxy proxy = new TamperingProxy(reg.server.url())) {
            proxy.artifact = b -> {
                b[b.length - 1] ^= 0x40;
                return b;
            };
            SecurityException e = assertThrows(SecurityException.class, () -> installer(proxy.url()).install("tcp"));
            assertTrue(e.getMessage().contains("the downloaded file does not match: expected sha256 "), e.getMessage());
            assertTrue(e.getMessage().contains(", found "), e.getMessage());
            assertEquals(before, snapshot());

            // the registry changes the record's digest to match tampered bytes: the signature no longer verifies
            proxy.artifact = b -> TestRegistry.wasm("evil");
            proxy.versionRecord = v -> v.put("artifact_sha256", Digests.sha256Hex(TestRegistry.wasm("evil")));
            e = assertThrows(SecurityException.class, () -> installer(proxy.url()).install("tcp"));
            assertTrue(e.getMessage().contains("the signature does not verify: expected a signature by key "), e.getMessage());
            assertEquals(before, snapshot());

            // a signature by another key over the right statement
            proxy.artifact = b -> b;
            proxy.versionRecord = v -> v.put("signature", new Release("xdperf", "tcp", "1.1.0", "wasm", AbiVersion.HOST,
                    v.path("artifact_sha256").asText(), v.path("manifest_sha256").asText()).sign(stranger.getPrivate()));
            e = assertThrows(SecurityException.class, () -> installer(proxy.url()).install("tcp"));
            assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());

            // ... and naming that other key
            proxy.versionRecord = v -> v.put("key", Keys.fingerprint(stranger.getPublic()));
            e = assertThrows(SecurityException.class, () -> installer(proxy.url()).install("tcp"));
            assertTrue(e.getMessage().contains("which only the first-party key built into xdperf"), e.getMessage());

            // unsigned
            proxy.versionRecord = v -> v.put("signature", "");
            e = assertThrows(SecurityException.class, () -> installer(proxy.url()).install("tcp"));
            assertTrue(e.getMessage().contains("is not signed (expected an Ed25519 signature by key "), e.getMessage());

            // the registry claims another ABI than the signed manifest
            proxy.versionRecord = v -> v.put("abi", "1.0").put("kind", "wasm").put("manifest",
                    Base64.getEncoder().encodeToString(TestRegistry.manifest("tcp", "1.1.0", "wasm", "1.0").clone()))
                    .put("manifest_sha256", Digests.sha256Hex(TestRegistry.manifest("tcp", "1.1.0", "wasm", "1.0").clone()).replace('a', 'b'));
            e = assertThrows(SecurityException.class, () -> installer(proxy.url()).install("tcp"));
            assertTrue(e.getMessage().contains("the manifest does not match"), e.getMessage());
            assertEquals(before, snapshot());
            assertEquals("1.0.0", installer().verify("tcp").version());
        }
        assertEquals("1.1.0", installer().install("tcp").version(), "the real registry's copy installs");
    }

    @Test
    void unwritableDirectoryIsOneSentenceAndLosesNothing() throws Exception {
        reg.publish("tcp", "1.0.0");
        Path file = reg.dir.resolve("not-a-dir");
        Files.writeString(file, "x");
        Installer blocked = new Installer(reg.client, trust, file.resolve("plugins"), AbiVersion.HOST, warnings::add);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> blocked.install("tcp"));
        assertTrue(e.getMessage().startsWith("install xdperf/tcp 1.0.0: cannot write to plugin directory "), e.getMessage());
        assertTrue(e.getMessage().contains("nothing was changed"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void installsFromAMirrorDirectoryOrABundleWithNoNetwork() throws Exception {
        reg.publish("tcp", "1.0.0");
        reg.publish("tcp", "1.1.0");
        reg.publish("acme", reg.acmeToken, reg.acmeKey, "quic", "0.1.0", "1.0");
        Path mirror = reg.dir.resolve("mirror");
        assertEquals(3, dev.xdperf.registry.client.Mirror.write(reg.client, mirror, List.of()));
        Path bundle = reg.dir.resolve("quic.xdpkg");
        dev.xdperf.registry.client.Bundle.fetch(reg.client, "acme", "quic", "0.1.0", bundle);
        reg.stop(); // no registry from here on

        RegistryClient offline = RegistryClient.mirror(mirror);
        assertEquals(List.of("xdperf/tcp", "acme/quic"), offline.search(null, null, AbiVersion.HOST).stream()
                .map(RegistryClient.SearchHit::id).toList());
        assertEquals(List.of("xdperf/tcp"), offline.search("TCP", "wasm", null).stream().map(RegistryClient.SearchHit::id).toList());
        Installer fromMirror = new Installer(offline, trust, pluginDir, AbiVersion.HOST, warnings::add);
        assertEquals("1.1.0", fromMirror.install("tcp").version());
        assertEquals("1.0.0", fromMirror.install("tcp@1.0.0").version());
        assertTrue(LockFile.read(pluginDir).get("xdperf/tcp").registry().startsWith("file:"));
        SecurityException untrusted = assertThrows(SecurityException.class, () -> fromMirror.install("acme/quic"));
        assertTrue(untrusted.getMessage().contains("does not trust"), untrusted.getMessage());

        // a changed byte in the mirror is caught like a changed download
        String sha = LockFile.read(pluginDir).get("xdperf/tcp").sha256();
        Path blob = mirror.resolve("api/v1/blobs/sha256/" + sha);
        byte[] b = Files.readAllBytes(blob);
        b[9] ^= 1;
        Files.write(blob, b);
        Map<String, String> before = snapshot();
        assertThrows(SecurityException.class, () -> fromMirror.install("tcp@1.0.0"));
        assertEquals(before, snapshot());

        // a bundle, with only the key's fingerprint trusted: the bundle's key must hash to it
        Installer noRegistry = new Installer(null, trust, pluginDir, AbiVersion.HOST, warnings::add);
        assertThrows(SecurityException.class, () -> noRegistry.installBundle(bundle));
        trust.add(Keys.fingerprint(reg.acmeKey.getPublic()), null, "acme", "acme");
        Installer.Installed q = noRegistry.installBundle(bundle);
        assertEquals("acme/quic", q.id());
        assertEquals(pluginDir.resolve("acme/quic.wasm"), q.file());

        // a tampered bundle is refused
        var n = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(bundle.toFile());
        byte[] art = Base64.getDecoder().decode(n.path("artifact").asText());
        art[art.length - 1] ^= 1;
        n.put("artifact", Base64.getEncoder().encodeToString(art));
        Path bad = reg.dir.resolve("bad.xdpkg");
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(bad.toFile(), n);
        SecurityException e = assertThrows(SecurityException.class, () -> noRegistry.installBundle(bad));
        assertTrue(e.getMessage().contains("the downloaded file does not match"), e.getMessage());
    }

    @Test
    void twoPublishersPluginsOfOneNameCoexistAndABareNameIsResolvedOrRefused() throws Exception {
        KeyPair bobKey = Keys.generate();
        reg.server.store().createPublisher("bob");
        reg.server.store().addKey("bob", bobKey.getPublic(), null, null, false);
        String bobToken = reg.server.store().createToken("bob", "test");
        reg.publish("acme", reg.acmeToken, reg.acmeKey, "dns", "1.0.0", "1.0");
        reg.publish("bob", bobToken, bobKey, "dns", "2.0.0", "1.0");
        trust.add(Keys.fingerprint(reg.acmeKey.getPublic()), reg.acmeKey.getPublic(), "acme", "acme");
        trust.add(Keys.fingerprint(bobKey.getPublic()), bobKey.getPublic(), "bob", "bob");

        assertEquals(pluginDir.resolve("acme/dns.wasm"), installer().install("acme/dns").file());
        // one installed: a bare name means it
        assertEquals("acme/dns", installer().verify("dns").id());
        assertEquals(pluginDir.resolve("bob/dns.wasm"), installer().install("bob/dns@2.0.0").file());
        assertArrayEquals(TestRegistry.wasm("acmedns1.0.0"), Files.readAllBytes(pluginDir.resolve("acme/dns.wasm")));
        assertArrayEquals(TestRegistry.wasm("bobdns2.0.0"), Files.readAllBytes(pluginDir.resolve("bob/dns.wasm")));
        Map<String, LockFile.Entry> lock = LockFile.read(pluginDir);
        assertEquals(List.of("acme/dns", "bob/dns"), List.copyOf(lock.keySet()));
        assertEquals("bob/dns.wasm", lock.get("bob/dns").file());
        assertEquals("1.0.0", installer().verify("acme/dns").version());
        assertEquals("2.0.0", installer().verify("bob/dns").version());

        // two installed: a bare name is ambiguous, one sentence with the candidates, nothing changed
        Map<String, String> before = snapshot();
        for (String op : List.of("verify", "remove", "locked")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                switch (op) {
                    case "verify" -> installer().verify("dns");
                    case "remove" -> installer().remove("dns");
                    default -> installer().installLocked("dns");
                }
            });
            assertTrue(e.getMessage().contains("'dns' is ambiguous: installed as acme/dns, bob/dns"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
        assertEquals(before, snapshot());

        // names with path characters: one sentence, nothing touched
        for (String bad : List.of("../dns", "acme/../bob/dns", "acme/dns/x", "/etc/passwd", "acme\\dns", "acme/.", "..")) {
            assertThrows(IllegalArgumentException.class, () -> installer().remove(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> installer().verify(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> installer().install(bad), bad);
        }
        assertEquals(before, snapshot());

        assertTrue(installer().remove("acme/dns"));
        assertFalse(Files.exists(pluginDir.resolve("acme")), "the empty namespace directory goes too");
        assertEquals("bob/dns", installer().verify("dns").id(), "the only one left");
        assertFalse(installer().remove("acme/dns"));
    }

    /** A PF4J plugin archive: a jar (descriptor and classes at the top) or PF4J's zip layout (classes/, lib/). */
    static byte[] pf4j(String id, String version, boolean zipLayout) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("plugin.properties"));
            zip.write(("plugin.id=" + id + "\nplugin.version=" + version + "\nplugin.class=org.pf4j.Plugin\n").getBytes());
            zip.putNextEntry(new java.util.zip.ZipEntry(zipLayout ? "classes/Marker.class" : "Marker.class"));
            zip.write(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe});
        }
        return bytes.toByteArray();
    }

    RegistryClient.VersionInfo publishPf4j(String name, String version, byte[] artifact) {
        Manifest m = Manifest.parse(TestRegistry.manifest(name, version, "pf4j", "1.0"));
        String sig = Release.of("acme", m, artifact).sign(reg.acmeKey.getPrivate());
        return reg.client.publish(reg.acmeToken, "acme", name, version, artifact, m.bytes(), sig, Keys.fingerprint(reg.acmeKey.getPublic()));
    }

    @Test
    void javaPluginsInstallVerifyAndRemoveOnlyWithTheExplicitFlag() throws Exception {
        byte[] jar = pf4j("quic", "1.0.0", false);
        byte[] zip = pf4j("quic", "1.1.0", true);
        publishPf4j("quic", "1.0.0", jar);
        trust.add(Keys.fingerprint(reg.acmeKey.getPublic()), reg.acmeKey.getPublic(), "acme", "acme");
        Path bundle = reg.dir.resolve("quic.xdpkg");
        dev.xdperf.registry.client.Bundle.fetch(reg.client, "acme", "quic", "1.0.0", bundle);

        // without the flag: one sentence saying why, nothing written, by registry and by bundle
        for (Runnable r : List.<Runnable>of(() -> installer().install("acme/quic"), () -> installer().installBundle(bundle))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, r::run);
            assertTrue(e.getMessage().contains("it is a Java (PF4J) plugin, which runs inside xdperf with the full rights of the JVM"
                    + " (no sandbox), so installing it needs --allow-java"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            assertEquals(Map.of(), snapshot());
        }

        Installer.Installed i = installer().allowJava(true).install("acme/quic");
        assertEquals(pluginDir.resolve("acme/quic.jar"), i.file());
        assertArrayEquals(jar, Files.readAllBytes(i.file()));
        LockFile.Entry e = LockFile.read(pluginDir).get("acme/quic");
        assertEquals("pf4j", e.kind());
        assertEquals("acme/quic.jar", e.file());
        assertEquals("1.0.0", installer().verify("quic").version());

        // a zip-layout release replaces the jar (one file per installed plugin)
        publishPf4j("quic", "1.1.0", zip);
        assertEquals(pluginDir.resolve("acme/quic.zip"), installer().allowJava(true).install("acme/quic").file());
        assertFalse(Files.exists(pluginDir.resolve("acme/quic.jar")));
        assertEquals("1.1.0", installer().verify("acme/quic").version());
        Files.write(pluginDir.resolve("acme/quic.zip"), jar);
        assertThrows(SecurityException.class, () -> installer().verify("acme/quic"));

        assertTrue(installer().remove("acme/quic"));
        assertEquals(Map.of("plugins.lock", snapshot().get("plugins.lock")), snapshot());
        assertEquals("1.0.0", installer().allowJava(true).installBundle(bundle).version());
        assertEquals(pluginDir.resolve("acme/quic.jar"), LockFile.read(pluginDir).get("acme/quic").path(pluginDir));
    }

    @Test
    void aPublishersKeySignsItsOwnNamespaceOnlyAndOnlyTheFirstPartyKeySignsXdperf() throws Exception {
        reg.publish("tcp", "1.0.0");
        installer().install("tcp");
        reg.publish("tcp", "9.9.9");
        KeyPair bobKey = Keys.generate();
        reg.server.store().createPublisher("bob");
        reg.server.store().addKey("bob", bobKey.getPublic(), null, null, false);
        reg.publish("bob", reg.server.store().createToken("bob", "test"), bobKey, "dns", "1.0.0", "1.0");
        String acmeFp = Keys.fingerprint(reg.acmeKey.getPublic());
        trust.add(acmeFp, reg.acmeKey.getPublic(), "acme", "acme");
        Map<String, String> before = snapshot();
        try (TamperingProxy proxy = new TamperingProxy(reg.server.url())) {
            // a compromised registry (or mirror, or a man in the middle) serves releases that acme's trusted key
            // signed, statement and all, as xdperf/tcp and as bob/dns
            proxy.versionRecord = v -> v.put("key", acmeFp).put("signature", new Release(v.path("publisher").asText(),
                    v.path("name").asText(), v.path("version").asText(), "wasm", AbiVersion.HOST, v.path("artifact_sha256").asText(),
                    v.path("manifest_sha256").asText()).sign(reg.acmeKey.getPrivate()));
            RegistryClient forged = new RegistryClient(proxy.url());
            Path mirror = reg.dir.resolve("mirror");
            dev.xdperf.registry.client.Mirror.write(forged, mirror, List.of("xdperf/tcp"));
            Path bundle = reg.dir.resolve("tcp.xdpkg");
            dev.xdperf.registry.client.Bundle.fetch(forged, "xdperf", "tcp", "9.9.9", bundle);

            String official = "xdperf/* is the official namespace, which only the first-party key built into xdperf ("
                    + Keys.fingerprint(reg.key.getPublic()) + ") signs, but this release is signed by key " + acmeFp;
            for (Runnable r : List.<Runnable>of(() -> installer(proxy.url()).install("tcp"),
                    () -> installer(proxy.url()).install("xdperf/tcp@9.9.9"),
                    () -> new Installer(RegistryClient.mirror(mirror), trust, pluginDir, AbiVersion.HOST, warnings::add).install("tcp@9.9.9"),
                    () -> new Installer(null, trust, pluginDir, AbiVersion.HOST, warnings::add).installBundle(bundle))) {
                SecurityException e = assertThrows(SecurityException.class, r::run);
                assertTrue(e.getMessage().contains(official), e.getMessage());
                assertEquals(1, e.getMessage().lines().count());
                assertEquals(before, snapshot());
            }
            SecurityException cross = assertThrows(SecurityException.class, () -> installer(proxy.url()).install("bob/dns"));
            assertTrue(cross.getMessage().endsWith("signed by key " + acmeFp + ", which this xdperf trusts for acme/* only, not for bob/*"),
                    cross.getMessage());
            assertEquals(before, snapshot());
        }
        assertEquals("1.0.0", installer().verify("tcp").version(), "the official plugin installed before is untouched");
        assertEquals("9.9.9", installer().install("tcp").version(), "the real release, signed by the first-party key, installs");

        // no key but the first-party one is trusted for xdperf/*
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trust.add(acmeFp, reg.acmeKey.getPublic(), "acme", "xdperf"));
        assertTrue(e.getMessage().contains("only the first-party key built into xdperf"), e.getMessage());
        // a line an older xdperf wrote (no namespace) is trusted for none, and says how to fix it
        Files.writeString(trust.file(), acmeFp + " - acme, unscoped\n");
        reg.publish("acme", reg.acmeToken, reg.acmeKey, "quic", "1.0.0", "1.0");
        SecurityException old = assertThrows(SecurityException.class, () -> installer().install("acme/quic"));
        assertTrue(old.getMessage().contains("which this xdperf trusts for no namespace (an older xdperf recorded it without one; if it"
                + " is acme's key: xdperf plugin trust " + acmeFp + " --namespace acme)"), old.getMessage());
        trust.add(acmeFp, null, "acme", "acme");
        assertEquals("1.0.0", installer().install("acme/quic").version());
        assertTrue(trust.remove(acmeFp));
        assertFalse(trust.remove(acmeFp));
        assertThrows(SecurityException.class, () -> installer().verify("acme/quic"));
        assertThrows(IllegalArgumentException.class, () -> trust.remove(Keys.fingerprint(reg.key.getPublic())));
    }

    @Test
    void specs() {
        assertEquals(new Installer.Spec("xdperf", "tcp", null), Installer.Spec.parse("tcp"));
        assertEquals(new Installer.Spec("acme", "quic", "1.2.3-rc.1"), Installer.Spec.parse("acme/quic@1.2.3-rc.1"));
        for (String bad : List.of("../tcp", "a/b/c", "tcp@latest", "TCP", "x/..", "tcp@1.0")) {
            assertThrows(IllegalArgumentException.class, () -> Installer.Spec.parse(bad), bad);
        }
    }
}
