package dev.xdperf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.BuildInfo;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.control.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionCommandTest {
    private static final String VERSION = System.getProperty("xdperf.expected.version");

    @Test
    void printsVersionAbiProtocolCommitAndRuntime() {
        MainTest.Run r = MainTest.run("version");
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals("xdperf " + VERSION, lines.get(0));
        assertTrue(lines.get(1).startsWith("commit            " + BuildInfo.current().shortCommit()), r.out());
        assertEquals("template ABI      " + AbiVersion.HOST + " (runs plugins built for " + AbiVersion.HOST + ")",
                lines.get(2));
        assertEquals("control protocol  " + Wire.PROTOCOL_VERSION, lines.get(3));
        assertTrue(lines.get(4).contains(System.getProperty("java.home")), r.out());
        assertEquals("", r.err());
    }

    @Test
    void versionOptionMatchesTheSubcommand() {
        assertEquals(MainTest.run("version").out(), MainTest.run("--version").out());
    }

    @Test
    void json() throws IOException {
        MainTest.Run r = MainTest.run("version", "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertEquals(VERSION, n.get("version").asText());
        assertEquals(AbiVersion.HOST.toString(), n.get("template_abi").asText());
        assertEquals(AbiVersion.HOST.major() + ".0", n.get("template_abi_oldest").asText());
        assertEquals(Wire.PROTOCOL_VERSION, n.get("control_protocol").asInt());
        assertEquals(BuildInfo.current().commit(), n.get("commit").asText());
    }

    @Test
    void commitIsTheCheckoutsHeadOrUnknownWithoutGit() throws Exception {
        // surefire runs in core/cli; the build info comes from the checkout two levels up
        Path root = Path.of("").toAbsolutePath().getParent().getParent();  // core/cli → the repository
        String head = git(root, "rev-parse", "HEAD");
        String top = git(root, "rev-parse", "--show-toplevel");
        boolean ownCheckout = head != null && top != null && Path.of(top).toRealPath().equals(root.toRealPath());
        // XDPERF_BUILD_COMMIT deliberately overrides what git says
        String expected = System.getenv("XDPERF_BUILD_COMMIT") != null ? System.getenv("XDPERF_BUILD_COMMIT")
                : ownCheckout ? head : "unknown";
        assertEquals(expected, BuildInfo.current().commit());
    }

    private static String git(Path dir, String... args) {
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null; // no git on this machine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
