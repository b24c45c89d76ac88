package dev.xdperf.analyze.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CacheSizesTest {
    @Test
    void rangesAndSizesMixDistinctAndSorted() {
        assertEquals(List.of(1, 2, 3, 4, 8, 16), CacheSizes.parse("16, 1..4,8,4"));
        assertEquals(List.of(5), CacheSizes.parse("5..5"));
    }

    @Test
    void nonsenseIsRefusedInOneSentence() {
        assertEquals("'x' is not a list of cache sizes (examples: 1..32, 1,2,4,8)",
                assertThrows(IllegalArgumentException.class, () -> CacheSizes.parse("x")).getMessage());
        assertEquals("cache sizes '4..2' are not a range of positive sizes",
                assertThrows(IllegalArgumentException.class, () -> CacheSizes.parse("4..2")).getMessage());
        assertEquals("cache size 0 is not positive", assertThrows(IllegalArgumentException.class, () -> CacheSizes.parse("0")).getMessage());
    }
}
