package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.client.RegistryException;
import dev.xdperf.registry.server.Store;
import dev.xdperf.testing.Xdperf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Killing the registry (SIGKILL) while publishes are in flight: after a restart every
 * acknowledged version is there, complete and verifiable, no version is half there, and
 * no temporary file is left behind.
 */
class RegistryCrashTest {
    static String start(Path data, List<Xdperf.Background> servers) {
        Xdperf.Background s = Xdperf.Background.start(null, "listening on", "registry", "serve", "--data", data.toString(),
                "--port", "0", "--quiet");
        servers.add(s);
        Matcher m = Pattern.compile("listening on (http://\\S+)").matcher(s.output());
        assertTrue(m.find(), s.output());
        return m.group(1);
    }

    static byte[] artifact(int i) {
        byte[] b = new byte[256 * 1024];
        byte[] head = {0, 'a', 's', 'm', 1, 0, 0, 0};
        System.arraycopy(head, 0, b, 0, 8);
        new java.util.Random(i).nextBytes(b);
        System.arraycopy(head, 0, b, 0, 8);
        return b;
    }

    @Test
    void killedMidPublishLosesNothingAcknowledged() throws Exception {
        Path tmp = Files.createTempDirectory("xdperf-registry-crash");
        Path data = tmp.resolve("data");
        KeyPair key = Keys.generate();
        final String token;
        try (Store store = new Store(data.resolve("registry.db"))) {
            store.createPublisher("xdperf");
            store.addKey("xdperf", key.getPublic(), null, null, false);
            token = store.createToken("xdperf", "crash test");
        }
        List<Xdperf.Background> servers = new ArrayList<>();
        try {
            RegistryClient first = new RegistryClient(start(data, servers));
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> publishers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int thread = t;
                publishers.add(new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String version = thread + "." + i + ".0";
                        byte[] a = artifact(thread * 100_000 + i);
                        byte[] manifest = ("{\"id\":\"crash\",\"version\":\"" + version + "\",\"kind\":\"wasm\",\"abi\":\"1.0\"}")
                                .getBytes(StandardCharsets.UTF_8);
                        String sig = Release.of("xdperf", Manifest.parse(manifest), a).sign(key.getPrivate());
                        try {
                            first.publish(token, "xdperf", "crash", version, a, manifest, sig, Keys.fingerprint(key.getPublic()));
                            acknowledged.add(version);
                        } catch (RegistryException e) {
                            return; // the server is gone
                        }
                    }
                }));
            }
            publishers.forEach(Thread::start);
            while (acknowledged.size() < 20) {
                Thread.sleep(5);
            }
            servers.get(0).process().destroyForcibly().waitFor();
            stop.set(true);
            for (Thread t : publishers) {
                t.join(30_000);
            }
            Set<String> acked = Set.copyOf(acknowledged);

            RegistryClient client = new RegistryClient(start(data, servers));
            List<RegistryClient.VersionInfo> stored = client.plugin("xdperf", "crash").versions();
            Set<String> storedVersions = new java.util.HashSet<>();
            for (RegistryClient.VersionInfo v : stored) {
                storedVersions.add(v.version());
                RegistryClient.VersionInfo full = client.version("xdperf", "crash", v.version());
                byte[] bytes = client.download(v.artifactSha256());
                String sha = Digests.sha256Hex(bytes);
                assertEquals(v.artifactSha256(), sha, "artifact of " + v.version() + " is whole");
                assertTrue(new Release("xdperf", "crash", v.version(), "wasm", AbiVersion.parse("1.0"), sha,
                        Digests.sha256Hex(full.manifest())).verify(key.getPublic(), full.signature()), v.version() + " verifies");
            }
            assertTrue(storedVersions.containsAll(acked), "acknowledged but missing: " + acked.stream().filter(v -> !storedVersions.contains(v)).toList());
            // at most the publishes in flight when the server died (one per publisher) may have landed unacknowledged
            assertTrue(storedVersions.size() - acked.size() <= publishers.size(), stored.size() + " stored, " + acked.size() + " acknowledged");
            try (Stream<Path> s = Files.list(data.resolve("tmp"))) {
                assertEquals(List.of(), s.toList(), "no temporary file is left after a restart");
            }
            servers.get(1).close();
            try (Store store = new Store(data.resolve("registry.db"))) {
                assertEquals("ok", store.integrityCheck());
                // a kill between placing a file and committing its row leaves at most that file (one per publish in flight):
                // `registry admin gc` takes it, and every file left is a stored version's
                var removed = dev.xdperf.registry.server.Blobs.collectGarbage(data, store, false);
                assertTrue(removed.size() <= publishers.size(), "gc removed " + removed);
                try (Stream<Path> s = Files.walk(data.resolve("blobs"))) {
                    for (Path p : s.filter(Files::isRegularFile).toList()) {
                        assertTrue(store.artifactSize(p.getFileName().toString()) == Files.size(p), p + " is a stored version's file");
                    }
                }
                for (RegistryClient.VersionInfo v : stored) {
                    Path p = data.resolve("blobs").resolve(v.artifactSha256().substring(0, 2)).resolve(v.artifactSha256());
                    assertTrue(Files.isRegularFile(p), "gc kept " + p);
                }
            }
        } catch (AssertionError | Exception e) {
            servers.forEach(s -> System.err.println("--- registry log\n" + s.output()));
            throw e;
        } finally {
            servers.forEach(Xdperf.Background::close);
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

}
