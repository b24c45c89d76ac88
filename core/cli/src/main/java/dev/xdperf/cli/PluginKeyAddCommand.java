package dev.xdperf.cli;

import dev.xdperf.registry.Keys;
import dev.xdperf.registry.client.Publishing;
import dev.xdperf.registry.client.RegistryClient;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin key-add}. */
@Command(name = "key-add", mixinStandardHelpOptions = true,
        description = "Register a signing key for the token's namespace; once it has one, a new key must be endorsed by a current one.")
final class PluginKeyAddCommand implements Callable<Integer> {
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
        PublicKey pub = Keys.readPublic(key);
        PublicKey old = null;
        PrivateKey oldPrivate = null;
        if (endorser != null) {
            old = Keys.publicInKeyFile(endorser);
            if (old == null) {
                throw new IllegalArgumentException("key-add: " + endorser + " has no public key beside the private one (use a key from 'xdperf plugin keygen')");
            }
            oldPrivate = Keys.readPrivate(endorser);
        }
        Publishing.AddedKey k = Publishing.addKey(client, t, pub, oldPrivate, old, retire);
        spec.commandLine().getOut().println("registered key " + k.fingerprint() + " for " + k.publisher()
                + (k.retired() != null ? "; retired " + k.retired() : ""));
        return 0;
    }
}
