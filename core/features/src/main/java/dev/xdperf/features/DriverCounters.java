package dev.xdperf.features;

import dev.xdperf.net.EthtoolStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The interface's own receive and drop counters: the standard statistics in sysfs
 * (rx_packets, rx_dropped, rx_missed_errors, rx_fifo_errors, rx_over_errors) and the
 * driver's ethtool -S counters that name drops, misses, discards or buffer shortages.
 * Counters of XDP verdicts (xdp_drop and the like) are left out: they count what a program
 * chose to drop, not packets the driver lost.
 */
final class DriverCounters {
    private static final List<String> SYSFS = List.of("rx_packets", "rx_dropped", "rx_missed_errors", "rx_fifo_errors",
            "rx_over_errors");

    private DriverCounters() {}

    static Map<String, Long> read(String ifname) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String s : SYSFS) {
            try {
                m.put(s, Long.parseLong(Files.readString(Path.of("/sys/class/net", ifname, "statistics", s)).trim()));
            } catch (IOException | NumberFormatException e) {
                // not every driver has every counter
            }
        }
        EthtoolStats.read(ifname).orElse(Map.of()).forEach((key, value) -> {
            String k = key.toLowerCase(Locale.ROOT);
            if (!k.contains("xdp") && (k.contains("drop") || k.contains("miss") || k.contains("discard") || k.contains("no_buf")
                    || k.contains("nobuf"))) {
                m.put("ethtool:" + key, value);
            }
        });
        return m;
    }

    static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> m = new LinkedHashMap<>();
        after.forEach((k, v) -> m.put(k, v - before.getOrDefault(k, 0L)));
        return m;
    }
}
