package dev.xdperf.analyze.xdp;

import static dev.xdperf.analyze.vm.Opcodes.*;

import dev.xdperf.analyze.fib.Fib;
import dev.xdperf.analyze.maps.MapKey;
import dev.xdperf.analyze.maps.MapState;
import dev.xdperf.analyze.object.MapSpec;
import dev.xdperf.analyze.object.MapType;
import dev.xdperf.analyze.object.ObjectSpec;
import dev.xdperf.analyze.object.ProgramSpec;
import dev.xdperf.analyze.trace.Expr;
import dev.xdperf.analyze.trace.Exprs;
import dev.xdperf.analyze.trace.Tracker;
import dev.xdperf.analyze.vm.HelperNames;
import dev.xdperf.analyze.vm.Interpreter;
import dev.xdperf.analyze.vm.Memory;
import dev.xdperf.analyze.vm.Region;
import dev.xdperf.analyze.vm.VmFault;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * An XDP program in the interpreter with its maps, run packet by packet as
 * BPF_PROG_TEST_RUN runs it: the frame is a 4 KiB page with 256 bytes of headroom and room
 * for struct skb_shared_info at the end; {@code struct xdp_md} reads as the kernel rewrites
 * it (data, data_end and data_meta yield pointers); maps keep their contents from packet to
 * packet. Time is a virtual clock and randomness a seeded generator, so runs repeat.
 */
public final class XdpMachine implements Interpreter.HelperHost {
    static final String REFUSED_MESSAGE = "refused: a frame under 14 bytes, which the kernel runs no XDP program on"
            + " (BPF_PROG_TEST_RUN fails with invalid argument; no driver delivers one)";

    public static final int FRAME_SIZE = 4096;
    public static final int HEADROOM = 256;
    /** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64: the end of the frame a program cannot use. */
    public static final int TAILROOM = 320;
    public static final int MAX_PACKET = FRAME_SIZE - HEADROOM - TAILROOM;
    /** sizeof(struct xdp_frame): adjust_head and adjust_meta keep it free at the start of the headroom. */
    public static final int XDP_FRAME_SIZE = 40;
    public static final int ETH_HLEN = 14;
    public static final int META_MAX = 32;

    /** Helpers the interpreter implements, by number. */
    public static final Set<Integer> SUPPORTED_HELPERS = Set.of(1, 2, 3, 5, 7, 8, 12, 23, 28, 44, 51, 54, 65, 69, 189, 190,
            195);
    /** The name conditions give bpf_fib_lookup's answers: fib[KEY].value[0..7] is its result, .value[8 + o] byte o of the struct. */
    public static final String FIB = "fib";

    private static final int EINVAL = 22;
    private static final int EFAULT = 14;
    private static final int EACCES = 13;

    private final ObjectSpec object;
    private final ProgramSpec program;
    private final Memory memory = new Memory();
    private final List<MapState> maps = new ArrayList<>();
    private final Interpreter vm;
    private final Region context;
    private final Region packet;
    private final int cpu;
    private final int cpus;
    private final int ingressIfindex;
    private final int rxQueue;
    private final long budget;
    private final SplittableRandom random;
    private final Fib fib;
    /** Snapshots of maps' contents for symbolic lookups, by map and CPU, with the write count they were taken at. */
    private final Map<Long, Object[]> tables = new HashMap<>();
    private long clock;

    private int dataMeta;
    private int data;
    private int dataEnd;
    private int redirect;
    private Tracker tracker;
    private final Set<String> unsupportedCalls = new TreeSet<>();

    private XdpMachine(Builder b) {
        this.object = b.object;
        this.program = b.program;
        this.cpu = b.cpu;
        this.cpus = b.cpus;
        this.ingressIfindex = b.ingressIfindex;
        this.rxQueue = b.rxQueue;
        this.budget = b.budget;
        this.random = new SplittableRandom(b.seed);
        this.clock = b.clockStartNs;
        this.fib = b.fib;
        long[] handles = new long[object.maps().size()];
        long[] valueBases = new long[object.maps().size()];
        for (int i = 0; i < object.maps().size(); i++) {
            MapSpec spec = object.maps().get(i);
            MapState m = MapState.create(spec, i, memory, cpus);
            maps.add(m);
            handles[i] = memory.add(Region.Kind.MAP_HANDLE, spec.name(), new byte[0], false, i).base();
            if (spec.globalData()) {
                valueBases[i] = m.lookup(new byte[4], cpu);
            }
        }
        context = memory.add(Region.Kind.CONTEXT, "ctx", new byte[24], false, -1);
        packet = memory.add(Region.Kind.PACKET, "packet", new byte[FRAME_SIZE], true, -1);
        memory.contextReader(this::readContext);
        vm = new Interpreter(program, memory, this, handles, valueBases);
    }

