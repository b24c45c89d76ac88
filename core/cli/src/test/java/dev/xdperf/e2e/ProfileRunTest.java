package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.testing.ServerTopology;
import dev.xdperf.testing.Xdperf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Command line → --print-profile → --profile: the same run over veth, and the same report. */
class ProfileRunTest {
    @RegisterExtension
    static final ServerTopology.PerClass net = new ServerTopology.PerClass();

    static Xdperf.Result client(List<String> args) {
        List<String> all = new ArrayList<>(List.of("client"));
        all.addAll(args);
        return Xdperf.run(net.topology().client, 120, all.toArray(String[]::new));
    }

    @Test
    void aPrintedProfileRunsTheSameAsItsCommandLine(@TempDir Path dir) throws Exception {
        List<String> line = List.of("--dev", CLIENT_IF, "--server", SERVER_IP, "--cpus", "0", "--count", "24000",
                "--pps", "200k", "--stream", "udp,share=3,size=128", "--stream", "udp,share=1,size=700");
        List<String> print = new ArrayList<>(line);
        print.add("--print-profile");
        Xdperf.Result printed = client(print);
        assertEquals(0, printed.exit(), printed::toString);
        assertTrue(printed.stdout().startsWith("version: 1\n"), printed::toString);
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, printed.stdout());

        List<String> direct = new ArrayList<>(line);
        direct.add("--json");
        Xdperf.Result a = client(direct);
        assertEquals(0, a.exit(), a::toString);
        Xdperf.Result b = client(List.of("--profile", file.toString(), "--json"));
        assertEquals(0, b.exit(), b::toString);
        JsonNode ra = a.json();
        JsonNode rb = b.json();
        for (String k : List.of("dev", "cpus", "frame_size", "target_pps", "sent_packets", "sent_bytes", "received_packets",
                "received_bytes", "lost_packets", "duplicates")) {
            assertEquals(ra.path(k), rb.path(k), k + "\n" + ra.toPrettyString() + "\n" + rb.toPrettyString());
        }
        assertEquals(24000, rb.path("received_packets").asLong(), rb::toPrettyString);
        assertEquals(2, rb.path("streams").size(), rb::toPrettyString);
        for (int i = 0; i < 2; i++) {
            for (String k : List.of("stream", "name", "sent_packets", "received_packets", "received_bytes", "lost_packets")) {
                assertEquals(ra.path("streams").path(i).path(k), rb.path("streams").path(i).path(k), k);
            }
        }
    }
}
