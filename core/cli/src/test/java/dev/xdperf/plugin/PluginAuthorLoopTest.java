package dev.xdperf.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.registry.Manifest;
import dev.xdperf.testing.Xdperf;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The author's loop through the real command: `plugin new` for C, Go and Java, each project
 * built as an author outside this tree would build it (make with clang for wasm32, go vet and
 * go test, mvn offline), then `plugin check` and `plugin manifest` on what came out.
 */
class PluginAuthorLoopTest {
    @TempDir
    Path tmp;

    private Map<String, String> env() {
        return Map.of("XDPERF_PLUGIN_DIR", tmp.resolve("installed").toString());
    }

    private Xdperf.Result xdperf(String... args) {
        return Xdperf.run(env(), null, 120, args);
    }

    @Test
    void cProjectBuildsWithClangPassesCheckAndWritesAValidManifest() throws Exception {
        Path project = tmp.resolve("dnsq");
        Xdperf.Result made = xdperf("plugin", "new", "dnsq", "--lang", "c", "--dir", project.toString());
        assertEquals(0, made.exit(), made::toString);
        assertTrue(Files.isRegularFile(project.resolve("Makefile")) && Files.isRegularFile(project.resolve("xdperf-sdk/xdperf_plugin.h")),
                made::toString);

        run(project, 120, "make");
        Path wasm = project.resolve("build/dnsq.wasm");
        Xdperf.Result check = xdperf("plugin", "check", wasm.toString(), "--pcap", tmp.resolve("first.pcap").toString());
        assertEquals(0, check.exit(), check::toString);
        for (String finding : List.of("ok    describe: dnsq 0.1.0, wasm, template ABI 1.0, 5 options", "ok    generate (defaults): 1 template, 74-byte frames",
                "ok    generate (defaults, IPv6 addresses only): 1 template, 94-byte frames", "ABI checks pass",
                "reference engine: 1024 packets computed, their checksums verify", "ok    pcap: 16 packets written to " + tmp.resolve("first.pcap"),
                "packet 0: IPv4 UDP 192.0.2.1:1024 > 192.0.2.2:9000, 74 bytes, measurement header stream 0", "plugin check: passed")) {
            assertTrue(check.stdout().contains(finding), finding + " missing from\n" + check);
        }
        assertFalse(check.stdout().contains("fail "), check::toString);
        assertEquals(24 + 16 * (16 + 74), Files.size(tmp.resolve("first.pcap")), "16 frames of 74 bytes in a classic pcap");

        Path manifest = project.resolve("build/manifest.json");
        Xdperf.Result written = xdperf("plugin", "manifest", wasm.toString(), "-o", manifest.toString());
        assertEquals(0, written.exit(), written::toString);
        Manifest m = Manifest.parse(Files.readAllBytes(manifest));
        assertEquals(List.of("dnsq", "0.1.0", "wasm", "1.0"), List.of(m.id(), m.version(), m.kind(), m.abi().toString()));
        JsonNode options = new ObjectMapper().readTree(manifest.toFile()).path("options");
        assertEquals(5, options.size());
        assertEquals("dst-port", options.get(0).path("name").asText());
        assertEquals("9000", options.get(0).path("default").asText());
        Xdperf.Result stdout = xdperf("plugin", "manifest", wasm.toString());
        assertEquals(Files.readString(manifest), stdout.stdout(), "standard output carries the same manifest");

        Xdperf.Result matches = xdperf("plugin", "check", wasm.toString(), "--manifest", manifest.toString());
        assertEquals(0, matches.exit(), matches::toString);
        assertTrue(matches.stdout().contains("ok    manifest " + manifest + " matches the plugin's own description"), matches::toString);

        // a manifest that does not say what the plugin says is a failing finding
        Files.writeString(manifest, Files.readString(manifest).replace("\"9000\"", "\"53\""));
        Xdperf.Result differs = xdperf("plugin", "check", wasm.toString(), "--manifest", manifest.toString());
        assertEquals(1, differs.exit(), differs::toString);
        assertTrue(differs.stdout().contains("fail  manifest " + manifest + " does not match the plugin's own description: its options differ"),
                differs::toString);

        // a plugin that computes its UDP checksum once instead of naming it in a checksum rule: the
        // request id then changes under a stale checksum, which only the decoded packets show
        Path source = project.resolve("src/dnsq.c");
        String c = Files.readString(source);
        String rule = "\t\txd_add_csum(&tpl, XD_CSUM_UDP, (uint16_t)l3, (uint16_t)l4);\n\t} else {";
        assertTrue(c.contains(rule));
        Files.writeString(source, c.replace(rule, "\t\tuint16_t sum = xd_csum_l4(f + l3, XD_PROTO_UDP, f + l4, len - l4);\n"
                + "\t\txd_be16(f + l4 + 6, sum ? sum : 0xffff);\n\t} else {"));
        run(project, 120, "make");
        Xdperf.Result broken = xdperf("plugin", "check", wasm.toString());
        assertEquals(1, broken.exit(), broken::toString);
        assertTrue(broken.stdout().contains("fail  pcap: 15 of 16 packets (the first: packet 1): its UDP checksum is wrong\n"),
                broken::toString);
        assertTrue(broken.stdout().endsWith("plugin check: 1 finding failed\n"), broken::toString);
    }

