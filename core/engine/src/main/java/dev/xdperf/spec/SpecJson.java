package dev.xdperf.spec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.xdperf.XdperfException.ConfigException;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * RunSpec as JSON: the control protocol's start message and an agent's shard carry it as it is.
 * Addresses and MACs are their usual text, durations ISO-8601 ("PT10S"), instants UTC.
 */
public final class SpecJson {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(module())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private SpecJson() {}

    public static JsonNode toJson(RunSpec spec) {
        return MAPPER.valueToTree(spec);
    }

    public static String toString(RunSpec spec) {
        try {
            return MAPPER.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("write run spec: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a spec; every check of the builder runs again, and a bad value names its field. */
    public static RunSpec fromJson(JsonNode json) {
        try {
            return MAPPER.treeToValue(json, RunSpec.class);
        } catch (ValueInstantiationException e) {
            Throwable c = e.getCause();
            throw c instanceof ConfigException ce ? ce : new ConfigException("read run spec: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            String path = e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? m.getPathReference() : "";
            throw new ConfigException("read run spec" + (path.isEmpty() ? "" : " at " + path) + ": " + e.getOriginalMessage());
        }
    }

    static SimpleModule module() {
        SimpleModule m = new SimpleModule("xdperf-run-spec");
        text(m, InetAddress.class, InetAddress::getHostAddress, UdpStream::parseIp);
        text(m, MacAddress.class, MacAddress::toString, MacAddress::parse);
        text(m, Duration.class, Duration::toString, Duration::parse);
        text(m, Instant.class, Instant::toString, Instant::parse);
        text(m, Path.class, Path::toString, Path::of);
        text(m, dev.xdperf.packet.SizeMix.class, dev.xdperf.packet.SizeMix::toString, dev.xdperf.packet.SizeMix::parse);
        return m;
    }

    private static <T> void text(SimpleModule m, Class<T> type, Function<T, String> write, Function<String, T> read) {
        m.addSerializer(type, new JsonSerializer<T>() {
            @Override
            public void serialize(T value, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(write.apply(value));
            }
        });
        m.addDeserializer(type, new JsonDeserializer<T>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext c) throws IOException {
                String text = p.getValueAsString();
                try {
                    return read.apply(text);
                } catch (ConfigException e) {
                    throw new ConfigException("read run spec: " + p.getParsingContext().getCurrentName() + ": " + e.getMessage());
                } catch (RuntimeException e) {
                    throw new ConfigException("read run spec: " + p.getParsingContext().getCurrentName() + ": '" + text
                            + "' is not a " + type.getSimpleName());
                }
            }
        });
    }
}
