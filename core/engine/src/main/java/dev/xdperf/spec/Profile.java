package dev.xdperf.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.xdperf.XdperfException.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link RunSpec} kept in a file (docs/profiles.md): JSON in {@link SpecJson}'s form, or YAML
 * with the same keys, plus {@code version}. Keys left out take the builder's defaults, unknown
 * keys are refused, and every error names the file, the path of the bad value and its line.
 */
public final class Profile {
    /** The version this xdperf writes and reads. */
    public static final int VERSION = 1;

    /** The two spellings of a profile. */
    public enum Format {
        YAML, JSON;

        /** JSON for a {@code .json} file, YAML otherwise. */
        public static Format of(Path file) {
            return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
        }
    }

    private static final ObjectMapper JSON_READER = reader(new JsonFactory());
    private static final ObjectMapper YAML_READER = reader(new YAMLFactory());
    private static final ObjectMapper JSON_WRITER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final ObjectMapper YAML_WRITER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());
    private static final Pattern LEADING_PATH = Pattern.compile("^([a-z_]+(?:\\[\\d+])?(?:\\.[a-z_]+)?)");

    private Profile() {}

    /** Reads a profile; {@code dev}, when not null, is the interface whatever the file says (the command line's). */
    public static RunSpec read(Path file, String dev) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("read profile " + file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException("read profile " + file + ": " + e.getMessage());
        }
        RunSpec spec = parse(file.toString(), text, Format.of(file), dev);
        return relativeTo(spec, file.toAbsolutePath().getParent());
    }

    /** Files a profile names by relative path (a capture, a template set) are next to the profile, wherever xdperf runs. */
    private static RunSpec relativeTo(RunSpec spec, Path dir) {
        RunSpec.Builder b = spec.toBuilder();
        boolean changed = false;
        if (spec.replay() != null && !spec.replay().file().isAbsolute()) {
            RunSpec.Replay r = spec.replay();
            b.replay(new RunSpec.Replay(dir.resolve(r.file()), r.loop(), r.rewriteIp(), r.measure()));
            changed = true;
        }
        if (spec.source() != null && spec.source().templates() != null && !spec.source().templates().isAbsolute()) {
            b.source(RunSpec.Source.templates(dir.resolve(spec.source().templates())));
            changed = true;
        }
        return changed ? b.build() : spec;
    }

    /** Reads a profile's text; {@code name} is the file's name in messages. */
    public static RunSpec parse(String name, String text, Format format, String dev) {
        ObjectMapper mapper = format == Format.JSON ? JSON_READER : YAML_READER;
        Map<String, Integer> lines = lines(mapper, text);
        JsonNode tree;
        try {
            tree = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(name + at(e.getLocation() == null ? 0 : e.getLocation().getLineNr())
                    + ": not " + (format == Format.JSON ? "JSON" : "YAML") + " (" + e.getOriginalMessage() + ")");
        }
        if (!(tree instanceof ObjectNode root)) {
            throw new ConfigException(name + ": a profile is a map of keys (version: " + VERSION + ", dev: ..., pps: ...)");
        }
        JsonNode version = root.remove("version");
        if (version == null) {
            throw new ConfigException(name + ": no version: a profile starts with 'version: " + VERSION + "'");
        }
        if (!version.canConvertToExactIntegral() || version.asInt() != VERSION) {
            throw new ConfigException(name + at(lines, "version") + ": version " + version.asText()
                    + " is not one this xdperf reads (it reads version " + VERSION + ")");
        }
        if (dev != null) {
            root.put("dev", dev);
        }
        JsonNode streams = root.get("streams");
        if (streams != null && streams.isArray()) {
            // a stream without a share takes an equal one (a pps replaces shares anyway)
            for (JsonNode s : streams) {
                if (s instanceof ObjectNode o && !o.has("share")) {
                    o.put("share", 1);
                }
            }
        }
        try {
            return mapper.treeToValue(root, RunSpec.class);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause();
            String path = path(e);
            if (cause instanceof ConfigException c) {
                return fail(name, lines, path.isEmpty() ? null : path, c.getMessage());
            }
            if (e instanceof UnrecognizedPropertyException u) {
                String where = path.isEmpty() ? u.getPropertyName() : path;
                throw new ConfigException(name + at(lines, where) + ": unknown key " + where);
            }
            if (e instanceof InvalidFormatException f) {
                throw new ConfigException(name + at(lines, path) + ": " + path + ": '" + f.getValue() + "' is not "
                        + kind(f.getTargetType()));
            }
            if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
                throw new ConfigException(name + at(lines, path) + ": " + path + ": expected " + kind(m.getTargetType()));
            }
            throw new ConfigException(name + at(lines, path) + ": " + (path.isEmpty() ? "" : path + ": ") + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ConfigException(name + ": " + e.getOriginalMessage());
        } catch (ConfigException e) {
            return fail(name, lines, null, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
    }

    /** The profile of a spec: only what differs from the builder's defaults, after {@code version}. */
    public static String write(RunSpec spec, Format format) {
        ObjectNode out = (format == Format.JSON ? JSON_WRITER : YAML_WRITER).createObjectNode();
        out.put("version", VERSION);
        ObjectNode defaults = (ObjectNode) SpecJson.toJson(RunSpec.builder("-").count(1).build());
        defaults.put("count", 0);
        JsonNode full = SpecJson.toJson(spec);
        for (Iterator<Map.Entry<String, JsonNode>> it = full.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            boolean always = k.equals("dev") || k.equals("duration");
            if (always || !e.getValue().equals(defaults.get(k))) {
                out.set(k, e.getValue());
            }
        }
        for (JsonNode s : out.path("streams")) {
            // what the reader would fill in anyway stays out: no options, the run's size, the default name
            ObjectNode o = (ObjectNode) s;
            if (o.path("options").isEmpty()) {
                o.remove("options");
            }
            if (o.path("size").asInt() == 0) {
                o.remove("size");
            }
            String plugin = o.path("plugin").asText(null);
            if (o.path("name").asText().equals(plugin == null ? "udp" : RunSpec.Source.plugin(plugin).name())) {
                o.remove("name");
            }
        }
        try {
            return (format == Format.JSON ? JSON_WRITER : YAML_WRITER).writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("write profile: " + e.getOriginalMessage(), e);
        }
    }

    private static RunSpec fail(String name, Map<String, Integer> lines, String path, String message) {
        String where = path;
        if (where == null || !lines.containsKey(where)) {
            Matcher m = LEADING_PATH.matcher(message);
            where = m.find() ? m.group(1) : null;
        }
        // "read run spec: " is SpecJson's prefix for the wire; in a file, the file is the context
        String msg = message.startsWith("read run spec: ") ? message.substring("read run spec: ".length()) : message;
        if (path != null && !msg.startsWith(path) && !path.isEmpty()) {
            msg = path + ": " + msg;
        }
        throw new ConfigException(name + at(lines, where) + ": " + msg);
    }

    private static String kind(Class<?> type) {
        if (type == null) {
            return "of the right type";
        }
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            StringBuilder b = new StringBuilder("one of");
            for (Object c : type.getEnumConstants()) {
                b.append(' ').append(c.toString().toLowerCase(Locale.ROOT));
            }
            return b.toString();
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a map of keys";
        }
        if (type == String.class) {
            return "a text";
        }
        return "a " + type.getSimpleName().toLowerCase(Locale.ROOT) + " (a map of keys)";
    }

    /** "streams[1].pps" from Jackson's path. */
    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String at(Map<String, Integer> lines, String path) {
        Integer line = path == null ? null : lines.get(path);
        return at(line == null ? 0 : line);
    }

    private static String at(int line) {
        return line > 0 ? " line " + line : "";
    }

    /** The line of every value, by its path ("streams[1].pps"); empty when the text does not parse. */
    private static Map<String, Integer> lines(ObjectMapper mapper, String text) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = mapper.getFactory().createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME || t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    continue;
                }
                // a fresh object or array context adds nothing to the path yet: it is the path of the value
                lines.putIfAbsent(dotted(p.getParsingContext().pathAsPointer()), p.currentTokenLocation().getLineNr());
            }
        } catch (IOException e) {
            // readTree reports it with its line
        }
        return lines;
    }

    private static String dotted(JsonPointer ptr) {
        StringBuilder b = new StringBuilder();
        for (JsonPointer p = ptr; p != null && !p.matches(); p = p.tail()) {
            if (p.mayMatchElement()) {
                b.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(p.getMatchingProperty());
            }
        }
        return b.toString();
    }

    private static ObjectMapper reader(JsonFactory factory) {
        ObjectMapper m = new ObjectMapper(factory)
                .registerModule(SpecJson.module())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS);
        m.addMixIn(RunSpec.class, SpecFromBuilder.class);
        m.addMixIn(RunSpec.Builder.class, BuilderKeys.class);
        return m;
    }

    /** A profile goes through the builder: keys left out keep its defaults, and build() checks. */
    @JsonDeserialize(builder = RunSpec.Builder.class)
    private abstract static class SpecFromBuilder {
    }

    /** The builder's one-argument setters are the keys, snake_case; its shorthands are not. */
    @JsonPOJOBuilder(withPrefix = "", buildMethodName = "build")
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    private abstract static class BuilderKeys {
        @JsonIgnore
        abstract RunSpec.Builder plugin(String nameOrPath);

        @JsonIgnore
        abstract RunSpec.Builder templates(Path file);

        @JsonIgnore
        abstract RunSpec.Builder stream(RunSpec.Stream s);
    }
}