    public static Builder builder(ObjectSpec object, ProgramSpec program) {
        return new Builder(object, program);
    }

    /** Options of a machine; defaults are those of a test run on CPU 0 of a one-CPU machine. */
    public static final class Builder {
        private final ObjectSpec object;
        private final ProgramSpec program;
        private int cpu = 0;
        private int cpus = 1;
        private int ingressIfindex = 1;
        private int rxQueue = 0;
        private long budget = 1_000_000;
        private long seed = 1;
        private long clockStartNs = 1_000_000_000L;
        private Fib fib = Fib.empty();

        private Builder(ObjectSpec object, ProgramSpec program) {
            this.object = object;
            this.program = program;
        }

        /** Number of CPUs (copies of per-CPU maps) and the CPU the program runs on. */
        public Builder cpus(int count, int runOn) {
            if (count < 1 || runOn < 0 || runOn >= count) {
                throw new IllegalArgumentException("cpu " + runOn + " of " + count + " does not exist");
            }
            this.cpus = count;
            this.cpu = runOn;
            return this;
        }

        /** ctx->ingress_ifindex (1, the loopback device, as in a test run) and ctx->rx_queue_index. */
        public Builder ingress(int ifindex, int queue) {
            this.ingressIfindex = ifindex;
            this.rxQueue = queue;
            return this;
        }

        /** Instructions one packet may take before its run is stopped. */
        public Builder budget(long instructions) {
            if (instructions < 1) {
                throw new IllegalArgumentException("the instruction budget must be positive");
            }
            this.budget = instructions;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder clockStart(long ns) {
            this.clockStartNs = ns;
            return this;
        }

        /** Interfaces, routes and neighbours bpf_fib_lookup answers from (default: none, so it fails with -ENODEV). */
        public Builder fib(Fib fib) {
            this.fib = java.util.Objects.requireNonNull(fib);
            return this;
        }

        public XdpMachine build() {
            return new XdpMachine(this);
        }
    }

    public ProgramSpec program() {
        return program;
    }

    public ObjectSpec object() {
        return object;
    }

    public List<MapState> maps() {
        return List.copyOf(maps);
    }

    public MapState map(String name) {
        return maps.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("find map " + name + " in " + object.name() + ": no such map"));
    }

    /** Writes an entry from user space (a map file, a scheduled update). */
    public void put(String mapName, byte[] key, byte[] value) {
        MapState m = map(mapName);
        m.put(key, value);
        memory.touch(maps.indexOf(m));
    }

    /** Deletes an entry from user space; false when it was not there. */
    public boolean delete(String mapName, byte[] key) {
        MapState m = map(mapName);
        int i = maps.indexOf(m);
        if (m.type() == MapType.DEVMAP || m.type() == MapType.CPUMAP || m.type() == MapType.XSKMAP
                || m.type() == MapType.ARRAY || m.type() == MapType.PERCPU_ARRAY) {
            // slots of arrays cannot be deleted: they go back to zero (devmap-like slots become empty)
            boolean had = m.entries(0).containsKey(new MapKey(key));
            if (m.type() == MapType.ARRAY || m.type() == MapType.PERCPU_ARRAY) {
                m.put(key, new byte[m.spec().valueSize()]);
            } else {
                m.clearSlot(key);
            }
            memory.touch(i);
            return had;
        }
        int rc = m.delete(key);
        m.reclaim();
        memory.touch(i);
        return rc == 0;
    }

    /** Helpers the program calls that the interpreter does not implement, by name. */
    public Set<String> unsupportedHelpers() {
        Set<String> out = new TreeSet<>();
        long[] insns = program.instructions();
        for (int i = 0; i < insns.length; i++) {
            long x = insns[i];
            int op = (int) (x & 0xff);
            int src = (int) ((x >>> 12) & 0xf);
            if (op == (JMP | CALL) && src == 0 && !SUPPORTED_HELPERS.contains((int) (x >> 32))) {
                out.add(HelperNames.name((int) (x >> 32)));
            }
            if (op == (LD | IMM | DW)) {
                i++;
            }
        }
        return out;
    }

    /** Maps of a type the interpreter does not implement, described. */
    public Set<String> unsupportedMaps() {
        Set<String> out = new LinkedHashSet<>();
        for (MapState m : maps) {
            if (!m.type().supported()) {
                out.add(m.name() + " (" + m.type().label() + ")");
            }
        }
        return out;
    }

