package dev.xdperf.registry.server;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.Digests;
import dev.xdperf.registry.Keys;
import dev.xdperf.registry.SemVer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The registry's rows in one SQLite file (WAL mode). One connection writes, guarded by this
 * object's lock, so writers queue in Java rather than spin on SQLITE_BUSY; a small pool of
 * connections reads alongside it. Download counts are gathered in memory and written once
 * a second, so a download costs no disk write.
 */
public final class Store implements AutoCloseable {
    private static final int READERS = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String url;
    private final Connection writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<Connection> all = new ArrayList<>();
    private final Map<String, LongAdder> pendingDownloads = new ConcurrentHashMap<>();

    public record KeyRow(String fingerprint, String publisher, String publicKeyPem, String added, String retired,
                         String endorsedBy) {
        public boolean active() {
            return retired == null;
        }
    }

    public record VersionRow(String publisher, String name, String version, String kind, String abi, String description,
                             String license, String artifactSha256, long artifactSize, byte[] manifest,
                             String manifestSha256, String signature, String keyFingerprint, boolean yanked,
                             String published, long downloads) {
        public SemVer semver() {
            return SemVer.parse(version);
        }

        public String id() {
            return publisher + "/" + name;
        }
    }

    /** A second publish of a version that exists. */
    public static final class DuplicateVersionException extends Exception {
        DuplicateVersionException(String message) {
            super(message);
        }
    }

