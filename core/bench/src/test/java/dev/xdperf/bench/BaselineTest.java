package dev.xdperf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.stats.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports, BMF and the regression gate, without the kernel. */
class BaselineTest {
    @TempDir
    Path tmp;

    static BenchReport live(double ns) {
        BenchReport.Live l = new BenchReport.Live("xdperf-s", 1000, (long) (ns * 1000), 0, ns, 2e6, 0.5, "fexit", true,
                new long[] {0, 600, 300, 100, 0, 0}, List.of());
        return new BenchReport("xdp_filter", "f.o", "xdp_filter", "xdp", l,
                new BenchReport.Traffic("built-in UDP stream to port 9", 1000, 0.5, 2000, 64), null, List.of("w1"));
    }

    static BenchReport micro(double... ns) {
        List<BenchReport.Template> ts = new java.util.ArrayList<>();
        for (int i = 0; i < ns.length; i++) {
            ts.add(new BenchReport.Template(i, 0, 64, 1, "drop", ns[i], ns[i] - 1, ns[i] + 1));
        }
        return new BenchReport("xdp_filter", "f.o", "xdp_filter", "xdp", null, null,
                new BenchReport.Micro(1000, 3, java.util.Arrays.stream(ns).average().orElse(0), ts), List.of());
    }

    /** The live mix against the kernel's test run of the templates: 600 drop, 300 pass, 100 tx of 1000 sent. */
    @Test
    void verdictMixIsCheckedAgainstTheKernels() {
        List<BenchReport.KernelVerdict> agree = List.of(new BenchReport.KernelVerdict(0, 6, "drop"),
                new BenchReport.KernelVerdict(1, 3, "pass"), new BenchReport.KernelVerdict(2, 1, "tx"));
        BenchReport ok = live(10).withKernelVerdicts(agree);
        assertFalse(ok.allWarnings().stream().anyMatch(w -> w.contains("differs")), ok.allWarnings().toString());
        assertEquals(3, BenchReport.fromJson(ok.toJson()).kernelVerdicts().size(), "kept through JSON");

        BenchReport off = live(10).withKernelVerdicts(List.of(new BenchReport.KernelVerdict(0, 1, "tx")));
        String w = off.allWarnings().stream().filter(x -> x.contains("differs")).findFirst().orElseThrow();
        assertEquals("the verdict mix differs from the kernel's: BPF_PROG_TEST_RUN of the templates gives tx 100.000%,"
                + " the program returned drop 60.000%, pass 30.000%, tx 10.000%", w);
        assertTrue(off.toText().contains("kernel   BPF_PROG_TEST_RUN of the templates: tx 100.000%"), off.toText());
    }

    @Test
    void thresholds() {
        assertEquals(0.10, Baseline.parseThreshold("10%"), 1e-12);
        assertEquals(0.025, Baseline.parseThreshold("2.5"), 1e-12);
        assertEquals(0.0, Baseline.parseThreshold("0%"), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Baseline.parseThreshold("ten"));
        assertThrows(IllegalArgumentException.class, () -> Baseline.parseThreshold("-5%"));
    }

    @Test
    void jsonRoundTripsAndServesAsBaseline() throws Exception {
        BenchReport r = live(40);
        BenchReport back = BenchReport.fromJson(Json.MAPPER.readTree(r.toJson().toString()));
        assertEquals(r.toJson(), back.toJson());
        assertEquals(300, back.live().verdict("pass"));

        Path f = tmp.resolve("base.json");
        Files.writeString(f, r.toJson().toPrettyString());
        Baseline b = Baseline.read(f);
        assertFalse(b.compare(live(43.9), 0.10).get(0).regressed(), "+9.75% is within 10%");
        Baseline.Comparison c = b.compare(live(44.1), 0.10).get(0);
        assertTrue(c.regressed(), "+10.25% is not");
        assertEquals(0.1025, c.change(), 1e-9);
        assertFalse(b.compare(live(20), 0.0).get(0).regressed(), "faster is never a regression");
    }

