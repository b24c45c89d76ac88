package dev.xdperf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.XdperfException;
import dev.xdperf.stats.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bench report written out in each format, with and without a baseline to hold it against. */
class RenderedBenchTest {
    @TempDir
    Path tmp;

    @Test
    void formatsByName() {
        assertEquals(RenderedBench.Format.BMF, RenderedBench.Format.parse("BMF"));
        assertEquals(RenderedBench.Format.TEXT, RenderedBench.Format.parse("text"));
        String msg = assertThrows(XdperfException.ConfigException.class, () -> RenderedBench.Format.parse("xml")).getMessage();
        assertEquals("report format 'xml' is not text, json or bmf", msg);
    }

    @Test
    void withoutABaselineEachFormatIsTheReportAlone() throws Exception {
        BenchReport r = BaselineTest.live(40);
        RenderedBench text = RenderedBench.of(r, RenderedBench.Format.TEXT, null, 0.1);
        assertEquals(r.toText(), text.document());
        assertEquals("", text.comparison());
        assertNull(text.regression());
        assertEquals(r.toJson().toPrettyString() + "\n", RenderedBench.of(r, RenderedBench.Format.JSON, null, 0.1).document());
        assertEquals(r.toBmf().toPrettyString() + "\n", RenderedBench.of(r, RenderedBench.Format.BMF, null, 0.1).document());
    }

    @Test
    void aBaselineIsInTheTextAndTheJsonAndARegressionIsOneSentence() throws Exception {
        Path f = tmp.resolve("base.json");
        Files.writeString(f, BaselineTest.live(40).toJson().toPrettyString());
        Baseline base = Baseline.read(f);
        BenchReport slower = BaselineTest.live(60);

        RenderedBench text = RenderedBench.of(slower, RenderedBench.Format.TEXT, base, 0.1);
        assertTrue(text.comparison().startsWith("baseline xdp_filter: 40.0 ns"), text.comparison());
        assertEquals(slower.toText() + text.comparison(), text.document());
        assertTrue(text.regression().startsWith("bench regression: xdp_filter takes 60.0 ns against 40.0 ns in " + f),
                text.regression());

        RenderedBench json = RenderedBench.of(slower, RenderedBench.Format.JSON, base, 0.1);
        assertEquals(text.comparison(), json.comparison());
        assertEquals(true, Json.MAPPER.readTree(json.document()).path("baseline").path("comparisons").get(0).path("regressed").asBoolean());

        RenderedBench bmf = RenderedBench.of(BaselineTest.live(41), RenderedBench.Format.BMF, base, 0.1);
        assertEquals(BaselineTest.live(41).toBmf().toPrettyString() + "\n", bmf.document(), "BMF stays Bencher's, the comparison beside it");
        assertNull(bmf.regression(), "+2.5% is within 10%");
    }
}
