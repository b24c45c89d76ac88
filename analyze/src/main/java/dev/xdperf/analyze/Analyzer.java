package dev.xdperf.analyze;

import dev.xdperf.analyze.adversary.Adversary;
import dev.xdperf.analyze.adversary.Mutator;
import dev.xdperf.analyze.cache.CacheSimulator;
import dev.xdperf.analyze.cache.CacheStats;
import dev.xdperf.analyze.cache.Policy;
import dev.xdperf.analyze.fib.Fib;
import dev.xdperf.analyze.maps.MapContents;
import dev.xdperf.analyze.maps.MapKey;
import dev.xdperf.analyze.maps.MapState;
import dev.xdperf.analyze.maps.MapUpdate;
import dev.xdperf.analyze.trace.Expr;
import dev.xdperf.analyze.object.ObjectSpec;
import dev.xdperf.analyze.object.ProgramSpec;
import dev.xdperf.analyze.trace.PathCondition;
import dev.xdperf.analyze.xdp.XdpMachine;
import dev.xdperf.analyze.xdp.XdpResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Runs an XDP program over traffic in the interpreter and analyses it: the traces the
 * packets take and their path conditions, what makes packets untraceable, how trace caches
 * of several sizes and policies would fare, optionally more traces found by mutating
 * witnesses and a packet order that defeats a cache.
 *
 * <pre>{@code
 * Analysis a = Analyzer.builder(ObjectLoader.load("filter", elf)).program("xdp_filter").build().run(packets);
 * System.out.print(a.toText());
 * }</pre>
 */
public final class Analyzer {
    /** Cache sizes analysed unless told otherwise: 1 to 32. */
    public static final List<Integer> DEFAULT_SIZES = IntStream.rangeClosed(1, 32).boxed().toList();
    public static final List<Policy> DEFAULT_POLICIES = List.of(Policy.LRU, Policy.LFU, Policy.FIFO, Policy.RANDOM,
            Policy.OPTIMAL);

    private final ObjectSpec object;
    private final ProgramSpec program;
    private final List<Integer> sizes;
    private final List<Policy> policies;
    private final long budget;
    private final long seed;
    private final int mutations;
    private final Policy adversaryPolicy;
    private final int adversarySize;
    private final int adversaryCount;
    private final Consumer<XdpMachine> setup;
    private final List<MapContents> contents;
    private final List<MapUpdate> updates;
    private final Fib fib;

    private Analyzer(Builder b) {
        this.object = b.object;
        this.program = object.select(b.program);
        this.sizes = List.copyOf(b.sizes);
        this.policies = List.copyOf(b.policies);
        this.budget = b.budget;
        this.seed = b.seed;
        this.mutations = b.mutations;
        this.adversaryPolicy = b.adversaryPolicy;
        this.adversarySize = b.adversarySize;
        this.adversaryCount = b.adversaryCount;
        this.setup = b.setup;
        this.contents = List.copyOf(b.contents);
        this.updates = b.updates.stream().sorted(java.util.Comparator.comparingLong(MapUpdate::packet)).toList();
        this.fib = b.fib;
        // fail early, with the file named, on contents that do not fit the program's maps
        machine();
        for (MapUpdate u : updates) {
            if (u.packet() < 0) {
                throw new IllegalArgumentException("map update of " + u.map() + " at " + u.time() + " s: place it at a packet"
                        + " index first (times need the capture's timestamps)");
            }
            var m = mapOf(u.map(), "update map " + u.map());
            if (u.key().length != m.keySize() || (u.value() != null && u.value().length != m.valueSize())) {
                throw new IllegalArgumentException("update map " + u.map() + " before packet " + u.packet() + ": a "
                        + u.key().length + "-byte key" + (u.value() == null ? "" : " and a " + u.value().length + "-byte value")
                        + ", the map takes " + m.keySize() + " and " + m.valueSize());
            }
        }
    }