    @Test
    void bmfBaselineComparesEveryBenchmarkByName() throws Exception {
        Path f = tmp.resolve("base.bmf.json");
        Files.writeString(f, micro(30, 50).toBmf().toString());
        Baseline b = Baseline.read(f);
        assertEquals(List.of("xdp_filter/micro", "xdp_filter/micro/t0", "xdp_filter/micro/t1"), List.copyOf(b.latencies().keySet()));
        List<Baseline.Comparison> cs = b.compare(micro(30, 80), 0.10);
        assertEquals(3, cs.size());
        assertEquals(List.of(true, false, true), cs.stream().map(Baseline.Comparison::regressed).toList());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.compare(live(40), 0.1));
        assertTrue(e.getMessage().contains("has no benchmark named xdp_filter"), e.getMessage());
    }

    static BenchReport liveWithin(double ns, double low, double high) {
        BenchReport.Live l = new BenchReport.Live("xdperf-s", 1000, (long) (ns * 1000), 0, ns, 2e6, 0.5, "device", true,
                new long[] {0, 1000, 0, 0, 0, 0}, List.of(), new Interval(low, high));
        return new BenchReport("xdp_filter", "f.o", "xdp_filter", "xdp", l, null, null, List.of());
    }

    /**
     * The gate compares 95% intervals: 7 -> 8 ns (+14%) with intervals [6.5, 8.0] and [7.5, 8.5]
     * is noise; 7 -> 9 ns with [8.9, 9.1] against [6.9, 7.1] is a regression of at least 25%.
     */
    @Test
    void gateComparesIntervals() throws Exception {
        Path f = tmp.resolve("ci.json");
        Files.writeString(f, liveWithin(7, 6.5, 8.0).toJson().toPrettyString());
        Baseline b = Baseline.read(f);
        assertEquals(new Interval(6.5, 8.0), b.intervals().get("xdp_filter"), "the interval survives JSON");
        Baseline.Comparison noise = b.compare(liveWithin(8, 7.5, 8.5), 0.10).get(0);
        assertEquals(0.1429, noise.change(), 1e-3);
        assertFalse(noise.regressed(), "inside the noise: " + noise);

        Files.writeString(f, liveWithin(7, 6.9, 7.1).toBmf().toString());
        Baseline bmf = Baseline.read(f);
        assertEquals(new Interval(6.9, 7.1), bmf.intervals().get("xdp_filter"), "BMF's lower_value and upper_value");
        Baseline.Comparison slow = bmf.compare(liveWithin(9, 8.9, 9.1), 0.10).get(0);
        assertTrue(slow.regressed(), slow.toString());
        assertEquals(8.9 / 7.1 - 1, slow.leastChange(), 1e-9);
        assertFalse(bmf.compare(liveWithin(9, 8.9, 9.1), 0.30).get(0).regressed(), "+25% at least, 30% allowed");
    }

    @Test
    void intervalStatistics() {
        double[] mh = Interval.meanAndHalfWidth(new double[] {10, 12, 11, 13, 9});
        assertEquals(11, mh[0], 1e-12);
        assertEquals(2.776 * Math.sqrt(2.5) / Math.sqrt(5), mh[1], 1e-9, "t(4) * s / sqrt(n)");
        double[] w = Interval.weightedMeanAndHalfWidth(new double[] {10, 12, 11, 13, 9}, new double[] {1, 1, 1, 1, 1});
        assertEquals(mh[0], w[0], 1e-12);
        assertEquals(mh[1], w[1], 1e-9, "equal weights: the plain interval");
    }

    @Test
    void badBaselinesAreRefusedInOneSentence() throws Exception {
        Path f = tmp.resolve("x.json");
        Files.writeString(f, "{\"a\": {\"throughput\": {\"value\": 1}}}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Baseline.read(f)).getMessage()
                .contains("benchmark \"a\" has no latency value"));
        Files.writeString(f, "[1, 2]");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Baseline.read(f)).getMessage().endsWith("not a JSON object"));
        Files.writeString(f, "{}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Baseline.read(f)).getMessage().endsWith("holds no benchmark"));
    }

    @Test
    void busyWindowIgnoresStrayPackets() {
        // 1 stray packet, then 4 busy 50 ms intervals of 50,000 packets, then 2 strays.
        List<long[]> samples = List.of(new long[] {0, 0}, new long[] {50_000_000, 1}, new long[] {100_000_000, 50_001},
                new long[] {150_000_000, 100_001}, new long[] {200_000_000, 150_001}, new long[] {250_000_000, 200_001},
                new long[] {300_000_000, 200_003});
        double[] w = LiveSession.busyWindow(samples);
        assertEquals(200_000, w[0], 0);
        assertEquals(0.2, w[1], 1e-9);
    }

    @Test
    void textNamesTheProgramTheCostAndTheMix() {
        String t = live(40).toText();
        assertTrue(t.contains("program xdp_filter (section xdp) from f.o"), t);
        assertTrue(t.contains("40.0 ns per packet"), t);
        assertTrue(t.contains("drop 600 (60.000%)") && t.contains("tx 100 (10.000%)"), t);
        assertTrue(t.contains("warning: w1"), t);
    }
}
