package dev.xdperf.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xdperf.XdperfException;
import dev.xdperf.template.Schedule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** IMIX and other size mixes: sizes with FCS, weights, and the packet-by-packet order of the template cycle. */
class SizeMixTest {
    @Test
    void imixIsSevenFourOneOfTheClassicSizes() {
        SizeMix m = SizeMix.parse("IMIX");
        assertEquals(SizeMix.IMIX, m);
        assertEquals("64:7,594:4,1518:1", m.toString());
        assertEquals(SizeMix.IMIX, SizeMix.parse(m.toString()));
        assertEquals(List.of(60, 590, 1514), m.entries().stream().map(SizeMix.Entry::frameBytes).toList());
        assertEquals(12, m.cycle());
        assertEquals((60 * 7 + 590 * 4 + 1514) / 12.0, m.averageFrameBytes(), 1e-9);
        assertEquals(SizeMix.parse(" 128:1 , 1518:3"), new SizeMix(List.of(new SizeMix.Entry(128, 1), new SizeMix.Entry(1518, 3))));
    }

    @Test
    void theCycleInterleavesTheSizesAndEveryWindowOfTwelveHoldsTheMix() {
        Schedule s = Schedule.of(List.of(7, 4, 1));
        int[] sizes = {64, 594, 1518};
        List<Integer> order = s.cycle().stream().map(i -> sizes[i]).toList();
        // the order docs/imix.md documents
        assertEquals(List.of(64, 594, 64, 64, 594, 64, 1518, 64, 594, 64, 594, 64), order);
        for (int start = 0; start < 12; start++) {
            Map<Integer, Integer> n = new HashMap<>();
            for (int k = start; k < start + 12; k++) {
                n.merge(order.get(k % 12), 1, Integer::sum);
            }
            assertEquals(Map.of(64, 7, 594, 4, 1518, 1), n, "window from " + start);
        }
    }

    @Test
    void badMixesAreOneSentence() {
        assertEquals("size 63 is outside 64..1518 (Ethernet frame bytes with the FCS)", error("63:1,594:4"));
        assertEquals("size 1519 is outside 64..1518 (Ethernet frame bytes with the FCS)", error("1519:1"));
        assertEquals("size 594 has weight 0: a weight is at least 1", error("64:7,594:0"));
        assertEquals("'64' in size mix '64,594:4' is not SIZE:WEIGHT (e.g. imix, or 64:7,594:4,1518:1)", error("64,594:4"));
        assertEquals("'a:1' in size mix 'a:1' is not SIZE:WEIGHT with whole numbers", error("a:1"));
        assertEquals("size 64 appears twice in the mix", error("64:1,64:2"));
    }

    private static String error(String text) {
        return assertThrows(XdperfException.ConfigException.class, () -> SizeMix.parse(text)).getMessage();
    }
}
