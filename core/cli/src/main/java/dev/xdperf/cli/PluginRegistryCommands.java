package dev.xdperf.cli;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.registry.Digests;
import dev.xdperf.registry.Keys;
import dev.xdperf.registry.Names;
import dev.xdperf.registry.client.Installer;
import dev.xdperf.registry.client.LockFile;
import dev.xdperf.registry.client.Publishing;
import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.client.TrustStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The registry side of `xdperf plugin`: keygen, publish, search, info, install, trust, yank, verify, remove. */
final class PluginRegistryCommands {
    private PluginRegistryCommands() {}

    static final class RegistryOption {
        static final String DEFAULT = "http://127.0.0.1:5211";

        @Option(names = "--registry", paramLabel = "URL", defaultValue = "${env:XDPERF_REGISTRY}",
                description = "Registry URL: http(s)://HOST:PORT, or file:///DIR for a mirror (default: $XDPERF_REGISTRY, else "
                        + "'registry = URL' in $XDPERF_CONFIG_DIR/config, else " + DEFAULT + ").")
        String url;

        RegistryClient client() {
            return new RegistryClient(url != null && !url.isBlank() ? url : configured(), timeout());
        }

        /** XDPERF_REGISTRY_TIMEOUT (seconds) bounds connecting and waiting for an answer; default 30. */
        static java.time.Duration timeout() {
            String t = System.getenv("XDPERF_REGISTRY_TIMEOUT");
            if (t == null || t.isBlank()) {
                return RegistryClient.DEFAULT_TIMEOUT;
            }
            try {
                long s = Long.parseLong(t.strip());
                if (s >= 1 && s <= 3600) {
                    return java.time.Duration.ofSeconds(s);
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException("XDPERF_REGISTRY_TIMEOUT '" + t + "' is not a number of seconds from 1 to 3600");
        }

        /** The `registry = URL` line of the config file, or the default. */
        static String configured() {
            Path config = TrustStore.defaultConfigDir().resolve("config");
            if (Files.isRegularFile(config)) {
                try {
                    for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
                        String t = line.strip();
                        if (t.startsWith("registry") && t.substring("registry".length()).strip().startsWith("=")) {
                            return t.substring(t.indexOf('=') + 1).strip();
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalArgumentException("read config " + config + ": " + e.getMessage());
                }
            }
            return DEFAULT;
        }
    }

    static final class TokenOption {
        @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:XDPERF_TOKEN}",
                description = "Publisher token (default: $XDPERF_TOKEN).")
        String token;

        String require(String what) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException(what + ": needs a publisher token (--token TOKEN or XDPERF_TOKEN; "
                        + "the registry's admin creates one with 'xdperf registry admin create-token')");
            }
            return token.strip();
        }
    }

    static Installer installer(RegistryClient registry, PrintWriter err) {
        return new Installer(registry, TrustStore.atDefaultLocation(), PluginResolver.defaultInstallDir(), AbiVersion.HOST,
                s -> {
                    err.println(s);
                    err.flush();
                });
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Make an Ed25519 signing key pair: FILE (private, with its public key) and FILE.pub (to share).")
    static final class Keygen implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Private key file to write.")
        Path out;

        @Option(names = "--force", description = "Overwrite existing files.")
        boolean force;

        @Override
        public Integer call() throws IOException {
            Path pub = Path.of(out + ".pub");
            if (!force && (Files.exists(out) || Files.exists(pub))) {
                throw new IllegalArgumentException("keygen: " + (Files.exists(out) ? out : pub) + " exists (give --force to replace it)");
            }
            KeyPair kp = Keys.generate();
            try {
                Files.createDirectories(out.toAbsolutePath().getParent());
                Files.deleteIfExists(out);
                Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(out, Keys.privatePem(kp.getPrivate()) + Keys.publicPem(kp.getPublic()), StandardCharsets.US_ASCII);
                Files.writeString(pub, Keys.publicPem(kp.getPublic()), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalStateException("keygen: write " + out + ": " + dev.xdperf.registry.IoErrors.describe(e));
            }
            spec.commandLine().getOut().println("wrote " + out + " (private) and " + pub + " (public); key fingerprint "
                    + Keys.fingerprint(kp.getPublic()));
            return 0;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Sign a plugin file with its manifest and publish it in the token's namespace.")
    static final class Publish implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The plugin (.wasm, or a .jar or .zip for pf4j).")
        Path file;

        @Option(names = "--manifest", required = true, paramLabel = "M", description = "Its manifest.json.")
        Path manifest;

        @Option(names = "--key", required = true, paramLabel = "K", description = "Private key file (from 'xdperf plugin keygen').")
        Path key;

        @Mixin
        RegistryOption registry;

        @Mixin
        TokenOption token;

        @Override
        public Integer call() {
            RegistryClient.VersionInfo v = Publishing.publish(registry.client(), token.require("publish"), file, manifest, key);
            spec.commandLine().getOut().println("published " + v.id() + " " + v.version() + " (" + v.kind() + ", ABI " + v.abi()
                    + ", sha256 " + v.artifactSha256() + ", key " + v.key() + ")");
            return 0;
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true, description = "Search the registry for plugins this xdperf can run.")
    static final class Search implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "TEXT", arity = "0..1", description = "Words in the name, publisher or description.")
        String text;

        @Option(names = "--kind", paramLabel = "wasm|pf4j")
        String kind;

        @Option(names = "--any-abi", description = "Also list plugins built for a template ABI this xdperf does not support.")
        boolean anyAbi;

        @Mixin
        RegistryOption registry;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            var hits = registry.client().search(text, kind, anyAbi ? null : AbiVersion.HOST);
            if (hits.isEmpty()) {
                out.println("no plugins match");
            }
            for (var h : hits) {
                out.printf("%-28s %-10s %-5s ABI %-5s %s%n", Terminal.printable(h.id()), Terminal.printable(h.version()),
                        Terminal.printable(h.kind()), Terminal.printable(h.abi()), Terminal.printable(h.description()));
            }
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show a plugin's versions, keys and downloads in the registry.")
    static final class Info implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "NAME or PUBLISHER/NAME.")
        String name;

        @Mixin
        RegistryOption registry;

        @Override
        public Integer call() {
            Installer.Spec s = Installer.Spec.parse(name);
            var p = registry.client().plugin(s.publisher(), s.name());
            PrintWriter out = spec.commandLine().getOut();
            // everything here comes from the registry: no terminal escapes get through
            out.println(Terminal.printable(p.id()) + " (" + Terminal.printable(p.kind()) + (p.license().isEmpty() ? ""
                    : ", " + Terminal.printable(p.license())) + "), " + p.downloads() + " downloads");
            out.println(Terminal.printable(p.description()));
            out.println("latest: " + (p.latest() == null ? "none (all yanked)" : Terminal.printable(p.latest())));
            for (var v : p.versions()) {
                out.printf("  %-12s ABI %-5s %s  sha256 %s  key %s%s%n", Terminal.printable(v.version()), Terminal.printable(v.abi()),
                        Terminal.printable(v.published()), Terminal.printable(v.artifactSha256()),
                        Terminal.printable(v.key().substring(0, Math.min(16, v.key().length()))), v.yanked() ? "  (yanked)" : "");
            }
            for (var k : p.keys()) {
                out.println("key " + Terminal.printable(k.fingerprint()) + (k.active() ? " (active)" : " (retired "
                        + Terminal.printable(k.retired()) + ")"));
            }
            return 0;
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Install a plugin from the registry: the newest non-yanked version this xdperf can run, or NAME@VERSION.")
    static final class Install implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME[@VERSION]", arity = "0..1",
                description = "NAME (official namespace) or PUBLISHER/NAME, optionally @VERSION.")
        String name;

        @Option(names = "--locked", description = "Install exactly the version and bytes the lock file records.")
        boolean locked;

        @Option(names = "--from", paramLabel = "BUNDLE", description = "Install from a bundle file ('xdperf plugin fetch'), with no network.")
        Path bundle;

        @Option(names = "--allow-java", description = "Allow a Java (PF4J) plugin: it runs inside xdperf with the full rights of the JVM.")
        boolean allowJava;

        @Mixin
        RegistryOption registry;

        @Override
        public Integer call() {
            if ((bundle == null) == (name == null)) {
                throw new IllegalArgumentException("install: give NAME[@VERSION] or --from BUNDLE (one of them)");
            }
            Installer installer = installer(bundle != null ? null : registry.client(), spec.commandLine().getErr()).allowJava(allowJava);
            Installer.Installed i = bundle != null ? installer.installBundle(bundle)
                    : locked ? installer.installLocked(name) : installer.install(name);
            spec.commandLine().getOut().println("installed " + i.id() + " " + i.version() + " to " + i.file() + " (sha256 " + i.sha256()
                    + ", signed by " + i.key() + ")");
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download a release with its signature and key into one bundle file, to install elsewhere with --from.")
    static final class Fetch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME[@VERSION]", description = "Default: the newest non-yanked version this xdperf can run.")
        String name;

        @Option(names = "--out", required = true, paramLabel = "FILE")
        Path out;

        @Mixin
        RegistryOption registry;

        @Override
        public Integer call() {
            RegistryClient client = registry.client();
            Installer.Spec s = Installer.Spec.parse(name);
            String version = s.version() != null ? s.version()
                    : installer(client, spec.commandLine().getErr()).resolve(s).version();
            var v = dev.xdperf.registry.client.Bundle.fetch(client, s.publisher(), s.name(), version, out);
            spec.commandLine().getOut().println("fetched " + v.id() + " " + v.version() + " to " + out + " (sha256 " + v.artifactSha256() + ")");
            return 0;
        }
    }

    @Command(name = "trust", mixinStandardHelpOptions = true,
            description = "Trust a publisher's signing key (a public key file, or a fingerprint) for that publisher's namespace only;"
                    + " with no argument, list the trusted keys.")
    static final class Trust implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "KEYFILE|FINGERPRINT", arity = "0..1")
        String key;

        @Option(names = "--namespace", paramLabel = "NS",
                description = "The publisher (namespace) whose plugins this key may sign; never xdperf, which only the built-in first-party key signs.")
        String namespace;

        @Option(names = "--comment", paramLabel = "TEXT", description = "Whose key it is.")
        String comment = "";

        @Override
        public Integer call() {
            TrustStore trust = TrustStore.atDefaultLocation();
            PrintWriter out = spec.commandLine().getOut();
            if (key == null) {
                for (var e : trust.entries()) {
                    out.println(e.fingerprint() + " " + (e.namespace() == null ? "(no namespace: trusted for none; trust it again with --namespace)"
                            : e.namespace() + "/*") + (e.key() == null ? " (fingerprint only)" : "")
                            + (e.comment().isEmpty() ? "" : "  " + Terminal.printable(e.comment())));
                }
                return 0;
            }
            if (namespace == null) {
                throw new IllegalArgumentException("trust: say which publisher's plugins the key may sign: --namespace PUBLISHER"
                        + " (a key is trusted for its publisher's namespace only)");
            }
            TrustStore.Entry e;
            if (Digests.isSha256Hex(key.toLowerCase(java.util.Locale.ROOT))) {
                e = trust.add(key.toLowerCase(java.util.Locale.ROOT), null, comment, namespace);
            } else if (Files.isRegularFile(Path.of(key))) {
                PublicKey pub = Keys.readPublic(Path.of(key));
                e = trust.add(Keys.fingerprint(pub), pub, comment.isEmpty() ? key : comment, namespace);
            } else {
                throw new IllegalArgumentException("trust: '" + key + "' is neither a public key file nor a key fingerprint (64 lowercase hex characters)");
            }
            out.println("trusted key " + e.fingerprint() + " for " + e.namespace() + "/* (" + trust.file() + ")");
            return 0;
        }
    }

    @Command(name = "untrust", mixinStandardHelpOptions = true,
            description = "Stop trusting a signing key (a public key file, or a fingerprint); plugins it signed no longer verify.")
    static final class Untrust implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "KEYFILE|FINGERPRINT")
        String key;

        @Override
        public Integer call() {
            TrustStore trust = TrustStore.atDefaultLocation();
            String fp;
            if (Digests.isSha256Hex(key.toLowerCase(java.util.Locale.ROOT))) {
                fp = key.toLowerCase(java.util.Locale.ROOT);
            } else if (Files.isRegularFile(Path.of(key))) {
                fp = Keys.fingerprint(Keys.readPublic(Path.of(key)));
            } else {
                throw new IllegalArgumentException("untrust: '" + key + "' is neither a public key file nor a key fingerprint (64 lowercase hex characters)");
            }
            if (!trust.remove(fp)) {
                throw new IllegalArgumentException("untrust: key " + fp + " is not trusted here (" + trust.file() + ")");
            }
            spec.commandLine().getOut().println("untrusted key " + fp + " (" + trust.file() + ")");
            return 0;
        }
    }

    @Command(name = "yank", mixinStandardHelpOptions = true,
            description = "Withdraw a published version from resolution (it stays installable by exact version); --undo restores it.")
    static final class Yank implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NS/NAME@VERSION",
                description = "The release: PUBLISHER/NAME@VERSION; a bare NAME@VERSION means the official namespace, xdperf/NAME.")
        String name;

        @Option(names = "--undo", description = "Unyank.")
        boolean undo;

        @Mixin
        RegistryOption registry;

        @Mixin
        TokenOption token;

        @Override
        public Integer call() {
            Installer.Spec s = Installer.Spec.parse(name);
            if (s.version() == null) {
                throw new IllegalArgumentException("yank: give the exact version, PUBLISHER/NAME@VERSION");
            }
            boolean bare = !name.contains("/");
            String tokenText = token.require("yank");
            RegistryClient.VersionInfo v;
            try {
                v = registry.client().setYanked(tokenText, s.publisher(), s.name(), s.version(), !undo);
            } catch (dev.xdperf.registry.client.RegistryException e) {
                if (!bare || e.status() < 400 || e.status() >= 500) {
                    throw e;
                }
                // the likely mistake: a publisher's own plugin named without its namespace
                throw new IllegalArgumentException(e.getMessage().replaceFirst("[.]?$", "") + " (a bare name means the official namespace, "
                        + s.id() + "; name your own release PUBLISHER/" + s.name() + "@" + s.version() + ")");
            }
            spec.commandLine().getOut().println((v.yanked() ? "yanked " : "unyanked ") + v.id() + " " + v.version()
                    + (bare ? " (a bare name means the official namespace, " + Names.OFFICIAL + ")" : ""));
            return 0;
        }
    }

    @Command(name = "key-add", mixinStandardHelpOptions = true,
            description = "Register a signing key for the token's namespace; once it has one, a new key must be endorsed by a current one.")
    static final class KeyAdd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PUBKEY", description = "The new public key file (PEM).")
        Path key;

        @Option(names = "--endorse-with", paramLabel = "KEY", description = "Private key file of a current key, which signs the new one.")
        Path endorser;

        @Option(names = "--retire-old", description = "Retire the endorsing key in the same step (a rotation).")
        boolean retire;

        @Mixin
        RegistryOption registry;

        @Mixin
        TokenOption token;

        @Override
        public Integer call() {
            RegistryClient client = registry.client();
            String t = token.require("key-add");
            String publisher = client.whoami(t);
            PublicKey pub = Keys.readPublic(key);
            String endorsedBy = null;
            String endorsement = null;
            if (endorser != null) {
                PublicKey old = Keys.publicInKeyFile(endorser);
                if (old == null) {
                    throw new IllegalArgumentException("key-add: " + endorser + " has no public key beside the private one (use a key from 'xdperf plugin keygen')");
                }
                endorsedBy = Keys.fingerprint(old);
                endorsement = Publishing.endorse(publisher, pub, Keys.readPrivate(endorser));
            }
            var k = client.addKey(t, publisher, pub, endorsedBy, endorsement, retire);
            spec.commandLine().getOut().println("registered key " + k.fingerprint() + " for " + publisher
                    + (retire && endorsedBy != null ? "; retired " + endorsedBy : ""));
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check an installed plugin again against its lock entry and signature (offline when the key is trusted by file).")
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "PUBLISHER/NAME, or NAME: the official namespace's if installed, else the only one of that name.")
        String name;

        @Mixin
        RegistryOption registry;

        @Override
        public Integer call() {
            LockFile.Entry e = installer(registry.client(), spec.commandLine().getErr()).verify(name);
            spec.commandLine().getOut().println("ok: " + name + " is " + e.id() + " " + e.version() + ", sha256 " + e.sha256()
                    + ", signed by " + e.key());
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an installed plugin.")
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "PUBLISHER/NAME, or NAME: the official namespace's if installed, else the only one of that name.")
        String name;

        @Override
        public Integer call() {
            Installer i = new Installer(null, TrustStore.atDefaultLocation(), PluginResolver.defaultInstallDir(), AbiVersion.HOST, s -> { });
            if (!i.remove(name)) {
                throw new IllegalArgumentException("remove: no plugin " + name + " is installed in " + i.dir());
            }
            spec.commandLine().getOut().println("removed " + name + " from " + i.dir());
            return 0;
        }
    }
}
