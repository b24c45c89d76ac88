package dev.xdperf.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless Chromium driven through chromedriver's W3C WebDriver HTTP API: just the
 * calls the page tests need (open, find, type, click, read text).
 */
final class WebDriver implements AutoCloseable {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final Path profile;
    private final String base;
    private final String session;
    private final HttpClient http = HttpClient.newHttpClient();

    /** Skips the test when Chromium is not installed, except under CI (scripts/setup.sh installs it there). */
    static void requireChromium() {
        if (new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute()) {
            return;
        }
        String why = "needs Debian's chromium and chromium-driver (scripts/setup.sh)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("browser test cannot run under CI: " + why);
        }
        Assumptions.assumeTrue(false, "skipped: " + why);
    }

    WebDriver() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        profile = Files.createTempDirectory("xdperf-chromium");
        driver = new ProcessBuilder(CHROMEDRIVER, "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromedriver.log").toFile()).start();
        base = "http://127.0.0.1:" + port;
        for (int i = 0; ; i++) {
            try {
                if (call("GET", "/status", null).path("ready").asBoolean()) {
                    break;
                }
            } catch (IOException e) {
                if (i > 200) {
                    throw e;
                }
            }
            Thread.sleep(100);
        }
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode chrome = caps.putObject("capabilities").putObject("alwaysMatch").putObject("goog:chromeOptions");
        chrome.put("binary", CHROMIUM);
        var args = chrome.putArray("args");
        for (String a : List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile.resolve("profile"))) {
            args.add(a);
        }
        session = call("POST", "/session", caps).path("sessionId").asText();
    }

    void open(String url) throws Exception {
        ObjectNode b = JSON.createObjectNode();
        b.put("url", url);
        call("POST", "/session/" + session + "/url", b);
    }

    String title() throws Exception {
        return call("GET", "/session/" + session + "/title", null).asText();
    }

    String currentUrl() throws Exception {
        return call("GET", "/session/" + session + "/url", null).asText();
    }

    /** Ids of the elements matching a CSS selector. */
    List<String> find(String css) throws Exception {
        ObjectNode b = JSON.createObjectNode();
        b.put("using", "css selector");
        b.put("value", css);
        List<String> out = new ArrayList<>();
        for (JsonNode e : call("POST", "/session/" + session + "/elements", b)) {
            out.add(e.path(ELEMENT).asText());
        }
        return out;
    }

    String one(String css) throws Exception {
        List<String> found = find(css);
        if (found.size() != 1) {
            throw new AssertionError("expected one element for '" + css + "', found " + found.size());
        }
        return found.get(0);
    }

    String text(String element) throws Exception {
        return call("GET", "/session/" + session + "/element/" + element + "/text", null).asText();
    }

    String attribute(String element, String name) throws Exception {
        return call("GET", "/session/" + session + "/element/" + element + "/attribute/" + name, null).asText();
    }

    void type(String element, String keys) throws Exception {
        ObjectNode b = JSON.createObjectNode();
        b.put("text", keys);
        call("POST", "/session/" + session + "/element/" + element + "/value", b);
    }

    void click(String element) throws Exception {
        call("POST", "/session/" + session + "/element/" + element + "/click", JSON.createObjectNode());
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode n = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new AssertionError("webdriver " + method + " " + path + ": HTTP " + r.statusCode() + " " + n.path("value").path("message").asText());
        }
        return n.path("value");
    }

    String driverLog() {
        try {
            return Files.readString(profile.resolve("chromedriver.log"));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } finally {
            driver.destroy();
            if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
            TestRegistry.deleteTree(profile);
        }
    }
}
