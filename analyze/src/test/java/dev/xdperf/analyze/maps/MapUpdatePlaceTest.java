package dev.xdperf.analyze.maps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class MapUpdatePlaceTest {
    private static MapUpdate byPacket(long i) {
        return new MapUpdate(i, Double.NaN, "m", new byte[4], new byte[4]);
    }

    private static MapUpdate byTime(double s) {
        return new MapUpdate(-1, s, "m", new byte[4], null);
    }

    @Test
    void anUpdateByTimeGoesBeforeTheFirstPacketAtOrAfterIt() {
        long[] times = {1_000_000_000L, 1_200_000_000L, 1_500_000_000L, 2_000_000_000L};
        List<MapUpdate> placed = MapUpdate.place(List.of(byPacket(1), byTime(0.5), byTime(0.0)), 4, times, "updates");
        assertEquals(List.of(1L, 2L, 0L), placed.stream().map(MapUpdate::packet).toList());
    }

    @Test
    void updatesOutsideTheTrafficAreRefusedNamingWhat() {
        var e = assertThrows(IllegalArgumentException.class, () -> MapUpdate.place(List.of(byPacket(4)), 4, null, "f.json"));
        assertEquals("f.json: an update of m at packet 4, but the traffic has 4 packets", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MapUpdate.place(List.of(byTime(2.0)), 2, new long[] {0, 1_000_000_000L}, "f.json"));
        assertEquals("f.json: an update of m at 2.0 s comes after the last packet", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MapUpdate.place(List.of(byTime(0.1)), 2, null, "f.json"));
        assertEquals("f.json: an update of m is placed by time, but the traffic has no timestamps (give \"packet\" instead)",
                e.getMessage());
    }
}
