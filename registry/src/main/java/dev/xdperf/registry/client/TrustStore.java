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
 * The signing keys this xdperf trusts, each for one namespace only (TUF's delegation, in
 * small): the first-party key that ships in the jar, for {@code xdperf/*} and nothing else;
 * and the ones the operator added with {@code xdperf plugin trust KEY --namespace NS}, each for
 * its publisher's namespace, never {@code xdperf} (CONFIG/trusted-keys, one per line:
 * fingerprint, the base64 DER public key or "-" when only the fingerprint was given,
 * {@code ns:NAMESPACE}, then a comment). Lines an older xdperf wrote have no namespace and
 * are trusted for none.
 */
public final class TrustStore {
    public static final String FIRST_PARTY_RESOURCE = "/dev/xdperf/registry/first-party-key.pem";

    private static final String NS = "ns:";

    private final Path file;
    private final PublicKey firstParty;

    /**
     * One trusted key; {@code key} is null when only its fingerprint is pinned (the key then
     * comes from the registry); {@code namespace} is the one namespace it may sign, null for
     * none (a line written before keys were scoped).
     */
    public record Entry(String fingerprint, PublicKey key, String comment, String namespace) {
        public boolean signsFor(String publisher) {
            return namespace != null && namespace.equals(publisher);
        }
    }

    public TrustStore(Path file) {
        this(file, firstPartyKey());
    }

    /** A trust store whose first-party key is {@code firstParty}: for tests, which sign with throwaway keys. */
    public TrustStore(Path file, PublicKey firstParty) {
        this.file = file;
        this.firstParty = firstParty;
    }

    /** The fingerprint of the key that alone signs the official namespace. */
    public String firstPartyFingerprint() {
        return Keys.fingerprint(firstParty);
    }

    public static TrustStore atDefaultLocation() {
        return new TrustStore(defaultConfigDir().resolve("trusted-keys"));
    }

    /** XDPERF_CONFIG_DIR, else $XDG_CONFIG_HOME/xdperf, else $HOME/.config/xdperf. */
    public static Path defaultConfigDir() {
        return dev.xdperf.XdgDirs.override("XDPERF_CONFIG_DIR", dev.xdperf.XdgDirs.config());
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
        out.put(Keys.fingerprint(firstParty), new Entry(Keys.fingerprint(firstParty), firstParty, "xdperf first-party key (built in)",
                dev.xdperf.registry.Names.OFFICIAL));
        for (Entry e : fileEntries()) {
            out.putIfAbsent(e.fingerprint(), e);
        }
        return List.copyOf(out.values());
    }

    public Optional<Entry> find(String fingerprint) {
        return entries().stream().filter(e -> e.fingerprint().equals(fingerprint)).findFirst();
    }

    /**
     * Trusts a key for one publisher's namespace: its public key when known, else only its
     * fingerprint. The official namespace is the first-party key's alone.
     */
    public Entry add(String fingerprint, PublicKey key, String comment, String namespace) {
        if (!Digests.isSha256Hex(fingerprint)) {
            throw new IllegalArgumentException("'" + fingerprint + "' is not a key fingerprint (64 lowercase hex characters)");
        }
        if (key != null && !Keys.fingerprint(key).equals(fingerprint)) {
            throw new IllegalArgumentException("key does not have fingerprint " + fingerprint);
        }
        dev.xdperf.registry.Names.requirePublisher(namespace);
        if (fingerprint.equals(firstPartyFingerprint())) {
            return entries().get(0);
        }
        if (namespace.equals(dev.xdperf.registry.Names.OFFICIAL)) {
            throw new IllegalArgumentException("trust key " + fingerprint + ": only the first-party key built into xdperf ("
                    + firstPartyFingerprint() + ") signs the official namespace xdperf/*; trust a publisher's key for that publisher's"
                    + " own namespace");
        }
        Optional<Entry> have = find(fingerprint);
        if (have.isPresent() && namespace.equals(have.get().namespace()) && (have.get().key() != null || key == null)) {
            return have.get();
        }
        List<String> lines = new ArrayList<>();
        for (Entry e : fileEntries()) {
            if (!e.fingerprint().equals(fingerprint)) {
                lines.add(line(e));
            }
        }
        Entry entry = new Entry(fingerprint, key, comment == null ? "" : comment.replaceAll("\\p{Cntrl}", " "), namespace);
        lines.add(line(entry));
        save(lines, "trust key " + fingerprint);
        return entry;
    }

    /** Stops trusting a key; false when it was not trusted here. The built-in first-party key cannot be removed. */
    public boolean remove(String fingerprint) {
        if (fingerprint.equals(firstPartyFingerprint())) {
            throw new IllegalArgumentException("untrust " + fingerprint + ": it is the first-party key built into xdperf, which signs"
                    + " the official plugins; it cannot be untrusted");
        }
        List<String> lines = new ArrayList<>();
        boolean had = false;
        for (Entry e : fileEntries()) {
            if (e.fingerprint().equals(fingerprint)) {
                had = true;
            } else {
                lines.add(line(e));
            }
        }
        if (had) {
            save(lines, "untrust key " + fingerprint);
        }
        return had;
    }

    private void save(List<String> lines, String what) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.write(file, ("# keys trusted to sign xdperf plugins: fingerprint, public key (base64 DER or -), ns:NAMESPACE it may sign, comment\n"
                    + String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(what + ": write " + file + ": " + AtomicFiles.reason(e));
        }
    }

    private static String line(Entry e) {
        return e.fingerprint() + " " + (e.key() == null ? "-" : Base64.getEncoder().encodeToString(e.key().getEncoded()))
                + (e.namespace() == null ? "" : " " + NS + e.namespace()) + (e.comment().isEmpty() ? "" : " " + e.comment());
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
            String[] p = t.split("\\s+", 4);
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
            String namespace = p.length > 2 && p[2].startsWith(NS) ? p[2].substring(NS.length()) : null;
            if (namespace != null && !dev.xdperf.registry.Names.valid(namespace)) {
                throw new IllegalStateException("trusted keys " + file + " line " + n + ": '" + namespace + "' is not a namespace");
            }
            String comment = namespace != null ? (p.length > 3 ? p[3] : "") : (p.length > 2 ? t.split("\\s+", 3)[2] : "");
            out.add(new Entry(p[0], key, comment, namespace));
        }
        return out;
    }
}