    /** Runs the program on one packet, without following it symbolically. */
    public XdpResult run(byte[] frame) {
        return run(frame, false);
    }

    /** Runs the program on one packet; with {@code trace}, extracts its trace and path condition too. */
    public XdpResult run(byte[] frame, boolean trace) {
        if (frame.length > MAX_PACKET) {
            throw new IllegalArgumentException("run " + program.name() + ": a packet of " + frame.length
                    + " bytes is longer than the " + MAX_PACKET + " bytes an XDP frame holds");
        }
        if (frame.length < ETH_HLEN) {
            // The kernel refuses these before the program runs (BPF_PROG_TEST_RUN: EINVAL; no driver delivers them).
            return new XdpResult(XdpResult.ABORTED, frame.clone(), 0, 0, 0, new VmFault(-1, XdpResult.REFUSED, REFUSED_MESSAGE),
                    null);
        }
        Arrays.fill(packet.data, (byte) 0);
        System.arraycopy(frame, 0, packet.data, HEADROOM, frame.length);
        dataMeta = HEADROOM;
        data = HEADROOM;
        dataEnd = HEADROOM + frame.length;
        packet.lo = dataMeta;
        packet.hi = dataEnd;
        redirect = 0;
        clock += 1000;
        tracker = trace ? new Tracker(vm, packet, HEADROOM, frame.length, i -> maps.get(i).name()) : null;
        vm.tracking(tracker);
        long r0 = 0;
        VmFault fault = null;
        try {
            r0 = vm.run(context.base(), budget);
            if (tracker != null) {
                tracker.exit(r0);
            }
        } catch (VmFault f) {
            fault = f;
        } finally {
            for (MapState m : maps) {
                m.reclaim();
            }
            vm.tracking(null);
        }
        byte[] out = Arrays.copyOfRange(packet.data, dataMeta, dataEnd);
        XdpResult.Trace t = null;
        if (tracker != null) {
            long[] d = tracker.pathDigest();
            t = new XdpResult.Trace(d[0], d[1], tracker.condition(), tracker.reads(), tracker.writes(),
                    tracker.untraceableReason(), tracker.entriesRead());
        }
        tracker = null;
        return new XdpResult((int) r0, out, data - dataMeta, vm.executed(), redirect, fault, t);
    }

    private long readContext(int pc, int offset, int size) {
        return switch (offset) {
            case 0 -> packet.address(data);
            case 4 -> packet.address(dataEnd);
            case 8 -> packet.address(dataMeta);
            case 12 -> ingressIfindex;
            case 16 -> rxQueue;
            default -> 0;  // egress_ifindex: only set for programs in device maps
        };
    }

    // ---- helpers ---------------------------------------------------------------------------------

    @Override
    public long call(Interpreter vm, int pc, int id) {
        Tracker t = tracker != null && tracker.active() ? tracker : null;
        try {
            return switch (id) {
                case 1 -> lookup(pc, t, false);
                case 2 -> update(pc, t);
                case 3 -> delete(pc, t);
                case 5 -> result(t, clock++, "the time (bpf_ktime_get_ns)");
                case 7 -> result(t, random.nextInt() & 0xffffffffL, "a random number (bpf_get_prandom_u32)");
                case 8 -> result(t, cpu, "the CPU number (bpf_get_smp_processor_id)");
                case 12 -> tailCall(pc, t);
                case 23 -> redirect(pc, t);
                case 28 -> csumDiff(pc, t);
                case 44 -> adjustHead(pc, t);
                case 51 -> redirectMap(pc, t);
                case 54 -> adjustMeta(pc, t);
                case 65 -> adjustTail(pc, t);
                case 69 -> fibLookup(pc, t);
                case 189 -> loadBytes(pc, t, false);
                case 190 -> loadBytes(pc, t, true);
                case 195 -> lookup(pc, t, true);
                default -> missing(t, id);
            };
        } catch (UnsupportedOperationException e) {
            throw vm.fault(pc, e.getMessage());
        }
    }

    /**
     * A helper the interpreter does not implement: its result is opaque, named after it (a path that
     * branches on it is untraceable with that name), and the run goes on as if it returned 0.
     */
    private long missing(Tracker t, int id) {
        unsupportedCalls.add(HelperNames.name(id));
        if (t != null) {
            t.setReg(0, t.opaque("the result of " + HelperNames.name(id) + " (helper " + id
                    + "), which the interpreter does not implement"));
        }
        return 0;
    }

    private long result(Tracker t, long value, String reason) {
        if (t != null) {
            t.setReg(0, t.opaque(reason));
        }
        return value;
    }

