package dev.xdperf.registry.release;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.registry.Keys;
import dev.xdperf.registry.Manifest;
import dev.xdperf.registry.Names;
import dev.xdperf.registry.Release;
import dev.xdperf.registry.client.Bundle;
import dev.xdperf.registry.client.TrustStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The release step that signs the first-party plugins ({@code xdperf/NAME}) into bundle files
 * (the {@code xdperf plugin fetch} format) that ship inside xdperf, so that a registry can
 * offer them and {@code plugin install --from} can install them with no trust step. It runs in
 * the build only when the first-party private key is there; the key is read here and nowhere
 * else, and nothing about it but its public fingerprint is ever printed or written.
 */
public final class FirstPartyReleases {
    /** Where the release files go in the jar, and the list of them (class path resources cannot be listed). */
    public static final String RESOURCE_DIR = "releases";
    public static final String INDEX = "index.txt";

    private FirstPartyReleases() {}

    /** A plugin file and its manifest. */
    public record Input(byte[] artifact, byte[] manifest) {}

    /**
     * Signs each input as {@code xdperf/ID VERSION} with {@code key} into {@code out}/xdperf-ID-VERSION.xdpkg and
     * writes the index. {@code anchor} is the first-party public key xdperf trusts: a key that does not match it is
     * refused, since releases it signed would never install.
     */
    public static List<Path> sign(PrivateKey key, PublicKey anchor, List<Input> inputs, Path out, Instant published) throws IOException {
        Release probe = new Release(Names.OFFICIAL, "probe", "0.0.0", "wasm", dev.xdperf.abi.AbiVersion.HOST, "0".repeat(64), "0".repeat(64));
        if (!probe.verify(anchor, probe.sign(key))) {
            throw new IllegalArgumentException("sign first-party releases: the signing key is not the first-party key built into xdperf"
                    + " (fingerprint " + Keys.fingerprint(anchor) + ")");
        }
        Files.createDirectories(out);
        List<Path> written = new ArrayList<>();
        List<String> index = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (Input in : inputs) {
            Manifest m = Manifest.parse(in.manifest());
            Release r = Release.of(Names.OFFICIAL, m, in.artifact());
            String signature = r.sign(key);
            ObjectNode v = json.createObjectNode();
            v.put("id", r.id());
            v.put("publisher", Names.OFFICIAL);
            v.put("name", m.id());
            v.put("version", m.version());
            v.put("kind", m.kind());
            v.put("abi", m.abi().toString());
            v.put("description", m.description());
            v.put("license", m.license());
            v.put("artifact_sha256", r.artifactSha256());
            v.put("artifact_size", in.artifact().length);
            v.put("manifest_sha256", r.manifestSha256());
            v.put("key", Keys.fingerprint(anchor));
            v.put("signature", signature);
            v.put("yanked", false);
            v.put("published", published.toString());
            v.put("downloads", 0);
            v.put("manifest", Base64.getEncoder().encodeToString(m.bytes()));
            ObjectNode b = json.createObjectNode();
            b.put("xdperf_bundle", Bundle.FORMAT);
            b.set("version", v);
            b.put("public_key", Keys.publicPem(anchor));
            b.put("artifact", Base64.getEncoder().encodeToString(in.artifact()));
            String file = Names.OFFICIAL + "-" + m.id() + "-" + m.version() + ".xdpkg";
            Files.write(out.resolve(file), json.writeValueAsBytes(b));
            written.add(out.resolve(file));
            index.add(file);
        }
        Files.writeString(out.resolve(INDEX), String.join("\n", index) + "\n", StandardCharsets.UTF_8);
        return written;
    }

    /** The signed first-party releases this xdperf ships (empty when it was built without the key). */
    public static List<Bundle> shipped() {
        List<Bundle> out = new ArrayList<>();
        ClassLoader cl = FirstPartyReleases.class.getClassLoader();
        try (InputStream idx = cl.getResourceAsStream(RESOURCE_DIR + "/" + INDEX)) {
            if (idx == null) {
                return out;
            }
            for (String line : new String(idx.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                try (InputStream b = cl.getResourceAsStream(RESOURCE_DIR + "/" + line.strip())) {
                    if (b == null) {
                        throw new IllegalStateException("first-party release " + line + " is listed but missing from this build");
                    }
                    Path tmp = Files.createTempFile("xdperf-release-", ".xdpkg");
                    try {
                        Files.write(tmp, b.readAllBytes());
                        out.add(Bundle.read(tmp));
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("read the first-party releases of this build: " + e.getMessage());
        }
        return out;
    }

    /**
     * The build's release step: {@code KEYFILE OUTDIR NAME...}, each NAME's plugin file
     * (plugins/NAME.wasm, or the Java plugin plugins/NAME.jar) and manifest plugins/NAME.json
     * taken from the class path. Without the key file it says in one sentence
     * that first-party releases are unsigned, and succeeds.
     */
    public static void main(String[] args) throws IOException {
        String env = System.getenv("XDPERF_FIRST_PARTY_KEY");
        Path key = Path.of(env != null && !env.isBlank() ? env : args[0]);
        Path out = Path.of(args[1]);
        if (!Files.isRegularFile(key)) {
            System.out.println("xdperf: first-party releases are unsigned: no first-party signing key at " + key
                    + " (the release step signs the bundled first-party plugins when ../shared/secrets/first-party-signing-key.pem is there,"
                    + " or XDPERF_FIRST_PARTY_KEY names it)");
            removeStale(out);
            return;
        }
        List<Input> inputs = new ArrayList<>();
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        for (int i = 2; i < args.length; i++) {
            inputs.add(input(cl, args[i]));
        }
        PublicKey anchor = TrustStore.firstPartyKey();
        List<Path> files = sign(Keys.readPrivate(key), anchor, inputs, out, Instant.now());
        System.out.println("xdperf: signed " + files.size() + " first-party releases ("
                + String.join(", ", java.util.Arrays.asList(args).subList(2, args.length)) + ") with key " + Keys.fingerprint(anchor) + " into " + out);
    }

    /** Releases an earlier build signed into {@code out}: not this build's, so they go (the files the index names, then it). */
    private static void removeStale(Path out) throws IOException {
        Path index = out.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            return;
        }
        for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
            if (line.matches("[a-z0-9_.-]+\\.xdpkg")) {
                Files.deleteIfExists(out.resolve(line));
            }
        }
        Files.delete(index);
    }

    /** A first-party plugin's file and manifest from the class path: plugins/NAME.wasm or plugins/NAME.jar, and plugins/NAME.json. */
    private static Input input(ClassLoader cl, String name) throws IOException {
        for (String ext : new String[] {".wasm", ".jar"}) {
            try (InputStream a = cl.getResourceAsStream("plugins/" + name + ext)) {
                if (a == null) {
                    continue;
                }
                try (InputStream m = cl.getResourceAsStream("plugins/" + name + ".json")) {
                    if (m == null) {
                        throw new IllegalStateException("sign first-party releases: plugins/" + name + ".json (the manifest of plugins/"
                                + name + ext + ") is not on the class path");
                    }
                    return new Input(a.readAllBytes(), m.readAllBytes());
                }
            }
        }
        throw new IllegalStateException("sign first-party releases: neither plugins/" + name + ".wasm nor plugins/" + name
                + ".jar is on the class path");
    }
}
