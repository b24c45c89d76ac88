package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.client.RegistryException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The limits hold where they are documented: a file of exactly the 16 MiB limit is published
 * and served, one byte more gets 413; a silent or endless server gives the client one sentence;
 * a manifest with control characters is refused.
 */
class RegistryLimitsTest {
    static final int LIMIT = 16 * 1024 * 1024;

    @RegisterExtension
    final TestRegistry reg = new TestRegistry().withMaxArtifactBytes(LIMIT);

    static byte[] wasmOfSize(int size) {
        byte[] b = new byte[size];
        System.arraycopy(TestRegistry.wasm(""), 0, b, 0, 8);
        return b;
    }

    @Test
    void sixteenMibIsAcceptedToTheByteAndOneMoreIs413() throws Exception {
        assertEquals(LIMIT, reg.server.maxArtifactBytes(), "the default limit");
        byte[] exact = wasmOfSize(16_777_216);
        Manifest m = Manifest.parse(TestRegistry.manifest("big", "1.0.0", "wasm", "1.0"));
        var v = reg.client.publish(reg.token, "xdperf", "big", "1.0.0", exact, m.bytes(),
                Release.of("xdperf", m, exact).sign(reg.key.getPrivate()), null);
        assertEquals(16_777_216, v.artifactSize());
        assertArrayEquals(exact, reg.client.download(v.artifactSha256()));
        // served from disk with its length known up front (not gathered in memory and sent chunked)
        var head = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(reg.server.url() + "/api/v1/blobs/sha256/" + v.artifactSha256())).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals(java.util.Optional.of("16777216"), head.headers().firstValue("Content-Length"));
        assertEquals(java.util.Optional.of(v.artifactSha256()), head.headers().firstValue("X-Content-Sha256"));

        byte[] over = wasmOfSize(16_777_217);
        Manifest m2 = Manifest.parse(TestRegistry.manifest("big", "1.0.1", "wasm", "1.0"));
        long blobs = reg.blobCount();
        // through the client, as `xdperf plugin publish` sends it: one sentence with the sizes
        RegistryException e = assertThrows(RegistryException.class, () -> reg.client.publish(reg.token, "xdperf", "big", "1.0.1", over,
                m2.bytes(), Release.of("xdperf", m2, over).sign(reg.key.getPrivate()), null));
        assertEquals(413, e.status());
        assertEquals("publish xdperf/big 1.0.1: artifact is 16777217 bytes, over this registry's limit of 16777216 (HTTP 413)", e.getMessage());
        assertEquals(blobs, reg.blobCount(), "nothing written");
        try (var tmp = java.nio.file.Files.list(reg.server.dataDir().resolve("tmp"))) {
            assertEquals(0, tmp.count(), "the refused upload is not left in tmp/");
        }
        assertEquals(1, reg.server.store().versions("xdperf", "big").size());
    }

    @Test
    void manifestsWithControlCharactersAreRefused() throws Exception {
        for (String evil : List.of("\u001b[2J cleared", "bell\u0007", "right-to-left \u202e override", "line\nbreak", "\u009b31m")) {
            String json = new ObjectMapper().writeValueAsString(new ObjectMapper().createObjectNode().put("id", "tcp").put("version", "1.0.0")
                    .put("kind", "wasm").put("abi", "1.0").put("description", "fine").put("license", evil));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Manifest.parse(json.getBytes(StandardCharsets.UTF_8)), evil);
            assertTrue(e.getMessage().startsWith("manifest field \"license\" contains the control character U+"), e.getMessage());
            byte[] artifact = TestRegistry.wasm("x");
            TestRegistry.Response r = reg.request("PUT", "/api/v1/plugins/xdperf/tcp/versions/1.0.0", reg.token,
                    TestRegistry.publishBody(artifact, json.getBytes(StandardCharsets.UTF_8), "AAAA", null));
            assertEquals(422, r.status(), r.body());
            assertTrue(r.body().contains("contains the control character"), r.body());
        }
        assertEquals(0, reg.blobCount());
    }

    /** A TCP listener that accepts and then does {@code each} with every connection, until closed. */
    static final class Listener implements AutoCloseable {
        final ServerSocket socket;
        final AtomicBoolean open = new AtomicBoolean(true);
        final List<Socket> accepted = new ArrayList<>();

        Listener(java.util.function.Consumer<Socket> each) throws Exception {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (open.get()) {
                    try {
                        Socket s = socket.accept();
                        synchronized (accepted) {
                            accepted.add(s);
                        }
                        each.accept(s);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "test-listener");
            t.setDaemon(true);
            t.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            open.set(false);
            socket.close();
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aSilentServerTimesTheClientOutInOneSentence() throws Exception {
        try (Listener silent = new Listener(s -> { })) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> new RegistryClient(silent.url(), Duration.ofSeconds(1)).search("dns", null, null));
            assertEquals("search plugins: registry " + silent.url() + " did not answer within 1 s (is it an xdperf registry, and running?"
                    + " give another with --registry URL or XDPERF_REGISTRY)", e.getMessage());
        }
    }

    @Test
    void aServerThatStopsMidAnswerTimesTheClientOutInOneSentence() throws Exception {
        try (Listener stalling = new Listener(s -> new Thread(() -> {
            try {
                s.getInputStream().read(new byte[8192]);
                s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n"
                        + "\0asm").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            } catch (Exception ignored) {
                // the client hung up
            }
        }).start())) {
            RegistryClient c = new RegistryClient(stalling.url(), Duration.ofSeconds(1));
            RegistryException e = assertThrows(RegistryException.class, () -> c.download("0".repeat(64)));
            assertEquals("download sha256:" + "0".repeat(64) + ": registry " + stalling.url() + " stopped sending its answer for 1 s"
                    + " after 4 bytes (is it an xdperf registry? give another with --registry URL or XDPERF_REGISTRY)", e.getMessage());
            assertTrue(!Thread.currentThread().isInterrupted(), "the watchdog's interrupt does not outlive the request");
        }
    }

    @Test
    void anEndlessAnswerIsCutOffAtTheCap() throws Exception {
        try (Listener endless = new Listener(s -> new Thread(() -> {
            try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                in.read(new byte[8192]);
                out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[".getBytes(StandardCharsets.US_ASCII));
                byte[] junk = new byte[64 * 1024];
                java.util.Arrays.fill(junk, (byte) ' ');
                for (long sent = 0; sent <= RegistryClient.MAX_JSON_BYTES + junk.length; sent += junk.length) {
                    out.write(junk);
                }
            } catch (Exception ignored) {
                // the client hung up, as it should
            }
        }).start())) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> new RegistryClient(endless.url(), Duration.ofSeconds(5)).search("dns", null, null));
            assertTrue(e.getMessage().contains("answered with more than " + RegistryClient.MAX_JSON_BYTES + " bytes"), e.getMessage());
        }
    }
}
