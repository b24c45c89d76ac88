package dev.xdperf.registry;

import dev.xdperf.abi.AbiVersion;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;

/**
 * What a publisher signs for one release: the canonical statement (docs/registry.md, "The
 * signed statement"). Both the registry and the installing client rebuild it from the
 * release's facts and the digests they computed themselves, then check the signature.
 */
public record Release(String publisher, String name, String version, String kind, AbiVersion abi,
                      String artifactSha256, String manifestSha256) {
    public static final String HEADER = "xdperf-release-v1";

    public Release {
        Names.requirePublisher(publisher);
        Names.requirePlugin(name);
        SemVer.parse(version);
        Names.requireKind(kind);
        if (abi == null) {
            throw new IllegalArgumentException("release has no ABI version");
        }
        if (!Digests.isSha256Hex(artifactSha256) || !Digests.isSha256Hex(manifestSha256)) {
            throw new IllegalArgumentException("release digests must be 64 lowercase hex characters");
        }
    }

    /** The release of these bytes as the manifest describes it. */
    public static Release of(String publisher, Manifest manifest, byte[] artifact) {
        return new Release(publisher, manifest.id(), manifest.version(), manifest.kind(), manifest.abi(),
                Digests.sha256Hex(artifact), Digests.sha256Hex(manifest.bytes()));
    }

    public String id() {
        return publisher + "/" + name;
    }

    /** The exact bytes that are signed: ASCII, one "key: value" line each, every line ending in LF. */
    public byte[] statement() {
        String s = HEADER + "\n"
                + "id: " + id() + "\n"
                + "version: " + version + "\n"
                + "kind: " + kind + "\n"
                + "abi: " + abi + "\n"
                + "artifact-sha256: " + artifactSha256 + "\n"
                + "manifest-sha256: " + manifestSha256 + "\n";
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    public String sign(PrivateKey key) {
        return Base64.getEncoder().encodeToString(Keys.sign(key, statement()));
    }

    /** True when {@code signatureBase64} is this statement signed by {@code key}. */
    public boolean verify(PublicKey key, String signatureBase64) {
        if (signatureBase64 == null || signatureBase64.isEmpty()) {
            return false;
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signatureBase64);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return sig.length == 64 && Keys.verify(key, statement(), sig);
    }

    /** What a publisher signs to add a key to its namespace, with a key it already has. */
    public static byte[] keyEndorsement(String publisher, String newKeyFingerprint) {
        Names.requirePublisher(publisher);
        return ("xdperf-key-endorsement-v1\npublisher: " + publisher + "\nnew-key-sha256: " + newKeyFingerprint + "\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