    private dev.xdperf.analyze.object.MapSpec mapOf(String name, String what) {
        return object.maps().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(what + " of " + object.name() + ": no such map (it has "
                        + String.join(", ", object.maps().stream().map(x -> x.name()).filter(n -> !n.startsWith(".")).toList())
                        + ")"));
    }

    public static Builder builder(ObjectSpec object) {
        return new Builder(object);
    }

    /** Options of an analysis; every one has a default. */
    public static final class Builder {
        private final ObjectSpec object;
        private String program;
        private List<Integer> sizes = DEFAULT_SIZES;
        private List<Policy> policies = DEFAULT_POLICIES;
        private long budget = 1_000_000;
        private long seed = 1;
        private int mutations;
        private Policy adversaryPolicy;
        private int adversarySize;
        private int adversaryCount;
        private Consumer<XdpMachine> setup = m -> { };
        private List<MapContents> contents = List.of();
        private List<MapUpdate> updates = List.of();
        private Fib fib = Fib.empty();

        private Builder(ObjectSpec object) {
            this.object = object;
        }

        /** The program by name or section; default: the only (XDP) program. */
        public Builder program(String nameOrSection) {
            this.program = nameOrSection;
            return this;
        }

        public Builder cacheSizes(List<Integer> sizes) {
            if (sizes.isEmpty() || sizes.stream().anyMatch(s -> s < 1)) {
                throw new IllegalArgumentException("cache sizes must be positive");
            }
            this.sizes = List.copyOf(sizes);
            return this;
        }

        public Builder policies(List<Policy> policies) {
            if (policies.isEmpty()) {
                throw new IllegalArgumentException("give at least one cache policy");
            }
            this.policies = List.copyOf(policies);
            return this;
        }

        /** Instructions per packet before its run is stopped. */
        public Builder budget(long instructions) {
            this.budget = instructions;
            return this;
        }

        /** Seed of the program's random numbers and of the random cache policy. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Look for more traces with up to {@code packets} mutated witnesses (0: do not). */
        public Builder mutate(int packets) {
            if (packets < 0) {
                throw new IllegalArgumentException("the mutation budget cannot be negative");
            }
            this.mutations = packets;
            return this;
        }

        /** Also build a packet order of {@code count} packets on which a cache of {@code size} entries always misses. */
        public Builder adversary(Policy policy, int size, int count) {
            if (size < 1 || count < 1) {
                throw new IllegalArgumentException("the adversarial cache size and packet count must be positive");
            }
            this.adversaryPolicy = policy;
            this.adversarySize = size;
            this.adversaryCount = count;
            return this;
        }

        /** Prepares the interpreter's maps before the first packet (for example, fills a device map). */
        public Builder setup(Consumer<XdpMachine> setup) {
            this.setup = setup;
            return this;
        }

        /** Fills maps before the first packet, from bpftool map dump -j files (--map NAME=FILE.json). */
        public Builder maps(List<MapContents> contents) {
            this.contents = List.copyOf(contents);
            return this;
        }

        /** Changes maps while the traffic flows (--map-updates FILE), each before the packet it names. */
        public Builder mapUpdates(List<MapUpdate> updates) {
            this.updates = List.copyOf(updates);
            return this;
        }

        /** The interfaces, routes and neighbours bpf_fib_lookup sees (--fib). */
        public Builder fib(Fib fib) {
            this.fib = java.util.Objects.requireNonNull(fib);
            return this;
        }

        public Analyzer build() {
            return new Analyzer(this);
        }
    }

    public ProgramSpec program() {
        return program;
    }

    /** A machine with the maps filled as given, ready for the first packet. */
    public XdpMachine machine() {
        XdpMachine m = XdpMachine.builder(object, program).budget(budget).seed(seed).fib(fib).build();
        for (MapContents c : contents) {
            var map = mapOf(c.map(), "fill map " + c.map());
            for (int i = 0; i < c.entries().size(); i++) {
                MapContents.Entry e = c.entries().get(i);
                if (e.key().length != map.keySize() || e.value().length != map.valueSize()) {
                    throw new IllegalArgumentException("fill map " + c.map() + " from " + c.file() + ": entry " + (i + 1) + " has a "
                            + e.key().length + "-byte key and a " + e.value().length + "-byte value, the map takes "
                            + map.keySize() + " and " + map.valueSize());
                }
                try {
                    m.put(c.map(), e.key(), e.value());
                } catch (IllegalArgumentException x) {
                    throw new IllegalArgumentException("fill map " + c.map() + " from " + c.file() + ": entry " + (i + 1) + ": "
                            + x.getMessage());
                }
            }
        }
        setup.accept(m);
        return m;
    }

    /** The map updates, sorted, each at a packet index. */
    public List<MapUpdate> mapUpdates() {
        return updates;
    }

    private record Key(long d1, long d2, int action, PathCondition condition, BitSet reads, BitSet writes) {
    }

    /** Runs every packet and analyses what the program did. */
    public Analysis run(List<byte[]> packets) {
        XdpMachine m = machine();
        Map<Key, Integer> ids = new HashMap<>();
        List<TraceInfo> traces = new ArrayList<>();
        List<long[]> counts = new ArrayList<>();
        Map<String, Long> untraceable = new LinkedHashMap<>();
        Map<String, Long> faults = new LinkedHashMap<>();
        Map<String, Long> verdicts = new LinkedHashMap<>();
        int[] sequence = new int[packets.size()];
        List<List<Expr.MapRead>> entriesOf = new ArrayList<>();
        Map<Integer, int[]> invalidations = new HashMap<>();
        int nextUpdate = 0;
        int applied = 0;
        int changed = 0;
        java.util.Set<Integer> invalidatedTraces = new java.util.TreeSet<>();
        for (int i = 0; i < packets.size(); i++) {
            java.util.Set<Integer> drop = new java.util.TreeSet<>();
            while (nextUpdate < updates.size() && updates.get(nextUpdate).packet() <= i) {
                MapUpdate u = updates.get(nextUpdate++);
                applied++;
                if (apply(m, u)) {
                    changed++;
                    for (int id = 0; id < entriesOf.size(); id++) {
                        if (reads(entriesOf.get(id), u)) {
                            drop.add(id);
                        }
                    }
                }
            }
            if (!drop.isEmpty()) {
                invalidations.put(i, drop.stream().mapToInt(Integer::intValue).toArray());
                invalidatedTraces.addAll(drop);
            }
            byte[] p = packets.get(i);
            XdpResult r = m.run(p, true);
            verdicts.merge(r.verdict(), 1L, Long::sum);
            if (r.faulted()) {
                faults.merge(r.fault().getMessage(), 1L, Long::sum);
                sequence[i] = -1;
                continue;
            }
            XdpResult.Trace t = r.trace();
            if (!t.traceable()) {
                untraceable.merge(t.untraceable(), 1L, Long::sum);
                sequence[i] = -1;
                continue;
            }
            Key k = key(r);
            Integer id = ids.get(k);
            if (id == null) {
                id = traces.size();
                ids.put(k, id);
                traces.add(info(id + 1, r, i, p));
                counts.add(new long[1]);
                entriesOf.add(t.entries());
            }
            counts.get(id)[0]++;
            sequence[i] = id;
        }
        List<TraceInfo> seen = new ArrayList<>();
        for (int i = 0; i < traces.size(); i++) {
            seen.add(traces.get(i).withPackets(counts.get(i)[0]));
        }
        List<TraceInfo> discovered = mutations > 0 ? explore(seen, ids) : List.of();
        Map<Policy, List<CacheStats>> cache = new LinkedHashMap<>();
        Map<Policy, List<CacheStats>> unchanged = new LinkedHashMap<>();
        for (Policy pol : policies) {
            cache.put(pol, pol == Policy.INFINITE ? List.of(CacheSimulator.simulate(sequence, pol, 0, seed, invalidations))
                    : CacheSimulator.simulate(sequence, pol, sizes, seed, invalidations));
            if (!updates.isEmpty()) {
                unchanged.put(pol, pol == Policy.INFINITE ? List.of(CacheSimulator.simulate(sequence, pol, 0, seed))
                        : CacheSimulator.simulate(sequence, pol, sizes, seed));
            }
        }
        CacheStats infinite = CacheSimulator.simulate(sequence, Policy.INFINITE, 0, seed, invalidations);
        Analysis.Updates upd = updates.isEmpty() ? null : new Analysis.Updates(applied, changed, invalidatedTraces.size(),
                CacheSimulator.simulate(sequence, Policy.INFINITE, 0, seed), unchanged);
        long traceable = IntStream.of(sequence).filter(s -> s >= 0).count();
        double[] coverage = CacheSimulator.coverage(counts.stream().mapToLong(c -> c[0]).toArray(), traceable);
        Adversary.Order order = null;
        List<byte[]> orderPackets = List.of();
        if (adversaryPolicy != null) {
            List<TraceInfo> all = new ArrayList<>(seen);
            all.addAll(discovered);
            List<TraceInfo> pick = all.stream()
                    .sorted((a, b) -> Long.compare(b.packets(), a.packets()))
                    .limit(adversarySize + 1L)
                    .toList();
            order = Adversary.thrash(pick.stream().map(TraceInfo::id).toList(), adversaryPolicy, adversarySize,
                    adversaryCount, seed);
            Map<Integer, byte[]> byId = new HashMap<>();
            for (TraceInfo t : all) {
                byId.put(t.id(), t.witness());
            }
            orderPackets = order.traces().stream().map(byId::get).toList();
        }
        return new Analysis(object.name(), program, packets.size(), seen, discovered, untraceable, faults, verdicts, sequence,
                cache, infinite, coverage, m.unsupportedHelpers(), m.unsupportedMaps(), order, orderPackets, state(), upd);
    }

    /** What the maps held at the start, for the report. */
    private List<String> state() {
        List<String> out = new ArrayList<>();
        for (MapContents c : contents) {
            out.add(c.map() + ": " + c.entries().size() + " entr" + (c.entries().size() == 1 ? "y" : "ies") + " from " + c.file());
        }
        if (fib.links().size() + fib.routes().size() > 0) {
            out.add("fib: " + fib.describe());
        }
        return out;
    }

    /** Applies an update; whether it changed the entry. */
    private static boolean apply(XdpMachine m, MapUpdate u) {
        MapState map = m.map(u.map());
        byte[] before = map.entries(0).get(new MapKey(u.key()));
        if (u.delete()) {
            m.delete(u.map(), u.key());
        } else {
            m.put(u.map(), u.key(), u.value());
        }
        byte[] after = map.entries(0).get(new MapKey(u.key()));
        return !Arrays.equals(before, after);
    }

    /** Whether a trace that looked up {@code entries} read the entry {@code u} changes. */
    private static boolean reads(List<Expr.MapRead> entries, MapUpdate u) {
        for (Expr.MapRead e : entries) {
            if (!e.map.equals(u.map())) {
                continue;
            }
            if (e.symbolicKey() || Arrays.equals(e.keyOf(new byte[0]), u.key())) {
                return true;
            }
        }
        return false;
    }

    private static Key key(XdpResult r) {
        XdpResult.Trace t = r.trace();
        return new Key(t.digest1(), t.digest2(), r.action(), t.condition(), t.reads(), t.writes());
    }

    private static TraceInfo info(int id, XdpResult r, int index, byte[] packet) {
        XdpResult.Trace t = r.trace();
        int[] writes = t.writes().stream().map(o -> o - 4096).toArray();
        return new TraceInfo(id, 0, r.verdict(), r.instructions(), t.condition(), t.reads(), writes, index, packet);
    }

    /** Breadth-first over mutants of every witness, new traces' witnesses included. */
    private List<TraceInfo> explore(List<TraceInfo> known, Map<Key, Integer> ids) {
        XdpMachine m = machine();
        Mutator.Hints hints = new Mutator.Hints();
        Deque<TraceInfo> queue = new ArrayDeque<>();
        for (TraceInfo t : known) {
            hints.learn(t.condition());
            queue.add(t);
        }
        List<TraceInfo> found = new ArrayList<>();
        int tried = 0;
        int next = known.size() + 1;
        while (!queue.isEmpty() && tried < mutations) {
            TraceInfo t = queue.poll();
            for (byte[] mutant : Mutator.mutants(t.witness(), t.condition(), hints)) {
                if (tried++ >= mutations) {
                    break;
                }
                if (mutant.length > XdpMachine.MAX_PACKET) {
                    continue;
                }
                XdpResult r = m.run(mutant, true);
                if (r.faulted() || !r.trace().traceable()) {
                    continue;
                }
                Key k = key(r);
                if (ids.containsKey(k)) {
                    continue;
                }
                ids.put(k, next - 1);
                TraceInfo n = info(next++, r, -1, mutant);
                found.add(n);
                hints.learn(n.condition());
                queue.add(n);
            }
        }
        return found;
    }
}
