package dev.xdperf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.bpf.VerdictCounter;
import dev.xdperf.stats.Json;
import dev.xdperf.stats.Units;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What `xdperf bench` found out about one program: live (on an interface, under traffic) or
 * micro (BPF_PROG_TEST_RUN per template). Renders as text, as our JSON, and as Bencher Metric
 * Format (BMF), whose "latency" is ns per packet (per run in micro mode) and "throughput"
 * packets per second.
 */
public record BenchReport(String name, String object, String program, String section, Live live, Traffic traffic,
                          Micro micro, List<String> warnings, List<KernelVerdict> kernelVerdicts) {
    public static final String KIND = "xdperf-bench";
    public static final int VERSION = 1;

    public BenchReport {
        warnings = List.copyOf(warnings);
        kernelVerdicts = List.copyOf(kernelVerdicts);
    }

    public BenchReport(String name, String object, String program, String section, Live live, Traffic traffic, Micro micro,
                       List<String> warnings) {
        this(name, object, program, section, live, traffic, micro, warnings, List.of());
    }

    /** What BPF_PROG_TEST_RUN returned for one template's frame, run once: the verdict the traffic should get. */
    public record KernelVerdict(int index, int weight, String verdict) {}

    /**
     * The program on an interface: {@code runTimeNs} and {@code packets} are the kernel's
     * statistics over the run, {@code probeRunTimeNs} the verdict probe's share of them (subtracted).
     */
    public record Live(String dev, long packets, long runTimeNs, long probeRunTimeNs, double nsPerPacket,
                       double handledPps, double busySeconds, String verdictSource, boolean verdictsComplete,
                       long[] verdicts, List<String> warnings, Interval ci) {
        public Live {
            verdicts = verdicts.clone();
            warnings = List.copyOf(warnings);
        }

        public Live(String dev, long packets, long runTimeNs, long probeRunTimeNs, double nsPerPacket, double handledPps,
                    double busySeconds, String verdictSource, boolean verdictsComplete, long[] verdicts, List<String> warnings) {
            this(dev, packets, runTimeNs, probeRunTimeNs, nsPerPacket, handledPps, busySeconds, verdictSource, verdictsComplete,
                    verdicts, warnings, Interval.point(nsPerPacket));
        }

        public long verdict(String action) {
            return verdicts[VerdictCounter.ACTIONS.indexOf(action)];
        }
    }

    /** What the sender did (live mode in namespaces). */
    public record Traffic(String source, long sentPackets, double seconds, double txPps, int frameSize) {}

    /** Micro mode: the kernel's mean time per run of each template, over {@code rounds} test runs of {@code repeat}. */
    public record Micro(long repeat, int rounds, double nsPerRun, List<Template> templates, Interval ci) {
        public Micro {
            templates = List.copyOf(templates);
        }

        public Micro(long repeat, int rounds, double nsPerRun, List<Template> templates) {
            this(repeat, rounds, nsPerRun, templates, weighted(templates, nsPerRun));
        }

        /** The templates' intervals weighted like their values (as if their errors went together: the wider bound). */
        static Interval weighted(List<Template> ts, double fallback) {
            double lo = 0;
            double hi = 0;
            long w = 0;
            for (Template t : ts) {
                lo += t.ci().low() * t.weight();
                hi += t.ci().high() * t.weight();
                w += t.weight();
            }
            return w == 0 ? Interval.point(fallback) : new Interval(lo / w, hi / w);
        }
    }

    /** One template in micro mode: median, fastest and slowest round, and the program's action for it. */
    public record Template(int index, int stream, int length, int weight, String verdict, double nsPerRun,
                           double minNs, double maxNs, String kernelVerdict, boolean fresh, Interval ci) {
        public Template(int index, int stream, int length, int weight, String verdict, double nsPerRun, double minNs, double maxNs) {
            this(index, stream, length, weight, verdict, nsPerRun, minNs, maxNs, verdict, false, new Interval(minNs, maxNs));
        }
    }

    public String mode() {
        return micro != null ? "micro" : "live";
    }

    /** This report with the sender's side added, and the object named as the user gave it. */
    public BenchReport withTraffic(String objectAsGiven, Traffic t, List<String> moreWarnings) {
        List<String> w = new ArrayList<>(warnings);
        w.addAll(moreWarnings);
        return new BenchReport(name, objectAsGiven, program, section, live, t, micro, w, kernelVerdicts);
    }

    /**
     * This report with the kernel's verdict for each template, and a warning when the live
     * verdict mix does not match the mix they add up to (weighted over the packets sent).
     */
    public BenchReport withKernelVerdicts(List<KernelVerdict> expected) {
        List<String> w = new ArrayList<>(warnings);
        String differs = live == null || traffic == null ? null : mixDiffers(expected, live.verdicts(), traffic.sentPackets());
        if (differs != null) {
            w.add(differs);
        }
        return new BenchReport(name, object, program, section, live, traffic, micro, w, expected);
    }

    /** The expected share of each action, in percent, from the templates' weights. */
    static double[] expectedShares(List<KernelVerdict> expected) {
        double[] share = new double[VerdictCounter.ACTIONS.size()];
        long weights = expected.stream().mapToLong(KernelVerdict::weight).sum();
        for (KernelVerdict k : expected) {
            int a = VerdictCounter.ACTIONS.indexOf(k.verdict());
            share[a < 0 ? share.length - 1 : a] += 100.0 * k.weight() / Math.max(1, weights);
        }
        return share;
    }

    /**
     * A sentence when the measured mix is off the expected one by more than 1% of the packets sent
     * (plus a few: the namespace's own chatter passes), else null.
     */
    static String mixDiffers(List<KernelVerdict> expected, long[] measured, long sent) {
        if (expected.isEmpty() || sent == 0) {
            return null;
        }
        double[] share = expectedShares(expected);
        long total = java.util.Arrays.stream(measured).sum();
        boolean differs = false;
        for (int i = 0; i < share.length; i++) {
            if (Math.abs(measured[i] - share[i] / 100 * sent) > 0.01 * sent + 32) {
                differs = true;
            }
        }
        if (!differs) {
            return null;
        }
        return "the verdict mix differs from the kernel's: BPF_PROG_TEST_RUN of the templates gives " + mix(share)
                + ", the program returned " + mix(percent(measured, total));
    }

    private static double[] percent(long[] counts, long total) {
        double[] p = new double[counts.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = total == 0 ? 0 : 100.0 * counts[i] / total;
        }
        return p;
    }

    private static String mix(double[] share) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < share.length; i++) {
            if (share[i] > 0) {
                parts.add(VerdictCounter.ACTIONS.get(i) + " " + Units.percent(share[i]));
            }
        }
        return parts.isEmpty() ? "nothing" : String.join(", ", parts);
    }

    /** Every benchmark of this report by its BMF name, with the 95% interval of its latency in ns. */
    public Map<String, Interval> intervals() {
        Map<String, Interval> out = new LinkedHashMap<>();
        if (live != null) {
            out.put(name, live.ci());
        }
        if (micro != null) {
            out.put(name + "/micro", micro.ci());
            for (Template t : micro.templates()) {
                out.put(name + "/micro/t" + t.index(), t.ci());
            }
        }
        return out;
    }

    /** Every benchmark of this report by its BMF name, with its latency in ns. */
    public Map<String, Double> latencies() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (live != null) {
            out.put(name, live.nsPerPacket());
        }
        if (micro != null) {
            out.put(name + "/micro", micro.nsPerRun());
            for (Template t : micro.templates()) {
                out.put(name + "/micro/t" + t.index(), t.nsPerRun());
            }
        }
        return out;
    }

    public ObjectNode toBmf() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (live != null) {
            ObjectNode b = root.putObject(name);
            ObjectNode lat = b.putObject("latency");
            lat.put("value", round(live.nsPerPacket()));
            lat.put("lower_value", round(live.ci().low()));
            lat.put("upper_value", round(live.ci().high()));
            b.putObject("throughput").put("value", Math.round(live.handledPps()));
        }
        if (micro != null) {
            ObjectNode all = root.putObject(name + "/micro");
            ObjectNode allLat = all.putObject("latency");
            allLat.put("value", round(micro.nsPerRun()));
            allLat.put("lower_value", round(micro.ci().low()));
            allLat.put("upper_value", round(micro.ci().high()));
            all.putObject("throughput").put("value", Math.round(perSecond(micro.nsPerRun())));
            for (Template t : micro.templates()) {
                ObjectNode b = root.putObject(name + "/micro/t" + t.index());
                ObjectNode lat = b.putObject("latency");
                lat.put("value", round(t.nsPerRun()));
                lat.put("lower_value", round(t.ci().low()));
                lat.put("upper_value", round(t.ci().high()));
                b.putObject("throughput").put("value", Math.round(perSecond(t.nsPerRun())));
            }
        }
        return root;
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("kind", KIND);
        n.put("version", VERSION);
        n.put("name", name);
        n.put("object", object);
        n.put("program", program);
        n.put("section", section);
        n.put("mode", mode());
        if (live != null) {
            ObjectNode l = n.putObject("live");
            l.put("dev", live.dev());
            l.put("packets", live.packets());
            l.put("run_time_ns", live.runTimeNs());
            l.put("probe_run_time_ns", live.probeRunTimeNs());
            l.put("ns_per_packet", round(live.nsPerPacket()));
            interval(l, "ns_per_packet_ci", live.ci());
            l.put("handled_pps", Math.round(live.handledPps()));
            l.put("busy_seconds", round(live.busySeconds()));
            l.put("verdict_source", live.verdictSource());
            l.put("verdicts_complete", live.verdictsComplete());
            ObjectNode v = l.putObject("verdicts");
            for (int i = 0; i < VerdictCounter.ACTIONS.size(); i++) {
                v.put(VerdictCounter.ACTIONS.get(i), live.verdicts()[i]);
            }
            ArrayNode lw = l.putArray("warnings");
            live.warnings().forEach(lw::add);
        }
        if (traffic != null) {
            ObjectNode t = n.putObject("traffic");
            t.put("source", traffic.source());
            t.put("sent_packets", traffic.sentPackets());
            t.put("seconds", round(traffic.seconds()));
            t.put("tx_pps", Math.round(traffic.txPps()));
            t.put("frame_size", traffic.frameSize());
        }
        if (micro != null) {
            ObjectNode m = n.putObject("micro");
            m.put("repeat", micro.repeat());
            m.put("rounds", micro.rounds());
            m.put("ns_per_run", round(micro.nsPerRun()));
            interval(m, "ns_per_run_ci", micro.ci());
            ArrayNode ts = m.putArray("templates");
            for (Template t : micro.templates()) {
                ObjectNode o = ts.addObject();
                o.put("index", t.index());
                o.put("stream", t.stream());
                o.put("length", t.length());
                o.put("weight", t.weight());
                o.put("verdict", t.verdict());
                o.put("ns_per_run", round(t.nsPerRun()));
                interval(o, "ns_per_run_ci", t.ci());
                o.put("min_ns", round(t.minNs()));
                o.put("max_ns", round(t.maxNs()));
                o.put("kernel_verdict", t.kernelVerdict());
                o.put("fresh_frame_per_run", t.fresh());
            }
        }
        if (!kernelVerdicts.isEmpty()) {
            ArrayNode kv = n.putArray("kernel_verdicts");
            for (KernelVerdict k : kernelVerdicts) {
                kv.addObject().put("index", k.index()).put("weight", k.weight()).put("verdict", k.verdict());
            }
        }
        ArrayNode w = n.putArray("warnings");
        allWarnings().forEach(w::add);
        n.set("bmf", toBmf());
        return n;
    }

    private static void interval(ObjectNode n, String field, Interval i) {
        n.putArray(field).add(round(i.low())).add(round(i.high()));
    }

    private static Interval interval(JsonNode n, double value) {
        return n.isArray() && n.size() == 2 && n.get(0).asDouble() <= n.get(1).asDouble()
                ? new Interval(n.get(0).asDouble(), n.get(1).asDouble()) : Interval.point(value);
    }

    public List<String> allWarnings() {
        List<String> w = new ArrayList<>(warnings);
        if (live != null) {
            w.addAll(live.warnings());
        }
        return w;
    }

    /** Reads what {@link #toJson()} wrote (the live child's report, or a baseline). */
    public static BenchReport fromJson(JsonNode n) {
        if (!KIND.equals(n.path("kind").asText())) {
            throw new IllegalArgumentException("not an xdperf bench report");
        }
        Live live = null;
        JsonNode l = n.path("live");
        if (l.isObject()) {
            long[] v = new long[VerdictCounter.ACTIONS.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = l.path("verdicts").path(VerdictCounter.ACTIONS.get(i)).asLong();
            }
            List<String> lw = new ArrayList<>();
            l.path("warnings").forEach(x -> lw.add(x.asText()));
            live = new Live(l.path("dev").asText(), l.path("packets").asLong(), l.path("run_time_ns").asLong(),
                    l.path("probe_run_time_ns").asLong(), l.path("ns_per_packet").asDouble(), l.path("handled_pps").asDouble(),
                    l.path("busy_seconds").asDouble(), l.path("verdict_source").asText(), l.path("verdicts_complete").asBoolean(),
                    v, lw, interval(l.path("ns_per_packet_ci"), l.path("ns_per_packet").asDouble()));
        }
        Traffic traffic = null;
        JsonNode t = n.path("traffic");
        if (t.isObject()) {
            traffic = new Traffic(t.path("source").asText(), t.path("sent_packets").asLong(), t.path("seconds").asDouble(),
                    t.path("tx_pps").asDouble(), t.path("frame_size").asInt());
        }
        Micro micro = null;
        JsonNode m = n.path("micro");
        if (m.isObject()) {
            List<Template> ts = new ArrayList<>();
            for (JsonNode o : m.path("templates")) {
                ts.add(new Template(o.path("index").asInt(), o.path("stream").asInt(), o.path("length").asInt(),
                        o.path("weight").asInt(), o.path("verdict").asText(), o.path("ns_per_run").asDouble(),
                        o.path("min_ns").asDouble(), o.path("max_ns").asDouble(), o.path("kernel_verdict").asText(o.path("verdict").asText()),
                        o.path("fresh_frame_per_run").asBoolean(), interval(o.path("ns_per_run_ci"), o.path("ns_per_run").asDouble())));
            }
            micro = new Micro(m.path("repeat").asLong(), m.path("rounds").asInt(), m.path("ns_per_run").asDouble(), ts,
                    interval(m.path("ns_per_run_ci"), m.path("ns_per_run").asDouble()));
        }
        List<String> w = new ArrayList<>();
        if (live == null) {
            n.path("warnings").forEach(x -> w.add(x.asText()));
        } else {
            List<String> lw = live.warnings();
            n.path("warnings").forEach(x -> {
                if (!lw.contains(x.asText())) {
                    w.add(x.asText());
                }
            });
        }
        List<KernelVerdict> kv = new ArrayList<>();
        n.path("kernel_verdicts").forEach(k -> kv.add(new KernelVerdict(k.path("index").asInt(), k.path("weight").asInt(),
                k.path("verdict").asText())));
        return new BenchReport(n.path("name").asText(), n.path("object").asText(), n.path("program").asText(),
                n.path("section").asText(), live, traffic, micro, w, kv);
    }

    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("program %s (section %s) from %s%n", program, section, object));
        if (traffic != null) {
            b.append(String.format("traffic  %s, %d-byte frames: sent %s in %.2f s (%s)%n", traffic.source(), traffic.frameSize(),
                    Units.count(traffic.sentPackets()), traffic.seconds(), Units.pps(traffic.txPps())));
        }
        if (live != null) {
            b.append(String.format("handled  %s packets on %s, %s while busy (%.2f s)%n", Units.count(live.packets()), live.dev(),
                    Units.pps(live.handledPps()), live.busySeconds()));
            b.append(String.format("cost     %.1f ns per packet, 95%% interval %.1f-%.1f (kernel run time %s ns over %s runs",
                    live.nsPerPacket(), live.ci().low(), live.ci().high(),
                    Units.count(live.runTimeNs() - live.probeRunTimeNs()), Units.count(live.packets())));
            if (live.nsPerPacket() > 0) {
                b.append(String.format("; at most %s per CPU for the program alone", Units.pps(1e9 / live.nsPerPacket())));
            }
            b.append(")\n");
            if (live.verdictsComplete()) {
                b.append("verdicts ");
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < VerdictCounter.ACTIONS.size(); i++) {
                    long c = live.verdicts()[i];
                    if (c == 0 && VerdictCounter.ACTIONS.get(i).equals("other")) {
                        continue;
                    }
                    parts.add(String.format("%s %s (%s)", VerdictCounter.ACTIONS.get(i), Units.count(c),
                            live.packets() == 0 ? "-" : Units.percent(100.0 * c / live.packets())));
                }
                b.append(String.join(", ", parts)).append(String.format("   [%s]%n", live.verdictSource()));
            } else if (!"none".equals(live.verdictSource())) {
                b.append(String.format("verdicts aborted %s (the rest cannot be told apart here)   [%s]%n",
                        Units.count(live.verdicts()[0]), live.verdictSource()));
            }
        }
        if (live != null && !kernelVerdicts.isEmpty()) {
            b.append(String.format("kernel   BPF_PROG_TEST_RUN of the templates: %s%n", mix(expectedShares(kernelVerdicts))));
        }
        if (micro != null) {
            b.append(String.format("micro    BPF_PROG_TEST_RUN, %s runs per round, %d rounds, mean per template and its 95%% interval%n",
                    Units.count(micro.repeat()), micro.rounds()));
            b.append(String.format("  %-4s %6s %6s %6s %-9s %10s %10s %10s%n", "tmpl", "stream", "bytes", "weight", "verdict",
                    "ns/run", "low", "high"));
            for (Template t : micro.templates()) {
                b.append(String.format("  t%-3d %6d %6d %6d %-9s %10.1f %10.1f %10.1f%s%n", t.index(), t.stream(), t.length(),
                        t.weight(), t.verdict(), t.nsPerRun(), t.ci().low(), t.ci().high(),
                        t.fresh() ? "  (rewrites the frame: a fresh copy per run)" : ""));
            }
            b.append(String.format("  weighted mean %.1f ns per run, 95%% interval %.1f-%.1f%n", micro.nsPerRun(), micro.ci().low(),
                    micro.ci().high()));
        }
        for (String w : allWarnings()) {
            b.append("warning: ").append(w).append('\n');
        }
        return b.toString();
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static double perSecond(double ns) {
        return ns <= 0 ? 0 : 1e9 / ns;
    }
}
