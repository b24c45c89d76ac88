package dev.xdperf.cli;

import dev.xdperf.registry.IoErrors;
import dev.xdperf.registry.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin keygen}. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Make an Ed25519 signing key pair: FILE (private, with its public key) and FILE.pub (to share).")
final class PluginKeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Private key file to write.")
    Path out;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    @Override
    public Integer call() {
        Path pub = Path.of(out + ".pub");
        if (!force && (Files.exists(out) || Files.exists(pub))) {
            throw new IllegalArgumentException("keygen: " + (Files.exists(out) ? out : pub) + " exists (give --force to replace it)");
        }
        KeyPair kp = Keys.generate();
        try {
            Keys.writePair(kp, out, pub);
        } catch (IOException e) {
            throw new IllegalStateException("keygen: write " + out + ": " + IoErrors.describe(e));
        }
        spec.commandLine().getOut().println("wrote " + out + " (private) and " + pub + " (public); key fingerprint "
                + Keys.fingerprint(kp.getPublic()));
        return 0;
    }
}
