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
 * One change of a map's contents from user space while the traffic flows, for
 * {@code analyze --map-updates FILE}: before packet {@code packet} (0-based) or at {@code time}
 * seconds after the first packet of a capture, {@code map[key] = value}, or the entry deleted
 * when {@code value} is null. The file is a JSON array of
 * {@code {"packet": 500, "map": "NAME", "key": [bytes], "value": [bytes]}}, with {@code "time": 0.25}
 * instead of "packet" and {@code "delete": true} instead of "value" as wanted; bytes are written
 * as in bpftool's map dump -j ("0x2a" or 42).
 *
 * @param packet the packet index, or -1 when {@code time} is given
 * @param time seconds after the first packet, or NaN when {@code packet} is given
 */
public record MapUpdate(long packet, double time, String map, byte[] key, byte[] value) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean delete() {
        return value == null;
    }

    /** The same update placed at a packet index. */
    public MapUpdate at(long index) {
        return new MapUpdate(index, time, map, key, value);
    }

    /**
     * {@code updates} with every one placed by time moved to the index of the first packet at or
     * after that time, from {@code times} (the capture's timestamps in nanoseconds; null when none
     * is placed by time). {@code what} names the updates in the message when one falls outside
     * the {@code packets} packets.
     */
    public static List<MapUpdate> place(List<MapUpdate> updates, int packets, long[] times, String what) {
        List<MapUpdate> out = new ArrayList<>();
        for (MapUpdate u : updates) {
            if (u.packet() >= 0) {
                if (u.packet() >= packets) {
                    throw new IllegalArgumentException(what + ": an update of " + u.map() + " at packet "
                            + u.packet() + ", but the traffic has " + packets + " packets");
                }
                out.add(u);
                continue;
            }
            if (times == null) {
                throw new IllegalArgumentException(what + ": an update of " + u.map() + " is placed by time, but the traffic"
                        + " has no timestamps (give \"packet\" instead)");
            }
            long at = times.length == 0 ? 0 : times[0] + (long) (u.time() * 1e9);
            int i = 0;
            while (i < times.length && times[i] < at) {
                i++;
            }
            if (i >= packets) {
                throw new IllegalArgumentException(what + ": an update of " + u.map() + " at "
                        + u.time() + " s comes after the last packet");
            }
            out.add(u.at(i));
        }
        return out;
    }

    public static List<MapUpdate> read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("read map updates " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("read map updates " + file + ": not JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("read map updates " + file + ": expected a JSON array of updates such as"
                    + " {\"packet\": 500, \"map\": \"NAME\", \"key\": [...], \"value\": [...]}");
        }
        List<MapUpdate> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode u = root.get(i);
            String where = "read map updates " + file + ": update " + (i + 1);
            boolean hasPacket = u.has("packet");
            boolean hasTime = u.has("time");
            if (hasPacket == hasTime) {
                throw new IllegalArgumentException(where + ": give \"packet\" (an index) or \"time\" (seconds), one of them");
            }
            long packet = -1;
            double time = Double.NaN;
            if (hasPacket) {
                if (!u.path("packet").canConvertToLong() || u.path("packet").asLong() < 0) {
                    throw new IllegalArgumentException(where + ": \"packet\" must be a packet index (0 or more)");
                }
                packet = u.path("packet").asLong();
            } else {
                if (!u.path("time").isNumber() || u.path("time").asDouble() < 0) {
                    throw new IllegalArgumentException(where + ": \"time\" must be seconds after the first packet (0 or more)");
                }
                time = u.path("time").asDouble();
            }
            String map = u.path("map").asText("");
            if (map.isEmpty()) {
                throw new IllegalArgumentException(where + ": \"map\" is missing");
            }
            boolean delete = u.path("delete").asBoolean(false);
            if (delete == u.has("value")) {
                throw new IllegalArgumentException(where + ": give \"value\" or \"delete\": true, one of them");
            }
            byte[] key = MapContents.bytes(u.path("key"), where + " key");
            byte[] value = delete ? null : MapContents.bytes(u.path("value"), where + " value");
            out.add(new MapUpdate(packet, time, map, key, value));
        }
        return out;
    }
}
