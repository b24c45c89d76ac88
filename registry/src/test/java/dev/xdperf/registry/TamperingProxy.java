package dev.xdperf.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.UnaryOperator;

/**
 * A man in the middle between a client and a real registry: forwards GETs and lets a test
 * rewrite the version record or the artifact on the way back.
 */
final class TamperingProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    volatile UnaryOperator<ObjectNode> versionRecord = UnaryOperator.identity();
    volatile UnaryOperator<byte[]> artifact = UnaryOperator.identity();

    TamperingProxy(String upstream) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            try {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI())).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                byte[] body = r.body();
                int status = r.statusCode();
                String path = ex.getRequestURI().getPath();
                if (path.contains("/blobs/")) {
                    // the tampered bytes are served whatever the registry had under that digest
                    body = artifact.apply(body.clone());
                    status = 200;
                } else if (r.statusCode() == 200 && path.matches(".*/versions/[^/]+$")) {
                    body = JSON.writeValueAsBytes(versionRecord.apply((ObjectNode) JSON.readTree(body)));
                }
                ex.getResponseHeaders().add("Content-Type", r.headers().firstValue("Content-Type").orElse("application/json"));
                ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
                ex.getResponseBody().write(body);
            } catch (InterruptedException e) {
                ex.sendResponseHeaders(502, -1);
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
