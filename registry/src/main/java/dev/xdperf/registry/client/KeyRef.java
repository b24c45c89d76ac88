package dev.xdperf.registry.client;

import dev.xdperf.registry.Digests;
import dev.xdperf.registry.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Locale;

/** A signing key named by a user: its fingerprint, and the key itself when it was named by a public key file. */
public record KeyRef(String fingerprint, PublicKey key) {
    /**
     * {@code text} as a fingerprint (64 hex characters, any case) or a public key file (PEM);
     * {@code verb} starts the message when it is neither.
     */
    public static KeyRef parse(String text, String verb) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (Digests.isSha256Hex(lower)) {
            return new KeyRef(lower, null);
        }
        if (Files.isRegularFile(Path.of(text))) {
            PublicKey pub = Keys.readPublic(Path.of(text));
            return new KeyRef(Keys.fingerprint(pub), pub);
        }
        throw new IllegalArgumentException(verb + ": '" + text + "' is neither a public key file nor a key fingerprint (64 lowercase hex characters)");
    }
}
