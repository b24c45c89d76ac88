package dev.xdperf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.abi.AbiCodec;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.net.DemoTopology;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.testing.Privileged;
import dev.xdperf.testing.Topology;
import dev.xdperf.testing.Xdperf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `xdperf bench` end to end, with the example program of docs/bench.md (docs/examples/
 * xdp_filter.bpf.c, built by the test build in its fast and slow variant): live in fresh
 * namespaces with our own sender, micro with BPF_PROG_TEST_RUN, BMF output, the regression
 * gate, and bad input.
 */
class BenchTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Path examples;
    @TempDir
    Path tmp;

    @BeforeAll
    static void find() {
        examples = Path.of(System.getProperty("xdperf.test.classes", "target/test-classes"), "bpf-examples");
        assertTrue(Files.isRegularFile(examples.resolve("xdp_filter.bpf.o")), "the test build compiles the examples into " + examples);
    }

    @BeforeEach
    void privileged() {
        Privileged.require();
    }

    static String fast() {
        return examples.resolve("xdp_filter.bpf.o").toString();
    }

    static String slow() {
        return examples.resolve("xdp_filter_slow.bpf.o").toString();
    }

    static Xdperf.Result bench(String... args) {
        List<String> all = new ArrayList<>(List.of("bench"));
        all.addAll(List.of(args));
        return Xdperf.run(null, 300, all.toArray(String[]::new));
    }

    /** Three UDP templates in a cycle of four: to port 9 twice (drop), to 7 once (tx), to 5201 once (pass). */
    Path mixedTemplates() throws IOException {
        MacAddress src = MacAddress.parse("02:00:5e:00:00:01");
        MacAddress dst = MacAddress.parse("02:00:5e:00:00:02");
        List<PacketTemplate> ts = new ArrayList<>();
        int[][] portWeight = {{9, 2}, {7, 1}, {5201, 1}};
        for (int[] pw : portWeight) {
            PacketTemplate t = new UdpStream(src, dst, UdpStream.parseIp(DemoTopology.CLIENT_IP), UdpStream.parseIp(DemoTopology.SERVER_IP),
                    4000, pw[0], 64, 0, false).toTemplate();
            ts.add(new PacketTemplate(t.frame(), 0, pw[1], 1, 0, t.fields(), t.checksums()));
        }
        Path file = tmp.resolve("mixed.tset");
        Files.write(file, AbiCodec.encode(new TemplateSet(AbiVersion.HOST, ts)));
        return file;
    }

    @Test
    void liveRunCountsEveryVerdictExactlyAndCleansUp() throws Exception {
        Xdperf.Result r = bench("--prog", fast(), "--templates", mixedTemplates().toString(), "--count", "4000", "--cpus", "0", "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode n = r.json();
        assertEquals("xdperf-bench", n.path("kind").asText());
        assertEquals("live", n.path("mode").asText());
        assertEquals("xdp_filter", n.path("program").asText());
        assertEquals("xdp", n.path("section").asText());
        assertEquals(4000, n.path("traffic").path("sent_packets").asLong(), r.toString());

        JsonNode live = n.path("live");
        long packets = live.path("packets").asLong();
        // Everything we sent ran through the program; the rest is the namespace's own chatter (IPv6 neighbour discovery).
        assertTrue(packets >= 4000 && packets < 4100, "run count " + packets);
        JsonNode v = live.path("verdicts");
        assertTrue(live.path("verdicts_complete").asBoolean(), live.toString());
        assertEquals(2000, v.path("drop").asLong(), v.toString());
        assertEquals(1000, v.path("tx").asLong(), v.toString());
        assertEquals(1000 + (packets - 4000), v.path("pass").asLong(), "the chatter is not UDP, so it passes: " + v);
        assertEquals(0, v.path("aborted").asLong());
        assertEquals(0, v.path("redirect").asLong());
        assertEquals(0, v.path("other").asLong());

        JsonNode kernel = n.path("kernel_verdicts");
        assertEquals(List.of("drop", "tx", "pass"), List.of(kernel.get(0).path("verdict").asText(), kernel.get(1).path("verdict").asText(),
                kernel.get(2).path("verdict").asText()), "BPF_PROG_TEST_RUN of each template: " + kernel);
        assertFalse(n.path("warnings").toString().contains("differs"), "the mix agrees with the kernel's: " + n.path("warnings"));

        double ns = live.path("ns_per_packet").asDouble();
        assertTrue(ns > 1 && ns < 100_000, "plausible ns per packet: " + ns);
        assertTrue(live.path("run_time_ns").asLong() > 0);
        assertTrue(live.path("handled_pps").asDouble() > 0, live.toString());
        assertEquals(ns, n.path("bmf").path("xdp_filter").path("latency").path("value").asDouble(), 1e-9);
        JsonNode ci = live.path("ns_per_packet_ci");
        assertTrue(ci.get(0).asDouble() <= ns && ns <= ci.get(1).asDouble(), "inside its 95% interval: " + ci);
        assertEquals(ci.get(0).asDouble(), n.path("bmf").path("xdp_filter").path("latency").path("lower_value").asDouble(), 1e-9);
        assertEquals(ci.get(1).asDouble(), n.path("bmf").path("xdp_filter").path("latency").path("upper_value").asDouble(), 1e-9);

        Matcher m = Pattern.compile("bench: namespaces (\\S+) .* and (\\S+) ").matcher(r.stderr());
        assertTrue(m.find(), r.stderr());
        assertFalse(Topology.namespaceExists(m.group(1)), "client namespace removed");
        assertFalse(Topology.namespaceExists(m.group(2)), "server namespace removed");
    }

    @Test
    void microModeRunsEveryTemplate() throws Exception {
        Xdperf.Result r = bench("--prog", fast(), "--micro", "--templates", mixedTemplates().toString(), "--repeat", "100000",
                "--rounds", "3", "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode micro = r.json().path("micro");
        assertEquals(100000, micro.path("repeat").asLong());
        assertEquals(3, micro.path("rounds").asInt());
        JsonNode ts = micro.path("templates");
        assertEquals(3, ts.size());
        assertEquals(List.of("drop", "tx", "pass"), List.of(ts.get(0).path("verdict").asText(), ts.get(1).path("verdict").asText(),
                ts.get(2).path("verdict").asText()));
        for (JsonNode t : ts) {
            double ns = t.path("ns_per_run").asDouble();
            // beyond an empty program's time: a filter that returns early may cost next to nothing more
            assertTrue(ns >= 0 && ns < 100_000, t.toString());
            JsonNode ci = t.path("ns_per_run_ci");
            assertTrue(ci.get(0).asDouble() <= ns && ns <= ci.get(1).asDouble(), "inside its 95% interval: " + t);
            assertTrue(t.path("min_ns").asDouble() <= t.path("max_ns").asDouble(), t.toString());
        }
        double mean = (2 * ts.get(0).path("ns_per_run").asDouble() + ts.get(1).path("ns_per_run").asDouble()
                + ts.get(2).path("ns_per_run").asDouble()) / 4;
        assertEquals(mean, micro.path("ns_per_run").asDouble(), 0.01, "weighted by the templates' weights");
    }

    @Test
    void bmfIsBencherMetricFormat() throws Exception {
        Path out = tmp.resolve("bmf.json");
        Xdperf.Result r = bench("--prog", fast(), "--micro", "--dst-port", "9", "--repeat", "100000", "--format", "bmf",
                "--output", out.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stdout().isBlank(), "with --output the report goes to the file only");
        JsonNode bmf = JSON.readTree(Files.readString(out));
        assertEquals(List.of("xdp_filter/micro", "xdp_filter/micro/t0"), fieldNames(bmf));
        bmf.fields().forEachRemaining(e -> {
            JsonNode b = e.getValue();
            assertEquals(List.of("latency", "throughput"), fieldNames(b), e.getKey());
            assertTrue(b.path("latency").path("value").isNumber() && b.path("latency").path("value").asDouble() >= 0, b.toString());
            assertTrue(b.path("throughput").path("value").isNumber() && b.path("throughput").path("value").asDouble() >= 0, b.toString());
            for (String measure : List.of("latency", "throughput")) {
                for (var it = b.path(measure).fieldNames(); it.hasNext(); ) {
                    assertTrue(List.of("value", "lower_value", "upper_value").contains(it.next()), "only BMF's fields: " + b);
                }
            }
        });
        JsonNode t0 = bmf.path("xdp_filter/micro/t0").path("latency");
        assertTrue(t0.path("lower_value").asDouble() <= t0.path("value").asDouble()
                && t0.path("value").asDouble() <= t0.path("upper_value").asDouble(), t0.toString());
        // 1e9 / latency: runs per second (0 when the program costs nothing measurable beyond an empty one)
        double lat = t0.path("value").asDouble();
        assertEquals(lat > 0 ? 1e9 / lat : 0, bmf.path("xdp_filter/micro/t0").path("throughput").path("value").asDouble(), 1.0);
    }

    /**
     * The gate, live as CI would run it: a baseline from the fast variant; the slow variant
     * (about six times the cost) fails it, the fast one passes it. 50% is the margin for a shared
     * two-core machine, where run-to-run noise of a live run reaches 10-20%.
     */
    @Test
    void regressionGateCatchesTheSlowVariant() throws Exception {
        Path baseline = tmp.resolve("baseline.json");
        Xdperf.Result b = bench("--prog", fast(), "--dst-port", "9", "--duration", "2", "--json", "--output", baseline.toString(), "-q");
        assertEquals(0, b.exit(), b.toString());
        double base = JSON.readTree(Files.readString(baseline)).path("live").path("ns_per_packet").asDouble();
        assertTrue(base > 0, "baseline measured");

        Xdperf.Result s = bench("--prog", slow(), "--dst-port", "9", "--duration", "2", "--baseline", baseline.toString(),
                "--max-regression", "50%", "-q");
        assertEquals(4, s.exit(), s.toString());
        assertTrue(s.stdout().contains("REGRESSED"), s.stdout());
        String err = s.stderr().strip();
        assertEquals(1, err.lines().count(), "one sentence: " + err);
        assertTrue(err.startsWith("xdperf: bench regression: xdp_filter takes "), err);
        assertTrue(err.contains("allowed +50.0%"), err);

        Xdperf.Result f = bench("--prog", fast(), "--dst-port", "9", "--duration", "2", "--baseline", baseline.toString(),
                "--max-regression", "50%", "--format", "bmf", "-q");
        assertEquals(0, f.exit(), f.toString());
        assertTrue(f.json().path("xdp_filter").path("latency").path("value").asDouble() > 0, f.stdout());
        assertTrue(f.stderr().contains("baseline xdp_filter:") && f.stderr().contains(" ok"), f.stderr());
    }

    @Test
    void microGateComparesWithABmfBaseline() throws Exception {
        Path baseline = tmp.resolve("micro.bmf.json");
        assertEquals(0, bench("--prog", fast(), "--micro", "--dst-port", "9", "--format", "bmf", "--output", baseline.toString()).exit());
        Xdperf.Result s = bench("--prog", slow(), "--micro", "--dst-port", "9", "--baseline", baseline.toString(), "--max-regression", "50%");
        assertEquals(4, s.exit(), s.toString());
        Xdperf.Result f = bench("--prog", fast(), "--micro", "--dst-port", "9", "--baseline", baseline.toString(), "--max-regression", "50%");
        assertEquals(0, f.exit(), f.toString());
    }

    @Test
    void onAnInterfaceItMeasuresWhatArrivesFromElsewhere() throws Exception {
        try (Topology t = Topology.create();
             Xdperf.Background b = Xdperf.Background.start(t.server, "bench: attached", "bench", "--dev", DemoTopology.SERVER_IF,
                     "--prog", fast(), "--duration", "12", "--json")) {
            Matcher mac = Pattern.compile("\\(mac ([0-9a-f:]{17})\\)").matcher(b.output());
            assertTrue(mac.find(), b.output());
            Xdperf.Result c = Xdperf.run(t.client, 120, "client", "--dev", DemoTopology.CLIENT_IF, "--dst-ip", DemoTopology.SERVER_IP,
                    "--dst-mac", mac.group(1), "--dst-port", "9", "--count", "3000", "--cpus", "0", "--json", "--quiet");
            assertEquals(0, c.exit(), c.toString());
            assertEquals(0, b.waitFor(60), b.output());
            String out = b.output();
            JsonNode n = JSON.readTree(out.substring(out.indexOf("{\n")));
            JsonNode live = n.path("live");
            assertEquals(DemoTopology.SERVER_IF, live.path("dev").asText());
            assertEquals(3000, live.path("verdicts").path("drop").asLong(), live.toString());
            assertTrue(live.path("ns_per_packet").asDouble() > 0, live.toString());
            assertFalse(n.has("traffic"), "the traffic is not ours to describe");
            t.assertNothingAttached();
        }
    }

    /** Where the kernel allows fexit, it counts exactly; where it does not (this sandbox), one sentence says so. */
    @Test
    void fexitCountsExactlyOrSaysWhyNot() throws Exception {
        Xdperf.Result r = bench("--prog", fast(), "--verdicts", "fexit", "--dst-port", "9", "--count", "2000", "--cpus", "0", "--json", "-q");
        if (r.exit() == 0) {
            JsonNode live = r.json().path("live");
            assertEquals("fexit", live.path("verdict_source").asText());
            assertEquals(2000, live.path("verdicts").path("drop").asLong(), live.toString());
            assertTrue(live.path("probe_run_time_ns").asLong() > 0, "the probe's own time is known, to subtract");
        } else {
            assertOneSentence(r, "count the verdicts of xdp_filter: ");
        }
    }

    static void assertOneSentence(Xdperf.Result r, String fragment) {
        assertEquals(1, r.exit(), r.toString());
        String err = r.stderr().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("xdperf: ") && err.contains(fragment), "expected '" + fragment + "' in: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), err);
    }

    @Test
    void badInputEndsInOneSentence() throws Exception {
        Path text = tmp.resolve("notes.o");
        Files.writeString(text, "this is not an object file\n");
        assertOneSentence(bench("--prog", text.toString(), "--micro"), "open object notes.o: not a BPF object file");
        assertOneSentence(bench("--prog", tmp.resolve("missing.o").toString(), "--micro"), "read program " + tmp.resolve("missing.o") + ": no such file");
        assertOneSentence(bench("--prog", examples.resolve("not_xdp.bpf.o").toString()),
                "load program tc_pass from not_xdp.bpf.o: not an XDP program (section \"tc\" makes it a sched_cls program");
        assertOneSentence(bench("--prog", examples.resolve("two_xdp.bpf.o").toString(), "--micro"),
                "it has 2 XDP programs, xdp_first, xdp_second (choose one with --section)");
        assertOneSentence(bench("--prog", fast(), "--micro", "--section", "nope"), "no section or function named nope");
        assertOneSentence(bench("--prog", fast(), "--micro", "--baseline", text.toString()), "read baseline " + text + ": not JSON");
        assertOneSentence(bench("--prog", fast(), "--micro", "--max-regression", "lots"), "--max-regression needs --baseline");
        assertOneSentence(bench("--prog", fast(), "--dev", "lo", "--plugin", "tcp"), "with --dev the traffic comes from elsewhere");

        // A verifier rejection: one sentence with the verifier's reason, then its log, indented.
        Xdperf.Result v = bench("--prog", examples.resolve("unverifiable.bpf.o").toString());
        assertEquals(1, v.exit(), v.toString());
        List<String> lines = v.stderr().lines().toList();
        assertTrue(lines.get(0).startsWith("xdperf: load program xdp_unchecked from unverifiable.bpf.o: the verifier rejected it: "),
                lines.get(0));
        assertTrue(lines.get(0).contains("outside of the packet"), lines.get(0));
        assertTrue(lines.size() > 1 && lines.stream().skip(1).allMatch(l -> l.startsWith("  | ")), v.stderr());

        Xdperf.Result two = bench("--prog", examples.resolve("two_xdp.bpf.o").toString(), "--micro", "--section", "xdp_second",
                "--repeat", "1000", "--json");
        assertEquals(0, two.exit(), two.toString());
        assertEquals("drop", two.json().path("micro").path("templates").get(0).path("verdict").asText());
    }

    /**
     * An in-place rewriter (ICMP echo: swaps addresses, type 8 -> 0, XDP_TX) must see a fresh
     * request every time: live, where live-frame pages come back with the reply still in them,
     * and micro, where the kernel repeats the program on one buffer. The kernel's test run of
     * the template says tx, and so must the mix.
     */
    @Test
    void inPlaceRewriterSeesTheTemplateEveryTime() throws Exception {
        Xdperf.Result live = bench("--prog", object("icmp_echo.bpf.o"), "--plugin", "icmp", "--count", "20000", "--cpus", "0", "--json", "-q");
        assertEquals(0, live.exit(), live.toString());
        JsonNode n = live.json();
        JsonNode v = n.path("live").path("verdicts");
        assertEquals(20000, n.path("traffic").path("sent_packets").asLong(), live.toString());
        assertEquals(20000, v.path("tx").asLong(), "every request answered: " + v);
        assertTrue(v.path("pass").asLong() < 100, "only the namespace's chatter passes: " + v);
        assertEquals("tx", n.path("kernel_verdicts").get(0).path("verdict").asText(), n.toString());
        assertFalse(n.path("warnings").toString().contains("differs"), n.path("warnings").toString());

        // a few ns of work under the cost of a fresh frame per run: enough runs that noise does not hide it
        Xdperf.Result micro = bench("--prog", object("icmp_echo.bpf.o"), "--plugin", "icmp", "--micro", "--repeat", "1000000",
                "--rounds", "5", "--json");
        assertEquals(0, micro.exit(), micro.toString());
        JsonNode t = micro.json().path("micro").path("templates").get(0);
        assertEquals("tx", t.path("verdict").asText(), "every run answered a request: " + t);
        assertEquals("tx", t.path("kernel_verdict").asText(), t.toString());
        assertTrue(t.path("fresh_frame_per_run").asBoolean(), t.toString());
        assertTrue(t.path("ns_per_run").asDouble() > 0, t.toString());
        assertEquals(0, micro.json().path("warnings").size(), micro.stdout());

        // A program that leaves the frame alone keeps the plain repeated run.
        Xdperf.Result plain = bench("--prog", fast(), "--micro", "--dst-port", "9", "--repeat", "100000", "--rounds", "3", "--json");
        assertFalse(plain.json().path("micro").path("templates").get(0).path("fresh_frame_per_run").asBoolean(), plain.stdout());
    }

    /** A classic pcap file (microsecond timestamps) of {@code frames}, with link type {@code linkType}. */
    Path pcap(String name, int linkType, List<byte[]> frames) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        out.write(h.array());
        for (byte[] f : frames) {
            java.nio.ByteBuffer r = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            r.putInt(1).putInt(0).putInt(f.length).putInt(f.length);
            out.write(r.array());
            out.write(f);
        }
        Path file = tmp.resolve(name);
        Files.write(file, out.toByteArray());
        return file;
    }

    static byte[] udpFrame(int dstPort) {
        PacketTemplate t = new UdpStream(MacAddress.parse("02:00:5e:00:00:01"), MacAddress.parse("02:00:5e:00:00:02"),
                UdpStream.parseIp(DemoTopology.CLIENT_IP), UdpStream.parseIp(DemoTopology.SERVER_IP), 4000, dstPort, 64, 0, false)
                .toTemplate();
        return dev.xdperf.abi.ChecksumFiller.fill(t).frame();
    }

    /** A capture replayed: three frames to port 9 (drop) for every one to port 7 (tx), live and micro; bad captures refused. */
    @Test
    void captureIsReplayedAsTemplates() throws Exception {
        Path capture = pcap("mix.pcap", 1, List.of(udpFrame(9), udpFrame(7), udpFrame(9), udpFrame(9)));
        Xdperf.Result live = bench("--prog", fast(), "--traffic", capture.toString(), "--count", "4000", "--cpus", "0", "--json", "-q");
        assertEquals(0, live.exit(), live.toString());
        JsonNode n = live.json();
        assertTrue(n.path("traffic").path("source").asText().startsWith("capture mix.pcap (4 frames, 2 distinct)"), n.toString());
        JsonNode v = n.path("live").path("verdicts");
        assertEquals(3000, v.path("drop").asLong(), v.toString());
        assertEquals(1000, v.path("tx").asLong(), v.toString());
        assertFalse(n.path("warnings").toString().contains("differs"), n.path("warnings").toString());
        assertFalse(Files.list(Path.of("/tmp")).anyMatch(f -> f.getFileName().toString().startsWith("xdperf-bench-capture-")),
                "the capture's template file is removed");

        Xdperf.Result micro = bench("--prog", fast(), "--traffic", capture.toString(), "--micro", "--repeat", "10000", "--rounds", "1",
                "--json");
        assertEquals(0, micro.exit(), micro.toString());
        JsonNode ts = micro.json().path("micro").path("templates");
        assertEquals(2, ts.size(), ts.toString());
        assertEquals(List.of("drop", "tx"), List.of(ts.get(0).path("verdict").asText(), ts.get(1).path("verdict").asText()));
        assertEquals(List.of(3, 1), List.of(ts.get(0).path("weight").asInt(), ts.get(1).path("weight").asInt()));

        Path rawIp = pcap("raw.pcap", 101, List.of(java.util.Arrays.copyOfRange(udpFrame(9), 14, 64)));
        assertOneSentence(bench("--prog", fast(), "--traffic", rawIp.toString(), "--micro"),
                "read capture " + rawIp + ": link type 101 is not Ethernet");
        Path jumbo = pcap("jumbo.pcap", 1, List.of(udpFrame(9), java.util.Arrays.copyOf(udpFrame(9), 9000)));
        assertOneSentence(bench("--prog", fast(), "--traffic", jumbo.toString()),
                "read capture " + jumbo + ": frame 2 is 9000 bytes, larger than 1514");
        assertOneSentence(bench("--prog", fast(), "--traffic", capture.toString(), "--plugin", "tcp"),
                "give one of --plugin, --templates and --traffic");
    }

    /**
     * A filter benchmarked with its real rules: --map fills the pinned deny_ports hash from a file
     * in bpftool's `map dump -j` form (port 9, host byte order), so UDP to port 9 is dropped, in
     * micro and live runs alike, and the kernel's test run agrees. Bad map files end in one sentence.
     */
    @Test
    void mapsAreFilledFromBpftoolDumps() throws Exception {
        Path rules = tmp.resolve("deny.json");
        Files.writeString(rules, "[{\"key\": [\"0x09\", \"0x00\"], \"value\": [\"0x01\", \"0x00\", \"0x00\", \"0x00\"],"
                + " \"formatted\": {\"key\": 9, \"value\": 1}}]");
        String legacy = object("legacy_filter.bpf.o");
        String map = "deny_ports=" + rules;
        Xdperf.Result micro = bench("--prog", legacy, "--section", "port_filter", "--map", map, "--micro", "--dst-port", "9",
                "--repeat", "10000", "--rounds", "2", "--json");
        assertEquals(0, micro.exit(), micro.toString());
        assertEquals("drop", micro.json().path("micro").path("templates").get(0).path("verdict").asText(), micro.stdout());
        Xdperf.Result other = bench("--prog", legacy, "--section", "port_filter", "--map", map, "--micro", "--dst-port", "7",
                "--repeat", "10000", "--rounds", "2", "--json");
        assertEquals("pass", other.json().path("micro").path("templates").get(0).path("verdict").asText(), other.stdout());

        Xdperf.Result live = bench("--prog", legacy, "--section", "port_filter", "--map", map, "--dst-port", "9", "--count", "2000",
                "--cpus", "0", "--json", "-q");
        assertEquals(0, live.exit(), live.toString());
        assertEquals(2000, live.json().path("live").path("verdicts").path("drop").asLong(), live.stdout());
        assertEquals("drop", live.json().path("kernel_verdicts").get(0).path("verdict").asText(), live.stdout());

        assertOneSentence(bench("--prog", legacy, "--section", "port_filter", "--map", "nope=" + rules, "--micro"),
                "fill map nope of legacy_filter.bpf.o: no such map (it has deny_ports, verdict_counts)");
        Path wide = tmp.resolve("wide.json");
        Files.writeString(wide, "[{\"key\": [9, 0, 0, 0], \"value\": [1, 0, 0, 0]}]");
        assertOneSentence(bench("--prog", legacy, "--section", "port_filter", "--map", "deny_ports=" + wide, "--micro"),
                "entry 1 has a 4-byte key and a 4-byte value, the map takes 2 and 4");
        assertOneSentence(bench("--prog", legacy, "--map", "deny_ports", "--micro"), "--map 'deny_ports': give NAME=FILE.json");
        assertOneSentence(bench("--prog", legacy, "--map", "deny_ports=" + tmp.resolve("none.json"), "--micro"),
                "read map file " + tmp.resolve("none.json") + ": no such file");
    }

    static String object(String name) {
        return examples.resolve(name).toString();
    }

    /** Everything under /sys/fs/bpf, our private pin directories, and bpf mounts: what a run must not leave behind. */
    static List<String> pinnedState() throws IOException {
        List<String> out = new ArrayList<>();
        Path fs = Path.of("/sys/fs/bpf");
        if (Files.isDirectory(fs)) {
            try (var s = Files.walk(fs)) {
                s.map(Path::toString).sorted().forEach(out::add);
            }
        }
        try (var s = Files.list(Path.of("/tmp"))) {
            s.map(Path::toString).filter(f -> f.contains("xdperf-pins-")).sorted().forEach(out::add);
        }
        Files.readAllLines(Path.of("/proc/self/mounts")).stream().filter(l -> l.contains("xdperf-pins-")).forEach(out::add);
        return out;
    }

    /**
     * An object as xdp-tools and xdp-tutorial ship them: maps pinned by name, legacy "xdp_*"
     * sections, two programs. It loads in micro and live runs (inside `ip netns exec`, where no
     * BPF filesystem is mounted), needs --section, and leaves nothing pinned anywhere.
     */
    @Test
    void objectsAsShippedLoadAndLeaveNothingPinned() throws Exception {
        List<String> before = pinnedState();
        String legacy = object("legacy_filter.bpf.o");
        assertOneSentence(bench("--prog", legacy, "--micro"), "it has 2 XDP programs, port_filter, drop_all (choose one with --section)");

        Xdperf.Result bySection = bench("--prog", legacy, "--micro", "--section", "xdp_port_filter", "--dst-port", "9",
                "--repeat", "1000", "--rounds", "1", "--json");
        assertEquals(0, bySection.exit(), bySection.toString());
        assertEquals("port_filter", bySection.json().path("program").asText());
        assertEquals("xdp_port_filter", bySection.json().path("section").asText());
        assertEquals("pass", bySection.json().path("micro").path("templates").get(0).path("verdict").asText(), "the deny map is empty");

        Xdperf.Result byName = bench("--prog", legacy, "--micro", "--section", "drop_all", "--repeat", "1000", "--rounds", "1", "--json");
        assertEquals(0, byName.exit(), byName.toString());
        assertEquals("drop", byName.json().path("micro").path("templates").get(0).path("verdict").asText());

        Xdperf.Result live = bench("--prog", legacy, "--section", "port_filter", "--count", "2000", "--cpus", "0", "--json", "-q");
        assertEquals(0, live.exit(), live.toString());
        JsonNode v = live.json().path("live").path("verdicts");
        assertTrue(v.path("pass").asLong() >= 2000 && v.path("drop").asLong() == 0, v.toString());

        Xdperf.Result echo = bench("--prog", object("icmp_echo.bpf.o"), "--micro", "--repeat", "1000", "--rounds", "1", "--json");
        assertEquals(0, echo.exit(), echo.toString());
        assertEquals("xdp_icmp_echo", echo.json().path("section").asText());

        assertEquals(before, pinnedState(), "nothing left pinned or mounted");
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
