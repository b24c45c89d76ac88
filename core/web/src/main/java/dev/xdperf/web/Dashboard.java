package dev.xdperf.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.stats.Json;
import dev.xdperf.stats.LiveSample;
import io.javalin.Javalin;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A live dashboard of one run (Javalin): the page at /, the samples as server-sent events at
 * /events (every second), everything so far at /api/run for late joiners, and the final
 * report at /report.json once the run has ended.
 */
public final class Dashboard implements AutoCloseable {
    private final Javalin app;
    private final List<SseClient> clients = new CopyOnWriteArrayList<>();
    private final ArrayNode samples = Json.MAPPER.createArrayNode();
    private final ObjectNode run = Json.MAPPER.createObjectNode();

    private Dashboard(int port, String runId, Map<String, String> parameters) {
        run.put("run", runId);
        ObjectNode params = run.putObject("parameters");
        parameters.forEach(params::put);
        run.set("samples", samples);
        String page = resource("/web/dashboard.html");
        app = Javalin.create(c -> c.showJavalinBanner = false);
        app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
        app.get("/api/run", ctx -> {
            synchronized (samples) {
                ctx.json(run.deepCopy());
            }
        });
        // the final report as it is, once the run has ended
        app.get("/report.json", ctx -> {
            ObjectNode report;
            synchronized (samples) {
                report = run.has("final") ? (ObjectNode) run.get("final").deepCopy() : null;
            }
            if (report == null) {
                ctx.status(404).json(Json.MAPPER.createObjectNode().put("error", "the run is still going: the report comes at its end"));
            } else {
                ctx.json(report);
            }
        });
        app.sse("/events", client -> {
            client.keepAlive();
            clients.add(client);
            client.onClose(() -> clients.remove(client));
        });
        try {
            app.start(port);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("serve the dashboard on port " + port + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()) + " (pick another --web port)");
        }
    }

    public static Dashboard start(int port, String runId, Map<String, String> parameters) {
        return new Dashboard(port, runId, parameters);
    }

    public int port() {
        return app.port();
    }

    /** Sends a second's sample to every open page. */
    public void publish(LiveSample s) {
        ObjectNode n = s.toJson();
        synchronized (samples) {
            samples.add(n);
        }
        for (SseClient c : clients) {
            c.sendEvent("sample", n.toString());
        }
    }

    /** Sends the final report. */
    public void finish(ObjectNode report) {
        synchronized (samples) {
            run.set("final", report);
        }
        for (SseClient c : clients) {
            c.sendEvent("final", report.toString());
        }
    }

    /** Keeps serving for {@code linger} (so a page can show the end), then stops. */
    public void closeAfter(Duration linger) {
        if (!linger.isZero()) {
            try {
                Thread.sleep(linger.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static String resource(String path) {
        try (InputStream in = Dashboard.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("dashboard page " + path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("read " + path + ": " + e.getMessage());
        }
    }
}
