package dev.xdperf.tx;

import dev.xdperf.bpf.BpfException;
import dev.xdperf.bpf.BpfMap;
import dev.xdperf.bpf.BpfObject;
import dev.xdperf.bpf.BpfProgram;
import dev.xdperf.bpf.Cpus;
import dev.xdperf.bpf.Features;
import dev.xdperf.bpf.LiveFrames;
import dev.xdperf.bpf.NetDevices;
import dev.xdperf.bpf.RawProgram;
import dev.xdperf.bpf.Structs;
import dev.xdperf.bpf.XdpLink;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.template.CompiledSet;
import dev.xdperf.template.TemplateCompiler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends a template out of an interface with xdp_tx on live frames: one or more callers per
 * CPU, each pinned to its CPU; the per-CPU state in the kernel is keyed by the CPU the
 * program really runs on. Pacing, the end time and the packet budget are enforced inside
 * xdp_tx; this class only keeps the program running until they are reached.
 */
public final class Transmitter implements AutoCloseable {
    /** Iterations per BPF_PROG_RUN call: each call ends with a slow teardown, so calls are large. */
    static final int REPEAT = 4_000_000;
    /** Paced runs spend most iterations on early (dropped) slots, which are cheap: longer calls, fewer teardowns. */
    static final int REPEAT_PACED = 8_000_000;
    static final long START_DELAY_NS = 20_000_000L;
    /** Frames a paced CPU may send back to back to catch up after a gap, unless told otherwise. */
    public static final int DEFAULT_MAX_BURST = 32;
    /** A paced run named no CPUs: each CPU it takes carries up to this rate (see {@link #defaultCpus}). */
    public static final long PACED_PPS_PER_CPU = 1_000_000;

    /**
     * The CPUs a run sends from when it names none. Flat out: every online CPU. Paced: the last
     * ceil(pps / {@link #PACED_PPS_PER_CPU}) online CPUs, at least one. A paced CPU spins in xdp_tx
     * between its departures; on a CPU the process's other threads (the receiver, the live
     * view, the compiler) also need, they preempt it for longer than its catch-up (--max-burst
     * departures) covers, and those departures are given up: about 3 % of a 100 kpps run that
     * spun on both CPUs of a 2-CPU machine, 0.03 % on one. A rate needs no more CPUs than it fills.
     */
    public static List<Integer> defaultCpus(long pps, List<Integer> online) {
        if (pps <= 0 || online.isEmpty()) {
            return online;
        }
        long n = Math.min(online.size(), Math.max(1, (pps + PACED_PPS_PER_CPU - 1) / PACED_PPS_PER_CPU));
        return List.copyOf(online.subList(online.size() - (int) n, online.size()));
    }

    private final Builder spec;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private BpfObject object;
    /** xdp_tx written for this run (RunProgram), or null: the C program's. */
    private RawProgram generated;
    private BpfProgram txProgram;
    private String compiledWhy = "not started";
    private XdpLink passLink;
    private volatile boolean stopRequested;
    private CountDownLatch finished;
    private long startNs;
    private long endNs;
    private volatile long finishedNs;
    /** Per CPU: the slot a counted run marks as used before it starts (a CPU with no budget). */
    private long[] unusedSlots = new long[0];
    /** With one template: the rules xdp_tx counts with cursors (Cursors). */
    private int cursorMask;
    private volatile long firstCallNs;

    private Transmitter(Builder spec) {
        this.spec = spec;
    }

    public static Builder builder(String ifname, CompiledSet templates) {
        return new Builder(ifname, templates);
    }

    public static final class Builder {
        private final String ifname;
        private final CompiledSet template;
        private List<Integer> cpus;
        private long pps;
        private Duration duration;
        private long count;
        private XdpMode mode = XdpMode.NATIVE;
        private boolean attachPass = true;
        private int batchSize = 64;
        private boolean batchGiven;
        private int callersPerCpu = 2;
        private List<TestHook> testHooks = List.of();
        private long testLatencyOffsetNs;
        private long startAtNs;
        private int maxBurst = DEFAULT_MAX_BURST;

        private Builder(String ifname, CompiledSet template) {
            this.ifname = Objects.requireNonNull(ifname, "interface");
            this.template = Objects.requireNonNull(template, "template");
        }

