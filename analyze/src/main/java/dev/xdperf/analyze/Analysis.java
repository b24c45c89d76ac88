package dev.xdperf.analyze;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.analyze.adversary.Adversary;
import dev.xdperf.analyze.cache.CacheStats;
import dev.xdperf.analyze.cache.Policy;
import dev.xdperf.analyze.object.ProgramSpec;
import dev.xdperf.analyze.trace.Cond;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The result of {@link Analyzer#run}: traces with their conditions, what was untraceable and
 * why, trace-cache simulations, coverage, and optionally traces found by mutation and an
 * adversarial packet order. {@link #toText()} is the report, {@link #toJson()} the same data.
 *
 * @param sequence per packet, the index of its trace in {@code traces}, or -1
 * @param coverage share of traceable packets covered by the k most frequent traces, k = 1..
 */
public record Analysis(String object, ProgramSpec program, int packets, List<TraceInfo> traces, List<TraceInfo> discovered,
                       Map<String, Long> untraceable, Map<String, Long> faults, Map<String, Long> verdicts, int[] sequence,
                       Map<Policy, List<CacheStats>> cache, CacheStats infinite, double[] coverage,
                       Set<String> unsupportedHelpers, Set<String> unsupportedMaps, Adversary.Order adversary,
                       List<byte[]> adversaryPackets, List<String> state, Updates updates) {
    /**
     * What --map-updates cost: updates applied, how many changed an entry, how many traces read a
     * changed entry (and were dropped from the caches), and the caches as they would have fared had
     * nothing been dropped ({@code cache} has the real figures).
     */
    public record Updates(int applied, int changed, int tracesInvalidated, CacheStats infiniteUnchanged,
                          Map<Policy, List<CacheStats>> cacheUnchanged) {
        public Updates {
            cacheUnchanged = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(cacheUnchanged));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public Analysis {
        traces = List.copyOf(traces);
        discovered = List.copyOf(discovered);
        untraceable = ordered(untraceable);
        faults = ordered(faults);
        verdicts = ordered(verdicts);
        sequence = sequence.clone();
        cache = ordered(cache);
        coverage = coverage.clone();
        unsupportedHelpers = Set.copyOf(unsupportedHelpers);
        unsupportedMaps = Set.copyOf(unsupportedMaps);
        adversaryPackets = List.copyOf(adversaryPackets);
        state = List.copyOf(state);
    }

    private static <K, V> Map<K, V> ordered(Map<K, V> m) {
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
    }

    @Override
    public int[] sequence() {
        return sequence.clone();
    }

    @Override
    public double[] coverage() {
        return coverage.clone();
    }

    public long traceablePackets() {
        return traces.stream().mapToLong(TraceInfo::packets).sum();
    }

    public long untraceablePackets() {
        return untraceable.values().stream().mapToLong(Long::longValue).sum();
    }

    public long faultedPackets() {
        return faults.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Traces by how many packets took them, most first. */
    public List<TraceInfo> tracesByFrequency() {
        List<TraceInfo> out = new ArrayList<>(traces);
        out.sort(Comparator.comparingLong(TraceInfo::packets).reversed().thenComparingInt(TraceInfo::id));
        return out;
    }

    // ---- text ------------------------------------------------------------------------------------

    /** The report with header field names in conditions ({@code udp.dport}); {@link #toText(boolean)} with true keeps them raw. */
    public String toText() {
        return toText(false);
    }

    public String toText(boolean raw) {
        StringBuilder sb = new StringBuilder();
        sb.append("program ").append(program.name()).append(" (section ").append(program.section()).append(") of ")
                .append(object).append(": ").append(program.length()).append(" instructions");
        if (program.functions().size() > 1) {
            sb.append(", ").append(program.functions().size() - 1).append(" subprogram")
                    .append(program.functions().size() > 2 ? "s" : "");
        }
        sb.append('\n');
        for (String st : state) {
            sb.append("state: ").append(st).append('\n');
        }
        if (!unsupportedHelpers.isEmpty()) {
            sb.append("helpers the interpreter does not implement (their results are opaque, named after them): ")
                    .append(String.join(", ", new java.util.TreeSet<>(unsupportedHelpers))).append('\n');
        }
        if (!unsupportedMaps.isEmpty()) {
            sb.append("unsupported maps: ").append(String.join(", ", new java.util.TreeSet<>(unsupportedMaps))).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%d packets: %d traceable in %d trace%s, %d untraceable, %d failed%n", packets,
                traceablePackets(), traces.size(), traces.size() == 1 ? "" : "s", untraceablePackets(), faultedPackets()));
        sb.append("verdicts: ");
        List<Map.Entry<String, Long>> vs = new ArrayList<>(verdicts.entrySet());
        vs.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        for (int i = 0; i < vs.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(vs.get(i).getKey()).append(' ').append(vs.get(i).getValue());
        }
        sb.append("\n\n");
        if (!traces.isEmpty()) {
            sb.append("traces, most frequent first:\n");
            sb.append(String.format(Locale.ROOT, "  %4s %8s %7s  %-12s %6s  %s%n", "id", "packets", "share", "verdict", "insns",
                    "condition"));
            for (TraceInfo t : tracesByFrequency()) {
                sb.append(String.format(Locale.ROOT, "  %4s %8d %6.1f%%  %-12s %6d  %s%n", "T" + t.id(), t.packets(),
                        100.0 * t.packets() / Math.max(1, packets), t.verdict(), t.instructions(), condition(t, raw)));
                String reads = t.reads().isEmpty() ? "nothing" : "bytes " + TraceInfo.ranges(t.reads().stream().toArray());
                sb.append(String.format(Locale.ROOT, "  %4s %8s %7s  reads %s; writes %s%n", "", "", "", reads,
                        writes(t.writes())));
            }
            sb.append('\n');
            sb.append("coverage of traceable packets by the most frequent traces:");
            String sep = " ";
            for (int k = 1; k <= coverage.length; k++) {
                boolean full = coverage[k - 1] >= 1.0 - 1e-12;
                if (k <= 4 || k == 8 || k == 16 || k == 32 || k == coverage.length || full) {
                    sb.append(String.format(Locale.ROOT, "%stop %d %.1f%%", sep, k, 100 * coverage[k - 1]));
                    sep = ", ";
                }
                if (full) {
                    break;
                }
            }
            sb.append("\n\n");
        }
        if (!untraceable.isEmpty()) {
            sb.append("untraceable packets, by reason:\n");
            untraceable.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> sb.append(String.format(Locale.ROOT, "  %8d %6.1f%%  %s%n", e.getValue(),
                            100.0 * e.getValue() / Math.max(1, packets), e.getKey())));
            sb.append('\n');
        }
        if (!faults.isEmpty()) {
            sb.append("failed packets:\n");
            faults.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> sb.append(String.format(Locale.ROOT, "  %8d  %s%n", e.getValue(), e.getKey())));
            sb.append('\n');
        }
        appendCache(sb);
        appendUpdates(sb);
        if (!discovered.isEmpty()) {
            sb.append("\ntraces found by mutating witnesses (not in the traffic):\n");
            for (TraceInfo t : discovered) {
                sb.append(String.format(Locale.ROOT, "  %4s  %-12s %6d  %s%n", "T" + t.id(), t.verdict(), t.instructions(),
                        condition(t, raw)));
                sb.append(String.format(Locale.ROOT, "  %4s  witness (%d bytes): %s%n", "", t.witness().length,
                        hex(t.witness(), 64)));
            }
        }
        if (adversary != null) {
            CacheStats c = adversary.check();
            sb.append(String.format(Locale.ROOT, "%nadversarial order for a %d-entry %s cache: %d packets cycling over traces %s;"
                    + " simulated hit rate %.1f%%%n", c.size(), c.policy().label(), adversary.traces().size(),
                    adversary.traces().stream().distinct().map(i -> "T" + i).toList(), 100 * c.hitRate()));
        }
        return sb.toString();
    }

    private void appendCache(StringBuilder sb) {
        List<Policy> cols = cache.keySet().stream().filter(p -> p != Policy.INFINITE).toList();
        if (!cols.isEmpty()) {
            sb.append("trace cache hit rate (share of all packets; untraceable packets always miss):\n");
            sb.append(String.format(Locale.ROOT, "  %5s", "size"));
            for (Policy p : cols) {
                sb.append(String.format(Locale.ROOT, " %8s", p.label()));
            }
            sb.append(String.format(Locale.ROOT, "   %s%n", "misses (" + cols.get(0).label() + "): compulsory/capacity"
                    + (updates != null ? "/re-trace" : "")));
            int rows = cache.get(cols.get(0)).size();
            for (int i = 0; i < rows; i++) {
                CacheStats first = cache.get(cols.get(0)).get(i);
                sb.append(String.format(Locale.ROOT, "  %5d", first.size()));
                for (Policy p : cols) {
                    sb.append(String.format(Locale.ROOT, " %7.1f%%", 100 * cache.get(p).get(i).hitRate()));
                }
                sb.append(String.format(Locale.ROOT, "   %d/%d%s%n", first.compulsory(), first.capacity(),
                        updates != null ? "/" + first.retraces() : ""));
            }
        }
        sb.append(String.format(Locale.ROOT, "  infinite cache: %.1f%% (%d compulsory miss%s, %d packet%s bypass the cache)%n",
                100 * infinite.hitRate(), infinite.compulsory(), infinite.compulsory() == 1 ? "" : "es",
                infinite.bypassed(), infinite.bypassed() == 1 ? "" : "s"));
    }

    private void appendUpdates(StringBuilder sb) {
        if (updates == null) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%nmap updates: %d applied, %d changed an entry; %d trace%s read a changed entry"
                + " (dropped from the cache at each change, built again on its next packet)%n", updates.applied(),
                updates.changed(), updates.tracesInvalidated(), updates.tracesInvalidated() == 1 ? "" : "s"));
        sb.append(cost("infinite cache", infinite, updates.infiniteUnchanged()));
        for (Map.Entry<Policy, List<CacheStats>> e : cache.entrySet()) {
            List<CacheStats> before = updates.cacheUnchanged().get(e.getKey());
            if (e.getKey() == Policy.INFINITE || e.getValue().isEmpty() || before == null) {
                continue;
            }
            int last = e.getValue().size() - 1;
            sb.append(cost(e.getKey().label() + ", " + e.getValue().get(last).size() + " entries", e.getValue().get(last),
                    before.get(last)));
        }
    }

    private static String cost(String what, CacheStats with, CacheStats without) {
        return String.format(Locale.ROOT, "  %-22s %d invalidation%s, %d re-trace%s, hit rate %.1f%% -> %.1f%%%n", what + ":",
                with.invalidated(), with.invalidated() == 1 ? "" : "s", with.retraces(), with.retraces() == 1 ? "" : "s",
                100 * without.hitRate(), 100 * with.hitRate());
    }

    private static String writes(int[] w) {
        if (w.length == 0) {
            return "nothing";
        }
        List<Integer> head = new ArrayList<>();
        List<Integer> body = new ArrayList<>();
        for (int o : w) {
            (o < 0 ? head : body).add(o);
        }
        String s = body.isEmpty() ? "" : "bytes " + TraceInfo.ranges(body.stream().mapToInt(Integer::intValue).toArray());
        if (!head.isEmpty()) {
            s += (s.isEmpty() ? "" : ", ") + head.size() + " bytes of headroom";
        }
        return s;
    }

    private static String hex(byte[] b, int max) {
        String h = HexFormat.of().formatHex(b, 0, Math.min(b.length, max));
        return b.length > max ? h + "..." : h;
    }

    // ---- JSON ------------------------------------------------------------------------------------

    private static String condition(TraceInfo t, boolean raw) {
        return raw ? t.condition().toString() : t.condition().toNamedString();
    }

    /** The same data; conditions with header field names, and raw beside them ({@code condition_raw}). */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", object);
        ObjectNode prog = root.putObject("program");
        prog.put("name", program.name());
        prog.put("section", program.section());
        prog.put("instructions", program.length());
        ArrayNode fn = prog.putArray("functions");
        program.functions().forEach(f -> fn.add(f.name()));
        root.putPOJO("unsupported_helpers", new java.util.TreeSet<>(unsupportedHelpers));
        root.putPOJO("unsupported_maps", new java.util.TreeSet<>(unsupportedMaps));
        ObjectNode pk = root.putObject("packets");
        pk.put("total", packets);
        pk.put("traceable", traceablePackets());
        pk.put("untraceable", untraceablePackets());
        pk.put("failed", faultedPackets());
        ObjectNode v = root.putObject("verdicts");
        verdicts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> v.put(e.getKey(), e.getValue()));
        ArrayNode tr = root.putArray("traces");
        for (TraceInfo t : tracesByFrequency()) {
            tr.add(trace(t));
        }
        ArrayNode un = root.putArray("untraceable");
        untraceable.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> un.addObject().put("reason", e.getKey()).put("packets", e.getValue()));
        ArrayNode fa = root.putArray("failed");
        faults.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> fa.addObject().put("error", e.getKey()).put("packets", e.getValue()));
        ArrayNode cov = root.putArray("coverage");
        for (double c : coverage) {
            cov.add(c);
        }
        ObjectNode ca = root.putObject("cache");
        for (Map.Entry<Policy, List<CacheStats>> e : cache.entrySet()) {
            ArrayNode rows = ca.putArray(e.getKey().label().toLowerCase(Locale.ROOT));
            for (CacheStats s : e.getValue()) {
                rows.add(stats(s));
            }
        }
        ca.set("infinite", stats(infinite));
        ArrayNode st = root.putArray("state");
        state.forEach(st::add);
        if (updates != null) {
            ObjectNode u = root.putObject("map_updates");
            u.put("applied", updates.applied());
            u.put("changed", updates.changed());
            u.put("traces_invalidated", updates.tracesInvalidated());
            ObjectNode wo = u.putObject("cache_without_invalidation");
            for (Map.Entry<Policy, List<CacheStats>> e : updates.cacheUnchanged().entrySet()) {
                ArrayNode rows = wo.putArray(e.getKey().label().toLowerCase(Locale.ROOT));
                e.getValue().forEach(x -> rows.add(stats(x)));
            }
            wo.set("infinite", stats(updates.infiniteUnchanged()));
        }
        ArrayNode di = root.putArray("discovered");
        discovered.forEach(t -> di.add(trace(t)));
        if (adversary != null) {
            ObjectNode ad = root.putObject("adversary");
            ad.put("policy", adversary.check().policy().label().toLowerCase(Locale.ROOT));
            ad.put("size", adversary.check().size());
            ad.put("packets", adversary.traces().size());
            ad.put("hit_rate", adversary.check().hitRate());
            ArrayNode order = ad.putArray("cycle");
            adversary.traces().stream().distinct().forEach(order::add);
        }
        return root;
    }

    private static ObjectNode trace(TraceInfo t) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", t.id());
        o.put("packets", t.packets());
        o.put("verdict", t.verdict());
        o.put("instructions", t.instructions());
        o.put("condition", t.condition().toNamedString());
        o.put("condition_raw", t.condition().toString());
        ArrayNode cs = o.putArray("conjuncts");
        t.condition().namedConjuncts().forEach(cs::add);
        ArrayNode raw = o.putArray("conjuncts_raw");
        for (Cond c : t.condition().conjuncts()) {
            raw.add(c.toString());
        }
        o.put("reads", TraceInfo.ranges(t.reads().stream().toArray()));
        o.put("writes", TraceInfo.ranges(t.writes()));
        if (t.firstPacket() >= 0) {
            o.put("first_packet", t.firstPacket());
        }
        o.put("witness", HexFormat.of().formatHex(t.witness()));
        return o;
    }

    private static ObjectNode stats(CacheStats s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("size", s.size());
        o.put("hits", s.hits());
        o.put("compulsory_misses", s.compulsory());
        o.put("capacity_misses", s.capacity());
        o.put("bypassed", s.bypassed());
        o.put("hit_rate", s.hitRate());
        o.put("hit_rate_traceable", s.hitRateOfTraceable());
        if (s.invalidated() > 0 || s.retraces() > 0) {
            o.put("invalidated", s.invalidated());
            o.put("retraces", s.retraces());
        }
        return o;
    }
}
