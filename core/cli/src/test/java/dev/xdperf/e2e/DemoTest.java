package dev.xdperf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.net.Commands;
import dev.xdperf.testing.Privileged;
import dev.xdperf.testing.Xdperf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** `xdperf demo` end to end, and that it leaves no namespace behind, also when interrupted. */
class DemoTest {
    static String namespaces() {
        return Commands.check(List.of("ip", "netns", "list"));
    }

    static boolean demoNamespaceOf(long pid) {
        return namespaces().lines().anyMatch(l -> l.startsWith("xdperf-" + pid + "-"));
    }

    /** The demo's own namespaces are named xdperf-PID-c/-s (tests' topologies carry a letter). */
    static java.util.Set<String> demoNamespaces() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        namespaces().lines().map(l -> l.split(" ")[0]).filter(n -> n.matches("xdperf-\\d+-[cs]")).forEach(out::add);
        return out;
    }

    @Test
    void demoRunsAndCleansUp() {
        Privileged.require();
        java.util.Set<String> before = demoNamespaces();
        Xdperf.Result r = Xdperf.run(null, 120, "demo", "--duration", "2", "--pps", "200k", "--json");
        assertEquals(0, r.exit(), r::toString);
        JsonNode j = r.json();
        long sent = j.path("sent_packets").asLong();
        assertTrue(sent > 380_000 && sent < 420_000, "200 kpps for 2 s: " + sent);
        assertEquals(sent, j.path("received_packets").asLong());
        assertEquals(0, j.path("lost_packets").asLong());
        assertTrue(j.path("latency_ns").path("p99").asLong() > 0);
        assertTrue(r.stderr().contains("server: run from"), r.stderr());
        assertEquals(before, demoNamespaces(), "the demo left namespaces behind");
    }

    /**
     * The demo with a plugin, its options and a stream mix, a dashboard and metrics: the client
     * serves both inside its namespace, and they answer on this host's localhost while it runs.
     */
    @Test
    void demoShowsAPluginWithDashboardAndMetricsOnLocalhost() throws Exception {
        Privileged.require();
        java.util.Set<String> before = demoNamespaces();
        int web;
        int metrics;
        try (java.net.ServerSocket a = new java.net.ServerSocket(0); java.net.ServerSocket b = new java.net.ServerSocket(0)) {
            web = a.getLocalPort();
            metrics = b.getLocalPort();
        }
        Process p = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.xdperf.cli.Main", "demo", "--duration", "6", "--pps", "10k",
                "--stream", "udp,share=80", "--stream", "icmp,share=20,flows=4", "--web", Integer.toString(web),
                "--metrics-port", Integer.toString(metrics), "--json")).redirectErrorStream(true).start();
        StringBuilder all = new StringBuilder();
        String page = null;
        String scraped = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                all.append(line).append('\n');
                if (page == null && line.contains("tx ")) {   // the first live line: the run is going
                    page = get("http://localhost:" + web + "/");
                    scraped = get("http://localhost:" + metrics + "/metrics");
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), all::toString);
        assertTrue(all.toString().contains("lead to the client's namespace"), all::toString);
        assertTrue(page != null && page.contains("<title>xdperf live</title>"), "dashboard on localhost: " + page);
        assertTrue(scraped != null && scraped.contains("xdperf_device_tx_packets_total{dev=\"xdperf-c\""), "metrics on localhost: " + scraped);
        assertTrue(java.util.regex.Pattern.compile("\"stream\"\\s*:\\s*1\\b").matcher(all).find(), "the second stream (icmp) was reported: " + all);
        assertEquals(before, demoNamespaces(), "the demo left namespaces behind");
        assertTrue(Commands.check(List.of("ip", "-o", "link")).lines().noneMatch(l -> l.contains(": xdpm")), "the host link is gone");

        Xdperf.Result bad = Xdperf.run(null, 60, "demo", "--duration", "1", "--plugin", "no-such-plugin");
        assertEquals(1, bad.exit(), bad::toString);
        assertTrue(bad.stderr().contains("xdperf: no plugin named 'no-such-plugin'"), bad::toString);
        assertEquals(before, demoNamespaces(), "the demo left namespaces behind");
    }

    static String get(String url) {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(url)).timeout(java.time.Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return "failed: " + e;
        }
    }

    @Test
    void interruptedDemoRemovesEverything() throws Exception {
        Privileged.require();
        Process p = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.xdperf.cli.Main", "demo", "--duration", "60", "--pps", "10k"))
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean running = false;
            while ((line = out.readLine()) != null) {
                if (line.contains("tx ")) {   // the first live line: client and server are both up
                    running = true;
                    break;
                }
            }
            assertTrue(running, "the demo never started sending");
            assertTrue(demoNamespaceOf(p.pid()), "demo namespaces exist while it runs");
            Commands.check(List.of("kill", "-INT", Long.toString(p.pid())));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "demo did not stop on SIGINT");
            assertTrue(!demoNamespaceOf(p.pid()), "namespaces left after Ctrl-C: " + namespaces());
        } finally {
            p.destroyForcibly();
        }
    }
}
