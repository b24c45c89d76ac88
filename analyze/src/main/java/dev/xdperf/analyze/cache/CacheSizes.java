package dev.xdperf.analyze.cache;

import java.util.ArrayList;
import java.util.List;

/** The cache sizes a simulation tries, written as ranges and single sizes: "1..32", "1,2,4,8" or "1..4,8,16". */
public final class CacheSizes {
    private CacheSizes() {}

    /** The sizes {@code text} names, distinct and ascending. */
    public static List<Integer> parse(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            try {
                int dots = p.indexOf("..");
                if (dots >= 0) {
                    int from = Integer.parseInt(p.substring(0, dots).trim());
                    int to = Integer.parseInt(p.substring(dots + 2).trim());
                    if (from < 1 || to < from || to - from > 4096) {
                        throw new IllegalArgumentException("cache sizes '" + p + "' are not a range of positive sizes");
                    }
                    for (int i = from; i <= to; i++) {
                        out.add(i);
                    }
                } else {
                    int v = Integer.parseInt(p);
                    if (v < 1) {
                        throw new IllegalArgumentException("cache size " + v + " is not positive");
                    }
                    out.add(v);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a list of cache sizes (examples: 1..32, 1,2,4,8)");
            }
        }
        return out.stream().distinct().sorted().toList();
    }
}
