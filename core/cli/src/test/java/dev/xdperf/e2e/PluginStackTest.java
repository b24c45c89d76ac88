package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.net.Commands;
import dev.xdperf.testing.ServerTopology;
import dev.xdperf.testing.Xdperf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The first-party plugins against the Linux stack as the peer: xdperf's server counts and
 * passes the frames on, and the kernel in the server's namespace answers them.
 */
class PluginStackTest {
    @RegisterExtension
    static final ServerTopology.PerClass net = new ServerTopology.PerClass("--verdict", "pass");

    /** A counter from /proc/net/snmp or snmp6 in a namespace, e.g. ("Icmp", "InEchos") or (null, "Icmp6InEchos"). */
    static long snmp(String ns, String group, String name) {
        if (group == null) {
            for (String line : Commands.check(List.of("ip", "netns", "exec", ns, "cat", "/proc/net/snmp6")).split("\n")) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals(name)) {
                    return Long.parseLong(kv[1]);
                }
            }
            throw new AssertionError("no " + name + " in snmp6");
        }
        String[] lines = Commands.check(List.of("ip", "netns", "exec", ns, "cat", "/proc/net/snmp")).split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith(group + ":") && lines[i + 1].startsWith(group + ":")) {
                List<String> names = List.of(lines[i].split("\\s+"));
                String[] values = lines[i + 1].split("\\s+");
                int at = names.indexOf(name);
                if (at > 0) {
                    return Long.parseLong(values[at]);
                }
            }
        }
        throw new AssertionError("no " + group + " " + name + " in snmp");
    }

    static JsonNode client(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("client", "--dev", CLIENT_IF, "--server", SERVER_IP, "--json", "--cpus", "0"));
        all.addAll(List.of(args));
        Xdperf.Result r = Xdperf.run(net.topology().client, 120, all.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        return r.json();
    }

    @Test
    void everyIcmpEchoRequestIsAnsweredByTheKernel() {
        long echosBefore = snmp(net.topology().server, "Icmp", "InEchos");
        long errorsBefore = snmp(net.topology().server, "Icmp", "InErrors");
        long repliesBefore = snmp(net.topology().client, "Icmp", "InEchoReps");
        JsonNode r = client("--plugin", "icmp", "--plugin-opt", "flows=16", "--count", "2000", "--pps", "10k");
        assertEquals(2000, r.path("received_packets").asLong(), "xdperf's receiver counted every echo request");
        assertEquals(2000, snmp(net.topology().server, "Icmp", "InEchos") - echosBefore, "the kernel took every one");
        assertEquals(0, snmp(net.topology().server, "Icmp", "InErrors") - errorsBefore, "none rejected (bad checksum or length)");
        assertEquals(2000, snmp(net.topology().client, "Icmp", "InEchoReps") - repliesBefore, "and answered every one");
    }

    @Test
    void everyIcmpv6EchoRequestIsAnsweredByTheKernel() throws Exception {
        long echosBefore = snmp(net.topology().server, null, "Icmp6InEchos");
        long errorsBefore = snmp(net.topology().server, null, "Icmp6InErrors");
        long repliesBefore = snmp(net.topology().client, null, "Icmp6InEchoReplies");
        JsonNode r = client("--ipv6", "--plugin", "icmp", "--plugin-opt", "payload=100", "--count", "1000", "--pps", "10k");
        assertEquals(1000, r.path("received_packets").asLong(), r::toPrettyString);
        assertEquals(1000, snmp(net.topology().server, null, "Icmp6InEchos") - echosBefore);
        assertEquals(0, snmp(net.topology().server, null, "Icmp6InErrors") - errorsBefore);
        // Replies need the server's neighbour entry for the client: give it a moment.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (snmp(net.topology().client, null, "Icmp6InEchoReplies") - repliesBefore < 1000 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(1000, snmp(net.topology().client, null, "Icmp6InEchoReplies") - repliesBefore);
    }

    @Test
    void tcpSynsToAListeningSocketAreAnsweredWithSynAcks() throws Exception {
        Process listener = new ProcessBuilder("ip", "netns", "exec", net.topology().server, "python3", "-c",
                "import socket,sys,time\n"
                        + "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                        + "s.bind(('" + SERVER_IP + "', 8080)); s.listen(4096); print('listening', flush=True); time.sleep(60)\n")
                .redirectErrorStream(true).start();
        Process dump = null;
        try {
            String ready = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("listening", ready);
            int n = 300;
            dump = new ProcessBuilder("ip", "netns", "exec", net.topology().client, "tcpdump", "-i", CLIENT_IF, "-n", "-c",
                    Integer.toString(n), "tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack) and src port 8080")
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(dump.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            while (line != null && !line.contains("listening on")) {
                line = out.readLine();
            }
            assertTrue(line != null, "tcpdump did not start");
            Thread drain = new Thread(() -> {
                try {
                    while (out.readLine() != null) {
                        // one line per SYN-ACK; the exit code tells whether all came
                    }
                } catch (java.io.IOException ignored) {
                    // tcpdump gone
                }
            });
            drain.setDaemon(true);
            drain.start();
            JsonNode r = client("--plugin", "tcp", "--plugin-opt", "flows=" + n, "--plugin-opt", "dst-port=8080",
                    "--plugin-opt", "src-ports=20000-29999", "--count", Integer.toString(n), "--pps", "2k");
            assertEquals(n, r.path("sent_packets").asLong());
            assertTrue(dump.waitFor(20, TimeUnit.SECONDS), "fewer than " + n + " SYN-ACKs came back");
            assertEquals(0, dump.exitValue());
        } finally {
            listener.destroyForcibly().waitFor();
            if (dump != null) {
                dump.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void mixedStreamsAreCountedSeparatelyAndMatchWhatEachSent() {
        JsonNode r = client("--stream", "udp,share=80", "--stream", "icmp,share=20,flows=4", "--count", "10000", "--pps", "50k");
        assertEquals(10_000, r.path("sent_packets").asLong(), r::toPrettyString);
        assertEquals(10_000, r.path("received_packets").asLong(), r::toPrettyString);
        JsonNode streams = r.path("streams");
        assertEquals(2, streams.size(), r::toPrettyString);
        assertEquals("udp", streams.get(0).path("name").asText());
        assertEquals("icmp", streams.get(1).path("name").asText());
        assertEquals(8_000, streams.get(0).path("sent_packets").asLong(), "80% of the packets");
        assertEquals(2_000, streams.get(1).path("sent_packets").asLong(), "20% of the packets");
        for (JsonNode st : streams) {
            assertEquals(st.path("sent_packets").asLong(), st.path("received_packets").asLong(), st::toPrettyString);
            assertEquals(0, st.path("lost_packets").asLong());
        }
    }

    @Test
    void badStreamSpecsAreOneSentence() {
        Xdperf.Result r = Xdperf.run(net.topology().client, 60, "client", "--dev", CLIENT_IF, "--server", SERVER_IP,
                "--stream", "udp,pps=10k", "--stream", "icmp", "--count", "10");
        assertTrue(r.exit() != 0 && r.stderr().strip().equals("xdperf: give every --stream a pps=RATE, or none (and shares instead)"),
                r::toString);
    }
}
