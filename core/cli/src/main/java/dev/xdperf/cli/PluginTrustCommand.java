package dev.xdperf.cli;

import dev.xdperf.registry.client.KeyRef;
import dev.xdperf.registry.client.TrustStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin trust}. */
@Command(name = "trust", mixinStandardHelpOptions = true,
        description = "Trust a publisher's signing key (a public key file, or a fingerprint) for that publisher's namespace only;"
                + " with no argument, list the trusted keys.")
final class PluginTrustCommand implements Callable<Integer> {
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
        KeyRef ref = KeyRef.parse(key, "trust");
        // a key named by its file is described by the file's name unless the user says whose it is
        TrustStore.Entry e = trust.add(ref.fingerprint(), ref.key(), ref.key() != null && comment.isEmpty() ? key : comment, namespace);
        out.println("trusted key " + e.fingerprint() + " for " + e.namespace() + "/* (" + trust.file() + ")");
        return 0;
    }
}
