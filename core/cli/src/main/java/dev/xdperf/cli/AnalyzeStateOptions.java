package dev.xdperf.cli;

import dev.xdperf.analyze.fib.Fib;
import dev.xdperf.analyze.maps.MapContents;
import dev.xdperf.analyze.maps.MapUpdate;
import dev.xdperf.bpf.BpfMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What `xdperf analyze` puts in the program's maps and the FIB before and while the traffic flows (a picocli mixin). */
final class AnalyzeStateOptions {
    @Option(names = "--map", paramLabel = "NAME=FILE.json|NAME=pinned:PATH",
            description = "Fill map NAME before the first packet, from FILE.json as bpftool map dump -j writes it or from a"
                    + " snapshot of the pinned map at PATH (repeatable). Traces hold for these contents.")
    List<String> maps = new ArrayList<>();

    @Option(names = "--map-updates", paramLabel = "FILE",
            description = "Change maps while the traffic flows (JSON: packet index or time, map, key, value or delete);"
                    + " the cache simulation drops the traces that read a changed entry and reports the cost.")
    Path mapUpdates;

    @Option(names = "--fib", paramLabel = "FILE|host",
            description = "Interfaces, routes and neighbours for bpf_fib_lookup: a JSON file of ip -j link, route and neigh"
                    + " output, or 'host' for this network namespace's (default: none).")
    String fib;

    /** The maps' contents before the first packet. */
    List<MapContents> contents() {
        List<MapContents> out = new ArrayList<>();
        for (String m : maps) {
            out.add(mapContents(m));
        }
        return out;
    }

    Fib fibTables() {
        return fib == null ? Fib.empty() : fib.equals("host") ? Fib.host() : Fib.read(Path.of(fib));
    }

    /** The --map-updates, each placed at a packet index of the {@code packets} packets of {@code traffic}; empty when none. */
    List<MapUpdate> updates(int packets, AnalyzeTrafficOptions traffic) {
        if (mapUpdates == null) {
            return List.of();
        }
        List<MapUpdate> updates = MapUpdate.read(mapUpdates);
        String what = "--map-updates " + mapUpdates;
        MapUpdate byTime = updates.stream().filter(u -> u.packet() < 0).findFirst().orElse(null);
        long[] times = byTime == null ? null : traffic.timestamps(packets, what, byTime.map());
        return MapUpdate.place(updates, packets, times, what);
    }

    /** NAME=FILE.json, or NAME=pinned:PATH read from the kernel now. */
    static MapContents mapContents(String option) {
        int eq = option.indexOf('=');
        if (eq > 0 && option.startsWith("pinned:", eq + 1)) {
            String name = option.substring(0, eq);
            String path = option.substring(eq + 1 + "pinned:".length());
            if (!Files.exists(Path.of(path))) {
                throw new IllegalArgumentException("--map " + option + ": no pinned map at " + path);
            }
            List<MapContents.Entry> entries = new ArrayList<>();
            for (byte[][] kv : BpfMap.dumpPinned(path)) {
                entries.add(new MapContents.Entry(kv[0], kv[1]));
            }
            return new MapContents(name, Path.of(path), entries);
        }
        return MapContents.parse(option);
    }
}
