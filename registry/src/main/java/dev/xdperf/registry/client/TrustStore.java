package dev.xdperf.registry.client;

import dev.xdperf.registry.Digests;
import dev.xdperf.registry.Keys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The signing keys this xdperf trusts: the first-party key that ships in the jar, and the ones
 * the operator added with {@code xdperf plugin trust} (CONFIG/trusted-keys, one per line:
 * fingerprint, then the base64 DER public key or "-" when only the fingerprint was given,
 * then a comment).
 */
public final class TrustStore {
    public static final String FIRST_PARTY_RESOURCE = "/dev/xdperf/registry/first-party-key.pem";

    private final Path file;

    /** One trusted key; {@code key} is null when only its fingerprint is pinned (the key then comes from the registry). */
    public record Entry(String fingerprint, PublicKey key, String comment) {}

    public TrustStore(Path file) {
        this.file = file;
    }

    public static TrustStore atDefaultLocation() {
        return new TrustStore(defaultConfigDir().resolve("trusted-keys"));
    }

    /** XDPERF_CONFIG_DIR, else $XDG_CONFIG_HOME/xdperf, else ~/.config/xdperf. */
    public static Path defaultConfigDir() {
        String env = System.getenv("XDPERF_CONFIG_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("xdperf");
    }

    public Path file() {
        return file;
    }

    public static PublicKey firstPartyKey() {
        try (InputStream in = TrustStore.class.getResourceAsStream(FIRST_PARTY_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the first-party key " + FIRST_PARTY_RESOURCE + " is missing from this build");
            }
            return Keys.parsePublic(new String(in.readAllBytes(), StandardCharsets.US_ASCII), "first-party key");
        } catch (IOException e) {
            throw new IllegalStateException("read first-party key: " + e.getMessage());
        }
    }

    /** Every trusted key, the first-party one first. */
    public List<Entry> entries() {
        Map<String, Entry> out = new LinkedHashMap<>();
        PublicKey fp = firstPartyKey();
        out.put(Keys.fingerprint(fp), new Entry(Keys.fingerprint(fp), fp, "xdperf first-party key (built in)"));
        for (Entry e : fileEntries()) {
            out.putIfAbsent(e.fingerprint(), e);
        }
        return List.copyOf(out.values());
    }

    public Optional<Entry> find(String fingerprint) {
        return entries().stream().filter(e -> e.fingerprint().equals(fingerprint)).findFirst();
    }

    /** Trusts a key: its public key when known, else only its fingerprint. */
    public Entry add(String fingerprint, PublicKey key, String comment) {
        if (!Digests.isSha256Hex(fingerprint)) {
            throw new IllegalArgumentException("'" + fingerprint + "' is not a key fingerprint (64 lowercase hex characters)");
        }
        if (key != null && !Keys.fingerprint(key).equals(fingerprint)) {
            throw new IllegalArgumentException("key does not have fingerprint " + fingerprint);
        }
        Optional<Entry> have = find(fingerprint);
        if (have.isPresent() && (have.get().key() != null || key == null)) {
            return have.get();
        }
        List<String> lines = new ArrayList<>();
        for (Entry e : fileEntries()) {
            if (!e.fingerprint().equals(fingerprint)) {
                lines.add(line(e));
            }
        }
        Entry entry = new Entry(fingerprint, key, comment == null ? "" : comment.replaceAll("[\\r\\n]", " "));
        lines.add(line(entry));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.write(file, ("# keys trusted to sign xdperf plugins: fingerprint, public key (base64 DER or -), comment\n"
                    + String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("trust key " + fingerprint + ": write " + file + ": " + AtomicFiles.reason(e));
        }
        return entry;
    }

    private static String line(Entry e) {
        return e.fingerprint() + " " + (e.key() == null ? "-" : Base64.getEncoder().encodeToString(e.key().getEncoded()))
                + (e.comment().isEmpty() ? "" : " " + e.comment());
    }

    private List<Entry> fileEntries() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("read trusted keys " + file + ": " + AtomicFiles.reason(e));
        }
        int n = 0;
        for (String l : lines) {
            n++;
            String t = l.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] p = t.split("\\s+", 3);
            if (!Digests.isSha256Hex(p[0])) {
                throw new IllegalStateException("trusted keys " + file + " line " + n + ": '" + p[0] + "' is not a key fingerprint");
            }
            PublicKey key = null;
            if (p.length > 1 && !p[1].equals("-")) {
                key = Keys.parsePublic(p[1], "trusted keys " + file + " line " + n);
                if (!Keys.fingerprint(key).equals(p[0])) {
                    throw new IllegalStateException("trusted keys " + file + " line " + n + ": the key does not match its fingerprint");
                }
            }
            out.add(new Entry(p[0], key, p.length > 2 ? p[2] : ""));
        }
        return out;
    }
}
