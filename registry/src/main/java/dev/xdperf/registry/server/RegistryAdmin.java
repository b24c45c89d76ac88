package dev.xdperf.registry.server;

import dev.xdperf.registry.IoErrors;
import dev.xdperf.registry.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Administration of a registry directly in its data directory (safe while it serves): publishers
 * and their first keys, tokens, unreferenced files. Database failures become one sentence.
 */
public final class RegistryAdmin implements AutoCloseable {
    private final Path data;
    private final Store store;

    /** A new token (shown once, stored only as a hash) and its id, which names it later. */
    public record NewToken(String token, String id, Instant expires) {}

    private RegistryAdmin(Path data, Store store) {
        this.data = data;
        this.store = store;
    }

    /** Opens the registry database in {@code data}. */
    public static RegistryAdmin open(Path data) {
        try {
            return new RegistryAdmin(data, new Store(data.resolve("registry.db")));
        } catch (SQLException e) {
            throw new IllegalStateException("open registry database in " + data + ": " + e.getMessage());
        }
    }

    public Path data() {
        return data;
    }

    /** Creates publisher {@code name}, with {@code key} (null: none yet) as its first signing key. */
    public void createPublisher(String name, PublicKey key) {
        Names.requirePublisher(name);
        try {
            store.createPublisher(name);
            if (key != null) {
                store.addKey(name, key, null, null, false);
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** A publish token for {@code publisher}, valid until {@code expires} (null: no expiry). */
    public NewToken createToken(String publisher, String label, Instant expires) {
        Names.requirePublisher(publisher);
        try {
            String token = store.createToken(publisher, label, expires);
            return new NewToken(token, Store.tokenId(token), expires);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** The tokens of {@code publisher} (null: of every publisher), never the tokens themselves. */
    public List<Store.TokenRow> tokens(String publisher) {
        if (publisher != null) {
            Names.requirePublisher(publisher);
        }
        try {
            return store.tokens(publisher);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Revokes the token with this id (or this value); null when there is none. */
    public Store.TokenRow revokeToken(String idOrToken) {
        try {
            return store.revokeToken(idOrToken);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Revokes every token of {@code publisher}; how many were revoked. */
    public int revokeTokens(String publisher) {
        Names.requirePublisher(publisher);
        try {
            if (!store.publisherExists(publisher)) {
                throw new IllegalArgumentException("revoke tokens: no publisher named " + publisher);
            }
            return store.revokeTokens(publisher);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Every publisher with its signing keys, active and retired, in the store's order. */
    public Map<String, List<Store.KeyRow>> publishers() {
        try {
            Map<String, List<Store.KeyRow>> out = new LinkedHashMap<>();
            for (String p : store.publishers()) {
                out.put(p, store.keys(p));
            }
            return out;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Removes (with {@code dryRun}, only lists) the files under blobs/ that no version refers to. */
    public List<Blobs.Unreferenced> collectGarbage(boolean dryRun) {
        try {
            return Blobs.collectGarbage(data, store, dryRun);
        } catch (SQLException e) {
            throw failed(e);
        } catch (IOException e) {
            throw new IllegalStateException("registry gc in " + data + ": " + IoErrors.describe(e));
        }
    }

    /** Whether {@code data} looks like a registry's data directory (it has blobs/). */
    public static boolean isDataDirectory(Path data) {
        return Files.isDirectory(data.resolve("blobs"));
    }

    @Override
    public void close() {
        try {
            store.close();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private static IllegalStateException failed(SQLException e) {
        return new IllegalStateException("registry database: " + e.getMessage());
    }
}