    @Test
    void aNameWithPathCharactersIsOneSentenceAndWritesNothing() throws IOException {
        Path dir = tmp.resolve("work");
        Files.createDirectories(dir);
        for (String bad : List.of("../evil", "a/b", "/etc/x", "Dns", "..", "a b")) {
            Xdperf.Result r = xdperf("plugin", "new", bad, "--lang", "c", "--dir", dir.resolve("out").toString());
            assertEquals(1, r.exit(), r::toString);
            assertEquals("xdperf: '" + bad + "' is not a plugin name (lowercase letters, digits, '-' and '_', at most 64; no path characters):"
                    + " nothing was written\n", r.stderr(), r::toString);
            assertEquals("", r.stdout());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "nothing written");
        }
        assertFalse(Files.exists(tmp.resolve("evil")));

        Xdperf.Result lang = xdperf("plugin", "new", "ok", "--lang", "rust", "--dir", dir.resolve("out").toString());
        assertEquals(1, lang.exit(), lang::toString);
        assertEquals("xdperf: --lang rust is not one of c, go, java\n", lang.stderr());

        Files.writeString(dir.resolve("keep.txt"), "mine");
        Xdperf.Result occupied = xdperf("plugin", "new", "ok", "--lang", "c", "--dir", dir.toString());
        assertEquals(1, occupied.exit(), occupied::toString);
        assertEquals("xdperf: write project " + dir + ": it exists and is not an empty directory\n", occupied.stderr());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "an author's directory is left alone");
        }
    }

    @Test
    void sdkWithoutInstallAndCheckWithABadPcapPathWriteNothing() throws IOException {
        Path repo = tmp.resolve("repo");
        Xdperf.Result sdk = xdperf("plugin", "sdk", "--maven-repo", repo.toString());
        assertEquals(0, sdk.exit(), sdk::toString);
        assertTrue(sdk.stdout().startsWith("dev.xdperf:xdperf-host-abi:"), sdk::toString);
        assertTrue(sdk.stdout().contains(" would go to " + repo.resolve("dev/xdperf/xdperf-host-abi")), sdk::toString);
        assertFalse(Files.exists(repo), "nothing installed without --install");

        Xdperf.Result check = xdperf("plugin", "check", "icmp", "--pcap", tmp.resolve("no/such/dir/x.pcap").toString());
        assertEquals(1, check.exit(), check::toString);
        assertEquals("xdperf: --pcap " + tmp.resolve("no/such/dir/x.pcap") + ": its directory does not exist\n", check.stderr());
        assertEquals("", check.stdout());
    }

    @Test
    void goProjectVetsAndTestsNatively() throws Exception {
        Assumptions.assumeTrue(onPath("go") || "true".equals(System.getenv("CI")), "go is not installed");
        Path project = tmp.resolve("qgo");
        Xdperf.Result made = xdperf("plugin", "new", "qgo", "--lang", "go", "--dir", project.toString());
        assertEquals(0, made.exit(), made::toString);
        assertTrue(Files.readString(project.resolve("README.md")).contains("tinygo build -o qgo.wasm -target=wasip1 -buildmode=c-shared ."));
        assertTrue(Files.readString(project.resolve("README.md")).contains("GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o qgo.wasm ."));
        assertTrue(Files.isRegularFile(project.resolve("xdperf-sdk/exports_wasip1.go")));
        run(project, 300, "go", "vet", "./...");
        String tests = run(project, 300, "go", "test", "-v", "./...");
        for (String t : List.of("TestDescribeIsJSON", "TestDefaultsAndIPv6GiveOneValidTemplate", "TestFrameSizeIsHonoured",
                "TestTooManyFlowsIsOneSentence")) {
            assertTrue(tests.contains("--- PASS: " + t), t + " did not pass:\n" + tests);
        }

        // No TinyGo or Go 1.24 here to build the module: instead, the Go example's template set for
        // the checker's run is byte for byte the C example's, which passes `plugin check` above.
        Files.writeString(project.resolve("dump_test.go"), """
                package main

                import (
                	"os"
                	"testing"

                	xdperf "github.com/xdperf/xdperf/sdk-tinygo"
                )

                func TestDump(t *testing.T) {
                	req := &xdperf.RunRequest{AbiMajor: xdperf.AbiMajor, AbiMinor: xdperf.AbiMinor, MTU: 1500, CPUs: 2, StreamBase: 3,
                		SrcMAC:   xdperf.MustParseMAC("02:00:00:00:00:01"),
                		DstMAC:   xdperf.MustParseMAC("02:00:00:00:00:02"),
                		SrcAddrs: []xdperf.Addr{xdperf.MustParseAddr("192.0.2.1"), xdperf.MustParseAddr("2001:db8::1")},
                		DstAddrs: []xdperf.Addr{xdperf.MustParseAddr("192.0.2.2"), xdperf.MustParseAddr("2001:db8::2")}}
                	for _, o := range describe().Options {
                		req.Options = append(req.Options, xdperf.Option{Name: o.Name, Value: o.Default})
                	}
                	in, err := xdperf.EncodeRunRequest(req)
                	if err != nil {
                		t.Fatal(err)
                	}
                	out, err := xdperf.Generate(generate, in)
                	if err != nil {
                		t.Fatal(err)
                	}
                	if err := os.WriteFile(os.Getenv("XDPERF_DUMP"), out, 0o644); err != nil {
                		t.Fatal(err)
                	}
                }
                """);
        Path dump = tmp.resolve("go-set.bin");
        run(project, 300, "env", "XDPERF_DUMP=" + dump, "go", "test", "-run", "TestDump", ".");
        TemplateSet fromGo = dev.xdperf.abi.AbiCodec.decodeSet(Files.readAllBytes(dump));
        assertEquals(filled(cExampleSet()), filled(fromGo), "the Go example's templates are the C example's");
    }

    /** The C example's template set for {@link #sampleRequest}, from a freshly written and built project. */
    private TemplateSet cExampleSet() throws Exception {
        Path project = tmp.resolve("c-reference");
        assertEquals(0, xdperf("plugin", "new", "reference", "--lang", "c", "--dir", project.toString()).exit());
        run(project, 120, "make");
        try (LoadedPlugin p = new PluginResolver(tmp.resolve("installed"), PluginLimits.DEFAULT).load(project.resolve("build/reference.wasm").toString())) {
            return p.generate(sampleRequest(p));
        }
    }

    /** Checksums as the host fills them before anything is sent: plugins may leave them 0. */
    private static List<dev.xdperf.abi.PacketTemplate> filled(TemplateSet set) {
        return set.templates().stream().map(dev.xdperf.abi.ChecksumFiller::fill).toList();
    }

    /** The checker's run: documentation addresses of both families, MTU 1500, two CPUs, stream base 3, the defaults. */
    private static RunRequest sampleRequest(LoadedPlugin p) throws Exception {
        return new RunRequest(AbiVersion.HOST, 1500, 2, new byte[] {2, 0, 0, 0, 0, 1}, new byte[] {2, 0, 0, 0, 0, 2}, 0, 3,
                List.of(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("2001:db8::1")),
                List.of(InetAddress.getByName("192.0.2.2"), InetAddress.getByName("2001:db8::2")), p.describe().resolveOptions(Map.of()));
    }

    /**
     * The Java project out of the tree: the host API installed by `plugin sdk --install` into a
     * local repository of its own (the rest of it links to the user's ~/.m2, so Maven runs
     * offline), built with `mvn -o package`, checked and described.
     */
    @Test
    void javaProjectBuildsOutOfTreeAgainstTheInstalledHostApi() throws Exception {
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Assumptions.assumeTrue(Files.isDirectory(m2) && onPath("mvn"), "needs mvn and a populated " + m2);
        Path repo = tmp.resolve("m2");
        Files.createDirectories(repo.resolve("dev"));
        try (Stream<Path> top = Files.list(m2)) {
            for (Path p : top.toList()) {
                if (!p.getFileName().toString().equals("dev")) {
                    Files.createSymbolicLink(repo.resolve(p.getFileName().toString()), p);
                }
            }
        }
        if (Files.isDirectory(m2.resolve("dev"))) {
            try (Stream<Path> dev = Files.list(m2.resolve("dev"))) {
                for (Path p : dev.toList()) {
                    if (!p.getFileName().toString().equals("xdperf")) {
                        Files.createSymbolicLink(repo.resolve("dev").resolve(p.getFileName().toString()), p);
                    }
                }
            }
        }

        Path project = tmp.resolve("udpq");
        Xdperf.Result made = xdperf("plugin", "new", "udpq", "--lang", "java", "--dir", project.toString());
        assertEquals(0, made.exit(), made::toString);
        Xdperf.Result sdk = xdperf("plugin", "sdk", "--install", "--maven-repo", repo.toString());
        assertEquals(0, sdk.exit(), sdk::toString);
        assertTrue(sdk.stdout().startsWith("installed dev.xdperf:xdperf-host-abi:"), sdk::toString);

        run(project, 600, "mvn", "-B", "-o", "-q", "-Dmaven.repo.local=" + repo, "package");
        Path jar = project.resolve("target/udpq-0.1.0.jar");
        assertTrue(Files.isRegularFile(jar));
        assertTrue(Files.isRegularFile(project.resolve("target/surefire-reports/TEST-example.udpq.UdpqPluginTest.xml")),
                "the project's own tests ran");

        Xdperf.Result check = xdperf("plugin", "check", jar.toString());
        assertEquals(0, check.exit(), check::toString);
        assertTrue(check.stdout().contains("ok    describe: udpq 0.1.0, java, template ABI 1.0, 5 options"), check::toString);
        assertTrue(check.stdout().contains("plugin check: passed"), check::toString);
        Xdperf.Result manifest = xdperf("plugin", "manifest", jar.toString());
        assertEquals(0, manifest.exit(), manifest::toString);
        Manifest m = Manifest.parse(manifest.stdout().getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("udpq", "pf4j"), List.of(m.id(), m.kind()));

        try (LoadedPlugin p = new PluginResolver(tmp.resolve("installed"), PluginLimits.DEFAULT).load(jar.toString())) {
            assertEquals(filled(cExampleSet()), filled(p.generate(sampleRequest(p))), "the Java example's templates are the C example's");
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /** Runs a build tool in {@code dir}; fails the test with its output unless it exits 0. Returns the output. */
    private static String run(Path dir, int timeoutSeconds, String... cmd) throws Exception {
        List<String> command = new ArrayList<>(List.of(cmd));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GOPROXY", "off");
        pb.environment().put("GOFLAGS", "-mod=mod");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " in " + dir + " failed:\n" + text);
        return text;
    }
}