    private void r0(Tracker t, Expr e) {
        if (t != null) {
            t.setReg(0, e);
        }
    }

    private MapState map(int pc, long handle, String helper) {
        Region r = memory.regionOf(handle);
        if (r == null || r.kind != Region.Kind.MAP_HANDLE || r.base() != handle) {
            throw vm.fault(pc, "argument 1 of " + helper + " is not a map");
        }
        return maps.get(r.mapIndex);
    }

    private void requireContext(int pc, long arg, String helper) {
        if (arg != context.base()) {
            throw vm.fault(pc, "argument 1 of " + helper + " is not the program's context");
        }
    }

    private static boolean array(MapType t) {
        return t == MapType.ARRAY || t == MapType.PERCPU_ARRAY;
    }

    private long lookup(int pc, Tracker t, boolean perCpu) {
        String helper = perCpu ? "bpf_map_lookup_percpu_elem" : "bpf_map_lookup_elem";
        MapState m = map(pc, vm.reg(1), helper);
        long keyAddr = vm.reg(2);
        byte[] key = memory.readBytes(pc, keyAddr, m.spec().keySize());
        int onCpu = cpu;
        if (perCpu) {
            if (!m.type().perCpu()) {
                throw vm.fault(pc, helper + " needs a per-CPU map, " + m.name() + " is " + m.type().label());
            }
            long want = vm.reg(3) & 0xffffffffL;
            Expr cpuE = t == null ? null : t.reg(3);
            if (t != null && cpuE != null) {
                if (cpuE.opaque() != null) {
                    t.setReg(0, t.opaque("a per-CPU lookup in " + m.name() + " for a CPU from " + cpuE.opaque().reason()));
                    t = null;
                } else {
                    t.decide(JLT, cpuE, cpus, want < cpus, "the CPU argument of " + helper);
                }
            }
            if (want >= cpus) {
                r0(t, null);
                return 0;
            }
            onCpu = (int) want;
        }
        long addr = m.lookup(key, onCpu);
        if (t != null) {
            t.setReg(0, lookupShadow(t, m, keyAddr, addr, onCpu));
        }
        return addr;
    }

    /**
     * What the result of a lookup depends on: the entry at a key made of packet bytes (or constants)
     * in the map's contents as they are now, so the trace holds for these contents. For arrays the
     * pointer is never NULL for an index in range; for other maps it is the entry's presence. Loads
     * through the pointer read the entry's value.
     */
    private Expr lookupShadow(Tracker t, MapState m, long keyAddr, long addr, int onCpu) {
        int ks = m.spec().keySize();
        List<Expr> key = new ArrayList<>(ks);
        Expr.Opaque o = t.keyBytes(keyAddr, ks, key);
        if (o != null) {
            return array(m.type()) ? t.opaque("a lookup in array " + m.name() + " at an index from " + o.reason())
                    : t.opaque("a lookup in " + kind(m) + m.name() + " with a key from " + o.reason());
        }
        Expr.MapRead entry = new Expr.MapRead(m.name(), table(m, onCpu, key, keyAddr), key, t.keyView(keyAddr, ks),
                m.spec().valueSize(), 0, 0);
        t.readEntry(entry);
        if (addr != 0) {
            t.entryAt(addr, entry);
        }
        if (array(m.type())) {
            Expr k = t.memoryValue(keyAddr, 4);
            if (k != null) {
                t.decide(JLT, k, m.spec().maxEntries(), addr != 0, "the index of a lookup in " + m.name());
            }
            return null;
        }
        return entry;
    }

    private static String kind(MapState m) {
        return switch (m.type()) {
            case DEVMAP, DEVMAP_HASH -> "device map ";
            case CPUMAP -> "CPU map ";
            case XSKMAP -> "socket map ";
            case LRU_HASH, LRU_PERCPU_HASH -> "LRU hash map ";
            default -> "hash map ";
        };
    }

