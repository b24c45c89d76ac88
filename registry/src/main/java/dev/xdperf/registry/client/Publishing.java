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

    /** A key registered for a publisher; {@code retired} is the endorsing key when the same step retired it, else null. */
    public record AddedKey(String publisher, String fingerprint, String retired) {}

    /**
     * Registers {@code newKey} for the token's publisher. Once the publisher has a key, a new one
     * must be endorsed: {@code endorser} (with its public half {@code endorserPublic}) signs it, and
     * {@code retire} retires the endorser in the same step (a rotation). Both null: no endorsement.
     */
    public static AddedKey addKey(RegistryClient registry, String token, PublicKey newKey, PrivateKey endorser,
                                  PublicKey endorserPublic, boolean retire) {
        String publisher = registry.whoami(token);
        String endorsedBy = endorserPublic == null ? null : Keys.fingerprint(endorserPublic);
        String endorsement = endorser == null ? null : endorse(publisher, newKey, endorser);
        RegistryClient.KeyInfo k = registry.addKey(token, publisher, newKey, endorsedBy, endorsement, retire);
        return new AddedKey(publisher, k.fingerprint(), retire ? endorsedBy : null);
    }

    /**
     * Yanks (or, with {@code yanked} false, restores) the release {@code s}, which must name a
     * version. {@code bareName}: the user gave no namespace, so a refusal says that a bare name
     * means the official namespace.
     */
    public static RegistryClient.VersionInfo setYanked(RegistryClient registry, String token, Installer.Spec s, boolean bareName,
                                                       boolean yanked) {
        try {
            return registry.setYanked(token, s.publisher(), s.name(), s.version(), yanked);
        } catch (RegistryException e) {
            if (!bareName || e.status() < 400 || e.status() >= 500) {
                throw e;
            }
            // the likely mistake: a publisher's own plugin named without its namespace
            throw new IllegalArgumentException(e.getMessage().replaceFirst("[.]?$", "") + " (a bare name means the official namespace, "
                    + s.id() + "; name your own release PUBLISHER/" + s.name() + "@" + s.version() + ")");
        }
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
