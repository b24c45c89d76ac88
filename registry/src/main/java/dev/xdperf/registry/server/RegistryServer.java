package dev.xdperf.registry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.Digests;
import dev.xdperf.registry.Keys;
import dev.xdperf.registry.Manifest;
import dev.xdperf.registry.Names;
import dev.xdperf.registry.Release;
import dev.xdperf.registry.SemVer;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.PublicKey;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The registry service: the JSON API under /api/v1 (docs/registry.md) and the pages for
 * people, over a {@link Store} and the artifact files. Handlers are short; the checks that
 * refuse a request throw {@link ApiError}, which becomes a JSON error body.
 */
public final class RegistryServer implements AutoCloseable {
    public static final String API = "/api/v1";
    public static final int DEFAULT_PORT = 5211;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path data;
    private final Store store;
    private final Blobs blobs;
    private final long maxArtifactBytes;
    private final Consumer<String> log;
    private final Javalin app;
    private final ScheduledExecutorService flusher;
    private final String bind;
    private final int requestedPort;

    private RegistryServer(Builder b) throws IOException, SQLException {
        this.data = b.data;
        this.maxArtifactBytes = b.maxArtifactBytes;
        this.log = b.log;
        this.bind = b.bind;
        this.requestedPort = b.port;
        this.blobs = new Blobs(data);
        this.store = new Store(data.resolve("registry.db"));
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "registry-download-counts");
            t.setDaemon(true);
            return t;
        });
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = MAX_JSON_BODY;
            cfg.requestLogger.http((ctx, ms) -> log.accept(ctx.method() + " " + ctx.path() + " " + ctx.statusCode()
                    + String.format(" %.1fms", ms)));
        });
        routes();
    }

    public static Builder builder(Path data) {
        return new Builder(data);
    }

    public static final class Builder {
        private final Path data;
        private String bind = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private long maxArtifactBytes = 16L * 1024 * 1024;
        private Consumer<String> log = s -> { };
        private List<dev.xdperf.registry.client.Bundle> seed = List.of();
        private java.security.PublicKey firstParty;

        private Builder(Path data) {
            this.data = data;
        }

        public Builder withBind(String address) {
            this.bind = address;
            return this;
        }

        /** 0 picks a free port; {@link RegistryServer#port()} tells which. */
        public Builder withPort(int port) {
            this.port = port;
            return this;
        }

        public Builder withMaxArtifactBytes(long bytes) {
            this.maxArtifactBytes = bytes;
            return this;
        }

        /** Where the request log and server-side failures go, one line each. */
        public Builder withLog(Consumer<String> log) {
            this.log = log;
            return this;
        }

        /**
         * Releases to offer from the first start: when the data directory holds no version yet, each
         * is checked (signed by {@code firstParty}, in the official namespace) and published as
         * {@code xdperf/NAME}, with the first-party key registered for the xdperf publisher.
         */
        public Builder withSeed(List<dev.xdperf.registry.client.Bundle> releases, java.security.PublicKey firstParty) {
            this.seed = List.copyOf(releases);
            this.firstParty = firstParty;
            return this;
        }

        public RegistryServer build() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not 0..65535");
            }
            if (maxArtifactBytes < 1) {
                throw new IllegalArgumentException("the artifact size limit must be positive");
            }
            try {
                RegistryServer s = new RegistryServer(this);
                try {
                    if (!seed.isEmpty()) {
                        s.seed(seed, firstParty);
                    }
                } catch (IOException | SQLException | RuntimeException e) {
                    s.close();
                    throw e;
                }
                return s;
            } catch (IOException e) {
                throw new IllegalStateException("open registry data " + data + ": " + dev.xdperf.registry.IoErrors.describe(e), e);
            } catch (SQLException e) {
                throw new IllegalStateException("open registry data " + data + ": " + e.getMessage(), e);
            }
        }
    }

    /** Publishes the first-party releases into an empty registry (see {@link Builder#withSeed}); returns how many. */
    private int seed(List<dev.xdperf.registry.client.Bundle> releases, java.security.PublicKey firstParty) throws IOException, SQLException {
        if (store.counts().get("versions") > 0) {
            return 0;
        }
        String fp = Keys.fingerprint(firstParty);
        for (var b : releases) {   // all checked before anything is written
            var v = b.version();
            Manifest m = Manifest.parse(v.manifest());
            if (!v.publisher().equals(dev.xdperf.registry.Names.OFFICIAL) || !m.id().equals(v.name()) || !m.version().equals(v.version())
                    || !Release.of(v.publisher(), m, b.artifact()).verify(firstParty, v.signature())
                    || dev.xdperf.registry.Artifacts.problem(m.kind(), b.artifact()) != null) {
                throw new IllegalStateException("seed " + v.id() + " " + v.version() + ": not a release of the official namespace signed by"
                        + " the first-party key " + fp);
            }
        }
        if (!store.publisherExists(dev.xdperf.registry.Names.OFFICIAL)) {
            store.createPublisher(dev.xdperf.registry.Names.OFFICIAL);
        }
        if (store.key(fp) == null) {
            store.addKey(dev.xdperf.registry.Names.OFFICIAL, firstParty, null, null, false);
        }
        int n = 0;
        for (var b : releases) {
            var v = b.version();
            Manifest m = Manifest.parse(v.manifest());
            Release r = Release.of(v.publisher(), m, b.artifact());
            try (Blobs.Staged staged = blobs.stage(b.artifact())) {
                store.insertVersion(new Store.VersionRow(v.publisher(), m.id(), m.version(), m.kind(), m.abi().toString(), m.description(),
                        m.license(), r.artifactSha256(), b.artifact().length, m.bytes(), r.manifestSha256(), v.signature(), fp, false, null, 0),
                        staged.placement());
            } catch (Store.DuplicateVersionException e) {
                continue;
            }
            log.accept("seeded " + v.id() + " " + v.version() + " (first-party release shipped with xdperf)");
            n++;
        }
        return n;
    }

    public RegistryServer start() {
        try {
            app.start(bind, requestedPort);
        } catch (RuntimeException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("listen on " + bind + ":" + requestedPort + ": " + c.getMessage()
                    + " (is the port in use? choose another with --port)", e);
        }
        flusher.scheduleWithFixedDelay(() -> {
            try {
                store.flushDownloads();
            } catch (SQLException e) {
                log.accept("write download counts: " + e.getMessage());
            }
        }, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    public int port() {
        return app.port();
    }

    public String url() {
        String host = bind.contains(":") ? "[" + bind + "]" : bind;
        return "http://" + (bind.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + port();
    }

    /** The rows, for the admin commands and tests. */
    public Store store() {
        return store;
    }

    public Path dataDir() {
        return data;
    }

    public long maxArtifactBytes() {
        return maxArtifactBytes;
    }

    /** The most a publish body may be: the artifact, the manifest, and room for the rest of the multipart framing. */
    private long maxUploadBytes() {
        return maxArtifactBytes + Manifest.MAX_BYTES + Upload.OVERHEAD;
    }

    /** The most a JSON request body (adding a key) may be. */
    private static final long MAX_JSON_BODY = 1024 * 1024;

    @Override
    public void close() {
        flusher.shutdownNow();
        app.stop();
        try {
            store.close();
        } catch (SQLException e) {
            log.accept("close database: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------ routes

    private void routes() {
        app.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
        app.exception(Blobs.CorruptBlobException.class, (e, ctx) -> {
            log.accept("ERROR " + e.getMessage());
            error(ctx, 500, e.getMessage());
        });
        app.exception(Exception.class, (e, ctx) -> {
            log.accept("ERROR " + ctx.method() + " " + ctx.path() + ": " + e);
            error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty() || ctx.result().equals("Endpoint " + ctx.method() + " " + ctx.path() + " not found")) {
                if (ctx.path().startsWith(API)) {
                    error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
                } else {
                    ctx.html(Pages.notFound(ctx.path()));
                }
            }
        });

        app.get(API + "/health", ctx -> {
            ObjectNode n = JSON.createObjectNode();
            n.put("status", "ok");
            n.put("api", "v1");
            n.put("host_abi", AbiVersion.HOST.toString());
            store.counts().forEach(n::put);
            json(ctx, 200, n);
        });
        app.get(API + "/search", ctx -> json(ctx, 200, searchJson(ctx)));
        app.get(API + "/plugins/{publisher}/{name}", ctx -> json(ctx, 200, pluginJson(pub(ctx), plugin(ctx))));
        app.get(API + "/plugins/{publisher}/{name}/versions/{version}", ctx -> json(ctx, 200, versionJson(existing(ctx), true)));
        app.get(API + "/plugins/{publisher}/{name}/versions/{version}/manifest", ctx -> {
            ctx.contentType("application/json");
            ctx.result(existing(ctx).manifest());
        });
        app.get(API + "/blobs/sha256/{digest}", this::download);
        app.put(API + "/plugins/{publisher}/{name}/versions/{version}", this::publish);
        app.post(API + "/plugins/{publisher}/{name}/versions/{version}/yank", ctx -> yank(ctx, true));
        app.post(API + "/plugins/{publisher}/{name}/versions/{version}/unyank", ctx -> yank(ctx, false));
        app.get(API + "/publishers/{publisher}", ctx -> json(ctx, 200, publisherJson(pub(ctx))));
        app.post(API + "/publishers/{publisher}/keys", this::addKey);
        app.get(API + "/keys/{fingerprint}", ctx -> {
            Store.KeyRow k = store.key(ctx.pathParam("fingerprint"));
            if (k == null) {
                throw ApiError.notFound("no key with fingerprint " + ctx.pathParam("fingerprint"));
            }
            json(ctx, 200, keyJson(k));
        });
        app.get(API + "/whoami", ctx -> {
            ObjectNode n = JSON.createObjectNode();
            n.put("publisher", authenticate(ctx));
            json(ctx, 200, n);
        });

        app.get("/", ctx -> ctx.html(Pages.search(ctx.queryParam("q"), ctx.queryParam("kind"),
                store.search(ctx.queryParam("q"), blankToNull(ctx.queryParam("kind")), null, 200))));
        app.get("/plugins/{publisher}/{name}", ctx -> {
            String p = ctx.pathParam("publisher");
            String n = ctx.pathParam("name");
            List<Store.VersionRow> versions = Names.valid(p) && Names.valid(n) ? store.versions(p, n) : List.of();
            if (versions.isEmpty()) {
                ctx.status(404).html(Pages.notFound(ctx.path()));
                return;
            }
            ctx.html(Pages.plugin(versions, store.keys(p)));
        });
    }

    // ------------------------------------------------------------------------------ reads

    private ObjectNode searchJson(Context ctx) throws SQLException {
        String q = ctx.queryParam("q");
        String kind = blankToNull(ctx.queryParam("kind"));
        if (kind != null && !Names.KINDS.contains(kind)) {
            throw ApiError.badRequest("kind '" + kind + "' is not wasm or pf4j");
        }
        AbiVersion abi = null;
        String abiText = blankToNull(ctx.queryParam("abi"));
        if (abiText != null) {
            try {
                abi = AbiVersion.parse(abiText);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest(e.getMessage());
            }
        }
        int limit = 50;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Math.max(1, Math.min(500, Integer.parseInt(l)));
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("limit '" + l + "' is not a number");
            }
        }
        int offset = 0;
        String o = ctx.queryParam("offset");
        if (o != null) {
            try {
                offset = Integer.parseInt(o);
            } catch (NumberFormatException e) {
                offset = -1;
            }
            if (offset < 0) {
                throw ApiError.badRequest("offset '" + o + "' is not a number of results to skip (0 or more)");
            }
        }
        Store.SearchPage page = store.search(q, kind, abi, limit, offset);
        ObjectNode n = JSON.createObjectNode();
        ArrayNode results = n.putArray("results");
        if (page.nextOffset() >= 0) {
            n.put("next_offset", page.nextOffset());
        } else {
            n.putNull("next_offset");
        }
        for (Store.VersionRow v : page.results()) {
            ObjectNode r = results.addObject();
            r.put("id", v.id());
            r.put("publisher", v.publisher());
            r.put("name", v.name());
            r.put("version", v.version());
            r.put("kind", v.kind());
            r.put("abi", v.abi());
            r.put("description", v.description());
        }
        return n;
    }

    private ObjectNode pluginJson(String publisher, String name) throws SQLException {
        List<Store.VersionRow> versions = store.versions(publisher, name);
        if (versions.isEmpty()) {
            throw ApiError.notFound("no plugin " + publisher + "/" + name);
        }
        Store.VersionRow newest = versions.stream().filter(v -> !v.yanked()).findFirst().orElse(versions.get(0));
        ObjectNode n = JSON.createObjectNode();
        n.put("id", publisher + "/" + name);
        n.put("publisher", publisher);
        n.put("name", name);
        n.put("description", newest.description());
        n.put("kind", newest.kind());
        n.put("license", newest.license());
        n.put("latest", versions.stream().filter(v -> !v.yanked()).map(Store.VersionRow::version).findFirst().orElse(null));
        n.put("downloads", versions.stream().mapToLong(Store.VersionRow::downloads).sum());
        ArrayNode keys = n.putArray("keys");
        for (Store.KeyRow k : store.keys(publisher)) {
            keys.add(keyJson(k));
        }
        ArrayNode vs = n.putArray("versions");
        for (Store.VersionRow v : versions) {
            vs.add(versionJson(v, false));
        }
        return n;
    }

    static ObjectNode versionJson(Store.VersionRow v, boolean full) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", v.id());
        n.put("publisher", v.publisher());
        n.put("name", v.name());
        n.put("version", v.version());
        n.put("kind", v.kind());
        n.put("abi", v.abi());
        n.put("description", v.description());
        n.put("license", v.license());
        n.put("artifact_sha256", v.artifactSha256());
        n.put("artifact_size", v.artifactSize());
        n.put("manifest_sha256", v.manifestSha256());
        n.put("key", v.keyFingerprint());
        n.put("signature", v.signature());
        n.put("yanked", v.yanked());
        n.put("published", v.published());
        n.put("downloads", v.downloads());
        n.put("download", API + "/blobs/sha256/" + v.artifactSha256());
        if (full) {
            n.put("manifest", Base64.getEncoder().encodeToString(v.manifest()));
        }
        return n;
    }

    private ObjectNode publisherJson(String publisher) throws SQLException {
        if (!store.publisherExists(publisher)) {
            throw ApiError.notFound("no publisher " + publisher);
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("publisher", publisher);
        ArrayNode keys = n.putArray("keys");
        for (Store.KeyRow k : store.keys(publisher)) {
            keys.add(keyJson(k));
        }
        return n;
    }

    private static ObjectNode keyJson(Store.KeyRow k) {
        ObjectNode n = JSON.createObjectNode();
        n.put("fingerprint", k.fingerprint());
        n.put("publisher", k.publisher());
        n.put("public_key", k.publicKeyPem());
        n.put("added", k.added());
        n.put("retired", k.retired());
        n.put("endorsed_by", k.endorsedBy());
        return n;
    }

    /** Streams the file from disk: checked against the digest and size recorded at publish, never read into memory. */
    private void download(Context ctx) throws IOException, SQLException {
        String digest = ctx.pathParam("digest");
        if (!Digests.isSha256Hex(digest)) {
            throw ApiError.badRequest("'" + digest + "' is not a sha256 digest (64 lowercase hex characters)");
        }
        long size = store.artifactSize(digest);
        if (size < 0) {
            throw ApiError.notFound("no artifact with sha256 " + digest);
        }
        Path file = blobs.verified(digest, size);
        store.countDownload(digest);
        ctx.status(200);
        ctx.header("Cache-Control", "public, max-age=31536000, immutable");
        ctx.header("X-Content-Sha256", digest);
        ctx.contentType("application/octet-stream");
        ctx.res().setContentLengthLong(size);
        // straight to the servlet's stream: no copy of the file in memory, and nothing re-encodes it
        blobs.copy(file, ctx.res().getOutputStream());
    }

    // ------------------------------------------------------------------------------ writes

    private void publish(Context ctx) throws IOException, SQLException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxUploadBytes()) {
            throw ApiError.tooLarge("request body is " + declared + " bytes, over this registry's limit of " + maxUploadBytes()
                    + " (a plugin file of at most " + maxArtifactBytes + " bytes and its manifest)");
        }
        String publisher;
        String name;
        String version = ctx.pathParam("version");
        String boundary;
        // refused before the body is used: names, the token, a version that exists, a type that is not multipart
        try {
            publisher = pub(ctx);
            name = plugin(ctx);
            if (!SemVer.valid(version)) {
                throw ApiError.badRequest("'" + version + "' is not a version (MAJOR.MINOR.PATCH[-PRERELEASE])");
            }
            requireNamespace(ctx, publisher);
            if (store.version(publisher, name, version) != null) {
                throw ApiError.conflict("version " + version + " of " + publisher + "/" + name
                        + " is already published (published versions are immutable: publish a new version)");
            }
            boundary = Upload.boundary(ctx.header("Content-Type"));
        } catch (ApiError e) {
            // read (and drop) the body, at most the limit: a client still sending would otherwise see a reset, not the reason
            drain(ctx.req().getInputStream(), maxUploadBytes());
            throw e;
        }
        Upload read;
        try {
            read = Upload.read(ctx.req().getInputStream(), boundary, blobs, maxArtifactBytes, maxUploadBytes());
        } catch (ApiError e) {
            if (e.status != 413) {   // a malformed form: the rest of the body is dropped, as above
                drain(ctx.req().getInputStream(), maxUploadBytes());
            }
            throw e;
        }
        try (Upload upload = read) {
            publish(ctx, publisher, name, version, upload);
        }
    }

    private void publish(Context ctx, String publisher, String name, String version, Upload upload) throws IOException, SQLException {
        if (upload.artifactBytes == 0) {
            throw ApiError.unprocessable("artifact is empty");
        }
        Manifest manifest;
        try {
            manifest = Manifest.parse(upload.manifest);
        } catch (IllegalArgumentException e) {
            throw ApiError.unprocessable(e.getMessage());
        }
        if (!manifest.id().equals(name) || !manifest.version().equals(version)) {
            throw ApiError.unprocessable("manifest says " + manifest.id() + " " + manifest.version() + " but the request publishes "
                    + name + " " + version);
        }
        String sha = upload.artifact.finish();
        String problem = dev.xdperf.registry.Artifacts.problem(manifest.kind(), upload.artifact.file);
        if (problem != null) {
            throw ApiError.unprocessable(problem);
        }
        Release release = new Release(publisher, manifest.id(), manifest.version(), manifest.kind(), manifest.abi(), sha,
                Digests.sha256Hex(manifest.bytes()));
        Store.KeyRow signer = signer(publisher, release, upload.signature, blankToNull(upload.key));
        Store.VersionRow row;
        try {
            row = store.insertVersion(new Store.VersionRow(publisher, name, version, manifest.kind(), manifest.abi().toString(),
                    manifest.description(), manifest.license(), sha, upload.artifactBytes, manifest.bytes(), release.manifestSha256(),
                    upload.signature, signer.fingerprint(), false, null, 0), upload.artifact.placement());
        } catch (Store.DuplicateVersionException e) {
            throw ApiError.conflict(e.getMessage());
        }
        log.accept("published " + row.id() + " " + row.version() + " sha256:" + sha + " key " + signer.fingerprint());
        json(ctx, 201, versionJson(row, true));
    }

    /** The active key of {@code publisher} whose signature over the release statement checks, or a refusal that says why. */
    private Store.KeyRow signer(String publisher, Release release, String signature, String keyField) throws SQLException {
        if (signature.isEmpty()) {
            throw ApiError.unprocessable("the release is not signed (expected an Ed25519 signature over the statement for "
                    + release.id() + " " + release.version() + ")");
        }
        List<Store.KeyRow> active = store.keys(publisher).stream().filter(Store.KeyRow::active).toList();
        if (active.isEmpty()) {
            throw ApiError.unprocessable("publisher " + publisher + " has no signing key (register one first: xdperf plugin key-add)");
        }
        List<Store.KeyRow> candidates = active;
        if (keyField != null) {
            candidates = active.stream().filter(k -> k.fingerprint().equals(keyField)).toList();
            if (candidates.isEmpty()) {
                throw ApiError.unprocessable("key " + keyField + " is not an active signing key of publisher " + publisher
                        + " (active: " + String.join(", ", active.stream().map(Store.KeyRow::fingerprint).toList()) + ")");
            }
        }
        for (Store.KeyRow k : candidates) {
            if (release.verify(Keys.parsePublic(k.publicKeyPem(), "stored key " + k.fingerprint()), signature)) {
                return k;
            }
        }
        throw ApiError.unprocessable("signature does not verify: expected a signature by "
                + (keyField != null ? "key " + keyField : "an active key of " + publisher) + " over the statement for "
                + release.id() + " " + release.version() + " (artifact sha256 " + release.artifactSha256() + ", manifest sha256 "
                + release.manifestSha256() + "), found one that is by another key or over other bytes");
    }

    private void yank(Context ctx, boolean yanked) throws SQLException, IOException {
        String publisher = pub(ctx);
        String name = plugin(ctx);
        requireNamespace(ctx, publisher);
        if (!store.setYanked(publisher, name, ctx.pathParam("version"), yanked)) {
            throw ApiError.notFound("no version " + ctx.pathParam("version") + " of " + publisher + "/" + name);
        }
        log.accept((yanked ? "yanked " : "unyanked ") + publisher + "/" + name + " " + ctx.pathParam("version"));
        json(ctx, 200, versionJson(existing(ctx), false));
    }

    private void addKey(Context ctx) throws IOException, SQLException {
        String publisher = pub(ctx);
        requireNamespace(ctx, publisher);
        JsonNode body = jsonBody(ctx);
        PublicKey key;
        try {
            key = Keys.parsePublic(body.path("public_key").asText(""), "public_key");
        } catch (IllegalArgumentException e) {
            throw ApiError.unprocessable(e.getMessage());
        }
        String fp = Keys.fingerprint(key);
        if (store.key(fp) != null) {
            throw ApiError.conflict("key " + fp + " is registered already");
        }
        List<Store.KeyRow> active = store.keys(publisher).stream().filter(Store.KeyRow::active).toList();
        String endorsedBy = blankToNull(body.path("endorsed_by").asText(""));
        String endorsement = blankToNull(body.path("endorsement").asText(""));
        if (!active.isEmpty()) {
            Store.KeyRow endorser = active.stream().filter(k -> k.fingerprint().equals(endorsedBy)).findFirst().orElse(null);
            if (endorser == null || endorsement == null) {
                throw ApiError.forbidden("a new key for " + publisher + " must be signed by one of its current keys ("
                        + String.join(", ", active.stream().map(Store.KeyRow::fingerprint).toList()) + "); found "
                        + (endorsedBy == null ? "no endorsement" : "an endorsement by " + endorsedBy));
            }
            boolean ok;
            try {
                ok = Keys.verify(Keys.parsePublic(endorser.publicKeyPem(), "stored key"), Release.keyEndorsement(publisher, fp),
                        Base64.getDecoder().decode(endorsement));
            } catch (IllegalArgumentException e) {
                ok = false;
            }
            if (!ok) {
                throw ApiError.forbidden("the endorsement of key " + fp + " is not a signature by " + endorsedBy
                        + " over the key endorsement statement");
            }
        }
        boolean retire = body.path("retire_endorser").asBoolean(false);
        try {
            Store.KeyRow row = store.addKey(publisher, key, active.isEmpty() ? null : endorsedBy, endorsement, retire && !active.isEmpty());
            log.accept("key " + fp + " added to " + publisher + (retire && endorsedBy != null ? ", retired " + endorsedBy : ""));
            json(ctx, 201, keyJson(row));
        } catch (IllegalStateException e) {
            throw ApiError.conflict(e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /** The publisher the request's bearer token belongs to, or 401. */
    private String authenticate(Context ctx) throws SQLException {
        String h = ctx.header("Authorization");
        if (h == null || !h.startsWith("Bearer ") || h.length() <= 7) {
            throw ApiError.unauthorized("this request needs a publisher token (Authorization: Bearer TOKEN)");
        }
        Store.TokenRow t = store.token(h.substring(7).strip())
                .orElseThrow(() -> ApiError.unauthorized("the token is not known to this registry"));
        if (t.revoked() != null) {
            throw ApiError.unauthorized("the token " + t.id() + " was revoked at " + t.revoked() + " (ask the registry's admin for a new one)");
        }
        if (t.expired(java.time.Instant.now())) {
            throw ApiError.unauthorized("the token " + t.id() + " expired at " + t.expires() + " (ask the registry's admin for a new one)");
        }
        return t.publisher();
    }

    private void requireNamespace(Context ctx, String publisher) throws SQLException {
        String owner = authenticate(ctx);
        if (!owner.equals(publisher)) {
            throw ApiError.forbidden("the token belongs to publisher " + owner + ", not " + publisher);
        }
    }

    private static void drain(InputStream in, long max) {
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        try {
            for (int r; n <= max && (r = in.read(buf)) > 0; ) {
                n += r;
            }
        } catch (IOException e) {
            // the client went away: nothing to tell it
        }
    }

    private JsonNode jsonBody(Context ctx) throws IOException {
        long limit = MAX_JSON_BODY;
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw ApiError.tooLarge("request body is " + declared + " bytes, over this registry's limit of " + limit);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] chunk = new byte[64 * 1024];
            int n;
            while ((n = in.read(chunk)) > 0) {
                buf.write(chunk, 0, n);
                if (buf.size() > limit) {
                    throw ApiError.tooLarge("request body is over this registry's limit of " + limit + " bytes");
                }
            }
        }
        try {
            JsonNode n = JSON.readTree(buf.toByteArray());
            if (n == null || !n.isObject()) {
                throw ApiError.badRequest("request body is not a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("request body is not JSON: " + e.getOriginalMessage());
        }
    }

    private Store.VersionRow existing(Context ctx) throws SQLException {
        String publisher = pub(ctx);
        String name = plugin(ctx);
        String version = ctx.pathParam("version");
        Store.VersionRow v = SemVer.valid(version) ? store.version(publisher, name, version) : null;
        if (v == null) {
            throw ApiError.notFound("no version " + version + " of " + publisher + "/" + name);
        }
        return v;
    }

    private static String pub(Context ctx) {
        String p = ctx.pathParam("publisher");
        if (!Names.valid(p)) {
            throw ApiError.badRequest("'" + p + "' is not a publisher name (lowercase letters, digits, '-', '_')");
        }
        return p;
    }

    private static String plugin(Context ctx) {
        String n = ctx.pathParam("name");
        if (!Names.valid(n)) {
            throw ApiError.badRequest("'" + n + "' is not a plugin name (lowercase letters, digits, '-', '_')");
        }
        return n;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static void json(Context ctx, int status, JsonNode body) throws JsonProcessingException {
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(JSON.writeValueAsBytes(body));
    }

    private static void error(Context ctx, int status, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        n.put("status", status);
        ctx.status(status);
        ctx.contentType("application/json");
        try {
            ctx.result(JSON.writeValueAsBytes(n));
        } catch (JsonProcessingException e) {
            ctx.result("{\"error\":\"internal error\"}");
        }
    }
}
