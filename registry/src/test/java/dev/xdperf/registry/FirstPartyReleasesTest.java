package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.client.Installer;
import dev.xdperf.registry.client.TrustStore;
import dev.xdperf.registry.release.FirstPartyReleases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release step, with throwaway keys standing in for the first-party key (the real one never enters a test). */
class FirstPartyReleasesTest {
    @TempDir
    Path tmp;

    @Test
    void signedReleasesInstallAsTheOfficialPluginsWithNoTrustStep() throws Exception {
        KeyPair firstParty = Keys.generate();
        byte[] tcp = TestRegistry.wasm("tcp");
        List<Path> files = FirstPartyReleases.sign(firstParty.getPrivate(), firstParty.getPublic(),
                List.of(new FirstPartyReleases.Input(tcp, TestRegistry.manifest("tcp", "1.0.0", "wasm", "1.0")),
                        new FirstPartyReleases.Input(TestRegistry.wasm("icmp"), TestRegistry.manifest("icmp", "1.0.0", "wasm", "1.0"))),
                tmp.resolve("releases"), Instant.parse("2026-12-04T00:00:00Z"));
        assertEquals(List.of("xdperf-tcp-1.0.0.xdpkg", "xdperf-icmp-1.0.0.xdpkg"), files.stream().map(p -> p.getFileName().toString()).toList());
        assertEquals("xdperf-tcp-1.0.0.xdpkg\nxdperf-icmp-1.0.0.xdpkg\n", Files.readString(tmp.resolve("releases/index.txt")));
        String text = Files.readString(files.get(0));
        assertTrue(!text.contains("PRIVATE"), "no private key in a release file");

        TrustStore trust = new TrustStore(tmp.resolve("config/trusted-keys"), firstParty.getPublic());
        Installer.Installed i = new Installer(null, trust, tmp.resolve("plugins"), AbiVersion.HOST, w -> { }).installBundle(files.get(0));
        assertEquals("xdperf/tcp", i.id());
        assertArrayEquals(tcp, Files.readAllBytes(i.file()));
        assertTrue(!Files.exists(tmp.resolve("config/trusted-keys")), "no trust step");

        // a key other than the built-in anchor signs nothing
        KeyPair other = Keys.generate();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FirstPartyReleases.sign(other.getPrivate(),
                firstParty.getPublic(), List.of(), tmp.resolve("other"), Instant.now()));
        assertTrue(e.getMessage().contains("the signing key is not the first-party key built into xdperf"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("other")));
    }

    @Test
    void anEmptyRegistryStartsWithTheShippedReleasesAndInstallsThemWithNoTrustStep() throws Exception {
        KeyPair firstParty = Keys.generate();
        List<Path> files = FirstPartyReleases.sign(firstParty.getPrivate(), firstParty.getPublic(),
                List.of(new FirstPartyReleases.Input(TestRegistry.wasm("tcp"), TestRegistry.manifest("tcp", "1.0.0", "wasm", "1.0")),
                        new FirstPartyReleases.Input(TestRegistry.wasm("icmp"), TestRegistry.manifest("icmp", "1.0.0", "wasm", "1.0"))),
                tmp.resolve("releases"), Instant.now());
        List<dev.xdperf.registry.client.Bundle> shipped = files.stream().map(dev.xdperf.registry.client.Bundle::read).toList();
        Path data = tmp.resolve("data");
        try (var server = dev.xdperf.registry.server.RegistryServer.builder(data).withPort(0).withSeed(shipped, firstParty.getPublic())
                .build().start()) {
            var client = new dev.xdperf.registry.client.RegistryClient(server.url());
            assertEquals(List.of("xdperf/icmp", "xdperf/tcp"), client.search(null, null, AbiVersion.HOST).stream()
                    .map(dev.xdperf.registry.client.RegistryClient.SearchHit::id).sorted().toList());
            TrustStore trust = new TrustStore(tmp.resolve("config/trusted-keys"), firstParty.getPublic());
            assertEquals("1.0.0", new Installer(client, trust, tmp.resolve("plugins"), AbiVersion.HOST, w -> { }).install("tcp").version());
            assertTrue(!Files.exists(tmp.resolve("config/trusted-keys")), "no trust step");
        }
        // a registry that is not empty is not seeded again; a release not signed by the first-party key is refused
        try (var server = dev.xdperf.registry.server.RegistryServer.builder(data).withPort(0).withSeed(shipped, firstParty.getPublic())
                .build()) {
            assertEquals(2L, server.store().counts().get("versions"));
        }
        KeyPair other = Keys.generate();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> dev.xdperf.registry.server.RegistryServer
                .builder(tmp.resolve("data2")).withPort(0).withSeed(shipped, other.getPublic()).build());
        assertTrue(e.getMessage().contains("not a release of the official namespace signed by the first-party key"), e.getMessage());
    }

    /**
     * A first-party Java plugin (xdperf/quic) installs without --allow-java: only the first-party
     * key signs into xdperf/*. A bundle claiming xdperf/quic signed by any other key is refused,
     * flag or not, and nothing is written.
     */
    @Test
    void aFirstPartyJavaPluginInstallsWithoutTheFlagAndAForgedOneNever() throws Exception {
        KeyPair firstParty = Keys.generate();
        byte[] jar = InstallerTest.pf4j("quic", "1.0.0", false);
        List<Path> files = FirstPartyReleases.sign(firstParty.getPrivate(), firstParty.getPublic(),
                List.of(new FirstPartyReleases.Input(jar, TestRegistry.manifest("quic", "1.0.0", "pf4j", "1.0"))),
                tmp.resolve("releases"), Instant.now());
        TrustStore trust = new TrustStore(tmp.resolve("config/trusted-keys"), firstParty.getPublic());
        Installer.Installed i = new Installer(null, trust, tmp.resolve("plugins"), AbiVersion.HOST, w -> { }).installBundle(files.get(0));
        assertEquals("xdperf/quic", i.id());
        assertArrayEquals(jar, Files.readAllBytes(i.file()));
        assertTrue(i.file().toString().endsWith("xdperf/quic.jar"), i.file().toString());

        KeyPair forger = Keys.generate();
        List<Path> forged = FirstPartyReleases.sign(forger.getPrivate(), forger.getPublic(),
                List.of(new FirstPartyReleases.Input(jar, TestRegistry.manifest("quic", "9.9.9", "pf4j", "1.0"))),
                tmp.resolve("forged"), Instant.now());
        Path other = tmp.resolve("other-plugins");
        for (boolean allow : new boolean[] {false, true}) {
            SecurityException e = assertThrows(SecurityException.class, () -> new Installer(null, trust, other, AbiVersion.HOST, w -> { })
                    .allowJava(allow).installBundle(forged.get(0)));
            assertTrue(e.getMessage().contains("only the first-party key built into xdperf"), e.getMessage());
            assertTrue(!Files.exists(other), "nothing written");
        }
    }

    @Test
    void withoutTheKeyTheStepSaysSoInOneSentenceAndWritesNothing() throws Exception {
        PrintStream was = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            FirstPartyReleases.main(new String[] {tmp.resolve("no-such-key.pem").toString(), tmp.resolve("releases").toString(), "tcp"});
        } finally {
            System.setOut(was);
        }
        List<String> lines = new ArrayList<>(captured.toString().lines().toList());
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("xdperf: first-party releases are unsigned: no first-party signing key at "), lines.get(0));
        assertTrue(!Files.exists(tmp.resolve("releases")));
    }
}
