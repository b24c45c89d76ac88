package dev.xdperf.cli;

import dev.xdperf.registry.Keys;
import dev.xdperf.registry.Names;
import dev.xdperf.registry.server.RegistryServer;
import dev.xdperf.registry.server.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.sql.SQLException;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `xdperf registry`: run the plugin registry, and administer its publishers and tokens. */
@Command(name = "registry", mixinStandardHelpOptions = true, description = "Run the plugin registry (docs/registry.md).",
        subcommands = {RegistryCommand.Serve.class, RegistryCommand.Admin.class, RegistryCommand.MirrorCommand.class})
final class RegistryCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve the registry API and pages until stopped.")
    static final class Serve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "Where the database and plugin files live.")
        Path data;

        @Option(names = "--port", paramLabel = "P", description = "TCP port (default ${DEFAULT-VALUE}; 0 picks a free one).")
        int port = RegistryServer.DEFAULT_PORT;

        @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default ${DEFAULT-VALUE}).")
        String bind = "127.0.0.1";

        @Option(names = "--max-artifact-size", paramLabel = "BYTES", description = "Largest plugin file accepted (default ${DEFAULT-VALUE}).")
        long maxArtifact = 16L * 1024 * 1024;

        @Option(names = {"-q", "--quiet"}, description = "No request log.")
        boolean quiet;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            DateTimeFormatter t = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
            // what happens before it listens (seeding) is printed after the "listening on" line: that line comes first,
            // so a script (or the docs harness) can wait for it
            java.util.List<String> early = new java.util.ArrayList<>();
            var shipped = dev.xdperf.registry.release.FirstPartyReleases.shipped();
            if (shipped.isEmpty()) {
                early.add("note: this xdperf was built without the first-party signing key, so it has no signed first-party"
                        + " releases to offer (an empty registry starts empty)");
            }
            boolean[] listening = {false};
            RegistryServer server = RegistryServer.builder(data).withBind(bind).withPort(port).withMaxArtifactBytes(maxArtifact)
                    .withLog(quiet ? s -> { } : s -> {
                        synchronized (out) {
                            if (!listening[0]) {
                                early.add(LocalTime.now().format(t) + " " + s);
                                return;
                            }
                            out.println(LocalTime.now().format(t) + " " + s);
                            out.flush();
                        }
                    })
                    // an empty registry starts with the signed first-party releases this xdperf ships (tcp, icmp, quic)
                    .withSeed(shipped,
                            dev.xdperf.registry.client.TrustStore.firstPartyKey())
                    .build();
            server.start();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }));
            synchronized (out) {
                out.println("xdperf registry: listening on " + server.url() + " (data " + data.toAbsolutePath() + ")");
                early.forEach(out::println);
                listening[0] = true;
                out.flush();
            }
            stopped.await();
            return 0;
        }
    }

    @Command(name = "mirror", mixinStandardHelpOptions = true,
            description = "Copy plugins from a registry into a directory that installs with no network: --registry file:///DIR.")
    static final class MirrorCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR")
        Path out;

        @Parameters(paramLabel = "PUBLISHER/NAME", arity = "0..*", description = "Plugins to copy (default: all).")
        java.util.List<String> ids = new java.util.ArrayList<>();

        @picocli.CommandLine.Mixin
        PluginRegistryCommands.RegistryOption registry;

        @Override
        public Integer call() {
            int n = dev.xdperf.registry.client.Mirror.write(registry.client(), out, ids);
            spec.commandLine().getOut().println("mirrored " + n + " versions to " + out + " (install with --registry "
                    + out.toAbsolutePath().toUri() + ")");
            return 0;
        }
    }

    @Command(name = "admin", mixinStandardHelpOptions = true,
            description = "Create publishers and tokens, revoke tokens, remove unreferenced files: directly in the registry's data"
                    + " directory (works while it runs).",
            subcommands = {CreatePublisher.class, CreateToken.class, ListTokens.class, RevokeToken.class, ListPublishers.class,
                    CollectGarbage.class})
    static final class Admin implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "DIR", scope = picocli.CommandLine.ScopeType.INHERIT,
                description = "The registry's data directory.")
        Path data;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }

        static IllegalStateException failed(SQLException e) {
            return new IllegalStateException("registry database: " + e.getMessage());
        }

        static Store open(Path data) {
            try {
                return new Store(data.resolve("registry.db"));
            } catch (SQLException e) {
                throw new IllegalStateException("open registry database in " + data + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "create-publisher", mixinStandardHelpOptions = true, description = "Create a publisher namespace, optionally with its first signing key.")
    static final class CreatePublisher implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.ParentCommand
        Admin admin;

        @Parameters(paramLabel = "NAME", description = "The namespace, e.g. xdperf or acme.")
        String name;

        @Option(names = "--key", paramLabel = "PUBKEY", description = "Public key file (PEM) to register as its first signing key.")
        Path key;

        @Override
        public Integer call() {
            Names.requirePublisher(name);
            PublicKey pub = key == null ? null : Keys.readPublic(key);
            try (Store s = Admin.open(admin.data)) {
                s.createPublisher(name);
                PrintWriter out = spec.commandLine().getOut();
                out.println("created publisher " + name);
                if (pub != null) {
                    s.addKey(name, pub, null, null, false);
                    out.println("registered key " + Keys.fingerprint(pub));
                }
            } catch (SQLException e) {
                throw Admin.failed(e);
            }
            return 0;
        }
    }

    @Command(name = "create-token", mixinStandardHelpOptions = true,
            description = "Create a publish token for a publisher; it is printed once (on stdout, alone) and stored only as a hash;"
                    + " its id, which names it later, goes to stderr.")
    static final class CreateToken implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.ParentCommand
        Admin admin;

        @Parameters(paramLabel = "PUBLISHER")
        String publisher;

        @Option(names = "--label", paramLabel = "TEXT", description = "What the token is for.")
        String label = "";

        @Option(names = "--expires", paramLabel = "DURATION|DATE",
                description = "When the token stops working: a duration from now (90d, 12h, 30m, 2w) or a date (2027-01-31, meaning"
                        + " 00:00 UTC that day, or an instant such as 2027-01-31T12:00:00Z). Default: never.")
        String expires;

        @Override
        public Integer call() {
            Names.requirePublisher(publisher);
            java.time.Instant until = expires == null ? null : expiry(expires, java.time.Instant.now());
            try (Store s = Admin.open(admin.data)) {
                String token = s.createToken(publisher, label, until);
                spec.commandLine().getOut().println(token);
                spec.commandLine().getErr().println("token " + Store.tokenId(token) + " for " + publisher
                        + (until == null ? ", no expiry" : ", expires " + until) + " (revoke it with: xdperf registry admin --data "
                        + admin.data + " revoke-token " + Store.tokenId(token) + ")");
            } catch (SQLException e) {
                throw Admin.failed(e);
            }
            return 0;
        }

        /** The instant {@code text} means: a duration from {@code now} (NUMBER and s, m, h, d or w), a date (00:00 UTC) or an instant. */
        static java.time.Instant expiry(String text, java.time.Instant now) {
            String t = text.strip();
            java.time.Instant at;
            var m = java.util.regex.Pattern.compile("([0-9]{1,6})([smhdw])").matcher(t);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                at = now.plus(switch (m.group(2)) {
                    case "s" -> java.time.Duration.ofSeconds(n);
                    case "m" -> java.time.Duration.ofMinutes(n);
                    case "h" -> java.time.Duration.ofHours(n);
                    case "d" -> java.time.Duration.ofDays(n);
                    default -> java.time.Duration.ofDays(7 * n);
                });
            } else {
                try {
                    at = t.length() == 10 ? java.time.LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                            : java.time.OffsetDateTime.parse(t).toInstant();
                } catch (java.time.format.DateTimeParseException e) {
                    throw new IllegalArgumentException("--expires '" + text + "' is neither a duration (90d, 12h, 30m, 2w) nor a date (2027-01-31) or instant (2027-01-31T12:00:00Z)");
                }
            }
            if (!at.isAfter(now)) {
                throw new IllegalArgumentException("--expires '" + text + "' is " + at + ", which is not in the future");
            }
            return at;
        }
    }

    @Command(name = "tokens", mixinStandardHelpOptions = true,
            description = "List tokens (id, publisher, label, created, expiry, revocation); never the tokens themselves.")
    static final class ListTokens implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.ParentCommand
        Admin admin;

        @Parameters(paramLabel = "PUBLISHER", arity = "0..1", description = "Only this publisher's.")
        String publisher;

        @Override
        public Integer call() {
            if (publisher != null) {
                Names.requirePublisher(publisher);
            }
            PrintWriter out = spec.commandLine().getOut();
            java.time.Instant now = java.time.Instant.now();
            try (Store s = Admin.open(admin.data)) {
                for (Store.TokenRow t : s.tokens(publisher)) {
                    String state = t.revoked() != null ? "revoked " + t.revoked() : t.expired(now) ? "expired " + t.expires()
                            : t.expires() != null ? "valid until " + t.expires() : "valid";
                    out.println(t.id() + "  " + t.publisher() + "  " + state + "  created " + t.created()
                            + (t.label().isEmpty() ? "" : "  " + Terminal.printable(t.label())));
                }
            } catch (SQLException e) {
                throw Admin.failed(e);
            }
            return 0;
        }
    }

    @Command(name = "revoke-token", mixinStandardHelpOptions = true,
            description = "Revoke a token, named by its id (as create-token and tokens show it; preferred, since a token on a command"
                    + " line lands in shell history) or by the token itself; or every token of a publisher. A revoked token gets 401.")
    static final class RevokeToken implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.ParentCommand
        Admin admin;

        @Parameters(paramLabel = "ID|TOKEN", arity = "0..1")
        String token;

        @Option(names = "--all-of", paramLabel = "PUBLISHER", description = "Revoke every token of this publisher instead.")
        String allOf;

        @Override
        public Integer call() {
            if ((token == null) == (allOf == null)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "revoke-token takes a token id (or token), or --all-of PUBLISHER: one of the two");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Store s = Admin.open(admin.data)) {
                if (allOf != null) {
                    Names.requirePublisher(allOf);
                    if (!s.publisherExists(allOf)) {
                        throw new IllegalArgumentException("revoke tokens: no publisher named " + allOf);
                    }
                    out.println("revoked " + s.revokeTokens(allOf) + " tokens of " + allOf);
                    return 0;
                }
                Store.TokenRow t = s.revokeToken(token);
                if (t == null) {
                    throw new IllegalArgumentException("revoke token: no token " + (token.startsWith(Store.TOKEN_PREFIX) ? "with that value"
                            : "with id " + token) + " (list them with: xdperf registry admin --data " + admin.data + " tokens)");
                }
                out.println("revoked token " + t.id() + " of " + t.publisher() + " at " + t.revoked());
            } catch (SQLException e) {
                throw Admin.failed(e);
            }
            return 0;
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = "Remove files under DATA/blobs that no version refers to, and say which (safe while the registry runs).")
    static final class CollectGarbage implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.ParentCommand
        Admin admin;

        @Option(names = "--dry-run", description = "Only say what would be removed.")
        boolean dryRun;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (!java.nio.file.Files.isDirectory(admin.data.resolve("blobs"))) {
                throw new IllegalArgumentException("registry gc: " + admin.data + " is not a registry's data directory (no blobs/ in it)");
            }
            try (Store s = Admin.open(admin.data)) {
                var removed = dev.xdperf.registry.server.Blobs.collectGarbage(admin.data, s, dryRun);
                long bytes = 0;
                for (var u : removed) {
                    out.println((dryRun ? "would remove " : "removed ") + Terminal.printable(u.file()) + " (" + u.bytes() + " bytes)");
                    bytes += u.bytes();
                }
                out.println((dryRun ? "would remove " : "removed ") + removed.size() + " unreferenced files, " + bytes + " bytes");
            } catch (SQLException e) {
                throw Admin.failed(e);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("registry gc in " + admin.data + ": " + dev.xdperf.registry.IoErrors.describe(e));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List publishers and their signing keys.")
    static final class ListPublishers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.ParentCommand
        Admin admin;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Store s = Admin.open(admin.data)) {
                for (String p : s.publishers()) {
                    out.println(p);
                    for (Store.KeyRow k : s.keys(p)) {
                        out.println("  key " + k.fingerprint() + (k.active() ? "" : " (retired " + k.retired() + ")"));
                    }
                }
            } catch (SQLException e) {
                throw Admin.failed(e);
            }
            return 0;
        }
    }
}
