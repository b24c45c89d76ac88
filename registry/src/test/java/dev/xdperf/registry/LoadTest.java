package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.client.RegistryException;
import dev.xdperf.registry.server.Store;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 200 concurrent clients search, read and download (10,000 requests) from a real registry on
 * loopback while publishers publish new versions and race each other for the same ones.
 * Checked: no failed request, every download matches its digest and signature, every
 * acknowledged version is there exactly once, nothing else is, and the database is sound.
 * The request rate is printed (docs/benchmarks.md), never asserted.
 */
class LoadTest {
    static final int CLIENTS = 200;
    static final int REQUESTS = 10_000;
    static final int PUBLISHERS = 4;
    static final int RACERS = 3;

    @RegisterExtension
    final TestRegistry reg = new TestRegistry();

    @Test
    void concurrentClientsWhilePublishing() throws Exception {
        for (String p : List.of("tcp", "icmp", "udp", "quic", "dns")) {
            reg.publish(p, "1.0.0");
            reg.publish(p, "1.1.0");
        }
        List<HttpClient> https = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            https.add(HttpClient.newHttpClient());
        }
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger budget = new AtomicInteger(REQUESTS);
        AtomicLong downloads = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicInteger readersLeft = new AtomicInteger(CLIENTS);
        Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> raceWins = new ConcurrentHashMap<>();
        AtomicInteger conflicts = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();

        for (int c = 0; c < CLIENTS; c++) {
            RegistryClient client = new RegistryClient(reg.server.url(), https.get(c % https.size()));
            threads.add(new Thread(() -> {
                await(go);
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                try {
                    while (budget.getAndDecrement() > 0) {
                        try {
                            switch (rnd.nextInt(4)) {
                                case 0 -> {
                                    if (client.search(List.of("tcp", "icmp", "udp", "", "plugin").get(rnd.nextInt(5)), null, AbiVersion.HOST).isEmpty()) {
                                        errors.add("search found nothing");
                                    }
                                }
                                case 1 -> client.plugin("xdperf", List.of("tcp", "icmp", "udp", "quic", "dns").get(rnd.nextInt(5)));
                                default -> {
                                    String name = List.of("tcp", "icmp", "udp", "quic", "dns").get(rnd.nextInt(5));
                                    RegistryClient.VersionInfo v = client.version("xdperf", name, rnd.nextBoolean() ? "1.0.0" : "1.1.0");
                                    byte[] bytes = client.download(v.artifactSha256());
                                    String sha = Digests.sha256Hex(bytes);
                                    Release r = new Release("xdperf", name, v.version(), v.kind(), AbiVersion.parse(v.abi()), sha,
                                            Digests.sha256Hex(v.manifest()));
                                    if (!sha.equals(v.artifactSha256()) || !r.verify(reg.key.getPublic(), v.signature())) {
                                        errors.add("download of " + name + " " + v.version() + " does not verify");
                                    }
                                    downloads.incrementAndGet();
                                }
                            }
                            done.incrementAndGet();
                        } catch (RuntimeException e) {
                            errors.add(e.toString());
                        }
                    }
                } finally {
                    readersLeft.decrementAndGet();
                }
            }));
        }
        for (int p = 0; p < PUBLISHERS; p++) {
            String name = "load" + p;
            acknowledged.put(name, ConcurrentHashMap.newKeySet());
            threads.add(new Thread(() -> {
                await(go);
                for (int v = 0; readersLeft.get() > 0 || v < 5; v++) {
                    String version = "1.0." + v;
                    try {
                        reg.publish(name, version);
                        acknowledged.get(name).add(version);
                        // a second publish of what was just acknowledged must be refused
                        RegistryException e = expectRefusal(() -> reg.publish(name, version));
                        if (e == null || e.status() != 409) {
                            errors.add("second publish of " + name + " " + version + ": " + e);
                        }
                    } catch (RuntimeException e) {
                        errors.add("publish " + name + " " + version + ": " + e);
                    }
                }
            }));
        }
        for (int r = 0; r < RACERS; r++) {
            threads.add(new Thread(() -> {
                await(go);
                for (int v = 0; v < 20; v++) {
                    String version = "2.0." + v;
                    try {
                        reg.publish("race", version);
                        raceWins.computeIfAbsent(version, k -> new AtomicInteger()).incrementAndGet();
                    } catch (RegistryException e) {
                        if (e.status() == 409) {
                            conflicts.incrementAndGet();
                        } else {
                            errors.add("race " + version + ": " + e);
                        }
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join(300_000);
            assertTrue(!t.isAlive(), "a client thread hung");
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        assertTrue(errors.isEmpty(), errors.size() + " errors, first: " + errors.stream().limit(5).toList());
        assertEquals(REQUESTS, done.get());
        for (var e : acknowledged.entrySet()) {
            List<String> stored = reg.server.store().versions("xdperf", e.getKey()).stream().map(Store.VersionRow::version).sorted().toList();
            assertEquals(e.getValue().stream().sorted().toList(), stored, "versions of " + e.getKey() + " are exactly the acknowledged ones");
        }
        assertEquals(20, raceWins.size(), "every raced version was published");
        raceWins.forEach((v, n) -> assertEquals(1, n.get(), "exactly one publish of race " + v + " succeeded"));
        assertEquals(20 * (RACERS - 1), conflicts.get());
        assertEquals(20, reg.server.store().versions("xdperf", "race").size());
        assertEquals("ok", reg.server.store().integrityCheck());
        // every stored row's artifact is on disk with the right bytes
        long rows = 0;
        for (String p : List.of("tcp", "icmp", "udp", "quic", "dns", "race", "load0", "load1", "load2", "load3")) {
            for (Store.VersionRow v : reg.server.store().versions("xdperf", p)) {
                Path blob = reg.server.dataDir().resolve("blobs").resolve(v.artifactSha256().substring(0, 2)).resolve(v.artifactSha256());
                assertEquals(v.artifactSha256(), Digests.sha256Hex(Files.readAllBytes(blob)));
                rows++;
            }
        }
        reg.server.store().flushDownloads();
        long counted = 0;
        for (String p : List.of("tcp", "icmp", "udp", "quic", "dns")) {
            counted += reg.client.plugin("xdperf", p).downloads();
        }
        assertEquals(downloads.get(), counted, "every download was counted once");
        long published = acknowledged.values().stream().mapToLong(Set::size).sum() + 20;
        System.out.printf("registry load: %d clients, %d requests (%d downloads verified) in %.2f s = %.0f requests/s, "
                + "with %d versions published meanwhile; %d rows checked%n", CLIENTS, REQUESTS, downloads.get(), seconds,
                REQUESTS / seconds, published, rows);
    }

    static RegistryException expectRefusal(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RegistryException e) {
            return e;
        }
    }

    static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