        /** Sending CPUs; default: every online CPU. */
        public Builder cpus(List<Integer> cpus) {
            this.cpus = List.copyOf(cpus);
            return this;
        }

        /** Target rate over all CPUs; 0 sends flat out. */
        public Builder pps(long pps) {
            this.pps = pps;
            return this;
        }

        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        /** Total packets over all CPUs; 0 means no limit. */
        public Builder count(long count) {
            this.count = count;
            return this;
        }

        public Builder xdpMode(XdpMode mode) {
            this.mode = Objects.requireNonNull(mode);
            return this;
        }

        /** Attach the pass-through program to the sending interface (real NICs need it to transmit XDP frames). */
        public Builder attachPass(boolean attach) {
            this.attachPass = attach;
            return this;
        }

        /** Frames per live-frames batch; default 64 flat out, and for paced runs {@link #pacedBatch}. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            this.batchGiven = true;
            return this;
        }

        /**
         * Paced: the most frames a CPU sends back to back when it catches up after a gap, so that
         * a token bucket this deep at the target rate passes the stream; departures beyond it are
         * given up and counted as the deficit.
         */
        public Builder maxBurst(int frames) {
            this.maxBurst = frames;
            return this;
        }

        /** Callers per CPU: a second one runs while the first waits in the kernel's teardown. */
        public Builder callersPerCpu(int callers) {
            this.callersPerCpu = callers;
            return this;
        }

        public Builder testHooks(List<TestHook> hooks) {
            if (hooks.size() > Structs.TEST_HOOKS) {
                throw new IllegalArgumentException("at most " + Structs.TEST_HOOKS + " test hooks");
            }
            this.testHooks = List.copyOf(hooks);
            return this;
        }

        /** Tests only: stamp send times this much earlier, a known delay for the receiver to measure. */
        public Builder testLatencyOffset(Duration offset) {
            this.testLatencyOffsetNs = offset.toNanos();
            return this;
        }

        /**
         * When the first frame may depart (CLOCK_MONOTONIC ns, the clock of System.nanoTime and
         * bpf_ktime_get_ns); 0: as soon as started. The callers wait for it after everything is
         * loaded, and paced runs are also held back by xdp_tx itself until then.
         */
        public Builder startAt(long monotonicNs) {
            this.startAtNs = monotonicNs;
            return this;
        }

        public Transmitter build() {
            if (pps < 0) {
                throw new IllegalArgumentException("--pps must be positive, not " + pps);
            }
            if (count < 0) {
                throw new IllegalArgumentException("--count must be positive, not " + count);
            }
            if (duration != null && (duration.isNegative() || duration.isZero())) {
                throw new IllegalArgumentException("--duration must be positive");
            }
            if (duration == null && count == 0) {
                throw new IllegalArgumentException("give --duration or --count: a run must end by itself");
            }
            List<Integer> online = Cpus.online();
            if (cpus == null) {
                cpus = defaultCpus(pps, online);
            }
            if (cpus.isEmpty()) {
                throw new IllegalArgumentException("--cpus names no CPU");
            }
            for (int c : cpus) {
                if (!online.contains(c)) {
                    throw new IllegalArgumentException("CPU " + c + " is not online (online: " + online + ")");
                }
                if (c >= Structs.MAX_CPUS) {
                    throw new IllegalArgumentException("CPU " + c + " is beyond the " + Structs.MAX_CPUS + " CPUs the receiver tracks");
                }
            }
            if (cpus.stream().distinct().count() != cpus.size()) {
                throw new IllegalArgumentException("--cpus names a CPU twice");
            }
            if (pps > 0 && pps < cpus.size()) {
                throw new IllegalArgumentException("--pps " + pps + " is below one packet per second per CPU");
            }
            if (callersPerCpu < 1 || callersPerCpu > 4) {
                throw new IllegalArgumentException("callers per CPU must be 1..4");
            }
            if (maxBurst < 1) {
                throw new IllegalArgumentException("max burst must be at least 1 frame");
            }
            if (batchSize < 1 || batchSize > LiveFrames.MAX_BATCH) {
                throw new IllegalArgumentException("batch size must be 1.." + LiveFrames.MAX_BATCH);
            }
            if (pps > 0 && !batchGiven) {
                batchSize = pacedBatch(Math.round(1e9 * cpus.size() / pps));
            }
            NetDevices.ifindex(ifname);
            return new Transmitter(this);
        }
    }

