package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.testing.Topology;
import dev.xdperf.testing.Xdperf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quic plugin bundled with xdperf (plugins/quic, built before core/cli and packed into its jar)
 * through the real CLI over a veth pair: `xdperf client --plugin quic`
 * in one namespace, `xdperf server` in the other, and a UDP socket on port 443 behind the
 * server that counts what the kernel accepted (so every IP and UDP checksum was right).
 * xdperf's receiver counts only frames with its measurement header, which an encrypted QUIC
 * payload cannot carry, so arrival is checked by the socket and the server's device counters.
 */
class QuicRunTest {
    static final String SERVER_IP6 = "fd00:5844::2";

    @TempDir
    static Path tmp;
    static Topology topology;
    static Xdperf.Background server;

    @BeforeAll
    static void start() {
        assertTrue(QuicRunTest.class.getResource("/plugins/quic.jar") != null,
                "the build bundles plugins/quic (plugins/bundle-java.sh) before this test runs");
        topology = Topology.create();
        server = Xdperf.Background.start(topology.server, "listening on port",
                "server", "--dev", SERVER_IF, "--bind", SERVER_IP, "--verdict", "pass");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    /** A UDP socket in the server's namespace that counts datagrams and checks that each looks like a QUIC v1 long header. */
    static Process listener(String address, int expected, int version) throws Exception {
        String script = String.join("\n",
                "import socket, sys",
                "addr, want, version = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 16)",
                "s = socket.socket(socket.AF_INET6 if ':' in addr else socket.AF_INET, socket.SOCK_DGRAM)",
                "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)",
                "s.bind((addr, 443))",
                "print('ready', flush=True)",
                "s.settimeout(20)",
                "n = bad = 0",
                "while n < want:",
                "    try:",
                "        d = s.recv(4096)",
                "    except socket.timeout:",
                "        break",
                "    n += 1",
                "    if len(d) != 1200 or d[0] & 0xc0 != 0xc0 or int.from_bytes(d[1:5], 'big') != version:",
                "        bad += 1",
                "print(n, bad, flush=True)");
        Process p = new ProcessBuilder("ip", "netns", "exec", topology.server, "python3", "-c", script, address,
                Integer.toString(expected), Integer.toHexString(version)).redirectErrorStream(true).start();
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertEquals("ready", ready, "the UDP listener did not start");
        return p;
    }

    static String result(Process p) throws Exception {
        assertTrue(p.waitFor(40, TimeUnit.SECONDS), "the UDP listener did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    static Xdperf.Result client(String... args) {
        List<String> all = new ArrayList<>(List.of("client", "--dev", CLIENT_IF, "--server", SERVER_IP, "--json", "--cpus", "0",
                "--plugin", "quic"));
        all.addAll(List.of(args));
        return Xdperf.run(Map.of("XDPERF_PLUGIN_DIR", tmp.resolve("plugins").toString()), topology.client, 120,
                all.toArray(String[]::new));
    }

    @Test
    void everyInitialArrivesAndIsAcceptedByTheServersKernel() throws Exception {
        int n = 400;
        Process udp = listener(SERVER_IP, n, 1);
        Xdperf.Result r = client("--plugin-opt", "flows=16", "--count", Integer.toString(n), "--pps", "2k");
        assertEquals(0, r.exit(), r::toString);
        JsonNode report = r.json();
        assertEquals(n, report.path("sent_packets").asLong(), r::toString);
        assertTrue(report.path("rx_device").path("rx_packets").asLong() >= n,
                "the server's device received them all: " + report.path("rx_device"));
        assertEquals(n + " 0", result(udp), "the kernel delivered every datagram, each a 1200-byte QUIC v1 long header");
        // the one warning about the run itself; a scheduling gap on a busy CI machine may add a deficit warning
        List<String> warnings = new java.util.ArrayList<>();
        report.path("warnings").forEach(w -> warnings.add(w.asText()));
        assertTrue(warnings.get(0).startsWith("stream 0 carries no measurement header"), report::toPrettyString);
        assertTrue(warnings.stream().skip(1).allMatch(w -> w.startsWith("deficit: ")), report::toPrettyString);
        // bundled: part of this xdperf, so no notice about Java extensions
        assertTrue(!r.stderr().contains("is a Java extension"), r::toString);
    }

    @Test
    void version2InitialsOverIpv6() throws Exception {
        int n = 200;
        Process udp = listener(SERVER_IP6, n, 0x6b3343cf);
        Xdperf.Result r = client("--ipv6", "--plugin-opt", "version=2", "--plugin-opt", "flows=4", "--count", Integer.toString(n),
                "--pps", "2k");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(n, r.json().path("sent_packets").asLong(), r::toString);
        assertEquals(n + " 0", result(udp), "every IPv6 datagram arrived with a valid UDP checksum");
    }
}
