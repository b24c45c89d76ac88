package dev.xdperf.cli;

import dev.xdperf.registry.client.KeyRef;
import dev.xdperf.registry.client.TrustStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin untrust}. */
@Command(name = "untrust", mixinStandardHelpOptions = true,
        description = "Stop trusting a signing key (a public key file, or a fingerprint); plugins it signed no longer verify.")
final class PluginUntrustCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "KEYFILE|FINGERPRINT")
    String key;

    @Override
    public Integer call() {
        TrustStore trust = TrustStore.atDefaultLocation();
        String fp = KeyRef.parse(key, "untrust").fingerprint();
        if (!trust.remove(fp)) {
            throw new IllegalArgumentException("untrust: key " + fp + " is not trusted here (" + trust.file() + ")");
        }
        spec.commandLine().getOut().println("untrusted key " + fp + " (" + trust.file() + ")");
        return 0;
    }
}
