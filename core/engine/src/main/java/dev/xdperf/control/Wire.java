package dev.xdperf.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The control channel's framing: one JSON object per line, each with a "type". Version 1:
 * hello (both ways) → start → ready → interval* → stop → result; "error" ends a session.
 */
public final class Wire implements AutoCloseable {
    public static final int PROTOCOL_VERSION = 1;
    public static final int MAX_LINE = 4 << 20;
    static final ObjectMapper JSON = new ObjectMapper();

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    public Wire(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    public static ObjectNode message(String type) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type);
        return n;
    }

    public synchronized void send(ObjectNode message) throws IOException {
        byte[] line = (JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(line);
        out.flush();
    }

    /** The next message; null at end of stream. A line that is not a JSON object is a protocol error. */
    public JsonNode receive() throws IOException {
        String line = in.readLine();
        if (line == null) {
            return null;
        }
        if (line.length() > MAX_LINE) {
            throw new ProtocolException("message of " + line.length() + " bytes is larger than " + MAX_LINE);
        }
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            throw new ProtocolException("peer does not speak the xdperf control protocol (got a line that is not JSON)");
        }
        if (n == null || !n.isObject() || !n.path("type").isTextual()) {
            throw new ProtocolException("peer does not speak the xdperf control protocol (message without a type)");
        }
        return n;
    }

    /** The next message, which must be of {@code type}; an "error" from the peer becomes a ProtocolException. */
    public JsonNode expect(String type) throws IOException {
        JsonNode n = receive();
        if (n == null) {
            throw new ProtocolException("peer closed the control connection while waiting for '" + type + "'");
        }
        String got = n.path("type").asText();
        if (got.equals("error")) {
            throw new PeerRefusedException(n.path("message").asText("refused without a reason"));
        }
        if (!got.equals(type)) {
            throw new ProtocolException("expected '" + type + "' from peer, got '" + got + "'");
        }
        return n;
    }

    public String peer() {
        return socket.getRemoteSocketAddress().toString().replaceFirst("^/", "");
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    /** The peer broke the protocol. */
    public static class ProtocolException extends IOException {
        public ProtocolException(String message) {
            super(message);
        }
    }

    /** The peer answered with an error message (busy, wrong version, failed to attach, ...). */
    public static final class PeerRefusedException extends ProtocolException {
        public PeerRefusedException(String message) {
            super(message);
        }
    }
}