    /**
     * The live-frames batch for a paced run whose CPUs each send one frame every
     * {@code intervalNs}. The kernel sends a batch's frames together when the batch ends, so
     * a batch that outlasts the interval sends bursts; but every batch also costs a fixed
     * setup (page-pool bulk allocation, the flush), ~0.6 µs on the machines measured, on top
     * of ~0.1 µs per iteration. The batch is the smallest power of two (4..64) that both keeps
     * that setup under a quarter of the time and lasts about one interval: at 1 Mpps per CPU
     * 4 (gaps of 1 µs), at 100 kpps 64 (docs/benchmarks.md, rate precision).
     */
    static int pacedBatch(long intervalNs) {
        final long setupNs = 600;
        final long iterationNs = 100;
        if (intervalNs <= iterationNs + 50) {
            return 64;
        }
        long sustain = (4 * setupNs + intervalNs - iterationNs - 1) / (intervalNs - iterationNs);
        long smooth = (intervalNs - setupNs) / iterationNs;
        long want = Math.max(sustain, smooth);
        int b = 4;
        while (b < 64 && b < want) {
            b <<= 1;
        }
        return b;
    }

    public String ifname() {
        return spec.ifname;
    }

    public List<Integer> cpus() {
        return spec.cpus;
    }

    public CompiledSet templates() {
        return spec.template;
    }

    /** Loads xdp_tx, writes the run into its maps, attaches the pass-through program and starts the callers. */
    public synchronized void start() {
        if (object != null) {
            throw new IllegalStateException("transmitter already started");
        }
        Features.requireLiveFrames();
        int ifindex = NetDevices.ifindex(spec.ifname);
        try {
            load(false);
            if (spec.attachPass) {
                passLink = XdpLink.attach(object.program("xdp_pass"), spec.ifname, spec.mode);
            }
            long now = System.nanoTime();
            if (spec.startAtNs != 0 && spec.startAtNs < now) {
                throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                        "start sending: the start time passed %.1f ms ago while the run was prepared (give a later start time)",
                        (now - spec.startAtNs) / 1e6));
            }
            finished = new CountDownLatch(spec.cpus.size() * spec.callersPerCpu);
            for (int cpu : spec.cpus) {
                for (int caller = 0; caller < spec.callersPerCpu; caller++) {
                    int phase = caller;
                    Thread t = new Thread(() -> work(cpu, ifindex, phase), "xdperf-tx-cpu" + cpu + "-" + caller);
                    t.setDaemon(true);
                    workers.add(t);
                }
            }
            workers.forEach(Thread::start);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Loads xdp_tx and writes the run into its maps, sending nothing: start() then starts the
     * callers. {@code compiled}: tx.bpf.c's program even where one can be written for the run
     * (tests compare the two).
     */
    void load(boolean compiled) {
        loadProgram(plan(), compiled);
        startNs = spec.startAtNs != 0 ? spec.startAtNs : System.nanoTime() + START_DELAY_NS;
        endNs = spec.duration == null ? 0 : startNs + spec.duration.toNanos();
        writeTemplates();
        writeConfig(false);
        writeState();
        writeHooks();
    }

    /** The loaded xdp_tx (after load() or start()). */
    BpfProgram txProgram() {
        return txProgram;
    }

    /** The loaded object, its maps and xdp_pass (after load() or start()). */
    BpfObject object() {
        return object;
    }

    /** Whoever set it: the C program, not the one written for the run (for A/B benchmarks and as a way out). */
    static final String PROGRAM_ENV = "XDPERF_TX_PROGRAM";

