package dev.xdperf.registry.client;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.registry.Digests;
import dev.xdperf.registry.Keys;
import dev.xdperf.registry.Manifest;
import dev.xdperf.registry.Names;
import dev.xdperf.registry.Release;
import dev.xdperf.registry.SemVer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Installs plugins from a registry into a plugin directory: resolves a version, downloads it,
 * checks it (digest, signature by a trusted key, manifest, ABI) and only then writes
 * DIR/PUBLISHER/NAME.EXT and the lock file, each replaced whole. A refused plugin leaves the directory
 * as it was.
 */
public final class Installer {
    private final RegistryClient registry;
    private final TrustStore trust;
    private final Path dir;
    private final AbiVersion host;
    private final Consumer<String> warn;
    private boolean allowJava;

    public record Installed(String id, String version, String sha256, String key, boolean yanked, Path file) {}

    /** NAME, PUBLISHER/NAME, either with @VERSION. A bare name is in the official namespace. */
    public record Spec(String publisher, String name, String version) {
        public static Spec parse(String text) {
            String t = text.strip();
            String version = null;
            int at = t.indexOf('@');
            if (at >= 0) {
                version = t.substring(at + 1);
                t = t.substring(0, at);
                SemVer.parse(version);
            }
            Names.requireId(t);
            String publisher = Names.OFFICIAL;
            int slash = t.indexOf('/');
            if (slash >= 0) {
                publisher = t.substring(0, slash);
                t = t.substring(slash + 1);
            }
            Names.requirePublisher(publisher);
            Names.requirePlugin(t);
            return new Spec(publisher, t, version);
        }

        public String id() {
            return publisher + "/" + name;
        }
    }

    public Installer(RegistryClient registry, TrustStore trust, Path dir, AbiVersion host, Consumer<String> warn) {
        this.registry = registry;
        this.trust = trust;
        this.dir = dir;
        this.host = host;
        this.warn = warn;
    }

    /**
     * Whether Java (PF4J) releases may be installed. They run inside xdperf with the full rights
     * of the JVM, unlike sandboxed WebAssembly, so the operator says so explicitly.
     */
    public Installer allowJava(boolean allow) {
        this.allowJava = allow;
        return this;
    }

    /** Resolves and installs {@code spec} (see {@link Spec}). */
    public Installed install(String spec) {
        Spec s = Spec.parse(spec);
        RegistryClient.VersionInfo chosen = resolve(s);
        return install(s, chosen.version(), null);
    }

    /** Installs exactly what the lock file records for {@code name} (NAME or PUBLISHER/NAME): the same version and the same bytes. */
    public Installed installLocked(String name) {
        LockFile.Entry e = findInstalled("install " + name + " --locked", name);
        if (e == null) {
            throw new IllegalStateException("install " + name + " --locked: the lock file " + LockFile.path(dir) + " has no entry for it");
        }
        return install(new Spec(e.publisher(), e.name(), e.version()), e.version(), e.sha256());
    }

    /**
     * The lock entry an operator means by {@code text}: PUBLISHER/NAME exactly; a bare NAME is
     * the official namespace's when that is installed, else the only installed plugin of that
     * name; null when none is installed. Several candidates are refused in one sentence.
     */
    public LockFile.Entry findInstalled(String what, String text) {
        String t = Names.requireId(text.strip());
        Map<String, LockFile.Entry> lock = LockFile.read(dir);
        if (t.indexOf('/') >= 0) {
            return lock.get(t);
        }
        LockFile.Entry official = lock.get(Names.OFFICIAL + "/" + t);
        if (official != null) {
            return official;
        }
        List<LockFile.Entry> named = lock.values().stream().filter(e -> e.name().equals(t)).toList();
        if (named.size() > 1) {
            throw new IllegalArgumentException(what + ": '" + t + "' is ambiguous: installed as "
                    + String.join(", ", named.stream().map(LockFile.Entry::id).toList()) + " (name one of them)");
        }
        return named.isEmpty() ? null : named.get(0);
    }

    /** Writes {@code s} (the version {@link #resolve} picks when it names none) as one bundle file, to install elsewhere offline. */
    public RegistryClient.VersionInfo fetch(Spec s, Path out) {
        String version = s.version() != null ? s.version() : resolve(s).version();
        return Bundle.fetch(registry, s.publisher(), s.name(), version, out);
    }

