package dev.xdperf.registry;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.server.RegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Comparator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A real registry for one test: the Javalin server on 127.0.0.1, port 0, over a SQLite file in
 * a fresh directory, with publisher "xdperf" (key {@link #key}, token {@link #token}) and
 * "acme" (its own key and token). The server's log is printed only when the test fails.
 */
public final class TestRegistry implements BeforeEachCallback, AfterEachCallback, TestWatcher {
    public final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
    public Path dir;
    public RegistryServer server;
    public RegistryClient client;
    public final KeyPair key = Keys.generate();
    public final KeyPair acmeKey = Keys.generate();
    public String token;
    public String acmeToken;
    public final HttpClient http = HttpClient.newHttpClient();
    private long maxArtifact = 1024 * 1024;

    public TestRegistry withMaxArtifactBytes(long n) {
        this.maxArtifact = n;
        return this;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("xdperf-registry-test");
        start();
        token = server.store().createToken("xdperf", "test");
        acmeToken = server.store().createToken("acme", "test");
    }

    /** Starts (or restarts) the server over {@link #dir}; publishers are created once. */
    public void start() throws Exception {
        server = RegistryServer.builder(dir.resolve("data")).withPort(0).withMaxArtifactBytes(maxArtifact)
                .withLog(log::add).build().start();
        client = new RegistryClient(server.url());
        if (!server.store().publisherExists("xdperf")) {
            server.store().createPublisher("xdperf");
            server.store().addKey("xdperf", key.getPublic(), null, null, false);
            server.store().createPublisher("acme");
            server.store().addKey("acme", acmeKey.getPublic(), null, null, false);
        }
    }

    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        stop();
        deleteTree(dir);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        System.err.println("---- registry log of failed test " + context.getDisplayName());
        log.forEach(System.err::println);
        System.err.println("----");
    }

    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    // ------------------------------------------------------------------ test plugins

    /** A tiny valid WebAssembly module (header only) that differs by {@code salt}. */
    public static byte[] wasm(String salt) {
        byte[] s = salt.getBytes(StandardCharsets.UTF_8);
        // magic, version 1, then a custom section named "x" holding the salt
        byte[] out = new byte[8 + 2 + 2 + s.length];
        byte[] head = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, (byte) (2 + s.length), 1, 'x'};
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(s, 0, out, head.length, s.length);
        return out;
    }

    public static byte[] manifest(String name, String version, String kind, String abi) {
        return ("{\"id\":\"" + name + "\",\"version\":\"" + version + "\",\"kind\":\"" + kind + "\",\"abi\":\"" + abi
                + "\",\"description\":\"test plugin " + name + "\",\"license\":\"MIT\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Publishes a test plugin signed by {@code signer} as {@code publisher} with {@code tok}. */
    public RegistryClient.VersionInfo publish(String publisher, String tok, KeyPair signer, String name, String version, String abi) {
        byte[] artifact = wasm(publisher + name + version);
        Manifest m = Manifest.parse(manifest(name, version, "wasm", abi));
        String sig = Release.of(publisher, m, artifact).sign(signer.getPrivate());
        return client.publish(tok, publisher, name, version, artifact, m.bytes(), sig, Keys.fingerprint(signer.getPublic()));
    }

    public RegistryClient.VersionInfo publish(String name, String version) {
        return publish("xdperf", token, key, name, version, AbiVersion.HOST.toString());
    }

    public record Response(int status, String body) {}

    /** A request body and its Content-Type. */
    public record Body(byte[] bytes, String contentType) {}

    public static final String BOUNDARY = "test-boundary-7f3a";

    /** A multipart/form-data body with these parts in this order (a null value leaves the part out). */
    public static Body multipart(java.util.Map<String, byte[]> parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        parts.forEach((name, data) -> {
            if (data != null) {
                out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(data);
                out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        });
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return new Body(out.toByteArray(), "multipart/form-data; boundary=" + BOUNDARY);
    }

    /** A publish body as the client sends it. */
    public static Body publishBody(byte[] artifact, byte[] manifest, String signature, String key) {
        java.util.Map<String, byte[]> parts = new java.util.LinkedHashMap<>();
        parts.put("manifest", manifest);
        parts.put("signature", signature == null ? null : signature.getBytes(StandardCharsets.US_ASCII));
        parts.put("key", key == null ? null : key.getBytes(StandardCharsets.US_ASCII));
        parts.put("artifact", artifact);
        return multipart(parts);
    }

    public Response request(String method, String path, String token, Body body) {
        return request(method, path, token, body.bytes(), body.contentType());
    }

    public Response request(String method, String path, String token, byte[] body) {
        return request(method, path, token, body, body == null ? null : "application/json");
    }

    public Response request(String method, String path, String token, byte[] body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
        }
    }

    /** Files under the blob directory: what a refused publish must not add to. */
    public long blobCount() throws IOException {
        Path blobs = server.dataDir().resolve("blobs");
        try (Stream<Path> s = Files.walk(blobs)) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