    /**
     * The contents a read of {@code m} is evaluated against: for a constant key, that entry alone;
     * otherwise a copy of the whole map, shared until the map changes.
     */
    private Expr.Table table(MapState m, int onCpu, List<Expr> key, long keyAddr) {
        int index = maps.indexOf(m);
        boolean constant = key.stream().allMatch(e -> e instanceof Expr.Const);
        if (constant) {
            byte[] k = memory.readBytes(-1, keyAddr, m.spec().keySize());
            long at = m.lookup(k, onCpu);
            byte[] v = at == 0 ? null : memory.readBytes(-1, at, m.spec().valueSize());
            return x -> Arrays.equals(x, k) ? (v == null ? null : v.clone()) : null;
        }
        long id = ((long) index << 16) | onCpu;
        long writes = memory.mapWrites(index);
        Object[] cached = tables.get(id);
        if (cached != null && (long) cached[0] == writes) {
            return (Expr.Table) cached[1];
        }
        Map<MapKey, byte[]> copy = m.snapshot(onCpu);
        boolean isArray = array(m.type());
        int max = m.spec().maxEntries();
        int valueSize = m.spec().valueSize();
        Expr.Table table = x -> {
            byte[] v = copy.get(new MapKey(x));
            if (v == null && isArray && x.length == 4 && Integer.compareUnsigned(new MapKey(x).asU32(), max) < 0) {
                return new byte[valueSize];  // an element never used: zeros
            }
            return v == null ? null : v.clone();
        };
        tables.put(id, new Object[] {writes, table});
        return table;
    }

    private long update(int pc, Tracker t) {
        MapState m = map(pc, vm.reg(1), "bpf_map_update_elem");
        byte[] key = memory.readBytes(pc, vm.reg(2), m.spec().keySize());
        byte[] value = memory.readBytes(pc, vm.reg(3), m.spec().valueSize());
        long flags = vm.reg(4);
        if (t != null) {
            t.pin(t.reg(4), flags, "the flags of bpf_map_update_elem");
        }
        int rc = m.update(key, value, flags, cpu);
        memory.touch(maps.indexOf(m));
        if (t != null) {
            if (array(m.type())) {
                Expr k = t.memoryValue(vm.reg(2), 4);
                if (k != null && k.opaque() != null) {
                    t.setReg(0, t.opaque("an update of array " + m.name() + " at an index from " + k.opaque().reason()));
                } else {
                    if (k != null) {
                        t.decide(JLT, k, m.spec().maxEntries(), rc != -MapState.E2BIG, "the index of an update of " + m.name());
                    }
                    t.setReg(0, null);
                    if (rc == 0) {
                        t.copy(vm.reg(3), m.lookup(key, cpu), m.spec().valueSize());
                    }
                }
            } else {
                t.setReg(0, t.opaque("the result of an update of " + m.type().label() + " map " + m.name()));
            }
        }
        return rc;
    }

    private long delete(int pc, Tracker t) {
        MapState m = map(pc, vm.reg(1), "bpf_map_delete_elem");
        byte[] key = memory.readBytes(pc, vm.reg(2), m.spec().keySize());
        int rc = m.delete(key);
        memory.touch(maps.indexOf(m));
        r0(t, array(m.type()) ? null : t == null ? null : t.opaque("the result of a delete in " + m.type().label()
                + " map " + m.name()));
        return rc;
    }

    /** The program array is empty here, so the tail call fails and the program goes on, as in the kernel. */
    private long tailCall(int pc, Tracker t) {
        requireContext(pc, vm.reg(1), "bpf_tail_call");
        MapState m = map(pc, vm.reg(2), "bpf_tail_call");
        if (m.type() != MapType.PROG_ARRAY) {
            throw vm.fault(pc, "bpf_tail_call through " + m.type().label() + " map " + m.name() + " (a program array is needed)");
        }
        if (t != null) {
            t.untraceable("a tail call through " + m.name() + " (the interpreter has no programs in it: the call falls through)");
        }
        r0(t, null);
        return 0;
    }

    private long redirect(int pc, Tracker t) {
        long flags = vm.reg(2);
        if (t != null) {
            t.pin(t.reg(2), flags, "the flags of bpf_redirect");
        }
        r0(t, null);
        if (flags != 0) {
            return XdpResult.ABORTED;
        }
        redirect = (int) vm.reg(1);
        return XdpResult.REDIRECT;
    }

