package dev.xdperf.e2e;

import static dev.xdperf.net.DemoTopology.CLIENT_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IF;
import static dev.xdperf.net.DemoTopology.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.net.Commands;
import dev.xdperf.testing.ServerTopology;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live dashboard and the Prometheus endpoint during a real run, looked at by a real
 * headless Chromium and by curl, both inside the client's namespace.
 */
class DashboardTest {
    @RegisterExtension
    static final ServerTopology.PerClass net = new ServerTopology.PerClass();

    static List<String> chromium(Path profile, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.topology().client, "chromium", "--headless",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    @Test
    void pageShowsTheRunWhileItRunsAndMetricsAreScraped(@TempDir Path dir) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.topology().client,
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "dev.xdperf.cli.Main", "client", "--dev", CLIENT_IF, "--server", SERVER_IP, "--pps", "20k", "--duration", "8",
                "--stream", "udp,share=80", "--stream", "udp,share=20,size=128",
                "--web", "0", "--web-linger", "15", "--metrics-port", "0", "--run-id", "dash-test", "--json"));
        Process client = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(client.getErrorStream(), StandardCharsets.UTF_8));
            Pattern url = Pattern.compile("dashboard: (http://localhost:\\d+/)");
            Pattern metrics = Pattern.compile("metrics: (http://localhost:\\d+/metrics)");
            String page = null;
            String scrape = null;
            String line;
            while ((page == null || scrape == null) && (line = err.readLine()) != null) {
                Matcher m = url.matcher(line);
                if (m.find()) {
                    page = m.group(1);
                }
                Matcher n = metrics.matcher(line);
                if (n.find()) {
                    scrape = n.group(1);
                }
            }
            assertNotNull(page, "the client printed no dashboard address");
            assertNotNull(scrape, "the client printed no metrics address");
            Thread drain = new Thread(() -> {
                try {
                    while (err.readLine() != null) {
                        // live lines
                    }
                } catch (java.io.IOException ignored) {
                    // client gone
                }
            });
            drain.setDaemon(true);
            drain.start();
            Thread.sleep(3500);   // a few samples into the run

            // Server-sent events arrive while the run is on.
            Commands.Output sse = Commands.run(List.of("ip", "netns", "exec", net.topology().client, "curl", "-sN",
                    "--max-time", "4", "-H", "Accept: text/event-stream", page + "events"));
            assertTrue(sse.stdout().contains("event: sample"), "no sample events: " + sse.stdout() + sse.stderr());
            // every sample carries both streams, with their frame sizes; confirmed losses never go down
            long lastConfirmed = -1;
            int withStreams = 0;
            for (String event : sse.stdout().split("\n")) {
                if (!event.startsWith("data: ")) {
                    continue;
                }
                JsonNode sample = new com.fasterxml.jackson.databind.ObjectMapper().readTree(event.substring(6));
                if (sample.path("streams").size() == 2) {
                    withStreams++;
                    assertEquals("[64]", sample.path("streams").get(0).path("frame_sizes").toString(), event);
                    assertEquals("[128]", sample.path("streams").get(1).path("frame_sizes").toString(), event);
                }
                if (sample.has("lost_confirmed")) {
                    assertTrue(sample.path("lost_confirmed").asLong() >= lastConfirmed, "lost so far went down: " + sse.stdout());
                    lastConfirmed = sample.path("lost_confirmed").asLong();
                }
            }
            assertTrue(withStreams > 0, "no per-stream figures in the samples: " + sse.stdout());

            // Prometheus text format with the run's label and counters that moved.
            String text = Commands.run(List.of("ip", "netns", "exec", net.topology().client, "curl", "-s", scrape)).stdout();
            Matcher sent = Pattern.compile("xdperf_sent_packets_total\\{[^}]*run=\"dash-test\"[^}]*\\} ([0-9.E]+)").matcher(text);
            assertTrue(sent.find(), "no xdperf_sent_packets_total for the run:\n" + text);
            assertTrue(Double.parseDouble(sent.group(1)) > 1000, "sent counter did not move: " + sent.group(1));
            assertTrue(text.contains("xdperf_device_xdp_xmit_errors_total"), text);

            // The page in a real browser: it loaded the run and drew samples.
            Commands.Output dom = Commands.run(chromium(dir.resolve("p1"), "--virtual-time-budget=2000", "--dump-dom", page));
            Matcher samples = Pattern.compile("id=\"samples\">(\\d+)<").matcher(dom.stdout());
            assertTrue(samples.find(), "no sample counter in the page:\n" + dom.stdout() + dom.stderr());
            assertTrue(Integer.parseInt(samples.group(1)) >= 2, "the charts received " + samples.group(1) + " samples");
            assertTrue(dom.stdout().contains("dash-test"), "the page shows the run id");
            for (String legend : List.of("tx (sent)", "rx (received)", "p50", "p99", "lost (confirmed", "udp tx", "udp rx",
                    "frame sizes", "64 B", "128 B")) {
                assertTrue(dom.stdout().contains(legend), "the page shows '" + legend + "':\n" + dom.stdout());
            }

            File png = dir.resolve("dashboard.png").toFile();
            Commands.run(chromium(dir.resolve("p2"), "--virtual-time-budget=2000", "--window-size=1200,900",
                    "--screenshot=" + png, page));
            assertTrue(png.exists(), "no screenshot");
            BufferedImage img = ImageIO.read(png);
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < img.getHeight(); y += 3) {
                for (int x = 0; x < img.getWidth(); x += 3) {
                    colours.add(img.getRGB(x, y));
                }
            }
            assertTrue(colours.size() > 20, "the screenshot is blank: " + colours.size() + " colours");
            // once the run is over, the final report is served as it is
            JsonNode report = null;
            for (int i = 0; i < 60 && report == null; i++) {
                Commands.Output r = Commands.run(List.of("ip", "netns", "exec", net.topology().client, "curl", "-sf", page + "report.json"));
                if (r.ok()) {
                    report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.stdout());
                } else {
                    Thread.sleep(250);
                }
            }
            assertNotNull(report, "no /report.json after the run");
            assertTrue(report.path("sent_packets").asLong() > 0, report::toString);
            assertEquals(2, report.path("streams").size(), report::toString);
            // the page stays up for the browser however slow the machine (--web-linger 15); the run itself is over by now
            assertTrue(client.waitFor(90, TimeUnit.SECONDS), "client did not finish");
            assertEquals(0, client.exitValue());
        } finally {
            client.destroyForcibly().waitFor();
        }
    }
}
