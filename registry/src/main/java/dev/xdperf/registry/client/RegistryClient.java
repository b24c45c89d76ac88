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

    public List<SearchHit> search(String text, String kind, AbiVersion abi) {
        StringBuilder q = new StringBuilder("/api/v1/search?limit=500");
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
        JsonNode results = mirror == null ? getJson("search plugins", q.toString()).path("results")
                : mirrorSearch(text, kind, abi);
        for (JsonNode r : results) {
            out.add(new SearchHit(r.path("id").asText(), r.path("publisher").asText(), r.path("name").asText(),
                    r.path("version").asText(), r.path("kind").asText(), r.path("abi").asText(), r.path("description").asText()));
        }
        return out;
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

    public VersionInfo publish(String token, String publisher, String name, String version, byte[] artifact, byte[] manifest,
                               String signature, String keyFingerprint) {
        requireHttp();
        ObjectNode body = JSON.createObjectNode();
        body.put("artifact", Base64.getEncoder().encodeToString(artifact));
        body.put("manifest", Base64.getEncoder().encodeToString(manifest));
        body.put("signature", signature);
        if (keyFingerprint != null) {
            body.put("key", keyFingerprint);
        }
        return version(json("publish " + publisher + "/" + name + " " + version, HttpRequest.newBuilder(
                        uri("/api/v1/plugins/" + publisher + "/" + name + "/versions/" + version))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes(body))).build()));
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
            byte[] body;
            try (java.io.InputStream in = s.body()) {
                body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            }
            if (body.length > limit) {
                throw new RegistryException(s.statusCode(), what + ": registry " + base + " answered with more than " + limit
                        + " bytes (the most this xdperf reads)");
            }
            r = new Answer(s, body);
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