    public Store(Path file) throws SQLException {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new SQLException(dev.xdperf.registry.IoErrors.describe(e), e);
        }
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
        this.writer = open(true);
        try (Statement s = writer.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
        }
        // the schema in one write transaction: a server and an admin command opening the same new (or older) file at
        // once do not both add a column
        inTransaction(() -> {
            createSchema();
            return null;
        });
        backfillSortColumns();
        for (int i = 0; i < READERS; i++) {
            readers.add(open());
        }
    }

    private void createSchema() throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS publishers(name TEXT PRIMARY KEY, created TEXT NOT NULL)");
            s.executeUpdate("CREATE TABLE IF NOT EXISTS tokens(hash TEXT PRIMARY KEY, publisher TEXT NOT NULL REFERENCES publishers(name),"
                    + " label TEXT NOT NULL, created TEXT NOT NULL)");
            s.executeUpdate("CREATE TABLE IF NOT EXISTS signing_keys(fingerprint TEXT PRIMARY KEY,"
                    + " publisher TEXT NOT NULL REFERENCES publishers(name), public_key TEXT NOT NULL, added TEXT NOT NULL,"
                    + " retired TEXT, endorsed_by TEXT, endorsement TEXT)");
            s.executeUpdate("CREATE TABLE IF NOT EXISTS versions(publisher TEXT NOT NULL REFERENCES publishers(name),"
                    + " name TEXT NOT NULL, version TEXT NOT NULL, kind TEXT NOT NULL, abi TEXT NOT NULL,"
                    + " description TEXT NOT NULL, license TEXT NOT NULL, artifact_sha256 TEXT NOT NULL,"
                    + " artifact_size INTEGER NOT NULL, manifest BLOB NOT NULL, manifest_sha256 TEXT NOT NULL,"
                    + " signature TEXT NOT NULL, key_fingerprint TEXT NOT NULL REFERENCES signing_keys(fingerprint),"
                    + " yanked INTEGER NOT NULL DEFAULT 0, published TEXT NOT NULL, downloads INTEGER NOT NULL DEFAULT 0,"
                    + " PRIMARY KEY(publisher, name, version))");
            s.executeUpdate("CREATE INDEX IF NOT EXISTS versions_by_digest ON versions(artifact_sha256)");
            // columns added after the first release of the schema: token expiry and revocation, and what search
            // sorts and filters on in SQL (semver precedence as a string, the ABI as two integers)
            addColumn(s, "tokens", "expires", "TEXT");
            addColumn(s, "tokens", "revoked", "TEXT");
            addColumn(s, "versions", "sort_key", "TEXT NOT NULL DEFAULT ''");
            addColumn(s, "versions", "abi_major", "INTEGER NOT NULL DEFAULT 0");
            addColumn(s, "versions", "abi_minor", "INTEGER NOT NULL DEFAULT 0");
            s.executeUpdate("CREATE INDEX IF NOT EXISTS versions_newest ON versions(publisher, name, yanked, sort_key)");
        }
    }

    private static void addColumn(Statement s, String table, String column, String type) throws SQLException {
        try (ResultSet r = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (r.next()) {
                if (r.getString("name").equals(column)) {
                    return;
                }
            }
        }
        s.executeUpdate("ALTER TABLE " + table + " ADD COLUMN " + column + " " + type);
    }

    /** Rows written before the search columns existed get them once. */
    private synchronized void backfillSortColumns() throws SQLException {
        List<String[]> todo = new ArrayList<>();
        try (Statement s = writer.createStatement();
             ResultSet r = s.executeQuery("SELECT publisher, name, version, abi FROM versions WHERE sort_key = ''")) {
            while (r.next()) {
                todo.add(new String[] {r.getString(1), r.getString(2), r.getString(3), r.getString(4)});
            }
        }
        if (todo.isEmpty()) {
            return;
        }
        inTransaction(() -> {
            try (PreparedStatement p = writer.prepareStatement("UPDATE versions SET sort_key = ?, abi_major = ?, abi_minor = ?"
                    + " WHERE publisher = ? AND name = ? AND version = ?")) {
                for (String[] t : todo) {
                    AbiVersion abi = AbiVersion.parse(t[3]);
                    p.setString(1, sortKey(SemVer.parse(t[2])));
                    p.setInt(2, abi.major());
                    p.setInt(3, abi.minor());
                    p.setString(4, t[0]);
                    p.setString(5, t[1]);
                    p.setString(6, t[2]);
                    p.addBatch();
                }
                p.executeBatch();
            }
            return null;
        });
    }

    /**
     * A string whose byte order is semver precedence, so SQL can pick the newest version: the
     * numbers zero-padded, then '~' for a release (after every prerelease) or '-' and each
     * prerelease identifier, numeric ones as "0", their length and digits (below every
     * alphanumeric one, "1" and its text), separated by '!' (below every identifier character,
     * so a shorter list sorts first).
     */
    public static String sortKey(SemVer v) {
        StringBuilder b = new StringBuilder(String.format("%09d.%09d.%09d", v.major(), v.minor(), v.patch()));
        if (!v.prerelease()) {
            return b.append('~').toString();
        }
        b.append('-');
        String[] ids = v.pre().split("\\.");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                b.append('!');
            }
            String id = ids[i];
            if (id.matches("[0-9]+")) {
                String digits = id.replaceFirst("^0+(?=.)", "");
                b.append('0').append(String.format("%02d", digits.length())).append(digits);
            } else {
                b.append('1').append(id);
            }
        }
        return b.toString();
    }

    private Connection open() throws SQLException {
        return open(false);
    }

    /**
     * A connection; the writer's transactions begin IMMEDIATE, taking SQLite's write lock at once,
     * so a publish (which places its file inside the transaction) and {@code registry admin gc}
     * in another process never interleave.
     */
    private Connection open(boolean immediate) throws SQLException {
        java.util.Properties props = new java.util.Properties();
        if (immediate) {
            props.setProperty("transaction_mode", "IMMEDIATE");
        }
        Connection c = DriverManager.getConnection(url, props);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=30000");
            // FULL: an acknowledged publish is on disk before the client hears about it
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA foreign_keys=ON");
        }
        all.add(c);
        return c;
    }

    // ---------------------------------------------------------------- publishers and tokens

    public synchronized void createPublisher(String name) throws SQLException {
        if (publisherExists(name)) {
            throw new IllegalStateException("create publisher " + name + ": it exists already");
        }
        try (PreparedStatement p = writer.prepareStatement("INSERT INTO publishers(name, created) VALUES(?, ?)")) {
            p.setString(1, name);
            p.setString(2, now());
            p.executeUpdate();
        }
    }

    public boolean publisherExists(String name) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM publishers WHERE name = ?")) {
                p.setString(1, name);
                try (ResultSet r = p.executeQuery()) {
                    return r.next();
                }
            }
        });
    }

    public List<String> publishers() throws SQLException {
        return read(c -> {
            List<String> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT name FROM publishers ORDER BY name")) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
            return out;
        });
    }

    /** Creates a token for {@code publisher} that never expires and returns it; only its sha256 is stored. */
    public String createToken(String publisher, String label) throws SQLException {
        return createToken(publisher, label, null);
    }

    /**
     * Creates a token for {@code publisher}, valid until {@code expires} (null: no expiry), and
     * returns it; only its sha256 is stored. Its id ({@link #tokenId}) names it afterwards.
     */
    public synchronized String createToken(String publisher, String label, Instant expires) throws SQLException {
        if (!publisherExists(publisher)) {
            throw new IllegalStateException("create token: no publisher named " + publisher + " (create it first)");
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        try (PreparedStatement p = writer.prepareStatement("INSERT INTO tokens(hash, publisher, label, created, expires)"
                + " VALUES(?, ?, ?, ?, ?)")) {
            p.setString(1, tokenHash(token));
            p.setString(2, publisher);
            p.setString(3, label == null ? "" : label);
            p.setString(4, now());
            p.setString(5, expires == null ? null : expires.toString());
            p.executeUpdate();
        }
        return token;
    }

    public static final String TOKEN_PREFIX = "xdpt_";

    /** A token as the admin sees it: never the token itself. */
    public record TokenRow(String id, String publisher, String label, String created, String expires, String revoked) {
        public boolean expired(Instant at) {
            return expires != null && !Instant.parse(expires).isAfter(at);
        }
    }

    /** The public name of a token: the first 12 hex digits of its sha256 (what is stored), so it can be shown and typed. */
    public static String tokenId(String token) {
        return tokenHash(token).substring(0, 12);
    }

    /** The tokens of {@code publisher} (all publishers when null), oldest first. */
    public List<TokenRow> tokens(String publisher) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT substr(hash, 1, 12), publisher, label, created, expires, revoked"
                    + " FROM tokens" + (publisher == null ? "" : " WHERE publisher = ?") + " ORDER BY created, hash")) {
                if (publisher != null) {
                    p.setString(1, publisher);
                }
                List<TokenRow> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new TokenRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Revokes one token, named by its id (12 hex digits, see {@link #tokenId}) or by the token
     * itself; returns what was revoked, or null when no token has that id or value. A revoked
     * token stays listed (with when it was revoked) and gets 401 from then on.
     */
    public synchronized TokenRow revokeToken(String idOrToken) throws SQLException {
        String id = idOrToken.startsWith(TOKEN_PREFIX) ? tokenId(idOrToken) : idOrToken;
        if (!id.matches("[0-9a-f]{12}")) {
            throw new IllegalArgumentException("'" + idOrToken + "' is neither a token id (12 hex digits, as `registry admin tokens`"
                    + " lists them) nor a token (" + TOKEN_PREFIX + "...)");
        }
        try (PreparedStatement p = writer.prepareStatement("UPDATE tokens SET revoked = ? WHERE substr(hash, 1, 12) = ? AND revoked IS NULL")) {
            p.setString(1, now());
            p.setString(2, id);
            p.executeUpdate();
        }
        return tokens(null).stream().filter(t -> t.id().equals(id)).findFirst().orElse(null);
    }

    /** Revokes every token of {@code publisher}; returns how many were still valid. */
    public synchronized int revokeTokens(String publisher) throws SQLException {
        try (PreparedStatement p = writer.prepareStatement("UPDATE tokens SET revoked = ? WHERE publisher = ? AND revoked IS NULL")) {
            p.setString(1, now());
            p.setString(2, publisher);
            return p.executeUpdate();
        }
    }

    /** The publisher a token belongs to, when it is known, not revoked and not expired. */
    public Optional<String> publisherForToken(String token) throws SQLException {
        Optional<TokenRow> t = token(token);
        return t.filter(r -> r.revoked() == null && !r.expired(Instant.now())).map(TokenRow::publisher);
    }

    /** The stored row of a token (revoked and expired ones too), found by the token's hash. */
    public Optional<TokenRow> token(String token) throws SQLException {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        String h = tokenHash(token);
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT substr(hash, 1, 12), publisher, label, created, expires, revoked"
                    + " FROM tokens WHERE hash = ?")) {
                p.setString(1, h);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new TokenRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), r.getString(6))) : Optional.<TokenRow>empty();
                }
            }
        });
    }

    static String tokenHash(String token) {
        return Digests.sha256Hex(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- keys

    public List<KeyRow> keys(String publisher) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT fingerprint, publisher, public_key, added, retired, endorsed_by"
                    + " FROM signing_keys WHERE publisher = ? ORDER BY added, fingerprint")) {
                p.setString(1, publisher);
                return keyRows(p);
            }
        });
    }

    public KeyRow key(String fingerprint) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT fingerprint, publisher, public_key, added, retired, endorsed_by"
                    + " FROM signing_keys WHERE fingerprint = ?")) {
                p.setString(1, fingerprint);
                List<KeyRow> rows = keyRows(p);
                return rows.isEmpty() ? null : rows.get(0);
            }
        });
    }

    private static List<KeyRow> keyRows(PreparedStatement p) throws SQLException {
        List<KeyRow> out = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
                out.add(new KeyRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6)));
            }
        }
        return out;
    }

    /**
     * Adds a signing key; the caller has checked who may add it. With {@code retireEndorser}
     * the endorsing key is retired in the same transaction (a rotation).
     */
    public synchronized KeyRow addKey(String publisher, PublicKey key, String endorsedBy, String endorsement,
                                      boolean retireEndorser) throws SQLException {
        String fp = Keys.fingerprint(key);
        KeyRow existing = key(fp);
        if (existing != null) {
            throw new IllegalStateException("key " + fp + " is registered already (publisher " + existing.publisher() + ")");
        }
        String now = now();
        return inTransaction(() -> {
            try (PreparedStatement p = writer.prepareStatement("INSERT INTO signing_keys(fingerprint, publisher, public_key, added,"
                    + " retired, endorsed_by, endorsement) VALUES(?, ?, ?, ?, NULL, ?, ?)")) {
                p.setString(1, fp);
                p.setString(2, publisher);
                p.setString(3, Keys.publicPem(key));
                p.setString(4, now);
                p.setString(5, endorsedBy);
                p.setString(6, endorsement);
                p.executeUpdate();
            }
            if (retireEndorser && endorsedBy != null) {
                try (PreparedStatement p = writer.prepareStatement("UPDATE signing_keys SET retired = ? WHERE fingerprint = ?")) {
                    p.setString(1, now);
                    p.setString(2, endorsedBy);
                    p.executeUpdate();
                }
            }
            return new KeyRow(fp, publisher, Keys.publicPem(key), now, null, endorsedBy);
        });
    }

    // ---------------------------------------------------------------- versions

    /** Puts a version's file in place inside {@link #insertVersion}'s transaction; true when it created the file. */
    public interface BlobPlacement {
        boolean place() throws java.io.IOException;

        /** Undoes {@link #place} (only called when it created the file). */
        void remove();
    }

    /**
     * Inserts a version row, its file placed by {@code blob} inside the same write transaction
     * (which holds SQLite's write lock from its start): the file appears under blobs/ only once
     * the version is known to be new, and is removed again if the row cannot be written, so a
     * lost race or a failure leaves no file nobody refers to. Refuses a version that exists.
     */
    public synchronized VersionRow insertVersion(VersionRow v, BlobPlacement blob)
            throws SQLException, DuplicateVersionException, java.io.IOException {
        AbiVersion abi = AbiVersion.parse(v.abi());
        String now = now();
        boolean[] placed = {false};
        try {
            inTransaction(() -> {
                try (PreparedStatement p = writer.prepareStatement("SELECT 1 FROM versions WHERE publisher = ? AND name = ? AND version = ?")) {
                    p.setString(1, v.publisher());
                    p.setString(2, v.name());
                    p.setString(3, v.version());
                    try (ResultSet r = p.executeQuery()) {
                        if (r.next()) {
                            throw new Duplicate();
                        }
                    }
                }
                if (blob != null) {
                    try {
                        placed[0] = blob.place();
                    } catch (java.io.IOException e) {
                        throw new BlobFailed(e);
                    }
                }
                try (PreparedStatement p = writer.prepareStatement("INSERT INTO versions(publisher, name, version, kind, abi, description,"
                        + " license, artifact_sha256, artifact_size, manifest, manifest_sha256, signature, key_fingerprint, yanked,"
                        + " published, downloads, sort_key, abi_major, abi_minor) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?, ?)")) {
                    int i = 1;
                    p.setString(i++, v.publisher());
                    p.setString(i++, v.name());
                    p.setString(i++, v.version());
                    p.setString(i++, v.kind());
                    p.setString(i++, v.abi());
                    p.setString(i++, v.description());
                    p.setString(i++, v.license());
                    p.setString(i++, v.artifactSha256());
                    p.setLong(i++, v.artifactSize());
                    p.setBytes(i++, v.manifest());
                    p.setString(i++, v.manifestSha256());
                    p.setString(i++, v.signature());
                    p.setString(i++, v.keyFingerprint());
                    p.setString(i++, now);
                    p.setString(i++, sortKey(v.semver()));
                    p.setInt(i++, abi.major());
                    p.setInt(i, abi.minor());
                    p.executeUpdate();
                }
                return null;
            });
        } catch (Duplicate e) {
            throw new DuplicateVersionException("version " + v.version() + " of " + v.id()
                    + " is already published (published versions are immutable: publish a new version)");
        } catch (BlobFailed e) {
            throw (java.io.IOException) e.getCause();
        } catch (SQLException | RuntimeException e) {
            if (placed[0]) {
                blob.remove();
            }
            throw e;
        }
        return version(v.publisher(), v.name(), v.version());
    }

    /** Inserts a version row whose file is already stored (or stored by the caller). */
    public VersionRow insertVersion(VersionRow v) throws SQLException, DuplicateVersionException {
        try {
            return insertVersion(v, null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Duplicate extends RuntimeException {
        Duplicate() {
            super(null, null, false, false);
        }
    }

    private static final class BlobFailed extends RuntimeException {
        BlobFailed(java.io.IOException e) {
            super(e);
        }
    }

    /**
     * Runs {@code body} while holding SQLite's write lock (an IMMEDIATE transaction), with the
     * set of artifact digests that versions refer to: no publish, in this process or another,
     * can place a file meanwhile. For {@code registry admin gc}.
     */
    public synchronized <T> T withReferencedDigests(java.util.function.Function<java.util.Set<String>, T> body) throws SQLException {
        return inTransaction(() -> {
            java.util.Set<String> refs = new java.util.HashSet<>();
            try (Statement st = writer.createStatement(); ResultSet r = st.executeQuery("SELECT DISTINCT artifact_sha256 FROM versions")) {
                while (r.next()) {
                    refs.add(r.getString(1));
                }
            }
            return body.apply(java.util.Collections.unmodifiableSet(refs));
        });
    }

    /** The size recorded at publish for the file with this digest, or -1 when no version refers to it. */
    public long artifactSize(String sha256) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT artifact_size FROM versions WHERE artifact_sha256 = ? LIMIT 1")) {
                p.setString(1, sha256);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? r.getLong(1) : -1L;
                }
            }
        });
    }

    private static final String VERSION_COLUMNS = "publisher, name, version, kind, abi, description, license, artifact_sha256,"
            + " artifact_size, manifest, manifest_sha256, signature, key_fingerprint, yanked, published, downloads";

    public VersionRow version(String publisher, String name, String version) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + VERSION_COLUMNS
                    + " FROM versions WHERE publisher = ? AND name = ? AND version = ?")) {
                p.setString(1, publisher);
                p.setString(2, name);
                p.setString(3, version);
                List<VersionRow> rows = versionRows(p);
                return rows.isEmpty() ? null : rows.get(0);
            }
        });
    }

    /** All versions of a plugin, newest first; empty when there is no such plugin. */
    public List<VersionRow> versions(String publisher, String name) throws SQLException {
        List<VersionRow> rows = read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + VERSION_COLUMNS + " FROM versions WHERE publisher = ? AND name = ?")) {
                p.setString(1, publisher);
                p.setString(2, name);
                return versionRows(p);
            }
        });
        rows.sort(Comparator.comparing(VersionRow::semver).reversed());
        return rows;
    }

    /** One page of search results, and the offset of the next page (-1 when this is the last). */
    public record SearchPage(List<VersionRow> results, int nextOffset) {
        public SearchPage {
            results = List.copyOf(results);
        }
    }

    /** The first {@code limit} results of {@link #search(String, String, AbiVersion, int, int)}. */
    public List<VersionRow> search(String text, String kind, AbiVersion abi, int limit) throws SQLException {
        return search(text, kind, abi, limit, 0).results();
    }

    /**
     * The newest non-yanked version of each plugin (of {@code kind}, and with an ABI that a host
     * speaking {@code abi} accepts, when given) whose publisher, name or description contains
     * {@code text}; the official namespace first, then by name and publisher; {@code limit}
     * results from {@code offset}. All in SQL: the newest version comes from the
     * (publisher, name, yanked, sort_key) index, nothing is read that is not returned.
     */
    public SearchPage search(String text, String kind, AbiVersion abi, int limit, int offset) throws SQLException {
        StringBuilder usable = new StringBuilder("yanked = 0");
        List<Object> usableArgs = new ArrayList<>();
        if (kind != null && !kind.isBlank()) {
            usable.append(" AND kind = ?");
            usableArgs.add(kind);
        }
        if (abi != null) {
            usable.append(" AND abi_major = ? AND abi_minor <= ?");
            usableArgs.add(abi.major());
            usableArgs.add(abi.minor());
        }
        StringBuilder sql = new StringBuilder("SELECT " + VERSION_COLUMNS + " FROM versions v WHERE ").append(usable.toString())
                .append(" AND sort_key = (SELECT max(sort_key) FROM versions w WHERE w.publisher = v.publisher AND w.name = v.name AND ")
                .append(usable.toString().replace("yanked", "w.yanked").replace("kind =", "w.kind =")
                        .replace("abi_major", "w.abi_major").replace("abi_minor", "w.abi_minor"))
                .append(")");
        List<Object> args = new ArrayList<>(usableArgs);
        args.addAll(usableArgs);
        if (text != null && !text.isBlank()) {
            String like = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            sql.append(" AND (name LIKE ? ESCAPE '\\' OR publisher LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')");
            args.add(like);
            args.add(like);
            args.add(like);
        }
        sql.append(" ORDER BY publisher <> 'xdperf', name, publisher LIMIT ? OFFSET ?");
        args.add(limit + 1);
        args.add(offset);
        List<VersionRow> rows = read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    p.setObject(i + 1, args.get(i));
                }
                return versionRows(p);
            }
        });
        boolean more = rows.size() > limit;
        return new SearchPage(more ? rows.subList(0, limit) : rows, more ? offset + limit : -1);
    }

    private List<VersionRow> versionRows(PreparedStatement p) throws SQLException {
        List<VersionRow> out = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
                String sha = r.getString(8);
                LongAdder pending = pendingDownloads.get(sha);
                out.add(new VersionRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                        r.getString(6), r.getString(7), sha, r.getLong(9), r.getBytes(10), r.getString(11),
                        r.getString(12), r.getString(13), r.getInt(14) != 0, r.getString(15),
                        r.getLong(16) + (pending == null ? 0 : pending.sum())));
            }
        }
        return out;
    }

    /** Sets a version's yank state; false when there is no such version. */
    public synchronized boolean setYanked(String publisher, String name, String version, boolean yanked) throws SQLException {
        try (PreparedStatement p = writer.prepareStatement("UPDATE versions SET yanked = ? WHERE publisher = ? AND name = ? AND version = ?")) {
            p.setInt(1, yanked ? 1 : 0);
            p.setString(2, publisher);
            p.setString(3, name);
            p.setString(4, version);
            return p.executeUpdate() == 1;
        }
    }

    public boolean hasArtifact(String sha256) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM versions WHERE artifact_sha256 = ? LIMIT 1")) {
                p.setString(1, sha256);
                try (ResultSet r = p.executeQuery()) {
                    return r.next();
                }
            }
        });
    }

    public void countDownload(String sha256) {
        pendingDownloads.computeIfAbsent(sha256, k -> new LongAdder()).increment();
    }

    /** Writes the download counts gathered since the last call. */
    public synchronized void flushDownloads() throws SQLException {
        if (pendingDownloads.isEmpty()) {
            return;
        }
        Map<String, Long> take = new LinkedHashMap<>();
        for (String sha : List.copyOf(pendingDownloads.keySet())) {
            LongAdder a = pendingDownloads.get(sha);
            long n = a == null ? 0 : a.sumThenReset();
            if (n > 0) {
                take.put(sha, n);
            }
        }
        try {
            inTransaction(() -> {
                try (PreparedStatement p = writer.prepareStatement("UPDATE versions SET downloads = downloads + ? WHERE artifact_sha256 = ?")) {
                    for (var e : take.entrySet()) {
                        p.setLong(1, e.getValue());
                        p.setString(2, e.getKey());
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            take.forEach((sha, n) -> pendingDownloads.computeIfAbsent(sha, k -> new LongAdder()).add(n));
            throw e;
        }
    }

    public Map<String, Long> counts() throws SQLException {
        return read(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT (SELECT count(*) FROM publishers),"
                    + " (SELECT count(DISTINCT publisher || '/' || name) FROM versions), (SELECT count(*) FROM versions)")) {
                r.next();
                out.put("publishers", r.getLong(1));
                out.put("plugins", r.getLong(2));
                out.put("versions", r.getLong(3));
            }
            return out;
        });
    }

    /** SQLite's own check of the file: "ok" when sound. */
    public String integrityCheck() throws SQLException {
        return read(c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
                return r.next() ? r.getString(1) : "no answer";
            }
        });
    }

    // ---------------------------------------------------------------- plumbing

    interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    interface Body<T> {
        T run() throws SQLException;
    }

    private <T> T read(Query<T> q) throws SQLException {
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a database connection");
        }
        try {
            return q.run(c);
        } finally {
            readers.add(c);
        }
    }

    private <T> T inTransaction(Body<T> body) throws SQLException {
        writer.setAutoCommit(false);
        try {
            T t = body.run();
            writer.commit();
            return t;
        } catch (SQLException | RuntimeException e) {
            writer.rollback();
            throw e;
        } finally {
            writer.setAutoCommit(true);
        }
    }

    private static String now() {
        return Instant.now().toString();
    }

    @Override
    public synchronized void close() throws SQLException {
        try {
            flushDownloads();
        } finally {
            for (Connection c : all) {
                c.close();
            }
        }
    }
}
