package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.testing.Xdperf;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The demo path with the real xdperf command in separate processes: a registry is served
 * from a temporary directory, the first-party plugins' files tcp and icmp are published to it
 * by a third-party publisher (signed with a throwaway key that this test trusts explicitly),
 * beside another publisher's tcp, installed by PUBLISHER/NAME, checked, and used in a run.
 */
class RegistryCliTest {
    Path tmp;
    Map<String, String> env = new HashMap<>();
    Xdperf.Background server;
    String url;
    StringBuilder transcript = new StringBuilder();

    @BeforeEach
    void start(TestInfo info) throws Exception {
        tmp = Files.createTempDirectory("xdperf-registry-cli");
        env.put("XDPERF_PLUGIN_DIR", tmp.resolve("plugins").toString());
        env.put("XDPERF_CONFIG_DIR", tmp.resolve("config").toString());
        env.put("XDPERF_REGISTRY", "http://127.0.0.1:1");
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    Xdperf.Result xdperf(String... args) {
        Xdperf.Result r = Xdperf.runWithEnv(env, 120, args);
        transcript.append("$ xdperf ").append(String.join(" ", args)).append('\n').append(r).append('\n');
        return r;
    }

    Xdperf.Result ok(String... args) {
        Xdperf.Result r = xdperf(args);
        assertEquals(0, r.exit(), () -> transcript + (server == null ? "" : "\n--- registry log\n" + server.output()));
        return r;
    }

    /** Exit 1 and one sentence on stderr that contains {@code fragment}. */
    void refused(String fragment, String... args) {
        Xdperf.Result r = xdperf(args);
        String err = r.stderr().strip();
        assertEquals(1, r.exit(), transcript::toString);
        assertTrue(err.startsWith("xdperf: ") && err.contains(fragment), "expected '" + fragment + "' in: " + err);
        assertEquals(1, err.lines().count(), "one line: " + err);
    }

    String serve() {
        server = Xdperf.Background.startWithEnv(env, null, "listening on", "registry", "serve", "--data", tmp.resolve("data").toString(),
                "--port", "0");
        Matcher m = Pattern.compile("listening on (http://\\S+)").matcher(server.output());
        assertTrue(m.find(), server.output());
        url = m.group(1);
        env.put("XDPERF_REGISTRY", url);
        return url;
    }

    /** Whether the registry printed {@code text} within 10 s (it prints what it seeded right after "listening on"). */
    boolean serverSaid(String text) throws InterruptedException {
        for (int i = 0; i < 100 && !server.output().contains(text); i++) {
            Thread.sleep(100);
        }
        return server.output().contains(text);
    }

    /** A first-party plugin's file and manifest as this build packed them (/plugins/NAME.wasm, /plugins/NAME.json). */
    Path bundled(String resource) throws IOException {
        Path out = tmp.resolve("bundled").resolve(resource);
        Files.createDirectories(out.getParent());
        try (InputStream in = getClass().getResourceAsStream("/plugins/" + resource)) {
            assertTrue(in != null, "/plugins/" + resource + " is not on the class path (build the plugins module)");
            Files.write(out, in.readAllBytes());
        }
        return out;
    }

    @Test
    void publishInstallAndRunTheFirstPartyPlugins() throws Exception {
        Path key = tmp.resolve("keys/netlab");
        assertTrue(ok("plugin", "keygen", "--out", key.toString()).stdout().contains("key fingerprint "));
        ok("registry", "admin", "--data", tmp.resolve("data").toString(), "create-publisher", "netlab", "--key", key + ".pub");
        String token = ok("registry", "admin", "--data", tmp.resolve("data").toString(), "create-token", "netlab").stdout().strip();
        assertTrue(token.startsWith("xdpt_"), token);
        Path bobKey = tmp.resolve("keys/bob");
        ok("plugin", "keygen", "--out", bobKey.toString());
        ok("registry", "admin", "--data", tmp.resolve("data").toString(), "create-publisher", "bob", "--key", bobKey + ".pub");
        String bobToken = ok("registry", "admin", "--data", tmp.resolve("data").toString(), "create-token", "bob").stdout().strip();
        serve();

        for (String p : List.of("tcp", "icmp")) {
            Xdperf.Result r = ok("plugin", "publish", bundled(p + ".wasm").toString(), "--manifest", bundled(p + ".json").toString(),
                    "--key", key.toString(), "--token", token);
            assertTrue(r.stdout().startsWith("published netlab/" + p + " 1.0.0 (wasm, ABI 1.0, sha256 "), r.stdout());
        }
        refused("is already published (published versions are immutable", "plugin", "publish", bundled("tcp.wasm").toString(),
                "--manifest", bundled("tcp.json").toString(), "--key", key.toString(), "--token", token);
        refused("needs a publisher token", "plugin", "publish", bundled("tcp.wasm").toString(),
                "--manifest", bundled("tcp.json").toString(), "--key", key.toString());

        Xdperf.Result search = ok("plugin", "search", "tcp");
        assertTrue(search.stdout().contains("netlab/tcp "), search.stdout());
        assertTrue(ok("plugin", "info", "netlab/icmp").stdout().contains("1.0.0"));

        // not trusted yet: refused, nothing installed
        refused("which this xdperf does not trust", "plugin", "install", "netlab/tcp");
        assertFalse(Files.exists(tmp.resolve("plugins/netlab/tcp.wasm")));

        // a key is trusted for its publisher's namespace only, and never for xdperf/*
        refused("say which publisher's plugins the key may sign: --namespace PUBLISHER", "plugin", "trust", key + ".pub");
        refused("only the first-party key built into xdperf (96cd8c0acfddad204202cf4354099a9ff3f6bded5a863fe07b030aad555bc8a8) signs"
                + " the official namespace xdperf/*", "plugin", "trust", key + ".pub", "--namespace", "xdperf");
        assertFalse(Files.exists(tmp.resolve("config/trusted-keys")), "nothing written");
        assertTrue(ok("plugin", "trust", key + ".pub", "--namespace", "netlab").stdout().contains(" for netlab/* ("));
        Xdperf.Result install = ok("plugin", "install", "netlab/tcp");
        assertTrue(install.stdout().startsWith("installed netlab/tcp 1.0.0 to " + tmp.resolve("plugins/netlab/tcp.wasm")), install.stdout());
        ok("plugin", "install", "netlab/icmp@1.0.0");
        assertTrue(Files.readString(tmp.resolve("plugins/plugins.lock")).contains("\"id\" : \"netlab/icmp\""));
        assertEquals(Files.size(bundled("tcp.wasm")), Files.size(tmp.resolve("plugins/netlab/tcp.wasm")));
        assertTrue(ok("plugin", "verify", "tcp").stdout().startsWith("ok: tcp is netlab/tcp 1.0.0"));
        String list = ok("plugin", "list").stdout();
        assertTrue(list.contains("netlab/tcp  (installed, ") && list.contains(tmp.resolve("plugins/netlab/tcp.wasm").toString())
                && list.contains("netlab/tcp 1.0.0"), list);
        assertTrue(ok("plugin", "describe", "netlab/tcp@1.0.0").stdout().startsWith("tcp 1.0.0 (template ABI 1.0)"));

        // another publisher's tcp beside it: both on disk and in the lock file; a bare name is ambiguous
        ok("plugin", "publish", bundled("tcp.wasm").toString(), "--manifest", bundled("tcp.json").toString(), "--key", bobKey.toString(),
                "--token", bobToken);
        ok("plugin", "trust", bobKey + ".pub", "--namespace", "bob");
        ok("plugin", "install", "bob/tcp");
        assertTrue(Files.isRegularFile(tmp.resolve("plugins/bob/tcp.wasm")) && Files.isRegularFile(tmp.resolve("plugins/netlab/tcp.wasm")));
        refused("'tcp' is ambiguous: installed as bob/tcp, netlab/tcp", "plugin", "verify", "tcp");
        assertTrue(ok("plugin", "verify", "bob/tcp").stdout().startsWith("ok: bob/tcp is bob/tcp 1.0.0"));
        refused("is not a plugin name", "plugin", "verify", "../tcp");
        refused("is not a plugin name", "plugin", "remove", "bob/../tcp");
        ok("plugin", "remove", "bob/tcp");
        assertFalse(Files.exists(tmp.resolve("plugins/bob")));

        // used in a run: exactly the installed release makes the packets (written to a pcap; nothing is sent)
        Path pcap = tmp.resolve("tcp.pcap");
        Xdperf.Result run = ok("client", "--dev", pcapDevice(), "--plugin", "netlab/tcp@1.0.0", "--plugin-opt", "flows=4", "--pcap", pcap.toString(),
                "--count", "8", "--src-ip", "198.18.0.1", "--dst-ip", "198.18.0.2", "--src-mac", "02:00:00:00:00:01",
                "--dst-mac", "02:00:00:00:00:02");
        assertTrue(run.stderr().contains("wrote 8 packets"), run.toString());
        assertEquals(24 + 8 * 16, Files.size(pcap) - packetBytes(pcap), "a pcap of 8 packets");

        // a changed byte in the installed file is found by verify
        byte[] b = Files.readAllBytes(tmp.resolve("plugins/netlab/tcp.wasm"));
        b[b.length / 2] ^= 1;
        Files.write(tmp.resolve("plugins/netlab/tcp.wasm"), b);
        refused("the installed file was changed: expected sha256 ", "plugin", "verify", "tcp");

        // an unwritable plugin directory: one sentence, and the lock and files elsewhere untouched
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        String before = Files.readString(tmp.resolve("plugins/plugins.lock"));
        env.put("XDPERF_PLUGIN_DIR", file.resolve("plugins").toString());
        refused("cannot write to plugin directory", "plugin", "install", "netlab/tcp");
        env.put("XDPERF_PLUGIN_DIR", tmp.resolve("plugins").toString());
        assertEquals(before, Files.readString(tmp.resolve("plugins/plugins.lock")));

        // reinstall repairs it, yank hides it from resolution
        ok("plugin", "install", "netlab/tcp");
        ok("plugin", "verify", "netlab/tcp");
        assertTrue(ok("plugin", "yank", "netlab/tcp@1.0.0", "--token", token).stdout().startsWith("yanked netlab/tcp 1.0.0"));
        refused("no version this xdperf can use", "plugin", "install", "netlab/tcp");
        Xdperf.Result exact = ok("plugin", "install", "netlab/tcp@1.0.0");
        assertTrue(exact.stderr().contains("is yanked"), exact.stderr());
        ok("plugin", "remove", "tcp");
        assertFalse(Files.exists(tmp.resolve("plugins/netlab/tcp.wasm")));

        // with no network: a directory mirror, and a bundle file
        assertTrue(ok("registry", "mirror", "--out", tmp.resolve("mirror").toString(), "netlab/tcp", "netlab/icmp").stdout().startsWith("mirrored 2 versions"));
        ok("plugin", "fetch", "netlab/icmp", "--out", tmp.resolve("icmp.xdpkg").toString());
        server.close();
        server = null;
        refused("cannot connect to registry", "plugin", "install", "netlab/tcp");
        ok("plugin", "remove", "icmp");
        assertTrue(ok("plugin", "install", "--from", tmp.resolve("icmp.xdpkg").toString()).stdout().startsWith("installed netlab/icmp 1.0.0"));
        ok("plugin", "verify", "icmp");
        Xdperf.Result mirrored = ok("plugin", "install", "netlab/tcp@1.0.0", "--registry", tmp.resolve("mirror").toUri().toString());
        assertTrue(mirrored.stdout().startsWith("installed netlab/tcp 1.0.0"), mirrored.stdout());
        assertTrue(ok("plugin", "describe", "netlab/tcp").stdout().startsWith("tcp 1.0.0"));
    }

    /**
     * A registry served on an empty directory offers the signed first-party releases this build
     * ships, and they install with no trust step. A build without the first-party key ships none,
     * and this test is skipped, saying so.
     */
    @Test
    void anEmptyRegistryOffersTheFirstPartyReleasesWithNoTrustStep() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.xdperf.registry.release.FirstPartyReleases.shipped().isEmpty(),
                "this build ships no signed first-party releases (built without ../shared/secrets/first-party-signing-key.pem)");
        serve();
        assertTrue(serverSaid("seeded xdperf/tcp 1.0.0"), server.output());
        String search = ok("plugin", "search").stdout();
        assertTrue(search.contains("xdperf/tcp ") && search.contains("xdperf/icmp "), search);
        Xdperf.Result install = ok("plugin", "install", "tcp");
        assertTrue(install.stdout().startsWith("installed xdperf/tcp 1.0.0 to " + tmp.resolve("plugins/xdperf/tcp.wasm")
                + " (sha256 " ), install.stdout());
        assertTrue(install.stdout().contains("signed by 96cd8c0acfddad204202cf4354099a9ff3f6bded5a863fe07b030aad555bc8a8"), install.stdout());
        assertFalse(Files.exists(tmp.resolve("config/trusted-keys")), "no trust step");
        assertTrue(ok("plugin", "verify", "tcp").stdout().startsWith("ok: tcp is xdperf/tcp 1.0.0"));
        Path pcap = tmp.resolve("tcp.pcap");
        Xdperf.Result run = ok("client", "--dev", pcapDevice(), "--plugin", "tcp", "--pcap", pcap.toString(), "--count", "4",
                "--src-ip", "198.18.0.1", "--dst-ip", "198.18.0.2", "--src-mac", "02:00:00:00:00:01", "--dst-mac", "02:00:00:00:00:02");
        assertTrue(run.stderr().contains("wrote 4 packets"), run.toString());
        // the installed official release takes the bundled one's place, and says so
        Xdperf.Result describe = ok("plugin", "describe", "tcp");
        assertTrue(describe.stderr().contains("using the installed xdperf/tcp 1.0.0"), describe.toString());
    }

    /**
     * The README's walkthrough: an empty registry offers xdperf/quic too, and the first-party
     * Java plugin installs with no trust step and without --allow-java (only the first-party key
     * signs xdperf/*); a pcap of it needs neither a device nor addresses.
     */
    @Test
    void firstPartyQuicInstallsWithoutAllowJavaAndWritesAPcapWithNoDevice() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.xdperf.registry.release.FirstPartyReleases.shipped().isEmpty(),
                "this build ships no signed first-party releases (built without ../shared/secrets/first-party-signing-key.pem)");
        serve();
        assertTrue(serverSaid("seeded xdperf/quic 1.0.0"), server.output());
        String search = ok("plugin", "search", "quic").stdout();
        assertTrue(search.contains("xdperf/quic ") && search.contains(" pf4j "), search);
        Xdperf.Result install = ok("plugin", "install", "quic");
        assertTrue(install.stdout().startsWith("installed xdperf/quic 1.0.0 to " + tmp.resolve("plugins/xdperf/quic.jar")), install.stdout());
        assertFalse(Files.exists(tmp.resolve("config/trusted-keys")), "no trust step");
        assertTrue(ok("plugin", "verify", "xdperf/quic").stdout().startsWith("ok: xdperf/quic is xdperf/quic 1.0.0"));
        Path pcap = tmp.resolve("quic.pcap");
        Xdperf.Result run = ok("client", "--plugin", "quic", "--plugin-opt", "flows=2", "--count", "4", "--pcap", pcap.toString());
        assertTrue(run.stderr().contains("wrote 4 packets to " + pcap + "; documentation addresses where none was given: source MAC"
                + " 02:00:00:00:00:01, source 192.0.2.1, destination 198.51.100.1, destination MAC 02:00:00:00:00:02"), run.toString());
        assertTrue(run.stderr().contains("using the installed xdperf/quic 1.0.0"), run.toString());
        byte[] bytes = Files.readAllBytes(pcap);
        assertEquals(24 + 4 * (16 + 1242), bytes.length, "4 QUIC Initials of 1242 bytes");
        // the first frame: documentation MACs and addresses
        assertEquals("020000000002020000000001", java.util.HexFormat.of().formatHex(bytes, 40, 52));
        assertEquals("c0000201c6336401", java.util.HexFormat.of().formatHex(bytes, 40 + 26, 40 + 34));
        // what is given is used: one address given, the rest still documentation ones
        Xdperf.Result given = ok("client", "--plugin", "quic", "--count", "1", "--pcap", pcap.toString(), "--dst-ip", "10.1.1.1");
        assertTrue(given.stderr().contains("source 192.0.2.1, destination MAC"), given.toString());
        assertEquals("c00002010a010101", java.util.HexFormat.of().formatHex(Files.readAllBytes(pcap), 40 + 26, 40 + 34));
    }

    /** search, info, install, publish and yank take the registry from --registry or XDPERF_REGISTRY alike. */
    @Test
    void everyRegistryCommandTakesTheFlagAndTheEnvironmentAlike() throws Exception {
        Path key = tmp.resolve("keys/netlab");
        ok("plugin", "keygen", "--out", key.toString());
        ok("registry", "admin", "--data", tmp.resolve("data").toString(), "create-publisher", "netlab", "--key", key + ".pub");
        String token = ok("registry", "admin", "--data", tmp.resolve("data").toString(), "create-token", "netlab").stdout().strip();
        ok("plugin", "trust", key + ".pub", "--namespace", "netlab");
        String live = serve();
        Path wasm = bundled("tcp.wasm");
        Path manifest = bundled("tcp.json");
        Path icmp = bundled("icmp.wasm");
        Path icmpManifest = bundled("icmp.json");
        String[][] commands = {
            {"plugin", "publish", wasm.toString(), "--manifest", manifest.toString(), "--key", key.toString(), "--token", token},
            {"plugin", "search", "tcp"},
            {"plugin", "info", "netlab/tcp"},
            {"plugin", "install", "netlab/tcp"},
            {"plugin", "yank", "netlab/tcp@1.0.0", "--token", token},
        };
        // by the environment (serve() set XDPERF_REGISTRY), then by the flag with the environment naming a dead port
        for (String[] c : commands) {
            ok(c);
        }
        ok("plugin", "yank", "netlab/tcp@1.0.0", "--undo", "--token", token);
        ok("plugin", "remove", "netlab/tcp");
        env.put("XDPERF_REGISTRY", "http://127.0.0.1:1");
        commands[0] = new String[] {"plugin", "publish", icmp.toString(), "--manifest", icmpManifest.toString(), "--key", key.toString(),
            "--token", token};
        commands[2] = new String[] {"plugin", "info", "netlab/icmp"};
        commands[3] = new String[] {"plugin", "install", "netlab/tcp"};
        for (String[] c : commands) {
            String[] withFlag = java.util.Arrays.copyOf(c, c.length + 2);
            withFlag[c.length] = "--registry";
            withFlag[c.length + 1] = live;
            ok(withFlag);
            refused("cannot connect to registry http://127.0.0.1:1", c);
        }
        // a bare name means the official namespace, and yank says so
        env.put("XDPERF_REGISTRY", live);
        refused("(a bare name means the official namespace, xdperf/tcp; name your own release PUBLISHER/tcp@1.0.0)",
                "plugin", "yank", "tcp@1.0.0", "--token", token);
    }

    @Test
    void aJavaPluginInstallsVerifiesListsAndRemovesOnlyWithAllowJava() throws Exception {
        Path key = tmp.resolve("keys/netlab");
        ok("plugin", "keygen", "--out", key.toString());
        ok("registry", "admin", "--data", tmp.resolve("data").toString(), "create-publisher", "netlab", "--key", key + ".pub");
        String token = ok("registry", "admin", "--data", tmp.resolve("data").toString(), "create-token", "netlab").stdout().strip();
        serve();
        Files.createDirectories(tmp.resolve("build"));
        Path jar = dev.xdperf.plugin.JavaPluginJars.good(tmp.resolve("build"), "probe.jar", "probe");
        Path manifest = tmp.resolve("build/probe.json");
        Files.writeString(manifest, "{\"id\":\"probe\",\"version\":\"1.2.3\",\"kind\":\"pf4j\",\"abi\":\"1.0\","
                + "\"description\":\"a Java test plugin\",\"license\":\"MIT\"}");
        assertTrue(ok("plugin", "publish", jar.toString(), "--manifest", manifest.toString(), "--key", key.toString(), "--token", token)
                .stdout().startsWith("published netlab/probe 1.2.3 (pf4j, ABI 1.0"));
        ok("plugin", "trust", key + ".pub", "--namespace", "netlab");

        refused("it is a Java (PF4J) plugin, which runs inside xdperf with the full rights of the JVM (no sandbox), so installing it"
                + " needs --allow-java", "plugin", "install", "netlab/probe");
        assertFalse(Files.exists(tmp.resolve("plugins")), "nothing written");

        Xdperf.Result install = ok("plugin", "install", "netlab/probe", "--allow-java");
        assertTrue(install.stdout().startsWith("installed netlab/probe 1.2.3 to " + tmp.resolve("plugins/netlab/probe.jar")), install.stdout());
        assertTrue(ok("plugin", "verify", "probe").stdout().startsWith("ok: probe is netlab/probe 1.2.3"));
        String list = ok("plugin", "list").stdout();
        assertTrue(list.contains("netlab/probe  (installed, java: " + tmp.resolve("plugins/netlab/probe.jar") + ", netlab/probe 1.2.3)"), list);
        Xdperf.Result describe = ok("plugin", "describe", "netlab/probe@1.2.3");
        assertTrue(describe.stdout().startsWith("probe 1.2.3 (template ABI 1.0)"), describe.toString());
        assertTrue(describe.stderr().contains("is a Java extension: it runs inside xdperf with the full rights of the JVM"), describe.toString());
        ok("plugin", "remove", "netlab/probe");
        assertFalse(Files.exists(tmp.resolve("plugins/netlab/probe.jar")));
        assertFalse(Files.readString(tmp.resolve("plugins/plugins.lock")).contains("netlab/probe"));
    }

    /**
     * Every file xdperf writes for a user lands in the XDG base directories, or under $HOME when
     * they are unset; never in Java's user.home (the passwd entry's home, faked here through
     * JAVA_TOOL_OPTIONS), and nowhere else.
     */
    @Test
    void filesGoToTheXdgDirectoriesOrUnderHomeAndNowhereElse() throws Exception {
        Path key = tmp.resolve("keys/netlab");
        ok("plugin", "keygen", "--out", key.toString());
        ok("registry", "admin", "--data", tmp.resolve("data").toString(), "create-publisher", "netlab", "--key", key + ".pub");
        String token = ok("registry", "admin", "--data", tmp.resolve("data").toString(), "create-token", "netlab").stdout().strip();
        serve();
        ok("plugin", "publish", bundled("tcp.wasm").toString(), "--manifest", bundled("tcp.json").toString(), "--key", key.toString(),
                "--token", token);

        Path home = Files.createDirectories(tmp.resolve("home"));
        Path passwdHome = Files.createDirectories(tmp.resolve("passwd-home"));
        Path xdg = Files.createDirectories(tmp.resolve("xdg"));
        for (String v : List.of("XDPERF_PLUGIN_DIR", "XDPERF_CONFIG_DIR", "XDPERF_CACHE_DIR", "XDPERF_AOT_CACHE")) {
            env.put(v, "");   // blank counts as unset
        }
        env.put("HOME", home.toString());
        env.put("JAVA_TOOL_OPTIONS", "-Duser.home=" + passwdHome);
        env.put("XDG_CONFIG_HOME", xdg.resolve("config").toString());
        env.put("XDG_DATA_HOME", xdg.resolve("data").toString());
        env.put("XDG_CACHE_HOME", xdg.resolve("cache").toString());

        ok("plugin", "trust", key + ".pub", "--namespace", "netlab");
        ok("plugin", "install", "netlab/tcp");
        ok("plugin", "describe", "netlab/tcp");
        ok("plugin", "verify", "netlab/tcp");
        assertTrue(Files.readString(xdg.resolve("config/xdperf/trusted-keys")).contains(" ns:netlab "));
        assertTrue(Files.isRegularFile(xdg.resolve("data/xdperf/plugins/netlab/tcp.wasm")));
        assertTrue(Files.isRegularFile(xdg.resolve("data/xdperf/plugins/plugins.lock")));
        assertFalse(files(xdg.resolve("cache/xdperf/aot")).isEmpty(), "the compiled plugin is cached");
        assertTrue(ok("plugin", "untrust", key + ".pub").stdout().startsWith("untrusted key "));
        assertFalse(Files.readString(xdg.resolve("config/xdperf/trusted-keys")).contains("ns:netlab"));
        Xdperf.Result untrusted = xdperf("plugin", "verify", "netlab/tcp");
        assertEquals(1, untrusted.exit(), untrusted::toString);
        assertTrue(untrusted.stderr().contains("which this xdperf does not trust"), untrusted::toString);
        Xdperf.Result again = xdperf("plugin", "untrust", key + ".pub");
        assertEquals(1, again.exit(), again::toString);
        assertTrue(again.stderr().contains("is not trusted here"), again::toString);
        assertEquals(List.of(), files(home), "nothing under $HOME while the XDG variables are set");

        // without the XDG variables: the defaults under $HOME
        for (String v : List.of("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")) {
            env.put(v, "");
        }
        ok("plugin", "trust", key + ".pub", "--namespace", "netlab");
        ok("plugin", "install", "netlab/tcp");
        ok("plugin", "describe", "netlab/tcp");
        assertTrue(Files.isRegularFile(home.resolve(".config/xdperf/trusted-keys")));
        assertTrue(Files.isRegularFile(home.resolve(".local/share/xdperf/plugins/netlab/tcp.wasm")));
        assertFalse(files(home.resolve(".cache/xdperf/aot")).isEmpty());
        assertEquals(List.of(), files(passwdHome), "nothing in the passwd entry's home");
        List<String> outside = files(tmp).stream().filter(f -> !f.startsWith("home/") && !f.startsWith("xdg/") && !f.startsWith("data/")
                && !f.startsWith("keys/") && !f.startsWith("bundled/")).toList();
        assertEquals(List.of(), outside, "nothing anywhere else in the test's directory");
    }

    /** The regular files under {@code dir}, relative to it. */
    static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /**
     * An interface to name in a --pcap run (nothing is sent; only its MTU is read). Not lo: its
     * MTU of 65536 does not fit the run request's 16-bit field.
     */
    static String pcapDevice() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
            for (Path p : s.sorted().toList()) {
                Path mtu = p.resolve("mtu");
                if (Files.isReadable(mtu) && Integer.parseInt(Files.readString(mtu).strip()) <= 65535) {
                    return p.getFileName().toString();
                }
            }
        }
        throw new AssertionError("no network interface with an MTU below 65536 to name in a --pcap run");
    }

    /** Sum of the captured lengths in a pcap, to check the record count from its size. */
    static long packetBytes(Path pcap) throws IOException {
        byte[] b = Files.readAllBytes(pcap);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long sum = 0;
        int at = 24;
        while (at + 16 <= b.length) {
            int len = buf.getInt(at + 8);
            sum += len;
            at += 16 + len;
        }
        return sum;
    }
}