    /**
     * Loads the maps and xdp_pass, and xdp_tx: written for this run when RunProgram covers
     * it, else (or when the kernel refuses it, or {@value #PROGRAM_ENV}=compiled) tx.bpf.c's.
     */
    private void loadProgram(ByteBuffer plan, boolean compiled) {
        List<ByteBuffer> templates = spec.template.templates();
        String why = compiled ? "asked for"
                : "compiled".equals(System.getenv(PROGRAM_ENV)) ? PROGRAM_ENV + "=compiled" : RunProgram.ineligible(plan, templates);
        if (why == null) {
            object = BpfObject.openBundled("tx").setReadOnlyData(plan).loadOnly(List.of("xdp_pass"));
            try {
                generated = RawProgram.loadXdp("xdp_tx", RunProgram.build(plan, templates, maps(object)), RawProgram.ATTACH_XDP);
                txProgram = generated.program();
                compiledWhy = null;
                return;
            } catch (BpfException e) {
                why = "the kernel refused the generated program: " + e.getMessage().lines().findFirst().orElse("");
                object.close();
                object = null;
            }
        }
        compiledWhy = why;
        object = BpfObject.openBundled("tx").setReadOnlyData(plan).loadOnly(List.of("xdp_tx", "xdp_pass"));
        txProgram = object.program("xdp_tx");
    }

    /** The descriptors of the maps a program written for the run uses. */
    static RunProgram.Maps maps(BpfObject o) {
        return new RunProgram.Maps(o.map("tx_state").fd(), o.map(".bss").fd(), o.map("tx_schedule").fd(), o.map("tx_seqs").fd());
    }

    /** Null when xdp_tx was written for this run (RunProgram), else why tx.bpf.c's runs; "not started" before start(). */
    public String compiledProgramReason() {
        return compiledWhy;
    }

    /**
     * xdp_tx's read-only data (struct xdperf_tx_plan): what stays fixed for the run, so that
     * the verifier removes what the run does not use. With one template, the template too.
     */
    ByteBuffer plan() {
        CompiledSet t = spec.template;
        ByteBuffer p = BpfMap.allocate(Structs.TxPlan.SIZE);
        long interval = spec.pps == 0 ? 0 : Math.max(1, Math.round(1e9 * spec.cpus.size() / spec.pps));
        p.putLong(Structs.TxPlan.INTERVAL_NS, interval);
        p.putLong(Structs.TxPlan.MAX_LAG_NS, (spec.maxBurst - 1) * interval);
        p.putLong(Structs.TxPlan.TEST_TX_OFFSET_NS, spec.testLatencyOffsetNs);
        p.putInt(Structs.TxPlan.TEST_HOOKS, spec.testHooks.size());
        p.putInt(Structs.TxPlan.N_TEMPLATES, t.templates().size());
        p.putInt(Structs.TxPlan.CYCLE_LEN, t.schedule().length());
        p.putInt(Structs.TxPlan.N_CPUS, spec.cpus.size());
        p.putInt(Structs.TxPlan.COPY, t.copy());
        p.putShort(Structs.TxPlan.COPY_FROM, (short) t.copyFrom());
        p.putShort(Structs.TxPlan.COPY_WORDS, (short) t.copyWords());
        int cycle = t.schedule().length();
        if (cycle > 1) {
            p.putInt(Structs.TxPlan.CYCLE_POS_STEP, spec.cpus.size() % cycle);
            p.putInt(Structs.TxPlan.CYCLE_TURN_STEP, spec.cpus.size() / cycle);
        }
        p.putInt(Structs.TxPlan.CLOCK_EVERY, clockEvery());
        p.putInt(Structs.TxPlan.LIMITED, spec.count > 0 ? 1 : 0);
        if (t.copy() != 0 && TemplateCompiler.uniformLayout(t.templates())) {
            ByteBuffer first = t.templates().get(0).duplicate();
            p.putInt(Structs.TxPlan.UNIFORM, 1);
            p.putInt(Structs.TxPlan.FRAME_END, TemplateCompiler.writeEnd(first));
            p.put(Structs.TxPlan.TMPL, first, 0, Structs.Template.SIZE);
        }
        if (t.templates().size() == 1) {
            ByteBuffer only = t.templates().get(0).duplicate();
            p.putInt(Structs.TxPlan.SINGLE, 1);
            p.putInt(Structs.TxPlan.FRAME_END, TemplateCompiler.writeEnd(only));
            p.put(Structs.TxPlan.TMPL, only, 0, Structs.Template.SIZE);
            cursorMask = Cursors.mask(only, !spec.testHooks.isEmpty());
            p.putInt(Structs.TxPlan.CURSOR_MASK, cursorMask);
            p.putInt(Structs.TxPlan.CSUM_TOUCHED, Cursors.touched(only));
            Cursors.writeSteps(p, only, cursorMask, spec.cpus.size());
        }
        return p;
    }