    /** The newest non-yanked version this host can run, or the exact version asked for. */
    public RegistryClient.VersionInfo resolve(Spec s) {
        RegistryClient.PluginInfo info = registry.plugin(s.publisher(), s.name());
        if (s.version() != null) {
            return info.versions().stream().filter(v -> v.version().equals(s.version())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("install " + s.id() + "@" + s.version() + ": no such version (has: "
                            + String.join(", ", info.versions().stream().map(RegistryClient.VersionInfo::version).toList()) + ")"));
        }
        List<RegistryClient.VersionInfo> candidates = new ArrayList<>(info.versions().stream()
                .filter(v -> !v.yanked() && Names.KINDS.contains(v.kind()) && runs(v.abi())).toList());
        candidates.sort(Comparator.comparing((RegistryClient.VersionInfo v) -> SemVer.parse(v.version())).reversed());
        // a prerelease is chosen only when there is nothing else
        return candidates.stream().filter(v -> !SemVer.parse(v.version()).prerelease()).findFirst()
                .or(() -> candidates.stream().findFirst())
                .orElseThrow(() -> new IllegalStateException("install " + s.id() + ": no version this xdperf can use (it needs "
                        + "template ABI " + host.major() + ".0 to " + host + ", not yanked; the registry has "
                        + describe(info.versions()) + ")"));
    }

