package dev.xdperf.packet;

import dev.xdperf.XdperfException.ConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A frame-size mix such as IMIX: sizes with weights, interleaved packet by packet. Sizes count
 * the Ethernet frame <em>with</em> its FCS, as RFC 2544 and datasheets do (64..1518); xdperf hands
 * the device {@code size - 4} bytes (60..1514, as TRex counts them) and the NIC adds the FCS.
 * The simple IMIX is 7 : 4 : 1 of 64, 594 and 1518 bytes.
 */
public record SizeMix(List<Entry> entries) {
    public static final int FCS = 4;
    public static final int MIN_WIRE = 64;
    public static final int MAX_WIRE = 1518;
    public static final int MAX_ENTRIES = 16;
    public static final SizeMix IMIX = new SizeMix(List.of(new Entry(64, 7), new Entry(594, 4), new Entry(1518, 1)));

    /** One size of the mix ({@code size} with FCS) and its weight. */
    public record Entry(int size, int weight) {
        public Entry {
            if (size < MIN_WIRE || size > MAX_WIRE) {
                throw new ConfigException("size " + size + " is outside " + MIN_WIRE + ".." + MAX_WIRE
                        + " (Ethernet frame bytes with the FCS)");
            }
            if (weight < 1) {
                throw new ConfigException("size " + size + " has weight " + weight + ": a weight is at least 1");
            }
        }

        /** The bytes handed to the device: the frame without its FCS. */
        public int frameBytes() {
            return size - FCS;
        }
    }

    public SizeMix {
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new ConfigException("a size mix needs at least one size");
        }
        if (entries.size() > MAX_ENTRIES) {
            throw new ConfigException("a size mix has at most " + MAX_ENTRIES + " sizes, not " + entries.size());
        }
        Set<Integer> seen = new HashSet<>();
        for (Entry e : entries) {
            if (!seen.add(e.size())) {
                throw new ConfigException("size " + e.size() + " appears twice in the mix");
            }
        }
    }

    /** "imix", or "SIZE:WEIGHT,..." such as "64:7,594:4,1518:1" (sizes with FCS). */
    public static SizeMix parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("imix")) {
            return IMIX;
        }
        List<Entry> out = new ArrayList<>();
        for (String part : t.split(",")) {
            String[] sw = part.trim().split(":");
            if (sw.length != 2) {
                throw new ConfigException("'" + part.trim() + "' in size mix '" + text + "' is not SIZE:WEIGHT (e.g. imix, or 64:7,594:4,1518:1)");
            }
            try {
                out.add(new Entry(Integer.parseInt(sw[0].trim()), Integer.parseInt(sw[1].trim())));
            } catch (NumberFormatException e) {
                throw new ConfigException("'" + part.trim() + "' in size mix '" + text + "' is not SIZE:WEIGHT with whole numbers");
            }
        }
        return new SizeMix(out);
    }

    /** True for text that means a mix rather than one size. */
    public static boolean isMix(String text) {
        return text.contains(":") || text.trim().equalsIgnoreCase("imix");
    }

    public int cycle() {
        return entries.stream().mapToInt(Entry::weight).sum();
    }

    /** Mean frame bytes without FCS over one cycle. */
    public double averageFrameBytes() {
        return entries.stream().mapToDouble(e -> (double) e.frameBytes() * e.weight()).sum() / cycle();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Entry e : entries) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(e.size()).append(':').append(e.weight());
        }
        return b.toString();
    }
}
