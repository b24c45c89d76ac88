package dev.xdperf.analyze.maps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entries for one of the program's maps, from a file in the form `bpftool map dump -j` writes:
 * a JSON array of {"key": [bytes], "value": [bytes]} where each byte is "0x.." or a number (BTF's
 * "formatted" view, when present, is ignored); for per-CPU maps {"values": [{"cpu": N, "value":
 * [bytes]}, ...]}, whose first value is written for every CPU. So a filter is benchmarked with its
 * real rules: `--map NAME=FILE.json` (bench and analyze alike).
 */
public record MapContents(String map, Path file, List<Entry> entries) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Entry(byte[] key, byte[] value) {}

    public MapContents {
        entries = List.copyOf(entries);
    }

    /** Parses "NAME=FILE.json" and reads the file; bad input fails with one sentence. */
    public static MapContents parse(String option) {
        int eq = option.indexOf('=');
        if (eq <= 0 || eq == option.length() - 1) {
            throw new IllegalArgumentException("--map '" + option + "': give NAME=FILE.json (a map of the program, and"
                    + " entries as bpftool map dump -j writes them)");
        }
        return read(option.substring(0, eq), Path.of(option.substring(eq + 1)));
    }

    public static MapContents read(String map, Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("read map file " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("read map file " + file + ": not JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("read map file " + file + ": expected a JSON array of entries, as bpftool map dump -j"
                    + " writes");
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode e = root.get(i);
            String where = "read map file " + file + ": entry " + (i + 1);
            JsonNode value = e.path("value");
            if (value.isMissingNode() && e.path("values").isArray() && e.path("values").size() > 0) {
                value = e.path("values").get(0).path("value");
            }
            out.add(new Entry(bytes(e.path("key"), where + " key"), bytes(value, where + " value")));
        }
        return new MapContents(map, file, out);
    }

    static byte[] bytes(JsonNode n, String where) {
        if (!n.isArray()) {
            throw new IllegalArgumentException(where + ": expected an array of bytes such as [\"0x09\", \"0x00\"]");
        }
        byte[] b = new byte[n.size()];
        for (int i = 0; i < b.length; i++) {
            JsonNode x = n.get(i);
            int v;
            try {
                v = x.isInt() ? x.asInt() : Integer.decode(x.asText().trim());
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException(where + ": byte " + (i + 1) + " (" + x + ") is not a byte");
            }
            b[i] = (byte) v;
        }
        return b;
    }
}
