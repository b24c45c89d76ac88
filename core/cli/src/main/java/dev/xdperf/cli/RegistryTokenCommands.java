package dev.xdperf.cli;

import dev.xdperf.registry.Names;
import dev.xdperf.registry.server.RegistryAdmin;
import dev.xdperf.registry.server.Store;
import dev.xdperf.registry.server.TokenExpiry;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code xdperf registry admin create-token}, {@code tokens} and {@code revoke-token}. */
final class RegistryTokenCommands {
    private RegistryTokenCommands() {}

    @Command(name = "create-token", mixinStandardHelpOptions = true,
            description = "Create a publish token for a publisher; it is printed once (on stdout, alone) and stored only as a hash;"
                    + " its id, which names it later, goes to stderr.")
    static final class CreateToken implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        RegistryAdminCommand admin;

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
            Instant until = expires == null ? null : TokenExpiry.parse(expires, Instant.now(), "--expires");
            RegistryAdmin.NewToken t;
            try (RegistryAdmin a = admin.open()) {
                t = a.createToken(publisher, label, until);
            }
            spec.commandLine().getOut().println(t.token());
            spec.commandLine().getErr().println("token " + t.id() + " for " + publisher
                    + (until == null ? ", no expiry" : ", expires " + until) + " (revoke it with: xdperf registry admin --data "
                    + admin.data + " revoke-token " + t.id() + ")");
            return 0;
        }
    }

    @Command(name = "tokens", mixinStandardHelpOptions = true,
            description = "List tokens (id, publisher, label, created, expiry, revocation); never the tokens themselves.")
    static final class ListTokens implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        RegistryAdminCommand admin;

        @Parameters(paramLabel = "PUBLISHER", arity = "0..1", description = "Only this publisher's.")
        String publisher;

        @Override
        public Integer call() {
            if (publisher != null) {
                Names.requirePublisher(publisher);
            }
            PrintWriter out = spec.commandLine().getOut();
            Instant now = Instant.now();
            try (RegistryAdmin a = admin.open()) {
                for (Store.TokenRow t : a.tokens(publisher)) {
                    String state = t.revoked() != null ? "revoked " + t.revoked() : t.expired(now) ? "expired " + t.expires()
                            : t.expires() != null ? "valid until " + t.expires() : "valid";
                    out.println(t.id() + "  " + t.publisher() + "  " + state + "  created " + t.created()
                            + (t.label().isEmpty() ? "" : "  " + Terminal.printable(t.label())));
                }
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

        @ParentCommand
        RegistryAdminCommand admin;

        @Parameters(paramLabel = "ID|TOKEN", arity = "0..1")
        String token;

        @Option(names = "--all-of", paramLabel = "PUBLISHER", description = "Revoke every token of this publisher instead.")
        String allOf;

        @Override
        public Integer call() {
            if ((token == null) == (allOf == null)) {
                throw new ParameterException(spec.commandLine(), "revoke-token takes a token id (or token), or --all-of PUBLISHER: one of the two");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (RegistryAdmin a = admin.open()) {
                if (allOf != null) {
                    Names.requirePublisher(allOf);
                    out.println("revoked " + a.revokeTokens(allOf) + " tokens of " + allOf);
                    return 0;
                }
                Store.TokenRow t = a.revokeToken(token);
                if (t == null) {
                    throw new IllegalArgumentException("revoke token: no token " + (token.startsWith(Store.TOKEN_PREFIX) ? "with that value"
                            : "with id " + token) + " (list them with: xdperf registry admin --data " + admin.data + " tokens)");
                }
                out.println("revoked token " + t.id() + " of " + t.publisher() + " at " + t.revoked());
            }
            return 0;
        }
    }
}
