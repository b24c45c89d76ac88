package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.testing.Pcap;
import dev.xdperf.testing.Privileged;
import dev.xdperf.testing.ServerTopology;
import dev.xdperf.testing.Xdperf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party plugin's whole life, as a new author and an operator live it, with the real
 * commands: `plugin new` writes a C project, make builds it with clang, `plugin check` passes,
 * `plugin manifest` writes the manifest, a new publisher publishes it to a real registry,
 * another publisher publishes a plugin of the same name, the operator installs both by
 * PUBLISHER/NAME, writes a pcap with one of them, sends it over a veth pair to a server that
 * counts every frame, and removes it while the other stays.
 */
class ThirdPartyPluginTest {
    @TempDir
    Path tmp;
    final Map<String, String> env = new HashMap<>();

    Xdperf.Result ok(String netns, String... args) {
        Xdperf.Result r = Xdperf.run(env, netns, 120, args);
        assertEquals(0, r.exit(), () -> "xdperf " + String.join(" ", args) + "\n" + r);
        return r;
    }

    static void make(Path dir) throws Exception {
        Process p = new ProcessBuilder("make").directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "make did not finish");
        assertEquals(0, p.exitValue(), "make in " + dir + ":\n" + out);
    }

    @Test
    void fromScaffoldToRegistryToAVethRunAndOut() throws Exception {
        Privileged.require();
        env.put("XDPERF_PLUGIN_DIR", tmp.resolve("plugins").toString());
        env.put("XDPERF_CONFIG_DIR", tmp.resolve("config").toString());
        env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        env.put("XDG_DATA_HOME", tmp.resolve("data-home").toString());

        // the author: scaffold, build, check, manifest
        Path project = tmp.resolve("dnsq");
        ok(null, "plugin", "new", "dnsq", "--lang", "c", "--dir", project.toString());
        make(project);
        Path wasm = project.resolve("build/dnsq.wasm");
        Xdperf.Result check = ok(null, "plugin", "check", wasm.toString());
        assertTrue(check.stdout().contains("plugin check: passed") && !check.stdout().contains("fail "), check::toString);
        Path manifest = project.resolve("build/manifest.json");
        ok(null, "plugin", "manifest", wasm.toString(), "-o", manifest.toString());

        // two publishers, each with a key and a token, on one registry
        String data = tmp.resolve("data").toString();
        for (String who : List.of("newauthor", "otherlab")) {
            Path key = tmp.resolve("keys/" + who);
            ok(null, "plugin", "keygen", "--out", key.toString());
            ok(null, "registry", "admin", "--data", data, "create-publisher", who, "--key", key + ".pub");
            String token = ok(null, "registry", "admin", "--data", data, "create-token", who).stdout().strip();
            env.put("TOKEN_" + who, token);
        }
        try (Xdperf.Background registry = Xdperf.Background.startWithEnv(env, null, "listening on", "registry", "serve",
                "--data", data, "--port", "0")) {
            Matcher m = Pattern.compile("listening on (http://\\S+)").matcher(registry.output());
            assertTrue(m.find(), registry.output());
            env.put("XDPERF_REGISTRY", m.group(1));
            for (String who : List.of("newauthor", "otherlab")) {
                Xdperf.Result pub = ok(null, "plugin", "publish", wasm.toString(), "--manifest", manifest.toString(),
                        "--key", tmp.resolve("keys/" + who).toString(), "--token", env.get("TOKEN_" + who));
                assertTrue(pub.stdout().startsWith("published " + who + "/dnsq 0.1.0 (wasm"), pub::toString);
            }

            // the operator: trust each publisher for its own namespace, install both by PUBLISHER/NAME
            for (String who : List.of("newauthor", "otherlab")) {
                ok(null, "plugin", "trust", tmp.resolve("keys/" + who) + ".pub", "--namespace", who);
                ok(null, "plugin", "install", who + "/dnsq");
            }
        }
        assertTrue(Files.isRegularFile(tmp.resolve("plugins/newauthor/dnsq.wasm")));
        assertTrue(Files.isRegularFile(tmp.resolve("plugins/otherlab/dnsq.wasm")));
        String lock = Files.readString(tmp.resolve("plugins/plugins.lock"));
        assertTrue(lock.contains("\"newauthor/dnsq\"") && lock.contains("\"otherlab/dnsq\""), lock);

        // a pcap with no device and no addresses, from exactly that release
        Path pcap = tmp.resolve("dnsq.pcap");
        Xdperf.Result written = ok(null, "client", "--plugin", "newauthor/dnsq@0.1.0", "--pcap", pcap.toString(), "--count", "8");
        assertTrue(written.stderr().contains("wrote 8 packets to " + pcap), written::toString);
        assertEquals(8, Pcap.frames(pcap).size());

        // over a veth pair to a server that counts every frame
        try (ServerTopology net = ServerTopology.start()) {
            JsonNode r = ok(net.topology.client, "client", "--dev", CLIENT_IF, "--server", SERVER_IP, "--plugin", "newauthor/dnsq",
                    "--count", "2000", "--pps", "20k", "--cpus", "0", "--json", "-q").json();
            assertEquals(2000, r.path("sent_packets").asLong(), r::toPrettyString);
            assertEquals(2000, r.path("received_packets").asLong(), r::toPrettyString);
            assertEquals(0, r.path("lost_packets").asLong(), r::toPrettyString);
        }

        // out again: the other publisher's plugin of the same name stays
        ok(null, "plugin", "remove", "newauthor/dnsq");
        assertFalse(Files.exists(tmp.resolve("plugins/newauthor/dnsq.wasm")));
        assertTrue(Files.isRegularFile(tmp.resolve("plugins/otherlab/dnsq.wasm")));
        assertTrue(ok(null, "plugin", "verify", "dnsq").stdout().startsWith("ok: dnsq is otherlab/dnsq 0.1.0"));
    }
}