    private void writeConfig(boolean stop) {
        ByteBuffer c = BpfMap.allocate(Structs.TxConfig.SIZE);
        c.putLong(Structs.TxConfig.END_NS, endNs);
        c.putInt(Structs.TxConfig.STOP, stop ? 1 : 0);
        object.map(".bss").update(0, c);
    }

    /**
     * Flat out, xdp_tx reads the clock once per live-frames batch (see tx.bpf.c): every call's
     * repeat is then a multiple of the batch size, so that each batch starts on a slot that is
     * a multiple of it. Paced runs, and batch sizes that are not a power of two, read it per slot.
     */
    int clockEvery() {
        int b = spec.batchSize;
        return spec.pps == 0 && b > 1 && Integer.bitCount(b) == 1 ? b : 0;
    }

    private void writeTemplates() {
        CompiledSet t = spec.template;
        BpfMap templates = object.map("tx_templates");
        for (int i = 0; i < t.templates().size(); i++) {
            templates.update(i, t.templates().get(i));
        }
        if (t.schedule().length() > 1) {
            BpfMap schedule = object.map("tx_schedule");
            ByteBuffer slot = BpfMap.allocate(Structs.Slot.SIZE);
            int[][] streams = t.schedule().streamPositions(t.set().templates().stream().mapToInt(dev.xdperf.abi.PacketTemplate::streamId).toArray());
            for (int p = 0; p < t.schedule().length(); p++) {
                slot.putInt(Structs.Slot.TEMPLATE_ID, t.schedule().templateAt()[p]);
                slot.putInt(Structs.Slot.RANK, t.schedule().rankAt()[p]);
                slot.putInt(Structs.Slot.STREAM_RANK, streams[0][p]);
                slot.putInt(Structs.Slot.STREAM_WEIGHT, streams[1][p]);
                schedule.update(p, slot);
            }
        }
        BpfMap lists = object.map("tx_lists");
        long[] values = t.lists();
        ByteBuffer v = BpfMap.allocate(8);
        for (int i = 0; i < values.length; i++) {
            v.putLong(0, values[i]);
            lists.update(i, v);
        }
    }

    private void writeState() {
        int possible = Cpus.possible();
        unusedSlots = new long[possible];
        ByteBuffer[] states = new ByteBuffer[possible];
        long perCpu = spec.count / spec.cpus.size();
        long extra = spec.count % spec.cpus.size();
        for (int cpu = 0; cpu < possible; cpu++) {
            ByteBuffer s = BpfMap.allocate(Structs.TxState.SIZE);
            s.putLong(Structs.TxState.NEXT_NS, startNs);
            int index = spec.cpus.indexOf(cpu);
            long limit = 0;
            if (spec.count > 0) {
                // CPUs that are not ours get a budget of one slot already used: they send nothing.
                limit = index < 0 ? 1 : perCpu + (index < extra ? 1 : 0);
                if (index < 0 || limit == 0) {
                    s.putLong(Structs.TxState.SEQ, 1);
                    limit = 1;
                    unusedSlots[cpu] = 1;
                }
            }
            s.putLong(Structs.TxState.LIMIT, limit);
            s.putLong(Structs.TxState.RANK, Math.max(0, index));
            int cycle = spec.template.schedule().length();
            if (cycle > 1) {   // the first slot's place in the weighted cycle (tx.bpf.c: cycle_pos)
                long k = s.getLong(Structs.TxState.SEQ) * spec.cpus.size() + Math.max(0, index);
                s.putLong(Structs.TxState.CYCLE_POS, k % cycle);
                s.putLong(Structs.TxState.CYCLE_TURN, k / cycle);
            }
            if (cursorMask != 0) {
                long firstSlot = s.getLong(Structs.TxState.SEQ);
                Cursors.writeStart(s, spec.template.templates().get(0), cursorMask,
                        firstSlot * spec.cpus.size() + Math.max(0, index));
            }
            states[cpu] = s;
        }
        object.map("tx_state").updatePerCpu(0, states);
    }

