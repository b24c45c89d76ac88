package dev.xdperf.registry.client;

import dev.xdperf.registry.Keys;
import dev.xdperf.registry.Manifest;
import dev.xdperf.registry.Release;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;

/** Signs a plugin file with its manifest and publishes it under the token's namespace. */
public final class Publishing {
    private Publishing() {}

    public static RegistryClient.VersionInfo publish(RegistryClient registry, String token, Path artifact, Path manifestFile, Path keyFile) {
        byte[] bytes = read(artifact, "plugin file");
        Manifest manifest;
        try {
            manifest = Manifest.parse(read(manifestFile, "manifest"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest " + manifestFile + ": " + e.getMessage());
        }
        PrivateKey key = Keys.readPrivate(keyFile);
        PublicKey pub = Keys.publicInKeyFile(keyFile);
        String publisher = registry.whoami(token);
        Release release = Release.of(publisher, manifest, bytes);
        String signature = release.sign(key);
        if (pub != null && !release.verify(pub, signature)) {
            throw new IllegalArgumentException("key file " + keyFile + ": its private and public keys do not belong together");
        }
        return registry.publish(token, publisher, manifest.id(), manifest.version(), bytes, manifest.bytes(), signature,
                pub == null ? null : Keys.fingerprint(pub));
    }

    /** A key endorsement: {@code currentKey} vouches for {@code newKey} in {@code publisher}'s namespace. */
    public static String endorse(String publisher, PublicKey newKey, PrivateKey currentKey) {
        return Base64.getEncoder().encodeToString(Keys.sign(currentKey, Release.keyEndorsement(publisher, Keys.fingerprint(newKey))));
    }

    private static byte[] read(Path p, String what) {
        try {
            return Files.readAllBytes(p);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("read " + what + " " + p + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("read " + what + " " + p + ": " + AtomicFiles.reason(e));
        }
    }
}