    private boolean runs(String abi) {
        try {
            return AbiVersion.parse(abi).acceptedBy(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String describe(List<RegistryClient.VersionInfo> vs) {
        if (vs.isEmpty()) {
            return "no versions";
        }
        List<String> out = new ArrayList<>();
        for (RegistryClient.VersionInfo v : vs) {
            out.add(v.version() + " (" + v.kind() + ", ABI " + v.abi() + (v.yanked() ? ", yanked" : "") + ")");
        }
        return String.join(", ", out);
    }

    private Installed install(Spec s, String version, String lockedSha) {
        String what = "install " + s.id() + " " + version;
        RegistryClient.VersionInfo v = registry.version(s.publisher(), s.name(), version);
        if (!v.publisher().equals(s.publisher()) || !v.name().equals(s.name()) || !v.version().equals(version)) {
            throw new SecurityException(what + ": the registry answered with " + v.id() + " " + v.version() + " instead");
        }
        if (lockedSha != null && !lockedSha.equals(v.artifactSha256())) {
            throw new SecurityException(what + ": the lock file expects sha256 " + lockedSha + ", the registry now offers "
                    + v.artifactSha256() + " (a published version never changes: the registry or the lock file was altered)");
        }
        requireKind(what, s.publisher(), v.kind());
        if (v.yanked()) {
            warn.accept("warning: " + s.id() + " " + version + " is yanked: its publisher withdrew it; installing it because it was asked for by exact version");
        }
        PublicKey key = trustedKey(what, s.publisher(), v.key(), null);
        byte[] artifact = registry.download(v.artifactSha256());
        return finish(what, s, v, artifact, key, registry.url());
    }

    private Installed finish(String what, Spec s, RegistryClient.VersionInfo v, byte[] artifact, PublicKey key, String source) {
        Release release = check(what, v, artifact, key);
        if (!AbiVersion.parse(v.abi()).acceptedBy(host)) {
            throw new IllegalStateException(what + ": built for template ABI " + v.abi() + ", this xdperf supports " + host);
        }
        return write(what, s, v, release, artifact, source);
    }

    /**
     * A kind this xdperf installs: WebAssembly, or a Java (PF4J) plugin when the operator allowed
     * Java plugins. A first-party Java plugin needs no flag: the official namespace installs only
     * what the first-party key built into xdperf signed (checked later, before anything is written),
     * the same source as the xdperf that runs it.
     */
    private void requireKind(String what, String publisher, String kind) {
        if (!Names.KINDS.contains(kind)) {
            throw new SecurityException(what + ": it is of kind '" + kind + "', which this xdperf does not install (wasm or pf4j)");
        }
        if (kind.equals("pf4j") && !allowJava && !publisher.equals(Names.OFFICIAL)) {
            throw new IllegalStateException(what + ": it is a Java (PF4J) plugin, which runs inside xdperf with the full rights of the JVM"
                    + " (no sandbox), so installing it needs --allow-java, given only if you trust its publisher");
        }
    }

    /**
     * Installs from a bundle file ({@code xdperf plugin fetch}), with no network: the same
     * checks as from a registry, against the keys this xdperf trusts.
     */
    public Installed installBundle(Path file) {
        Bundle b = Bundle.read(file);
        RegistryClient.VersionInfo v = b.version();
        Spec s = Spec.parse(v.publisher() + "/" + v.name() + "@" + v.version());
        String what = "install " + s.id() + " " + v.version() + " from " + file;
        requireKind(what, s.publisher(), v.kind());
        if (v.yanked()) {
            warn.accept("warning: " + s.id() + " " + v.version() + " was yanked by its publisher when this bundle was fetched");
        }
        return finish(what, s, v, b.artifact(), trustedKey(what, s.publisher(), v.key(), b.publicKey()), file.toAbsolutePath().toUri().toString());
    }

    /**
     * The public key for {@code fingerprint} if this xdperf trusts it to sign for
     * {@code publisher}'s namespace; else the refusal. Only the first-party key signs the
     * official namespace, and a publisher's key signs only its own, whoever serves the release
     * (registry, mirror or bundle). When only the fingerprint is pinned, the key comes from
     * {@code offered} or the registry, and must hash to it.
     */
    private PublicKey trustedKey(String what, String publisher, String fingerprint, PublicKey offered) {
        if (fingerprint == null || fingerprint.isEmpty()) {
            throw new SecurityException(what + ": the release names no signing key (expected one signed by a trusted key, found an unsigned release)");
        }
        if (publisher.equals(Names.OFFICIAL) && !fingerprint.equals(trust.firstPartyFingerprint())) {
            throw new SecurityException(what + ": " + Names.OFFICIAL + "/* is the official namespace, which only the first-party key"
                    + " built into xdperf (" + trust.firstPartyFingerprint() + ") signs, but this release is signed by key " + fingerprint);
        }
        TrustStore.Entry e = trust.find(fingerprint).orElseThrow(() -> new SecurityException(what + ": signed by key " + fingerprint
                + ", which this xdperf does not trust (trusted: " + String.join(", ", trust.entries().stream()
                .map(t -> t.fingerprint() + " for " + (t.namespace() == null ? "no namespace" : t.namespace() + "/*")).toList())
                + "; after checking the fingerprint with the publisher: xdperf plugin trust " + fingerprint + " --namespace " + publisher + ")"));
        if (!e.signsFor(publisher)) {
            throw new SecurityException(what + ": signed by key " + fingerprint + ", which this xdperf trusts "
                    + (e.namespace() == null ? "for no namespace (an older xdperf recorded it without one; if it is " + publisher
                    + "'s key: xdperf plugin trust " + fingerprint + " --namespace " + publisher + ")"
                    : "for " + e.namespace() + "/* only, not for " + publisher + "/*"));
        }
        if (e.key() != null) {
            return e.key();
        }
        PublicKey key = offered != null ? offered
                : Keys.parsePublic(registry.key(fingerprint).publicKeyPem(), "key " + fingerprint + " from the registry");
        if (!Keys.fingerprint(key).equals(fingerprint)) {
            throw new SecurityException(what + ": the registry's key for fingerprint " + fingerprint + " has fingerprint "
                    + Keys.fingerprint(key));
        }
        return key;
    }

    /**
     * Checks downloaded bytes against the release record: the digests it names, the manifest's
     * own fields, and the signature over the statement rebuilt from what was computed here.
     */
    static Release check(String what, RegistryClient.VersionInfo v, byte[] artifact, PublicKey key) {
        String sha = Digests.sha256Hex(artifact);
        if (!sha.equals(v.artifactSha256())) {
            throw new SecurityException(what + ": the downloaded file does not match: expected sha256 " + v.artifactSha256()
                    + ", found " + sha + " (nothing was installed)");
        }
        byte[] manifestBytes = v.manifest() == null ? new byte[0] : v.manifest();
        String manifestSha = Digests.sha256Hex(manifestBytes);
        if (!manifestSha.equals(v.manifestSha256())) {
            throw new SecurityException(what + ": the manifest does not match: expected sha256 " + v.manifestSha256() + ", found " + manifestSha);
        }
        Manifest m;
        try {
            m = Manifest.parse(manifestBytes);
        } catch (IllegalArgumentException e) {
            throw new SecurityException(what + ": " + e.getMessage());
        }
        if (!m.id().equals(v.name()) || !m.version().equals(v.version()) || !m.kind().equals(v.kind()) || !m.abi().toString().equals(v.abi())) {
            throw new SecurityException(what + ": the registry describes " + v.name() + " " + v.version() + " " + v.kind() + " ABI " + v.abi()
                    + " but its manifest says " + m.id() + " " + m.version() + " " + m.kind() + " ABI " + m.abi());
        }
        String problem = dev.xdperf.registry.Artifacts.problem(v.kind(), artifact);
        if (problem != null) {
            throw new SecurityException(what + ": " + problem);
        }
        Release release = new Release(v.publisher(), v.name(), v.version(), v.kind(), m.abi(), sha, manifestSha);
        if (v.signature() == null || v.signature().isEmpty()) {
            throw new SecurityException(what + ": the release is not signed (expected an Ed25519 signature by key " + v.key() + ", found none)");
        }
        if (!release.verify(key, v.signature())) {
            throw new SecurityException(what + ": the signature does not verify: expected a signature by key " + Keys.fingerprint(key)
                    + " over the statement for " + release.id() + " " + release.version() + " (artifact sha256 " + sha
                    + ", manifest sha256 " + manifestSha + "), found one by another key or over other bytes");
        }
        return release;
    }

    private Installed write(String what, Spec s, RegistryClient.VersionInfo v, Release release, byte[] artifact, String source) {
        String file = LockFile.fileFor(s.publisher(), s.name(), dev.xdperf.registry.Artifacts.extension(v.kind(), artifact));
        Path target = dir.resolve(file);
        Path staged = null;
        Path stagedLock = null;
        try {
            Files.createDirectories(target.getParent());
            Map<String, LockFile.Entry> lock = LockFile.read(dir);
            LockFile.Entry previous = lock.put(s.id(), new LockFile.Entry(s.id(), v.version(), v.kind(), v.abi(), release.artifactSha256(),
                    release.manifestSha256(), v.key(), v.signature(), source, Instant.now().toString(), file));
            staged = AtomicFiles.stage(target, artifact);
            stagedLock = AtomicFiles.stage(LockFile.path(dir), LockFile.render(lock));
            AtomicFiles.commit(staged, target);
            AtomicFiles.commit(stagedLock, LockFile.path(dir));
            if (previous != null && !previous.file().equals(file)) {
                Files.deleteIfExists(previous.path(dir));   // an older layout's file, or the other archive extension
            }
        } catch (IOException e) {
            throw new IllegalStateException(what + ": cannot write to plugin directory " + dir + ": " + AtomicFiles.reason(e)
                    + " (nothing was changed; free space or set XDPERF_PLUGIN_DIR)");
        } finally {
            deleteQuietly(staged);
            deleteQuietly(stagedLock);
        }
        return new Installed(s.id(), v.version(), release.artifactSha256(), v.key(), v.yanked(), target);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a stray hidden .part file; the next install writes a new one
            }
        }
    }

    /** Removes an installed plugin (NAME or PUBLISHER/NAME) and its lock entry; false when it was not installed. */
    public boolean remove(String name) {
        LockFile.Entry e = findInstalled("remove " + name, name);
        if (e == null) {
            return false;
        }
        try {
            Map<String, LockFile.Entry> lock = LockFile.read(dir);
            lock.remove(e.id());
            AtomicFiles.write(LockFile.path(dir), LockFile.render(lock));
            Files.deleteIfExists(e.path(dir));
            deleteIfEmpty(e.path(dir).getParent());
            return true;
        } catch (IOException ex) {
            throw new IllegalStateException("remove " + name + ": " + AtomicFiles.reason(ex));
        }
    }

    private void deleteIfEmpty(Path namespaceDir) {
        if (namespaceDir != null && !namespaceDir.equals(dir)) {
            try {
                Files.deleteIfExists(namespaceDir);
            } catch (IOException ignored) {
                // not empty: another of the publisher's plugins is installed
            }
        }
    }

    /**
     * Checks an installed plugin (NAME or PUBLISHER/NAME) again, offline: its file against the
     * lock file's sha256 and the recorded signature against a trusted key. Returns the entry;
     * throws on any mismatch.
     */
    public LockFile.Entry verify(String name) {
        String what = "verify " + name;
        LockFile.Entry e = findInstalled(what, name);
        if (e == null) {
            throw new IllegalStateException(what + ": not installed from a registry (no entry in " + LockFile.path(dir) + ")");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(e.path(dir));
        } catch (IOException ex) {
            throw new IllegalStateException(what + ": " + AtomicFiles.reason(ex));
        }
        String sha = Digests.sha256Hex(bytes);
        if (!sha.equals(e.sha256())) {
            throw new SecurityException(what + ": the installed file was changed: expected sha256 " + e.sha256() + ", found " + sha);
        }
        PublicKey key = trustedKey(what, e.publisher(), e.key(), null);
        Release r = new Release(e.publisher(), e.name(), e.version(), e.kind(), AbiVersion.parse(e.abi()), sha, e.manifestSha256());
        if (!r.verify(key, e.signature())) {
            throw new SecurityException(what + ": the recorded signature does not verify for " + e.id() + " " + e.version());
        }
        return e;
    }

    public Path dir() {
        return dir;
    }
}