    private void writeHooks() {
        BpfMap hooks = object.map("tx_test_hooks");
        for (int i = 0; i < spec.testHooks.size(); i++) {
            TestHook h = spec.testHooks.get(i);
            ByteBuffer b = BpfMap.allocate(Structs.TestHook.SIZE);
            b.putLong(Structs.TestHook.AT_SEQ, h.atSeq());
            b.putInt(Structs.TestHook.ACTION, h.action().code);
            b.putInt(Structs.TestHook.VALUE, (int) h.value());
            hooks.update(i, b);
        }
    }

    /**
     * One caller. Callers on the same CPU take turns; their calls are staggered (the first call
     * of caller i is shorter) so that one is always running while another sits in the kernel's
     * teardown, and no gap opens that pacing would have to catch up in a burst.
     */
    private void work(int cpu, int ifindex, int phase) {
        try {
            Cpus.pinCurrentThread(cpu);
            LiveFrames runner = new LiveFrames(txProgram, spec.template.seedFrame(), ifindex, 0, spec.batchSize);
            BpfMap state = object.map("tx_state");
            if (spec.startAtNs != 0) {
                awaitStart();
            }
            boolean first = true;
            double nsPerIteration = 0;
            while (!stopRequested) {
                long now = System.nanoTime();
                if (endNs != 0 && now >= endNs) {
                    break;
                }
                // Paced calls of small batches run longer per iteration: keep each call short
                // enough that a stop or the end is not held up by it.
                int full = spec.pps > 0 ? Math.min(REPEAT_PACED, spec.batchSize * 131_072) : REPEAT;
                int repeat = first && spec.callersPerCpu > 1 ? full / spec.callersPerCpu * (phase + 1) : full;
                if (endNs != 0 && nsPerIteration > 0) {
                    // A call cannot be cut short: size the last ones to end about when the run does.
                    double want = (endNs - now) / nsPerIteration * 1.2 + LiveFrames.MAX_BATCH * 64;
                    repeat = (int) Math.max(LiveFrames.MAX_BATCH * 64, Math.min(repeat, want));
                }
                first = false;
                if (spec.count > 0) {
                    ByteBuffer s = state.lookupPerCpu(0)[cpu];
                    long remaining = s.getLong(Structs.TxState.LIMIT) - s.getLong(Structs.TxState.SEQ);
                    if (remaining <= 0) {
                        break;
                    }
                    if (spec.pps == 0 && spec.testHooks.isEmpty()) {
                        repeat = (int) Math.min(REPEAT, Math.max(remaining, LiveFrames.MAX_BATCH));
                    }
                }
                // Whole batches only: xdp_tx reads the clock on the first frame of each (clockEvery).
                repeat = (int) Math.min(Integer.MAX_VALUE / 2, (repeat + spec.batchSize - 1L) / spec.batchSize * spec.batchSize);
                long t0 = System.nanoTime();
                if (firstCallNs == 0) {
                    firstCallNs = t0;
                }
                runner.run(repeat);
                nsPerIteration = (System.nanoTime() - t0) / (double) repeat;
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            stopRequested = true;
        } finally {
            synchronized (this) {
                finished.countDown();
                if (finished.getCount() == 0) {
                    finishedNs = System.nanoTime();
                }
            }
        }
    }

    /** Sleeps until shortly before the start time, then spins to it: a scheduled start departs on time. */
    private void awaitStart() {
        long spinFrom = startNs - 1_000_000L;
        long now;
        while (!stopRequested && (now = System.nanoTime()) < spinFrom) {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(spinFrom - now, 100_000_000L));
        }
        while (!stopRequested && System.nanoTime() < startNs) {
            Thread.onSpinWait();
        }
    }

    /** When the first caller made its first call (CLOCK_MONOTONIC ns), or 0 before that. */
    public long firstCallNs() {
        return firstCallNs;
    }

