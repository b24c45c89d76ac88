package dev.xdperf.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.spec.RunSpec;
import dev.xdperf.spec.SpecJson;

/**
 * The control protocol's start message: the client's whole {@link RunSpec} as it is, and the
 * longest frame its templates make (the server's reverse direction and reports use it). The
 * server takes what concerns it from the spec: the direction, round trips (reflect), and the
 * reverse direction's rate, length, size and address family.
 */
public record Start(RunSpec spec, int frameSize, long pacedIntervalNs) {
    static final String TYPE = "start";

    /** A start message of a run that is not paced (or whose pacing the receiver need not know). */
    public Start(RunSpec spec, int frameSize) {
        this(spec, frameSize, 0);
    }

    ObjectNode toMessage() {
        ObjectNode m = Wire.message(TYPE);
        m.set("spec", SpecJson.toJson(spec));
        m.put("frame_size", frameSize);
        if (pacedIntervalNs > 0) {
            // each sending CPU's departure interval: the receiver measures bursts against it
            m.put("paced_interval_ns", pacedIntervalNs);
        }
        return m;
    }

    static Start fromMessage(JsonNode m) {
        if (!m.path("spec").isObject()) {
            throw new IllegalArgumentException("the start message carries no run spec (use the same xdperf release on both ends)");
        }
        return new Start(SpecJson.fromJson(m.path("spec")), m.path("frame_size").asInt(0), m.path("paced_interval_ns").asLong(0));
    }

    /** The stream id of the server's direction: the one after the client's. */
    int reverseStreamId() {
        return spec.streamId() + 1;
    }
}