    /**
     * bpf_redirect_map into a device, CPU or socket map: XDP_REDIRECT when the slot is filled (or
     * with BPF_F_BROADCAST), otherwise the low bits of the flags. The verdict is the slot's
     * presence in the map's contents, so a path through it is traceable when the key is.
     */
    private long redirectMap(int pc, Tracker t) {
        MapState m = map(pc, vm.reg(1), "bpf_redirect_map");
        long flags = vm.reg(3);
        if (t != null) {
            t.pin(t.reg(3), flags, "the flags of bpf_redirect_map");
        }
        MapType type = m.type();
        if (type != MapType.DEVMAP && type != MapType.DEVMAP_HASH && type != MapType.CPUMAP && type != MapType.XSKMAP) {
            throw vm.fault(pc, "bpf_redirect_map into " + type.label() + " map " + m.name() + " (it takes device, CPU and"
                    + " socket maps)");
        }
        long allowed = type == MapType.DEVMAP || type == MapType.DEVMAP_HASH ? 3 | 8 | 16 : 3;
        if ((flags & ~allowed) != 0) {
            r0(t, null);
            return XdpResult.ABORTED;
        }
        int key = (int) vm.reg(2);
        byte[] keyBytes = {(byte) key, (byte) (key >>> 8), (byte) (key >>> 16), (byte) (key >>> 24)};
        long entry = m.lookup(keyBytes, cpu);
        boolean broadcast = (flags & 8) != 0;
        if (t != null) {
            Expr k = t.reg(2);
            if (broadcast) {
                r0(t, null);
            } else if (k != null && k.opaque() != null) {
                t.setReg(0, t.opaque("a redirect through " + kind(m) + m.name() + " at a key from " + k.opaque().reason()));
            } else {
                List<Expr> parts = new ArrayList<>(4);
                for (int i = 0; i < 4; i++) {
                    parts.add(k == null ? Exprs.c(keyBytes[i] & 0xff) : Exprs.byteOf(Exprs.ext(k, 32, false, 64), i));
                }
                Map<MapKey, byte[]> slots = m.entries(cpu);
                Expr.Table table = x -> slots.get(new MapKey(x));
                Expr.MapRead present = new Expr.MapRead(m.name(), table, parts, k == null ? null : Exprs.ext(k, 32, false, 64),
                        m.spec().valueSize(), 0, 0);
                t.readEntry(present);
                long miss = flags & 3;
                // present ? XDP_REDIRECT : miss, as miss + (XDP_REDIRECT - miss) * present
                Expr verdict = Exprs.bin(MUL, false, present, Exprs.c(XdpResult.REDIRECT - miss), 0);
                t.setReg(0, miss == 0 ? verdict : Exprs.bin(ADD, false, verdict, Exprs.c(miss), 0));
            }
        }
        if (entry == 0 && !broadcast) {
            return flags & 3;
        }
        redirect = entry == 0 || type == MapType.CPUMAP || type == MapType.XSKMAP ? 0 : (int) memory.load(pc, entry, 4);
        return XdpResult.REDIRECT;
    }

    /**
     * bpf_fib_lookup against the machine's {@link Fib}. Its answer, and every byte it writes into the
     * parameters, is a read of the table "fib" at the parameters as the program filled them in: a
     * path through it is traceable when they are made of packet bytes and constants.
     */
    private long fibLookup(int pc, Tracker t) {
        requireContext(pc, vm.reg(1), "bpf_fib_lookup");
        long paramsAddr = vm.reg(2);
        int plen = (int) vm.reg(3);
        long flags = vm.reg(4) & 0xffffffffL;
        if (t != null) {
            t.pin(t.reg(3), vm.reg(3), "the length given to bpf_fib_lookup");
            t.pin(t.reg(4), vm.reg(4), "the flags of bpf_fib_lookup");
        }
        if (plen < Fib.PARAMS_SIZE) {
            r0(t, null);
            return fib.lookup(new byte[Fib.PARAMS_SIZE], plen, flags);
        }
        byte[] params = memory.readBytes(pc, paramsAddr, Fib.PARAMS_SIZE);
        long rc = fib.lookup(params, plen, flags);
        memory.writeBytes(pc, paramsAddr, params);
        if (t != null && t.active()) {
            List<Expr> key = new ArrayList<>(Fib.PARAMS_SIZE);
            Expr.Opaque o = t.keyBytes(paramsAddr, Fib.PARAMS_SIZE, key);
            if (o != null) {
                Expr.Opaque answer = t.opaque("the answer of bpf_fib_lookup for parameters from " + o.reason());
                t.setReg(0, answer);
                t.overwrite(paramsAddr, Fib.PARAMS_SIZE, answer);
            } else {
                Fib f = fib;
                long fl = flags;
                Expr.Table table = in -> {
                    byte[] p = in.clone();
                    long r = f.lookup(p, Fib.PARAMS_SIZE, fl);
                    byte[] v = new byte[8 + Fib.PARAMS_SIZE];
                    Memory.write(v, 0, 8, r);
                    System.arraycopy(p, 0, v, 8, p.length);
                    return v;
                };
                boolean symbolic = key.stream().anyMatch(e -> !(e instanceof Expr.Const));
                if (!symbolic) {
                    r0(t, null);
                    t.overwrite(paramsAddr, Fib.PARAMS_SIZE, null);
                } else {
                    Expr.MapRead answer = new Expr.MapRead(FIB, table, key, null, 8 + Fib.PARAMS_SIZE, 0, 8);
                    t.setReg(0, answer);
                    for (int c = 0; c < Fib.PARAMS_SIZE; c += 8) {
                        Expr.MapRead chunk = answer.value(8 + c, 8);
                        t.storeValue(paramsAddr + c, 8, chunk);
                    }
                }
            }
        } else {
            r0(t, null);
        }
        return rc;
    }

