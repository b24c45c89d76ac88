package dev.xdperf.features;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.net.Commands;
import dev.xdperf.testing.Topology;
import dev.xdperf.testing.Xdperf;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `xdperf server --features` in one namespace, the real `xdperf client` in the other: the
 * generator's own sequence numbers and flows are the ground truth for every tier, and the
 * AF_PACKET baseline must deliver the same records for the same traffic.
 */
class FeaturesEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Topology topology;
    static String serverMac;

    @TempDir
    Path dir;

    @BeforeAll
    static void up() {
        topology = Topology.create();
        serverMac = Commands.check(List.of("ip", "-n", topology.server, "-br", "link", "show", SERVER_IF)).trim().split("\\s+")[2];
    }

    @AfterAll
    static void down() {
        if (topology != null) {
            topology.close();
        }
    }

    /**
     * A features server until the client has sent; returns its JSON report. The server's output
     * goes to a file (read through a pipe, the last lines written before a signalled exit were
     * sometimes missing in this JVM), and it is stopped with SIGTERM as an operator's Ctrl-C would.
     */
    JsonNode features(List<String> serverArgs, String... clientArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", topology.server,
                ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "dev.xdperf.cli.Main", "server", "--dev", SERVER_IF, "--json"));
        cmd.addAll(serverArgs);
        Path log = Files.createTempFile(dir, "server", ".out");
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(log).contains("xdperf server: features")) {
                assertTrue(server.isAlive() && System.nanoTime() < deadline, "server did not start:\n" + Files.readString(log));
                Thread.sleep(100);
            }
            List<String> c = new ArrayList<>(List.of("client", "--dev", CLIENT_IF, "--dst-mac", serverMac, "--cpus", "0"));
            if (!List.of(clientArgs).contains("--dst-ip")) {
                c.addAll(List.of("--dst-ip", "198.18.0.2"));
            }
            c.addAll(List.of(clientArgs));
            Xdperf.Result r = Xdperf.run(topology.client, 120, c.toArray(String[]::new));
            assertEquals(0, r.exit(), r::toString);
            Thread.sleep(300);
            server.destroy();   // SIGTERM: the run ends cleanly, writes its last records and reports
            assertTrue(server.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "server did not stop");
            String out = Files.readString(log);
            assertEquals(0, server.exitValue(), out);
            int at = out.indexOf("\n{\n");
            assertTrue(at >= 0, "no JSON report:\n" + out);
            return JSON.readTree(out.substring(at + 1));
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    static List<String> csvRows(Path f) throws Exception {
        return Files.readAllLines(f).stream().filter(l -> !l.startsWith("#")).skip(1).toList();
    }

    /** Sequence numbers of the xdperf records in a CSV of packet records. */
    static List<Long> seqs(List<String> rows) {
        return rows.stream().map(l -> l.split(",", -1)).filter(f -> !f[12].isEmpty()).map(f -> Long.parseLong(f[12])).toList();
    }

    @Test
    void fullTierHasARecordForEveryPacketSent() throws Exception {
        Path out = dir.resolve("full.csv");
        JsonNode report = features(List.of("--features", "full", "--features-out", out.toString()),
                "--count", "5000", "--pps", "50k");
        JsonNode c = report.path("completeness");
        assertEquals(5000, c.path("xdperf_packets").asLong(), report::toPrettyString);
        assertEquals(0, c.path("records_lost").asLong());
        assertEquals(c.path("records_submitted").asLong(), c.path("records_written").asLong());
        assertEquals(c.path("ip_packets").asLong(), c.path("records_written").asLong(), "full: one record per IP packet");
        assertTrue(report.path("device").has("rx_dropped"), "the driver's drop counters are in the report");
        assertTrue(report.path("bpf").path("xdp_features").path("run_count").asLong() >= 5000);
        List<String> rows = csvRows(out);
        assertEquals(c.path("records_written").asLong(), rows.size());
        assertEquals(LongStream.range(0, 5000).boxed().toList(), seqs(rows), "every sequence number once, in order");
        String[] first = rows.stream().filter(l -> !l.endsWith(",,")).findFirst().orElseThrow().split(",", -1);
        assertEquals(List.of("4", "198.18.0.1", "198.18.0.2", "5201", "5201", "17", "64", "", "0", "0", "0"),
                List.of(first).subList(1, 12));
    }

    @Test
    void sampledTierKeepsOneInNAndSaysSoInTheArrowSchema() throws Exception {
        Path out = dir.resolve("sampled.arrow");
        JsonNode report = features(List.of("--features", "sampled:10", "--features-out", out.toString()),
                "--count", "5000", "--pps", "50k");
        JsonNode c = report.path("completeness");
        assertEquals(10, report.path("sampling_rate").asInt());
        assertEquals(0, c.path("records_lost").asLong(), report::toPrettyString);
        List<Long> seqs = new ArrayList<>();
        long rows = 0;
        try (RootAllocator alloc = new RootAllocator();
             ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(Files.readAllBytes(out)), alloc)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            assertEquals("10", root.getSchema().getCustomMetadata().get("sampling_rate"));
            assertEquals("sampled", root.getSchema().getCustomMetadata().get("tier"));
            while (reader.loadNextBatch()) {
                UInt4Vector seq = (UInt4Vector) root.getVector("seq");
                for (int i = 0; i < root.getRowCount(); i++) {
                    if (!seq.isNull(i)) {
                        seqs.add(Integer.toUnsignedLong(seq.get(i)));
                    }
                }
                rows += root.getRowCount();
            }
        }
        assertEquals(c.path("records_written").asLong(), rows);
        long ip = c.path("ip_packets").asLong();
        assertEquals(c.path("records_selected").asLong(), rows);
        // The 1st, 11th, 21st ... IP packet of each receiving CPU (stray packets may land on another).
        assertTrue(Math.abs(rows * 10 - ip) <= 20, rows + " records of " + ip + " IP packets");
        if (ip == 5000) {
            // Only our packets arrived: the sample is exactly every tenth sequence number.
            assertEquals(LongStream.range(0, 500).map(i -> i * 10).boxed().toList(), seqs);
        } else {
            assertTrue(Math.abs(seqs.size() - 500) <= ip - 5000, "about one in ten: " + seqs.size());
        }
    }

    @Test
    void flowsTierExportsTheGeneratorsFlowsAsIpfix() throws Exception {
        Path out = dir.resolve("flows.ipfix");
        JsonNode report = features(List.of("--features", "flows", "--features-out", out.toString()),
                "--plugin", "tcp", "--plugin-opt", "flows=50", "--count", "5000", "--pps", "50k");
        // 50 TCP flows, and whatever the namespace's own stack sent meanwhile (IPv6 neighbour discovery)
        assertTrue(report.path("completeness").path("flows").asLong() >= 50, report::toPrettyString);
        assertEquals(0, report.path("completeness").path("flows_evicted").asLong());
        IpfixReader r = new IpfixReader().read(Files.readAllBytes(out));
        List<IpfixReader.DataRecord> flows = r.withTemplate(IpfixFeatureWriter.TEMPLATE_V4).stream()
                .filter(x -> x.number(4) == 6).toList();
        assertEquals(50, flows.size(), "one record per generated flow");
        Map<Long, Long> perPort = new TreeMap<>();
        for (IpfixReader.DataRecord f : flows) {
            assertArrayEquals(InetAddress.getByName("198.18.0.1").getAddress(), f.bytes(8));
            assertArrayEquals(InetAddress.getByName("198.18.0.2").getAddress(), f.bytes(12));
            assertEquals(2, f.number(6), "SYN only");
            assertEquals(100, f.number(2), "5000 packets over 50 flows");
            assertEquals(100 * 58, f.number(1));
            assertTrue(f.number(156) <= f.number(157));
            perPort.merge(f.number(7), 1L, Long::sum);
        }
        assertEquals(50, perPort.size(), "50 distinct source ports");
        IpfixReader.DataRecord sampling = r.having(305).get(0);
        assertEquals(1, sampling.number(305));
        assertEquals(0, sampling.number(306));
        IpfixReader.DataRecord done = r.having(166).get(0);
        assertEquals(0, done.number(166), "nothing lost");
    }

    @Test
    void ipv6FlowsGoToAUdpCollector() throws Exception {
        Path got = dir.resolve("collector.bin");
        Process collector = new ProcessBuilder("ip", "netns", "exec", topology.server, "python3", "-c",
                "import socket,sys\n"
                        + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.1',4739)); s.settimeout(30)\n"
                        + "print('ready',flush=True)\n"
                        + "f=open(sys.argv[1],'wb')\n"
                        + "try:\n"
                        + "  while True:\n"
                        + "    d,_=s.recvfrom(65535); f.write(d); f.flush()\n"
                        + "except socket.timeout: pass\n", got.toString()).redirectErrorStream(true).start();
        try {
            assertEquals("ready", new java.io.BufferedReader(new java.io.InputStreamReader(collector.getInputStream())).readLine());
            JsonNode report = features(List.of("--features", "flows", "--features-out", "udp://127.0.0.1:4739"),
                    "--ipv6", "--dst-ip", "fd00:5844::2", "--size", "80", "--count", "3000", "--pps", "50k");
            assertEquals("ipfix", report.path("format").asText());
            Thread.sleep(500);
            IpfixReader r = new IpfixReader().read(Files.readAllBytes(got));
            List<IpfixReader.DataRecord> v6 = r.withTemplate(IpfixFeatureWriter.TEMPLATE_V6).stream()
                    .filter(x -> x.number(4) == 17).toList();
            assertEquals(1, v6.size(), "the built-in stream is one flow");
            assertArrayEquals(InetAddress.getByName("fd00:5844::2").getAddress(), v6.get(0).bytes(28));
            assertEquals(3000, v6.get(0).number(2));
            assertEquals(5201, v6.get(0).number(11));
        } finally {
            collector.destroyForcibly().waitFor();
        }
    }

    @Test
    void afPacketBaselineDeliversTheSameRecords() throws Exception {
        Path xdp = dir.resolve("xdp.jsonl");
        Path afp = dir.resolve("afp.jsonl");
        String[] load = {"--count", "3000", "--pps", "20k"};
        JsonNode a = features(List.of("--features", "full", "--features-out", xdp.toString()), load);
        JsonNode b = features(List.of("--features", "full", "--features-out", afp.toString(), "--baseline", "af_packet"), load);
        assertEquals("af_packet", b.path("receiver").asText());
        assertEquals(0, b.path("completeness").path("socket_drops").asLong(), b::toPrettyString);
        assertEquals(0, b.path("completeness").path("records_lost").asLong());
        assertEquals(ours(xdp), ours(afp), "same records, field by field, apart from the arrival time");

        Path xf = dir.resolve("xdp-flows.csv");
        Path af = dir.resolve("afp-flows.csv");
        String[] tcp = {"--plugin", "tcp", "--plugin-opt", "flows=50", "--count", "2000", "--pps", "20k"};
        features(List.of("--features", "flows", "--features-out", xf.toString()), tcp);
        features(List.of("--features", "flows", "--features-out", af.toString(), "--baseline", "af_packet"), tcp);
        assertEquals(flowTotals(xf), flowTotals(af));
        assertEquals(50, flowTotals(xf).size());
    }

    @Test
    void anUndersizedRingSaysHowManyRecordsItLost() throws Exception {
        JsonNode report = features(List.of("--features", "full", "--features-ring", "4k", "--features-out",
                dir.resolve("lossy.csv").toString()), "--count", "300000");
        JsonNode c = report.path("completeness");
        long lost = c.path("records_lost").asLong();
        assertTrue(lost > 0, "a one-page ring cannot keep up with a flat-out sender: " + report.toPrettyString());
        assertEquals(c.path("records_selected").asLong(), c.path("records_written").asLong() + lost, "every record accounted for");
        assertEquals(lost, c.path("ring_reservation_failures").asLong());
        assertTrue(report.path("warnings").get(0).asText().startsWith("lost " + lost + " records"), report::toPrettyString);
        assertEquals(c.path("records_written").asLong(), csvRows(dir.resolve("lossy.csv")).size());
    }

    /** The xdperf records of a JSON-lines output without their times, by sequence number. */
    static Map<Long, String> ours(Path f) throws Exception {
        Map<Long, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(f)) {
            JsonNode n = JSON.readTree(line);
            if (n.has("meta") || n.has("summary") || n.path("seq").isNull()) {
                continue;
            }
            ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("time_ns");
            m.put(n.path("seq").asLong(), n.toString());
        }
        assertEquals(3000, m.size());
        return m;
    }

    /** TCP flows of a CSV flow output: 5-tuple and flags to packets and bytes. */
    static Map<String, String> flowTotals(Path f) throws Exception {
        Map<String, String> m = new HashMap<>();
        for (String row : csvRows(f)) {
            String[] x = row.split(",");
            if (x[5].equals("6")) {
                m.put(String.join(",", x[0], x[1], x[2], x[3], x[4], x[5], x[10]), x[6] + "," + x[7]);
            }
        }
        return m;
    }
}
