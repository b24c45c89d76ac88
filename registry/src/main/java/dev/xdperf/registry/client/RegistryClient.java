package dev.xdperf.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.Names;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The registry's JSON API (docs/registry.md) for Java callers and the CLI. Thread-safe. */
public final class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Generous bound on one download, so a hostile registry cannot exhaust memory. */
    public static final long MAX_DOWNLOAD_BYTES = 256L * 1024 * 1024;
    /** Bound on a JSON answer (a listing, a record): far above any real one. */
    public static final long MAX_JSON_BYTES = 16L * 1024 * 1024;
    /** How long a connection may take to open, and a request to be answered, unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    private final HttpClient http;
    private Duration timeout = DEFAULT_TIMEOUT;
    private final Path mirror;

    public record SearchHit(String id, String publisher, String name, String version, String kind, String abi, String description) {}

    public record KeyInfo(String fingerprint, String publisher, String publicKeyPem, String added, String retired) {
        public boolean active() {
            return retired == null;
        }
    }

    /** One version as the registry describes it; {@code manifest} is null in listings. */
    public record VersionInfo(String publisher, String name, String version, String kind, String abi, String description,
                              String artifactSha256, long artifactSize, String manifestSha256, byte[] manifest,
                              String signature, String key, boolean yanked, String published, long downloads) {
        public String id() {
            return publisher + "/" + name;
        }
    }

    public record PluginInfo(String publisher, String name, String description, String kind, String license, String latest,
                             long downloads, List<KeyInfo> keys, List<VersionInfo> versions) {
        public String id() {
            return publisher + "/" + name;
        }
    }

    public RegistryClient(String baseUrl) {
        this(baseUrl, DEFAULT_TIMEOUT);
    }

    /** A client whose connections must open, and whose requests must be answered, within {@code timeout}. */
    public RegistryClient(String baseUrl, Duration timeout) {
        this(baseUrl, HttpClient.newBuilder().connectTimeout(timeout).build());
        this.timeout = timeout;
    }

    public RegistryClient(String baseUrl, HttpClient http) {
        URI u;
        try {
            u = URI.create(baseUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("registry URL '" + baseUrl + "' is not a URL");
        }
        if (u.getScheme() != null && u.getScheme().equals("file")) {
            // a directory mirror (written by `xdperf registry mirror`): the same reads, from files, with no network
            this.mirror = Path.of(u);
        } else if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw new IllegalArgumentException("registry URL '" + baseUrl + "' is not an http://, https:// or file:// (mirror) URL");
        } else {
            this.mirror = null;
        }
        this.base = baseUrl.replaceAll("/+$", "");
        this.http = http;
    }

    /** A client for a directory mirror. */
    public static RegistryClient mirror(Path dir) {
        return new RegistryClient(dir.toAbsolutePath().toUri().toString());
    }

    /** The JSON the registry answers for a GET of {@code path} (under /api/v1), as is. */
    public JsonNode getJson(String path) {
        return getJson("read " + path, "/api/v1" + path);
    }

    public String url() {
        return base;
    }

    public JsonNode health() {
        return getJson("check registry", "/api/v1/health");
    }

    /** The most search results one call collects (pages of {@link #SEARCH_PAGE}), so a registry that pages without end is cut off. */
    public static final int MAX_SEARCH_RESULTS = 10_000;
    static final int SEARCH_PAGE = 500;

    /** One page of results, and the offset of the next one (-1 after the last). */
    public record SearchPage(List<SearchHit> results, int nextOffset) {
        public SearchPage {
            results = List.copyOf(results);
        }
    }

    /** Every plugin that matches, page by page (at most {@link #MAX_SEARCH_RESULTS}). */
    public List<SearchHit> search(String text, String kind, AbiVersion abi) {
        List<SearchHit> out = new ArrayList<>();
        int offset = 0;
        while (offset >= 0 && out.size() < MAX_SEARCH_RESULTS) {
            SearchPage page = search(text, kind, abi, SEARCH_PAGE, offset);
            out.addAll(page.results());
            if (page.nextOffset() >= 0 && page.nextOffset() <= offset) {
                throw new RegistryException(0, "search plugins: registry " + base + " answered a next page that does not move forward");
            }
            offset = page.nextOffset();
        }
        return out.size() > MAX_SEARCH_RESULTS ? out.subList(0, MAX_SEARCH_RESULTS) : out;
    }

    /** {@code limit} (1..500) results from {@code offset}, as GET /search answers them. */
    public SearchPage search(String text, String kind, AbiVersion abi, int limit, int offset) {
        StringBuilder q = new StringBuilder("/api/v1/search?limit=" + limit + "&offset=" + offset);
        if (text != null && !text.isBlank()) {
            q.append("&q=").append(URLEncoder.encode(text, StandardCharsets.UTF_8));
        }
        if (kind != null) {
            q.append("&kind=").append(URLEncoder.encode(kind, StandardCharsets.UTF_8));
        }
        if (abi != null) {
            q.append("&abi=").append(abi);
        }
        List<SearchHit> out = new ArrayList<>();
        int next = -1;
        JsonNode results;
        if (mirror == null) {
            JsonNode n = getJson("search plugins", q.toString());
            results = n.path("results");
            next = n.path("next_offset").isInt() ? n.path("next_offset").asInt() : -1;
        } else {
            // a mirror holds one list (search/index.json): filtered here, in one page
            results = offset > 0 ? JSON.createArrayNode() : mirrorSearch(text, kind, abi);
        }
        for (JsonNode r : results) {
            out.add(new SearchHit(r.path("id").asText(), r.path("publisher").asText(), r.path("name").asText(),
                    r.path("version").asText(), r.path("kind").asText(), r.path("abi").asText(), r.path("description").asText()));
        }
        return new SearchPage(out, next);
    }

    public PluginInfo plugin(String publisher, String name) {
        Names.requirePublisher(publisher);
        Names.requirePlugin(name);
        JsonNode n = getJson("look up plugin " + publisher + "/" + name, "/api/v1/plugins/" + publisher + "/" + name);
        List<KeyInfo> keys = new ArrayList<>();
        n.path("keys").forEach(k -> keys.add(key(k)));
        List<VersionInfo> versions = new ArrayList<>();
        n.path("versions").forEach(v -> versions.add(version(v)));
        return new PluginInfo(publisher, name, n.path("description").asText(""), n.path("kind").asText(""),
                n.path("license").asText(""), n.path("latest").isTextual() ? n.path("latest").asText() : null,
                n.path("downloads").asLong(), keys, versions);
    }

    public VersionInfo version(String publisher, String name, String version) {
        Names.requirePublisher(publisher);
        Names.requirePlugin(name);
        return version(getJson("look up " + publisher + "/" + name + " " + version,
                "/api/v1/plugins/" + publisher + "/" + name + "/versions/" + URLEncoder.encode(version, StandardCharsets.UTF_8)));
    }

    public KeyInfo key(String fingerprint) {
        return key(getJson("look up key " + fingerprint, "/api/v1/keys/" + URLEncoder.encode(fingerprint, StandardCharsets.UTF_8)));
    }

    /** A mirror has every plugin's newest version in search/index.json; filter it as the registry would. */
    private JsonNode mirrorSearch(String text, String kind, AbiVersion abi) {
        var out = JSON.createArrayNode();
        String t = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
        for (JsonNode r : getJson("search plugins", "/api/v1/search").path("results")) {
            boolean textOk = t.isEmpty() || (r.path("publisher").asText() + "\n" + r.path("name").asText() + "\n"
                    + r.path("description").asText()).toLowerCase(java.util.Locale.ROOT).contains(t);
            boolean kindOk = kind == null || kind.equals(r.path("kind").asText());
            boolean abiOk;
            try {
                abiOk = abi == null || AbiVersion.parse(r.path("abi").asText()).acceptedBy(abi);
            } catch (IllegalArgumentException e) {
                abiOk = false;
            }
            if (textOk && kindOk && abiOk) {
                out.add(r);
            }
        }
        return out;
    }

    /** The artifact's bytes, unverified: the caller checks them against what it expects. */
    public byte[] download(String sha256) {
        if (mirror != null) {
            return mirrorFile("download sha256:" + sha256, "/api/v1/blobs/sha256/" + sha256);
        }
        return send("download sha256:" + sha256, HttpRequest.newBuilder(uri("/api/v1/blobs/sha256/" + sha256)).GET().build(),
                MAX_DOWNLOAD_BYTES).body();
    }

    /** The publisher a token belongs to. */
    public String whoami(String token) {
        requireHttp();
        return json("check token", HttpRequest.newBuilder(uri("/api/v1/whoami")).header("Authorization", "Bearer " + token)
                .GET().build()).path("publisher").asText();
    }

    /**
     * Publishes a release: one multipart/form-data request with the parts {@code manifest},
     * {@code signature}, {@code key} (when known) and {@code artifact}. (Not with
     * {@code Expect: 100-continue}: JDK 17's client then waits forever for the body of a refusal;
     * the registry reads a refused upload to its end instead, so the client hears why.)
     */
    public VersionInfo publish(String token, String publisher, String name, String version, byte[] artifact, byte[] manifest,
                               String signature, String keyFingerprint) {
        requireHttp();
        Names.requirePublisher(publisher);
        Names.requirePlugin(name);
        String boundary = "xdperf-" + java.util.HexFormat.of().formatHex(randomBytes());
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
        writePart(head, boundary, "manifest", "manifest.json", "application/json", manifest);
        writePart(head, boundary, "signature", null, "text/plain", signature.getBytes(StandardCharsets.US_ASCII));
        if (keyFingerprint != null) {
            writePart(head, boundary, "key", null, "text/plain", keyFingerprint.getBytes(StandardCharsets.US_ASCII));
        }
        head.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"artifact\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head.toByteArray()),
                HttpRequest.BodyPublishers.ofByteArray(artifact), HttpRequest.BodyPublishers.ofByteArray(tail));
        return version(json("publish " + publisher + "/" + name + " " + version, HttpRequest.newBuilder(
                        uri("/api/v1/plugins/" + publisher + "/" + name + "/versions/" + URLEncoder.encode(version, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + token).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .PUT(body).build()));
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    private static void writePart(java.io.ByteArrayOutputStream out, String boundary, String name, String filename, String type, byte[] data) {
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                + (filename == null ? "" : "; filename=\"" + filename + "\"") + "\r\nContent-Type: " + type + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    public VersionInfo setYanked(String token, String publisher, String name, String version, boolean yanked) {
        requireHttp();
        return version(json((yanked ? "yank " : "unyank ") + publisher + "/" + name + " " + version, HttpRequest.newBuilder(
                        uri("/api/v1/plugins/" + publisher + "/" + name + "/versions/" + version + (yanked ? "/yank" : "/unyank")))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build()));
    }

    /** Registers a signing key; {@code endorsedBy}/{@code endorsement} are needed when the publisher has keys already. */
    public KeyInfo addKey(String token, String publisher, PublicKey key, String endorsedBy, String endorsement, boolean retireEndorser) {
        requireHttp();
        ObjectNode body = JSON.createObjectNode();
        body.put("public_key", dev.xdperf.registry.Keys.publicPem(key));
        if (endorsedBy != null) {
            body.put("endorsed_by", endorsedBy);
            body.put("endorsement", endorsement);
        }
        body.put("retire_endorser", retireEndorser);
        return key(json("add key to " + publisher, HttpRequest.newBuilder(uri("/api/v1/publishers/" + publisher + "/keys"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(body))).build()));
    }

    // ------------------------------------------------------------------------------ plumbing

    private static KeyInfo key(JsonNode k) {
        return new KeyInfo(k.path("fingerprint").asText(), k.path("publisher").asText(), k.path("public_key").asText(),
                k.path("added").asText(), k.path("retired").isTextual() ? k.path("retired").asText() : null);
    }

    /** A version record from its JSON (as the API, a mirror or a bundle holds it). */
    public static VersionInfo version(JsonNode v) {
        byte[] manifest = null;
        if (v.path("manifest").isTextual()) {
            try {
                manifest = Base64.getDecoder().decode(v.path("manifest").asText());
            } catch (IllegalArgumentException e) {
                manifest = new byte[0];
            }
        }
        return new VersionInfo(v.path("publisher").asText(), v.path("name").asText(), v.path("version").asText(),
                v.path("kind").asText(), v.path("abi").asText(), v.path("description").asText(""),
                v.path("artifact_sha256").asText(), v.path("artifact_size").asLong(), v.path("manifest_sha256").asText(),
                manifest, v.path("signature").asText(""), v.path("key").asText(""), v.path("yanked").asBoolean(),
                v.path("published").asText(""), v.path("downloads").asLong());
    }

    private JsonNode getJson(String what, String path) {
        if (mirror != null) {
            String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            byte[] body = mirrorFile(what, java.net.URLDecoder.decode(p, StandardCharsets.UTF_8) + "/index.json");
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new RegistryException(0, what + ": " + p + " in mirror " + mirror + " is not JSON");
            }
        }
        return json(what, HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private JsonNode json(String what, HttpRequest req) {
        HttpResponse<byte[]> r = send(what, req, MAX_JSON_BYTES);
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new RegistryException(r.statusCode(), what + ": " + base + " answered something that is not JSON");
        }
    }

    /**
     * Sends {@code req} with the request timeout and reads at most {@code limit} bytes of the
     * answer: a registry that never answers, or answers without end, gets one sentence.
     */
    private HttpResponse<byte[]> send(String what, HttpRequest req, long limit) {
        HttpResponse<byte[]> r;
        try {
            HttpResponse<java.io.InputStream> s = http.send(HttpRequest.newBuilder(req, (k, v) -> true).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            r = new Answer(s, readBounded(what, s, limit));
        } catch (java.net.http.HttpConnectTimeoutException e) {
            throw new RegistryException(0, what + ": registry " + base + " did not accept a connection within " + timeout.toSeconds()
                    + " s (is the address right? give another with --registry URL or XDPERF_REGISTRY)");
        } catch (java.net.http.HttpTimeoutException e) {
            throw new RegistryException(0, what + ": registry " + base + " did not answer within " + timeout.toSeconds()
                    + " s (is it an xdperf registry, and running? give another with --registry URL or XDPERF_REGISTRY)");
        } catch (ConnectException e) {
            throw new RegistryException(0, what + ": cannot connect to registry " + base
                    + " (is it running? give another with --registry URL or XDPERF_REGISTRY)");
        } catch (IOException e) {
            throw new RegistryException(0, what + ": registry " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(0, what + ": interrupted");
        }
        if (r.statusCode() / 100 != 2) {
            String msg;
            try {
                JsonNode n = JSON.readTree(r.body());
                msg = n != null && n.path("error").isTextual() ? n.path("error").asText() : "HTTP " + r.statusCode();
            } catch (IOException e) {
                msg = "HTTP " + r.statusCode();
            }
            throw new RegistryException(r.statusCode(), what + ": " + msg + " (HTTP " + r.statusCode() + ")");
        }
        return r;
    }

    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "registry-client-watchdog");
        t.setDaemon(true);
        return t;
    });

    /**
     * The answer's body, read from its stream: refused as soon as it passes {@code limit} bytes
     * (never after it is all in memory), and given up when no byte has come for the timeout
     * (the request timeout covers only the wait for the headers).
     */
    private byte[] readBounded(String what, HttpResponse<java.io.InputStream> s, long limit) throws IOException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        Thread reader = Thread.currentThread();
        Object lock = new Object();
        boolean[] state = {false, false};   // done, stalled
        java.io.InputStream in = s.body();
        // the JDK's stream ignores an interrupt alone while it waits, but gives up once it is also closed
        Runnable stall = () -> {
            synchronized (lock) {
                if (!state[0]) {
                    state[1] = true;
                    try {
                        in.close();
                    } catch (IOException e) {
                        // closing is all that is asked of it
                    }
                    reader.interrupt();
                }
            }
        };
        byte[] chunk = new byte[64 * 1024];
        java.util.concurrent.ScheduledFuture<?> timer = WATCHDOG.schedule(stall, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        try (in) {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                if (body.size() + (long) n > limit) {
                    throw new RegistryException(s.statusCode(), what + ": registry " + base + " answered with more than " + limit
                            + " bytes (the most this xdperf reads)");
                }
                body.write(chunk, 0, n);
                timer.cancel(false);
                timer = WATCHDOG.schedule(stall, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (IOException e) {
            if (stalledAndCleared(lock, state)) {
                throw new RegistryException(s.statusCode(), what + ": registry " + base + " stopped sending its answer for "
                        + timeout.toSeconds() + " s after " + body.size() + " bytes (is it an xdperf registry? give another with"
                        + " --registry URL or XDPERF_REGISTRY)");
            }
            throw e;
        } finally {
            timer.cancel(false);
            stalledAndCleared(lock, state);
        }
        return body.toByteArray();
    }

    /** Ends the watchdog's hold on this thread; true (and the interrupt it sent cleared) when it fired. */
    private static boolean stalledAndCleared(Object lock, boolean[] state) {
        synchronized (lock) {
            state[0] = true;
            if (state[1]) {
                Thread.interrupted();
                return true;
            }
            return false;
        }
    }

    /** An answer whose body was read (boundedly) from its stream. */
    private record Answer(HttpResponse<java.io.InputStream> head, byte[] body) implements HttpResponse<byte[]> {
        @Override
        public int statusCode() {
            return head.statusCode();
        }

        @Override
        public HttpRequest request() {
            return head.request();
        }

        @Override
        public java.util.Optional<HttpResponse<byte[]>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return head.headers();
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return head.sslSession();
        }

        @Override
        public URI uri() {
            return head.uri();
        }

        @Override
        public HttpClient.Version version() {
            return head.version();
        }
    }

    private void requireHttp() {
        if (mirror != null) {
            throw new IllegalArgumentException("registry " + base + " is a mirror directory, which is read-only (give an http:// registry)");
        }
    }

    /** A file of the mirror; the path comes from validated names and digests only. */
    private byte[] mirrorFile(String what, String path) {
        Path p = mirror.resolve(path.substring(1)).normalize();
        if (!p.startsWith(mirror.normalize())) {
            throw new RegistryException(400, what + ": " + path + " is outside the mirror");
        }
        try {
            return Files.readAllBytes(p);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new RegistryException(404, what + ": not in mirror " + mirror + " (no " + p + ")");
        } catch (IOException e) {
            throw new RegistryException(0, what + ": read mirror " + p + ": " + e.getMessage());
        }
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
