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
            description = "Create publishers and tokens, directly in the registry's data directory (works while it runs).",
            subcommands = {CreatePublisher.class, CreateToken.class, ListPublishers.class})
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
            description = "Create a publish token for a publisher; it is printed once and stored only as a hash.")
    static final class CreateToken implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.ParentCommand
        Admin admin;

        @Parameters(paramLabel = "PUBLISHER")
        String publisher;

        @Option(names = "--label", paramLabel = "TEXT", description = "What the token is for.")
        String label = "";

        @Override
        public Integer call() {
            Names.requirePublisher(publisher);
            try (Store s = Admin.open(admin.data)) {
                spec.commandLine().getOut().println(s.createToken(publisher, label));
            } catch (SQLException e) {
                throw Admin.failed(e);
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
