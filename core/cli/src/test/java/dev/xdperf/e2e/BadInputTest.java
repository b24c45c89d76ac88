package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.net.Commands;
import dev.xdperf.testing.Topology;
import dev.xdperf.testing.Xdperf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every failure a user can cause ends in one sentence on stderr, a non-zero exit, and
 * nothing left attached: checked on both ends of the veth pair after each case.
 */
class BadInputTest {
    static Topology topology;

    @BeforeAll
    static void create() {
        topology = Topology.create();
    }

    @AfterAll
    static void remove() {
        if (topology != null) {
            topology.close();
        }
    }

    @AfterEach
    void nothingLeftAttached() {
        topology.assertNothingAttached();
        assertTrue(!Topology.xdpAttached(topology.client, "lo"), "an XDP program is left on lo");
    }

    static void assertFails(Xdperf.Result r, String fragment) {
        assertTrue(r.exit() != 0, "expected a failure: " + r);
        String err = r.stderr().strip();
        assertTrue(err.startsWith("xdperf: "), "one sentence prefixed with xdperf: " + r);
        assertTrue(err.contains(fragment), "expected '" + fragment + "' in: " + err);
        assertEquals(1, err.lines().count(), "exactly one line: " + err);
        assertTrue(!err.contains("Exception") && !err.contains("\tat "), "no stack trace: " + err);
    }

    static Xdperf.Result client(String... args) {
        List<String> all = new ArrayList<>(List.of("client"));
        all.addAll(List.of(args));
        return Xdperf.run(topology.client, 60, all.toArray(String[]::new));
    }

    @Test
    void unknownInterface() {
        assertFails(client("--dev", "nope0", "--dst-ip", SERVER_IP, "--duration", "1"),
                "interface nope0 does not exist in this network namespace");
        assertFails(Xdperf.run(topology.server, 30, "server", "--dev", "nope0"),
                "interface nope0 does not exist in this network namespace");
    }

    @Test
    void interfaceWithoutNativeXdp() {
        assertFails(client("--dev", "lo", "--dst-ip", "127.0.0.1", "--dst-mac", "00:00:00:00:00:00", "--duration", "1"),
                "does not support native XDP");
    }

    @Test
    void withoutPrivileges() {
        // Root with an empty capability bounding set: the same as an unprivileged user for BPF.
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", topology.client,
                "setpriv", "--bounding-set", "-all", "--inh-caps", "-all"));
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.xdperf.cli.Main",
                "client", "--dev", CLIENT_IF, "--dst-ip", SERVER_IP, "--duration", "1"));
        assertFails(Xdperf.exec(cmd, 60), "needs root, or CAP_BPF");
    }

    @Test
    void serverUnreachable() {
        assertFails(client("--dev", CLIENT_IF, "--server", SERVER_IP, "--port", "5999", "--duration", "1"),
                "connect to server 198.18.0.2:5999: connection refused");
    }

    @Test
    void noDestinationMac() {
        assertFails(client("--dev", CLIENT_IF, "--dst-ip", "198.18.0.3", "--duration", "1"),
                "no MAC address known for 198.18.0.3");
    }

    @Test
    void serverBusyPortInUseAndOtherProtocolVersion() throws Exception {
        try (Xdperf.Background server = Xdperf.Background.start(topology.server, "listening on port",
                "server", "--dev", SERVER_IF, "--bind", SERVER_IP)) {
            // Port in use: a second server on the same port.
            assertFails(Xdperf.run(topology.server, 30, "server", "--dev", SERVER_IF, "--bind", SERVER_IP),
                    "address already in use");

            // Another protocol version gets a refusal that names both versions.
            String reply = Commands.check(List.of("ip", "netns", "exec", topology.client, "bash", "-c",
                    "exec 3<>/dev/tcp/" + SERVER_IP + "/5210; echo '{\"type\":\"hello\",\"version\":99}' >&3; head -n 1 <&3"));
            assertTrue(reply.contains("\"type\":\"error\"") && reply.contains("protocol version 99")
                    && reply.contains("version 1"), reply);

            // Busy: a second client while a run is on.
            Process first = new ProcessBuilder(xdperfCommand(topology.client, "client", "--dev", CLIENT_IF,
                    "--server", SERVER_IP, "--pps", "10k", "--duration", "6", "--json")).start();
            try {
                waitFor(() -> server.output().contains(": receiving on " + SERVER_IF), 30);
                assertFails(client("--dev", CLIENT_IF, "--server", SERVER_IP, "--duration", "1"), "server busy");
                String out = new String(first.getInputStream().readAllBytes());
                assertEquals(0, first.waitFor(), "the first run goes on undisturbed: " + out);
                assertTrue(out.contains("\"received_packets\""), out);
            } finally {
                first.destroyForcibly().waitFor();
            }
        }
    }

    static List<String> xdperfCommand(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.xdperf.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static void waitFor(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }
}
