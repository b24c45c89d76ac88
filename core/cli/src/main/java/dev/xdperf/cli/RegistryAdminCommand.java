package dev.xdperf.cli;

import dev.xdperf.registry.Keys;
import dev.xdperf.registry.Names;
import dev.xdperf.registry.server.Blobs;
import dev.xdperf.registry.server.RegistryAdmin;
import dev.xdperf.registry.server.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code xdperf registry admin}: publishers, their keys and unreferenced files (the token commands are in {@link RegistryTokenCommands}). */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Create publishers and tokens, revoke tokens, remove unreferenced files: directly in the registry's data"
                + " directory (works while it runs).",
        subcommands = {RegistryAdminCommand.CreatePublisher.class, RegistryTokenCommands.CreateToken.class,
                RegistryTokenCommands.ListTokens.class, RegistryTokenCommands.RevokeToken.class,
                RegistryAdminCommand.ListPublishers.class, RegistryAdminCommand.CollectGarbage.class})
final class RegistryAdminCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "The registry's data directory.")
    Path data;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    RegistryAdmin open() {
        return RegistryAdmin.open(data);
    }

    @Command(name = "create-publisher", mixinStandardHelpOptions = true, description = "Create a publisher namespace, optionally with its first signing key.")
    static final class CreatePublisher implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        RegistryAdminCommand admin;

        @Parameters(paramLabel = "NAME", description = "The namespace, e.g. xdperf or acme.")
        String name;

        @Option(names = "--key", paramLabel = "PUBKEY", description = "Public key file (PEM) to register as its first signing key.")
        Path key;

        @Override
        public Integer call() {
            Names.requirePublisher(name);
            PublicKey pub = key == null ? null : Keys.readPublic(key);
            try (RegistryAdmin a = admin.open()) {
                a.createPublisher(name, pub);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("created publisher " + name);
            if (pub != null) {
                out.println("registered key " + Keys.fingerprint(pub));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List publishers and their signing keys.")
    static final class ListPublishers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        RegistryAdminCommand admin;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (RegistryAdmin a = admin.open()) {
                a.publishers().forEach((p, keys) -> {
                    out.println(p);
                    for (Store.KeyRow k : keys) {
                        out.println("  key " + k.fingerprint() + (k.active() ? "" : " (retired " + k.retired() + ")"));
                    }
                });
            }
            return 0;
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = "Remove files under DATA/blobs that no version refers to, and say which (safe while the registry runs).")
    static final class CollectGarbage implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        RegistryAdminCommand admin;

        @Option(names = "--dry-run", description = "Only say what would be removed.")
        boolean dryRun;

        @Override
        public Integer call() {
            if (!RegistryAdmin.isDataDirectory(admin.data)) {
                throw new IllegalArgumentException("registry gc: " + admin.data + " is not a registry's data directory (no blobs/ in it)");
            }
            List<Blobs.Unreferenced> removed;
            try (RegistryAdmin a = admin.open()) {
                removed = a.collectGarbage(dryRun);
            }
            PrintWriter out = spec.commandLine().getOut();
            String verb = dryRun ? "would remove " : "removed ";
            long bytes = 0;
            for (var u : removed) {
                out.println(verb + Terminal.printable(u.file()) + " (" + u.bytes() + " bytes)");
                bytes += u.bytes();
            }
            out.println(verb + removed.size() + " unreferenced files, " + bytes + " bytes");
            return 0;
        }
    }
}
