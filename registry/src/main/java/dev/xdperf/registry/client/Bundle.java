package dev.xdperf.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.registry.Digests;
import dev.xdperf.registry.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;

/**
 * One release in one file, to carry to a machine without network: the version record as
 * the registry serves it (with manifest and signature), the signing key's public key, and
 * the plugin file. Nothing in it is trusted: installing checks it like a download.
 */
public record Bundle(RegistryClient.VersionInfo version, PublicKey publicKey, byte[] artifact) {
    public static final int FORMAT = 1;
    /** A bundle holds its plugin as one base64 string: allow one as long as the largest download, not Jackson's default 20 M characters. */
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxStringLength((int) (RegistryClient.MAX_DOWNLOAD_BYTES * 4 / 3 + 1024)).build()).build());

    /** Fetches {@code publisher/name@version} from a registry and writes it to {@code out}. */
    public static RegistryClient.VersionInfo fetch(RegistryClient registry, String publisher, String name, String version, Path out) {
        JsonNode record = registry.getJson("/plugins/" + publisher + "/" + name + "/versions/" + version);
        RegistryClient.VersionInfo v = RegistryClient.version(record);
        byte[] artifact = registry.download(v.artifactSha256());
        if (!Digests.sha256Hex(artifact).equals(v.artifactSha256())) {
            throw new SecurityException("fetch " + v.id() + " " + version + ": the download does not match: expected sha256 "
                    + v.artifactSha256() + ", found " + Digests.sha256Hex(artifact));
        }
        ObjectNode b = JSON.createObjectNode();
        b.put("xdperf_bundle", FORMAT);
        b.set("version", record);
        b.put("public_key", registry.key(v.key()).publicKeyPem());
        b.put("artifact", Base64.getEncoder().encodeToString(artifact));
        try {
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            AtomicFiles.write(out.toAbsolutePath(), JSON.writeValueAsBytes(b));
        } catch (IOException e) {
            throw new IllegalStateException("fetch " + v.id() + " " + version + ": write " + out + ": " + AtomicFiles.reason(e));
        }
        return v;
    }

    public static Bundle read(Path file) {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readAllBytes(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("bundle " + file + " is not JSON (fetch it with 'xdperf plugin fetch')");
        } catch (IOException e) {
            throw new IllegalArgumentException("read bundle " + file + ": " + AtomicFiles.reason(e));
        }
        if (n == null || n.path("xdperf_bundle").asInt() != FORMAT || !n.path("version").isObject() || !n.path("artifact").isTextual()) {
            throw new IllegalArgumentException("bundle " + file + " is not an xdperf plugin bundle (format " + FORMAT + ")");
        }
        byte[] artifact;
        try {
            artifact = Base64.getDecoder().decode(n.path("artifact").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bundle " + file + ": the artifact is not base64");
        }
        PublicKey key = n.path("public_key").isTextual() ? Keys.parsePublic(n.path("public_key").asText(), "bundle " + file + " public key") : null;
        return new Bundle(RegistryClient.version(n.path("version")), key, artifact);
    }
}
