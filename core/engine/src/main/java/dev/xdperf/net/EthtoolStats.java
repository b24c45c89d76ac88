package dev.xdperf.net;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A driver's own statistics as {@code ethtool -S} prints them: the one place they are read and parsed. */
public final class EthtoolStats {
    private EthtoolStats() {}

    /** Every numeric counter by its name, in the driver's order; empty when ethtool cannot tell (no driver stats, no tool). */
    public static Optional<Map<String, Long>> read(String ifname) {
        Commands.Output o = Commands.run(List.of("ethtool", "-S", ifname));
        return o.ok() ? Optional.of(parse(o.stdout())) : Optional.empty();
    }

    /** "     name: 123" lines; the header and non-numeric values are skipped. */
    static Map<String, Long> parse(String text) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            String value = line.substring(colon + 1).trim();
            if (!value.isEmpty() && value.chars().allMatch(Character::isDigit) && value.length() < 20) {
                m.merge(line.substring(0, colon).trim(), Long.parseLong(value), Long::sum);
            }
        }
        return Collections.unmodifiableMap(m);
    }
}
