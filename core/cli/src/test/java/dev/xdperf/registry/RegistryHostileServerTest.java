package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.xdperf.cli.Main;
import dev.xdperf.testing.Xdperf;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLI against registries that misbehave: one that sends terminal escapes, one that never answers. */
class RegistryHostileServerTest {
    static final String ESC = "\u001b";

    /** Serves fixed JSON answers under /api/v1: a search hit and a plugin whose texts carry escapes. */
    static HttpServer hostile() throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String evil = ESC + "[2J" + ESC + "]0;owned" + "\u0007 and \u202e reversed";
        String search = "{\"results\":[{\"id\":\"acme/dns\",\"publisher\":\"acme\",\"name\":\"dns\",\"version\":\"1.0.0\",\"kind\":\"wasm\","
                + "\"abi\":\"1.0\",\"description\":\"" + jsonEscape(evil) + "\"}]}";
        String plugin = "{\"id\":\"acme/dns\",\"publisher\":\"acme\",\"name\":\"dns\",\"description\":\"" + jsonEscape(evil)
                + "\",\"kind\":\"wasm\",\"license\":\"" + jsonEscape(ESC + "[31mMIT") + "\",\"latest\":\"1.0.0\",\"downloads\":1,"
                + "\"keys\":[],\"versions\":[{\"publisher\":\"acme\",\"name\":\"dns\",\"version\":\"1.0.0\",\"kind\":\"wasm\",\"abi\":\"1.0\","
                + "\"published\":\"" + jsonEscape(ESC + "[1A") + "\",\"artifact_sha256\":\"00\",\"key\":\"ab\",\"yanked\":false}]}";
        s.createContext("/api/v1/search", x -> answer(x, 200, search));
        s.createContext("/api/v1/plugins/acme/dns", x -> answer(x, 200, plugin));
        s.createContext("/api/v1/plugins/acme/gone", x -> answer(x, 404, "{\"error\":\"" + jsonEscape(ESC + "[2Jno such plugin") + "\"}"));
        s.start();
        return s;
    }

    static void answer(com.sun.net.httpserver.HttpExchange x, int status, String body) throws java.io.IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().forEach(c -> b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.toString();
    }

    record Run(int exit, String out, String err) {}

    static Run xdperf(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    static void assertNoControlCharacters(String text) {
        text.codePoints().forEach(c -> assertFalse(c != '\n' && (Character.getType(c) == Character.CONTROL
                || Character.getType(c) == Character.FORMAT), () -> String.format("raw U+%04X in: %s", c, text)));
    }

    @Test
    void controlCharactersFromARegistryAreNeverPrintedRaw() throws Exception {
        HttpServer s = hostile();
        try {
            String url = "http://127.0.0.1:" + s.getAddress().getPort();
            Run search = xdperf("plugin", "search", "--registry", url);
            assertEquals(0, search.exit(), search.toString());
            assertTrue(search.out().contains("acme/dns") && search.out().contains("\\u001b[2J\\u001b]0;owned\\u0007 and \\u202e reversed"),
                    search.out());
            assertNoControlCharacters(search.out());
            Run info = xdperf("plugin", "info", "acme/dns", "--registry", url);
            assertEquals(0, info.exit(), info.toString());
            assertTrue(info.out().contains("\\u001b[31mMIT"), info.out());
            assertNoControlCharacters(info.out());
            Run gone = xdperf("plugin", "info", "acme/gone", "--registry", url);
            assertEquals(1, gone.exit(), gone.toString());
            assertTrue(gone.err().contains("\\u001b[2Jno such plugin"), gone.err());
            assertNoControlCharacters(gone.err());
        } finally {
            s.stop(0);
        }
    }

    @Test
    void aSilentRegistryIsOneSentenceNotAHang() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort();
            Xdperf.Result r = Xdperf.runWithEnv(Map.of("XDPERF_REGISTRY_TIMEOUT", "1"), 60, "plugin", "search", "dns", "--registry", url);
            assertEquals(1, r.exit(), r::toString);
            assertEquals("xdperf: search plugins: registry " + url + " did not answer within 1 s (is it an xdperf registry, and running?"
                    + " give another with --registry URL or XDPERF_REGISTRY)", r.stderr().strip());
            Xdperf.Result bad = Xdperf.runWithEnv(Map.of("XDPERF_REGISTRY_TIMEOUT", "soon"), 60, "plugin", "search", "--registry", url);
            assertEquals(1, bad.exit(), bad::toString);
            assertEquals("xdperf: XDPERF_REGISTRY_TIMEOUT 'soon' is not a number of seconds from 1 to 3600", bad.stderr().strip());
        }
    }
}