    /** Sums xdp_tx's per-CPU counters now. */
    public TxCounters counters() {
        BpfObject o = object;
        if (o == null) {
            return TxCounters.ZERO;
        }
        long sent = 0;
        long bytes = 0;
        long slots = 0;
        long skips = 0;
        long drops = 0;
        long deficit = 0;
        ByteBuffer[] states = o.map("tx_state").lookupPerCpu(0);
        for (ByteBuffer s : states) {
            sent += s.getLong(Structs.TxState.SENT_PACKETS);
            bytes += s.getLong(Structs.TxState.SENT_BYTES);
            skips += s.getLong(Structs.TxState.PACED_SKIPS);
            drops += s.getLong(Structs.TxState.TEST_DROPS);
            deficit += s.getLong(Structs.TxState.DEFICIT);
        }
        for (int cpu : spec.cpus) {
            slots += states[cpu].getLong(Structs.TxState.SEQ) - unusedSlots[cpu];
        }
        if (spec.template.templates().size() == 1) {
            // One template: xdp_tx keeps no sent counters. Every numbered slot went out but those a
            // test hook dropped and those whose frame was too short; every frame is the template.
            long unsent = 0;
            for (ByteBuffer s : states) {
                unsent += s.getLong(Structs.TxState.UNSENT);
            }
            sent = slots - drops - unsent;
            bytes = sent * (spec.template.templates().get(0).getShort(Structs.Template.LEN) & 0xffff);
        }
        return new TxCounters(sent, bytes, slots, skips, drops, System.nanoTime(), deficit);
    }

    /** Packets sent per stream id (the streams' sequence counters, summed over CPUs); measured streams only. */
    public java.util.Map<Integer, Long> sentPerStream() {
        java.util.Map<Integer, Long> out = new java.util.TreeMap<>();
        BpfObject o = object;
        if (o == null) {
            return out;
        }
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        for (ByteBuffer t : spec.template.templates()) {
            if (t.getShort(Structs.Template.MH_OFFSET) != 0) {
                ids.add((t.getShort(Structs.Template.STREAM_ID) & 0xffff) & (Structs.MAX_STREAMS - 1));
            }
        }
        if (spec.template.templates().size() == 1) {
            // one template: xdp_tx numbers its frames by slot, and keeps no stream counter
            long slots = 0;
            ByteBuffer[] states = o.map("tx_state").lookupPerCpu(0);
            for (int cpu : spec.cpus) {
                slots += states[cpu].getLong(Structs.TxState.SEQ) - unusedSlots[cpu];
            }
            for (int id : ids) {
                out.put(id, slots);
            }
            return out;
        }
        BpfMap seqs = o.map("tx_seqs");
        for (int id : ids) {
            long n = 0;
            for (ByteBuffer b : seqs.lookupPerCpu(id)) {
                n += b.getLong(0);
            }
            out.put(id, n);
        }
        return out;
    }

    /** How long frames departed, in seconds: from the start to the end time or to when the last caller finished. */
    public double activeSeconds() {
        long end = finishedNs == 0 ? System.nanoTime() : finishedNs;
        if (endNs != 0) {
            end = Math.min(end, endNs);
        }
        BpfObject o = object;
        if (o != null && spec.count > 0) {
            // A counted run ends with its last departure, not when the callers notice.
            long last = 0;
            for (ByteBuffer s : o.map("tx_state").lookupPerCpu(0)) {
                last = Math.max(last, s.getLong(Structs.TxState.LAST_NS));
            }
            if (last > startNs) {
                end = Math.min(end, last);
            }
        }
        return Math.max(1e-9, (end - startNs) / 1e9);
    }

    /** When departures end by time (CLOCK_MONOTONIC ns), or 0 when the run ends by count. */
    public long endNs() {
        return endNs;
    }

    /** When the first frame may depart (CLOCK_MONOTONIC ns). */
    public long startNs() {
        return startNs;
    }

    /** Waits until every caller has finished (time, count or stop reached); rethrows a caller's failure. */
    public boolean await(Duration timeout) throws InterruptedException {
        boolean done = finished.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
        return done;
    }

    public boolean finished() {
        return finished != null && finished.getCount() == 0;
    }

    /** Stops departures at once: xdp_tx drops every further iteration, callers return after their current call. */
    public void stop() {
        stopRequested = true;
        BpfObject o = object;
        if (o != null) {
            try {
                writeConfig(true);
            } catch (BpfException e) {
                // the object is being closed: nothing departs any more anyway
            }
        }
    }

    @Override
    public synchronized void close() {
        stop();
        for (Thread t : workers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (passLink != null) {
            passLink.close();
            passLink = null;
        }
        if (generated != null) {
            generated.close();
            generated = null;
        }
        if (object != null) {
            object.close();
            object = null;
        }
    }
}
