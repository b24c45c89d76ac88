package dev.xdperf.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdperf.cli.Main;
import dev.xdperf.net.DeviceCounters;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.rx.StreamStats;
import dev.xdperf.stats.Json;
import dev.xdperf.rx.LatencyHistogram;
import dev.xdperf.stats.RunReport;
import dev.xdperf.tx.TxCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What users and scripts read stays put while the code moves: every command's --help and the
 * final report (JSON and text) against files in src/test/resources/golden. After an intended
 * change, regenerate them with XDPERF_UPDATE_GOLDEN=1 and review the diff.
 */
class GoldenTest {
    private static final Path DIR = Path.of("src/test/resources/golden");

    @Test
    void helpOfEveryCommand() throws IOException {
        Map<String, String> help = new TreeMap<>();
        collect(new CommandLine(new Main()), "xdperf", help);
        StringBuilder all = new StringBuilder();
        help.forEach((name, text) -> all.append("### ").append(name).append('\n').append(text).append('\n'));
        check("help.txt", all.toString());
    }

    private static void collect(CommandLine cl, String path, Map<String, String> into) {
        cl.setUsageHelpWidth(100);
        into.put(path, cl.getUsageMessage(CommandLine.Help.Ansi.OFF));
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && sub.getCommandName().equals(name)) {
                collect(sub, path + " " + name, into);
            }
        });
    }

    @Test
    void finalReportJsonAndText() throws IOException {
        RunReport r = report();
        check("report.json", Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r.toJson()) + "\n");
        check("report.txt", r.toText());
    }

    /** A two-stream run with loss, a duplicate, reordering and latency, from fixed counters. */
    static RunReport report() {
        long[] lat = new long[LatencyHistogram.empty().counts().length];
        long[] gaps = new long[lat.length];
        for (int i = 0; i < 1000; i++) {
            lat[LatencyHistogram.index(8_000 + i * 10L)]++;
            gaps[LatencyHistogram.index(150 + i)]++;
        }
        List<StreamStats> streams = new ArrayList<>();
        streams.add(new StreamStats(0, 600_000, 38_400_000, 600_010, 1, 3, 2, 600_000L * 9_000, 600_000, 64));
        streams.add(new StreamStats(1, 399_990, 25_599_360, 400_000, 0, 0, 0, 399_990L * 9_500, 399_990, 80));
        RxSnapshot rx = new RxSnapshot(999_990, 63_999_360, 12, 0, streams, new LatencyHistogram(lat),
                new LatencyHistogram(gaps), new LatencyHistogram(gaps), 2_000_000_000L);
        TxCounters tx = new TxCounters(1_000_010, 64_000_640, 1_000_010, 0, 0, 2_000_000_000L);
        DeviceCounters txDev = new DeviceCounters(1_000_016, 3, 0, 0, 1_000_010, 0, 2_000_000_000L);
        DeviceCounters rxDev = new DeviceCounters(2, 1_000_004, 0, 0, 0, 0, 2_000_000_000L);
        return new RunReport("xdperf-c", List.of(0, 1), 64, 500_000, 2.0, tx, txDev, "xdperf-s", rx, rxDev, true, null,
                List.of("an example warning"), Map.of(0, 600_010L, 1, 400_000L), Map.of(0, "udp", 1, "icmp"));
    }

    private static void check(String name, String actual) throws IOException {
        Path file = DIR.resolve(name);
        if (System.getenv("XDPERF_UPDATE_GOLDEN") != null) {
            Files.createDirectories(DIR);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual,
                name + " changed: if intended, regenerate with XDPERF_UPDATE_GOLDEN=1 and review the diff");
    }
}