    private long csumDiff(int pc, Tracker t) {
        long from = vm.reg(1);
        long fromSize = vm.reg(2) & 0xffffffffL;
        long to = vm.reg(3);
        long toSize = vm.reg(4) & 0xffffffffL;
        long seed = vm.reg(5) & 0xffffffffL;
        if (t != null) {
            t.pin(t.reg(2), vm.reg(2), "a size given to bpf_csum_diff");
            t.pin(t.reg(4), vm.reg(4), "a size given to bpf_csum_diff");
        }
        if (((fromSize | toSize) & 3) != 0 || fromSize + toSize > 512) {
            r0(t, null);
            return -EINVAL;
        }
        long sum = seed;
        byte[] f = fromSize == 0 ? new byte[0] : memory.readBytes(pc, from, (int) fromSize);
        byte[] g = toSize == 0 ? new byte[0] : memory.readBytes(pc, to, (int) toSize);
        for (int i = 0; i < f.length; i += 4) {
            sum += ~Memory.read(f, i, 4) & 0xffffffffL;
        }
        for (int i = 0; i < g.length; i += 4) {
            sum += Memory.read(g, i, 4);
        }
        while ((sum >>> 32) != 0) {
            sum = (sum & 0xffffffffL) + (sum >>> 32);
        }
        // current kernels fold the sum to 16 bits on every architecture (checked against 6.18 by the
        // differential tests); older ones returned csum_partial's architecture-dependent 32-bit value
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        if (t != null && t.active()) {
            boolean symbolic = t.reg(5) != null || (fromSize > 0 && t.symbolicIn(from, (int) fromSize))
                    || (toSize > 0 && t.symbolicIn(to, (int) toSize));
            t.setReg(0, symbolic ? csumTerm(t, from, (int) fromSize, to, (int) toSize) : null);
        }
        return sum;
    }

    /** The name conditions give bpf_csum_diff's results: csum_diff[{from bytes, to bytes, seed}].value. */
    public static final String CSUM_DIFF = "csum_diff";

    /**
     * The result of bpf_csum_diff over bytes from the packet as a term: a read of the table
     * "csum_diff" whose key is the bytes it sums (from, to, then the seed's four bytes) and whose
     * value is the checksum, so a branch on it stays a function of the packet.
     */
    private Expr csumTerm(Tracker t, long from, int fromSize, long to, int toSize) {
        List<Expr> key = new ArrayList<>(fromSize + toSize + 4);
        Expr.Opaque o = fromSize == 0 ? null : t.keyBytes(from, fromSize, key);
        if (o == null && toSize > 0) {
            o = t.keyBytes(to, toSize, key);
        }
        Expr seed = t.reg(5);
        if (o == null && seed != null) {
            o = seed.opaque();
        }
        if (o != null) {
            return t.opaque("a checksum computed by bpf_csum_diff over " + o.reason());
        }
        long seedValue = vm.reg(5) & 0xffffffffL;
        for (int i = 0; i < 4; i++) {
            key.add(seed == null ? Exprs.c((seedValue >>> (8 * i)) & 0xff) : Exprs.byteOf(Exprs.ext(seed, 32, false, 64), i));
        }
        Expr.Table table = k -> {
            long sum = Memory.read(k, k.length - 4, 4);
            for (int i = 0; i < fromSize; i += 4) {
                sum += ~Memory.read(k, i, 4) & 0xffffffffL;
            }
            for (int i = 0; i < toSize; i += 4) {
                sum += Memory.read(k, fromSize + i, 4);
            }
            while ((sum >>> 32) != 0) {
                sum = (sum & 0xffffffffL) + (sum >>> 32);
            }
            sum = (sum & 0xffff) + (sum >>> 16);
            sum = (sum & 0xffff) + (sum >>> 16);
            byte[] v = new byte[2];
            Memory.write(v, 0, 2, sum);
            return v;
        };
        // the result is folded to 16 bits: a 2-byte value, so range checks on it (sum < 0) fold away
        return new Expr.MapRead(CSUM_DIFF, table, key, null, 2, 0, 2);
    }

    private long adjustHead(int pc, Tracker t) {
        requireContext(pc, vm.reg(1), "bpf_xdp_adjust_head");
        int offset = (int) vm.reg(2);
        if (t != null) {
            t.pin(t.reg(2), vm.reg(2), "the offset of bpf_xdp_adjust_head");
        }
        r0(t, null);
        int metalen = data - dataMeta;
        int newData = data + offset;
        if (newData < XDP_FRAME_SIZE + metalen) {
            return -EINVAL;
        }
        boolean fits = (long) dataEnd - newData >= ETH_HLEN;
        if (t != null && (long) offset + ETH_HLEN > 0) {
            t.decide(JGE, t.lengthNow(dataEnd - data), (long) offset + ETH_HLEN, fits, "the length check of bpf_xdp_adjust_head");
        }
        if (!fits) {
            return -EINVAL;
        }
        if (metalen > 0) {
            System.arraycopy(packet.data, dataMeta, packet.data, dataMeta + offset, metalen);
            if (t != null) {
                t.move(dataMeta, dataMeta + offset, metalen);
            }
        }
        dataMeta += offset;
        data = newData;
        packet.lo = dataMeta;
        return 0;
    }

    private long adjustMeta(int pc, Tracker t) {
        requireContext(pc, vm.reg(1), "bpf_xdp_adjust_meta");
        int offset = (int) vm.reg(2);
        if (t != null) {
            t.pin(t.reg(2), vm.reg(2), "the offset of bpf_xdp_adjust_meta");
        }
        r0(t, null);
        int meta = dataMeta + offset;
        int metalen = data - meta;
        if (meta < XDP_FRAME_SIZE || meta > data) {
            return -EINVAL;
        }
        if (metalen > META_MAX || (metalen & 3) != 0) {
            return -EACCES;
        }
        dataMeta = meta;
        packet.lo = dataMeta;
        return 0;
    }

    private long adjustTail(int pc, Tracker t) {
        requireContext(pc, vm.reg(1), "bpf_xdp_adjust_tail");
        int offset = (int) vm.reg(2);
        if (t != null) {
            t.pin(t.reg(2), vm.reg(2), "the offset of bpf_xdp_adjust_tail");
        }
        r0(t, null);
        int hardEnd = FRAME_SIZE - TAILROOM;
        long newEnd = (long) dataEnd + offset;
        boolean fits = newEnd <= hardEnd;
        Expr len = t == null ? null : t.lengthNow(dataEnd - data);
        if (t != null) {
            t.decide(JLE, len, (long) hardEnd - data - offset, fits, "the room check of bpf_xdp_adjust_tail");
        }
        if (!fits) {
            return -EINVAL;
        }
        boolean longEnough = newEnd >= (long) data + ETH_HLEN;
        if (t != null && ETH_HLEN - (long) offset > 0) {
            t.decide(JGE, len, ETH_HLEN - (long) offset, longEnough, "the length check of bpf_xdp_adjust_tail");
        }
        if (!longEnough) {
            return -EINVAL;
        }
        if (offset > 0) {
            Arrays.fill(packet.data, dataEnd, (int) newEnd, (byte) 0);
            if (t != null) {
                t.overwrite(packet.address(dataEnd), offset, null);
            }
        }
        dataEnd = (int) newEnd;
        packet.hi = dataEnd;
        return 0;
    }

    private long loadBytes(int pc, Tracker t, boolean store) {
        String helper = store ? "bpf_xdp_store_bytes" : "bpf_xdp_load_bytes";
        requireContext(pc, vm.reg(1), helper);
        long offset = vm.reg(2) & 0xffffffffL;
        long buf = vm.reg(3);
        long len = vm.reg(4) & 0xffffffffL;
        if (t != null) {
            t.pin(t.reg(2), vm.reg(2), "the offset of " + helper);
            t.pin(t.reg(4), vm.reg(4), "the length of " + helper);
        }
        r0(t, null);
        if (offset > 0xffff || len > 0xffff) {
            return -EFAULT;
        }
        boolean inside = offset + len <= dataEnd - data;
        if (t != null) {
            t.decide(JGE, t.lengthNow(dataEnd - data), offset + len, inside, "the length check of " + helper);
        }
        if (!inside) {
            return -EINVAL;
        }
        long at = packet.address(data + (int) offset);
        if (store) {
            byte[] b = memory.readBytes(pc, buf, (int) len);
            System.arraycopy(b, 0, packet.data, data + (int) offset, b.length);
            if (t != null) {
                t.copy(buf, at, (int) len);
            }
        } else {
            byte[] b = Arrays.copyOfRange(packet.data, data + (int) offset, data + (int) (offset + len));
            memory.writeBytes(pc, buf, b);
            if (t != null) {
                t.copy(at, buf, (int) len);
            }
        }
        return 0;
    }
}
