package dev.xdperf.tx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.Checksums;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.bpf.Cpus;
import dev.xdperf.bpf.Structs;
import dev.xdperf.bpf.TestRun;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.template.CompiledSet;
import dev.xdperf.template.TemplateCompiler;
import dev.xdperf.testing.Privileged;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The xdp_tx written for a run (RunProgram) against tx.bpf.c's, the same run loaded twice:
 * both run the same slots on the same CPU (BPF_PROG_RUN without live frames, one slot a call,
 * the frame each left returned), and must agree on every verdict, every byte but the send time
 * and the checksums over it, and the CPU's state after (slot, cursors, frames given up). The
 * generated frames' IPv4 and UDP checksums must verify and their send times rise.
 */
class GeneratedTxTest {
    private static final MacAddress SRC = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress DST = MacAddress.parse("02:00:00:00:00:02");
    private static final FieldRule.Scope PACKET = FieldRule.Scope.PACKET;

    private static PacketTemplate udp(int size, boolean measure, List<FieldRule> rules) {
        return udp(size, measure, 1, rules);
    }

    private static PacketTemplate udp(int size, boolean measure, long flows, List<FieldRule> rules) {
        PacketTemplate t = new UdpStream(SRC, DST, UdpStream.parseIp("198.18.0.1"), UdpStream.parseIp("198.18.0.2"),
                5201, 5201, size, 3, measure).toTemplate();
        return new PacketTemplate(t.frame(), 3, 1, flows, t.mhOffset(), rules, t.checksums());
    }

    private static CompiledSet set(PacketTemplate t) {
        return TemplateCompiler.compile(new TemplateSet(AbiVersion.HOST, List.of(t)), 1500, 7);
    }

    private static final List<FieldRule> FOUR = List.of(FieldRule.increment(26, 4, PACKET, 0xC6120001L, 0xC61200C8L, 1),
            FieldRule.increment(30, 4, PACKET, 0xC6120101L, 0xC61201C8L, 1),
            FieldRule.increment(34, 2, PACKET, 1000, 2000, 1), FieldRule.increment(36, 2, PACKET, 3000, 4000, 1));

    /** Every width, odd and even ends (the TTL: one byte, odd), inc and dec, steps that wrap, a 64-bit minimum, a per-stream rule. */
    private static final List<FieldRule> WIDTHS = List.of(FieldRule.increment(15, 1, PACKET, 0, 255, 3),
            FieldRule.decrement(26, 4, PACKET, 0xC6120001L, 0xC61200C8L, 7),
            FieldRule.increment(61, 8, PACKET, 0x1_0000_0000L, Long.MAX_VALUE, 0x1234),
            FieldRule.decrement(71, 2, PACKET, 0, 65535, 0x10001),
            FieldRule.increment(87, 2, PACKET, 100, 60000, 11),
            FieldRule.increment(96, 2, FieldRule.Scope.STREAM, 0, 999, 3),
            FieldRule.increment(22, 1, PACKET, 1, 255, 5));

    /** The UDP template with its measurement header moved one byte on, to an odd offset. */
    private static PacketTemplate oddHeader(List<FieldRule> rules) {
        PacketTemplate t = udp(128, true, List.of());
        byte[] f = t.frame();
        int mh = t.mhOffset();
        System.arraycopy(f, mh, f, mh + 1, Structs.Mh.SIZE);
        f[mh] = 0;
        return new PacketTemplate(f, 3, 1, 1, mh + 1, rules, t.checksums());
    }

    private record Ran(int[] verdicts, List<byte[]> frames, ByteBuffer state) {}

    /** Runs {@code slots} slots of the run on {@code cpu}, compiled or generated; {@code after} runs once 100 slots have. */
    private static Ran run(Transmitter.Builder b, boolean compiled, int cpu, byte[] frame, int slots, Consumer<Transmitter> after,
            boolean paced) throws InterruptedException {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread th = new Thread(() -> {
            try (Transmitter tx = b.build()) {
                Cpus.pinCurrentThread(cpu);
                tx.load(compiled);
                if (compiled) {
                    assertEquals("asked for", tx.compiledProgramReason());
                } else {
                    assertNull(tx.compiledProgramReason(), "the generated program was not loaded");
                }
                TestRun runner = new TestRun(tx.txProgram(), frame);
                while (paced && System.nanoTime() < tx.startNs()) {
                    Thread.onSpinWait();   // paced: nothing departs before the start
                }
                int[] verdicts = new int[slots];
                List<byte[]> frames = new ArrayList<>();
                for (int i = 0; i < slots; i++) {
                    if (i == 100 && after != null) {
                        after.accept(tx);
                    }
                    TestRun.Result r = runner.run(1);
                    verdicts[i] = r.retval();
                    frames.add(r.dataOut());
                }
                out.set(new Ran(verdicts, frames, tx.object().map("tx_state").lookupPerCpu(0)[cpu]));
            } catch (Throwable e) {
                out.set(e);
            }
        });
        th.start();
        th.join(60_000);
        if (out.get() instanceof Throwable e) {
            throw new AssertionError(e);
        }
        return (Ran) out.get();
    }

    /** Runs both programs and compares them; returns the generated run. */
    private static Ran compare(String what, CompiledSet set, Transmitter.Builder b, int cpu, byte[] frame, int slots,
            Consumer<Transmitter> after) throws InterruptedException {
        return compare(what, set, b, cpu, frame, slots, after, false);
    }

    /** As above; {@code paced}: each run waits for its start time, which the builder gives relative to now, so it is set anew per run. */
    private static Ran compare(String what, CompiledSet set, Transmitter.Builder b, int cpu, byte[] frame, int slots,
            Consumer<Transmitter> after, boolean paced) throws InterruptedException {
        assertNull(ineligible(b.build()), what);
        Ran c = run(paced ? b.startAt(System.nanoTime() + 100_000_000L) : b, true, cpu, frame, slots, after, paced);
        Ran g = run(paced ? b.startAt(System.nanoTime() + 100_000_000L) : b, false, cpu, frame, slots, after, paced);
        ByteBuffer t = set.templates().get(0).duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int mh = t.getShort(Structs.Template.MH_OFFSET) & 0xffff;
        List<Integer> varying = new ArrayList<>();   // bytes that depend on the send time
        if (mh != 0) {
            for (int i = 0; i < 8; i++) {
                varying.add(mh + Structs.Mh.TX_NS + i);
            }
            for (int k = 0; k < Structs.MAX_CSUMS; k++) {
                if ((t.get(Structs.Template.MH_CSUM_MASK) & (1 << k)) != 0) {
                    int at = t.getShort(Structs.Template.CSUMS + k * Structs.Csum.SIZE + Structs.Csum.OFFSET) & 0xffff;
                    varying.add(at);
                    varying.add(at + 1);
                }
            }
        }
        long lastStamp = 0;
        int sent = 0;
        for (int i = 0; i < slots; i++) {
            assertEquals(c.verdicts[i], g.verdicts[i], what + ": the verdict of slot " + i);
            byte[] fc = c.frames.get(i).clone();
            byte[] fg = g.frames.get(i).clone();
            if (g.verdicts[i] != 3) {
                continue;
            }
            sent++;
            assertTrue(Checksums.ipv4Header(fg, 14, 20) == 0, what + ": IPv4 header checksum of slot " + i);
            assertTrue(Checksums.verifyTransport(Arrays.copyOfRange(fg, 26, 30), Arrays.copyOfRange(fg, 30, 34), 17, fg, 34,
                    fg.length - 34), what + ": UDP checksum of slot " + i);
            if (mh != 0) {
                long stamp = ByteBuffer.wrap(fg, mh + Structs.Mh.TX_NS, 8).getLong();
                assertTrue(stamp > lastStamp, what + ": send time of slot " + i + " does not rise");
                lastStamp = stamp;
                assertEquals(cpu, fg[mh + Structs.Mh.CPU] & 0xff, what + ": the CPU stamped");
            }
            for (int at : varying) {
                fc[at] = 0;
                fg[at] = 0;
            }
            assertArrayEquals(fc, fg, what + ": slot " + i);
        }
        for (int at : new int[] {Structs.TxState.SEQ, Structs.TxState.LIMIT, Structs.TxState.UNSENT, Structs.TxState.TEST_DROPS,
                Structs.TxState.SENT_PACKETS, Structs.TxState.SENT_BYTES, Structs.TxState.CYCLE_POS, Structs.TxState.CYCLE_TURN}) {
            assertEquals(c.state.getLong(at), g.state.getLong(at), what + ": tx_state at " + at);
        }
        for (int i = 0; i < Structs.MAX_FIELDS; i++) {
            assertEquals(c.state.getLong(Structs.TxState.CURSOR + 8 * i), g.state.getLong(Structs.TxState.CURSOR + 8 * i),
                    what + ": cursor " + i);
        }
        assertTrue(sent > 0 || frame.length < set.seedFrame().length, what + ": nothing was sent");
        return g;
    }

    private static String ineligible(Transmitter tx) {
        return RunProgram.ineligible(tx.plan(), tx.templates().templates());
    }

    private static int lastCpu() {
        List<Integer> online = Cpus.online();
        return online.get(online.size() - 1);
    }

    @Test
    void theHeaderOnlyWithACountSendsItsBudgetThenDrops() throws Exception {
        Privileged.require();
        CompiledSet set = set(udp(64, true, List.of()));
        Transmitter.Builder b = Transmitter.builder("lo", set).cpus(List.of(0)).count(1000);
        Ran g = compare("header, a count", set, b, 0, set.seedFrame(), 1100, null);
        assertEquals(3, g.verdicts[999]);
        assertEquals(1, g.verdicts[1000], "past the budget: dropped");
        assertEquals(1000, g.state.getLong(Structs.TxState.SEQ));
        assertTrue(g.state.getLong(Structs.TxState.LAST_NS) > 0, "a counted run keeps its last send time");
    }

    @Test
    void fourCountingRulesFromTheSecondOfTwoCpus() throws Exception {
        Privileged.require();
        CompiledSet set = set(udp(64, true, FOUR));
        int cpu = lastCpu();
        List<Integer> cpus = cpu == 0 ? List.of(0) : List.of(0, cpu);
        Transmitter.Builder b = Transmitter.builder("lo", set).cpus(cpus).duration(Duration.ofSeconds(30));
        compare("four rules", set, b, cpu, set.seedFrame(), 1500, null);
    }

    @Test
    void everyWidthAndParityWithTheHeaderAtAnOddOffset() throws Exception {
        Privileged.require();
        CompiledSet set = set(oddHeader(WIDTHS));
        Transmitter.Builder b = Transmitter.builder("lo", set).cpus(List.of(0)).duration(Duration.ofSeconds(30));
        Ran g = compare("every width, odd header", set, b, 0, set.seedFrame(), 2000, null);
        // the 8-byte rule counts up from 2^32 by 0x1234 a packet
        assertEquals(0x1_0000_0000L + 1999L * 0x1234, ByteBuffer.wrap(g.frames.get(1999), 61, 8).getLong());
    }

    /**
     * Per-flow counting whose flows × step is a multiple of the range (--flows F: step 1, range F;
     * here also step 3 over 300 in 100 flows) counts with a cursor, so the run is the generated
     * program's; the reference is the C program computing k mod flows.
     */
    @Test
    void perFlowCountingWhoseCycleTheRangeDivides() throws Exception {
        Privileged.require();
        var flow = FieldRule.Scope.FLOW;
        CompiledSet set = set(udp(64, true, 100, List.of(FieldRule.increment(34, 2, flow, 5201, 5300, 1),
                FieldRule.decrement(36, 2, flow, 7000, 7299, 3), FieldRule.increment(26, 4, PACKET, 0xC6120001L, 0xC61200C8L, 1))));
        int cpu = lastCpu();
        List<Integer> cpus = cpu == 0 ? List.of(0) : List.of(0, cpu);
        Transmitter.Builder b = Transmitter.builder("lo", set).cpus(cpus).duration(Duration.ofSeconds(30));
        Ran g = compare("per flow", set, b, cpu, set.seedFrame(), 500, null);
        int rank = cpus.indexOf(cpu);
        long k = 250L * cpus.size() + rank;
        assertEquals(5201 + k % 100, ByteBuffer.wrap(g.frames.get(250), 34, 2).getShort() & 0xffff, "source port of flow k mod 100");
        // 100 flows over 30 ports: not a multiple, k mod flows needs dividing, and the C program does it
        CompiledSet uneven = set(udp(64, true, 100, List.of(FieldRule.increment(34, 2, flow, 5201, 5230, 1))));
        assertEquals("rule 0 is not counted with a cursor", ineligible(Transmitter.builder("lo", uneven)
                .cpus(List.of(0)).duration(Duration.ofSeconds(1)).build()));
    }

    /**
     * Paced, 10 Mpps: one slot every 100 ns, and the calls come microseconds apart, so every slot
     * is due and the run falls behind; both programs send every slot and count a deficit.
     */
    @Test
    void pacedBehindSendsEverySlotAndCountsTheDeficit() throws Exception {
        Privileged.require();
        CompiledSet set = set(udp(64, true, FOUR));
        Transmitter.Builder b = Transmitter.builder("lo", set).cpus(List.of(0)).pps(10_000_000).batchSize(4)
                .startAt(System.nanoTime() + 200_000_000L).duration(Duration.ofSeconds(30));
        Ran g = compare("paced, behind", set, b, 0, set.seedFrame(), 300, null, true);
        for (int i = 0; i < 300; i++) {
            assertEquals(3, g.verdicts[i], "slot " + i + " is due");
        }
        assertTrue(g.state.getLong(Structs.TxState.DEFICIT) > 0, "calls microseconds apart give departures up");
        assertEquals(0, g.state.getLong(Structs.TxState.PACED_SKIPS));
    }

    /** Paced, 10 pps: the first slot at the start departs, the ones right after it are early and dropped. */
    @Test
    void pacedEarlySlotsAreDroppedAndCounted() throws Exception {
        Privileged.require();
        CompiledSet set = set(udp(64, true, FOUR));
        Transmitter.Builder b = Transmitter.builder("lo", set).cpus(List.of(0)).pps(10).batchSize(4)
                .startAt(System.nanoTime() + 200_000_000L).duration(Duration.ofSeconds(30));
        Ran g = compare("paced, early", set, b, 0, set.seedFrame(), 50, null, true);
        assertEquals(3, g.verdicts[0]);
        for (int i = 1; i < 50; i++) {
            assertEquals(1, g.verdicts[i], "slot " + i + " is early");
        }
        assertEquals(49, g.state.getLong(Structs.TxState.PACED_SKIPS));
        assertEquals(1, g.state.getLong(Structs.TxState.SEQ));
        assertEquals(0, g.state.getLong(Structs.TxState.DEFICIT));
    }

    private static PacketTemplate stream(int size, int stream, int weight) {
        PacketTemplate t = udp(size, true, List.of());
        return new PacketTemplate(t.frame(), stream, weight, 1, t.mhOffset(), List.of(), t.checksums());
    }

    private static CompiledSet several(PacketTemplate... ts) {
        return TemplateCompiler.compile(new TemplateSet(AbiVersion.HOST, List.of(ts)), 1500, 7);
    }

    /**
     * Several templates without rules: a size mix in one stream, imix's sizes as streams of their
     * own, two streams of one size; from the second of two CPUs, so that the cycle moves by two.
     * Each frame is its template at its length, with its stream's sequence number.
     */
    @Test
    void sizeMixesAndStreams() throws Exception {
        Privileged.require();
        int cpu = lastCpu();
        List<Integer> cpus = cpu == 0 ? List.of(0) : List.of(0, cpu);
        Map<String, CompiledSet> sets = new java.util.LinkedHashMap<>();
        sets.put("a size mix in one stream", several(stream(64, 0, 7), stream(590, 0, 4), stream(1514, 0, 1)));
        sets.put("imix, a stream a size", several(stream(64, 0, 7), stream(590, 1, 4), stream(1514, 2, 1)));
        sets.put("two streams of 64 bytes", several(stream(64, 4, 1), stream(64, 5, 3)));
        for (var e : sets.entrySet()) {
            CompiledSet set = e.getValue();
            assertEquals(Structs.COPY_RANGE, set.copy(), e.getKey());
            Transmitter.Builder b = Transmitter.builder("lo", set).cpus(cpus).count(1000);
            Ran g = compare(e.getKey(), set, b, cpu, set.seedFrame(), 600, null);
            long bytes = 0;
            for (int i = 0; i < 500; i++) {
                bytes += g.frames.get(i).length;
            }
            assertEquals(500, g.state.getLong(Structs.TxState.SENT_PACKETS), e.getKey() + ": a budget of 500 a CPU");
            assertEquals(bytes, g.state.getLong(Structs.TxState.SENT_BYTES), e.getKey());
            assertTrue(g.frames.subList(0, 500).stream().anyMatch(f -> f.length != set.seedFrame().length)
                    || e.getKey().startsWith("two"), e.getKey() + ": frames shorter than the longest template");
        }
    }

    @Test
    void rulesWithoutTheHeader() throws Exception {
        Privileged.require();
        CompiledSet set = set(udp(96, false, WIDTHS.subList(0, 4)));
        Transmitter.Builder b = Transmitter.builder("lo", set).cpus(List.of(0)).count(5000);
        compare("no header", set, b, 0, set.seedFrame(), 700, null);
    }

    @Test
    void aFrameShorterThanTheTemplateIsGivenUpAndCounted() throws Exception {
        Privileged.require();
        CompiledSet set = set(udp(64, true, FOUR));
        Transmitter.Builder b = Transmitter.builder("lo", set).cpus(List.of(0)).duration(Duration.ofSeconds(30));
        Ran g = compare("short frame", set, b, 0, Arrays.copyOf(set.seedFrame(), 40), 200, null);
        assertEquals(0, g.verdicts[5], "XDP_ABORTED");
        assertEquals(200, g.state.getLong(Structs.TxState.UNSENT));
    }

    @Test
    void theStopFlagDropsFromTheNextClockRead() throws Exception {
        Privileged.require();
        CompiledSet set = set(udp(64, true, FOUR));
        Transmitter.Builder b = Transmitter.builder("lo", set).cpus(List.of(0)).duration(Duration.ofSeconds(30));
        Ran g = compare("stopped", set, b, 0, set.seedFrame(), 300, Transmitter::stop);
        assertEquals(3, g.verdicts[126], "slot 126 is between clock reads");
        assertEquals(1, g.verdicts[127], "slot 127 reads the clock and sees the stop");
        assertEquals(1, g.verdicts[299]);
    }

    @Test
    void runsTheProgramDoesNotCoverLoadTheCompiledOne() {
        CompiledSet one = set(udp(64, true, FOUR));
        assertEquals("test hooks", ineligible(Transmitter.builder("lo", one).cpus(List.of(0))
                .testHooks(List.of(TestHook.drop(3))).duration(Duration.ofSeconds(1)).build()));
        CompiledSet random = set(udp(64, true, List.of(FieldRule.random(34, 2, PACKET, 0, 65535))));
        assertEquals("rule 0 is not counted with a cursor", ineligible(Transmitter.builder("lo", random)
                .cpus(List.of(0)).duration(Duration.ofSeconds(1)).build()));
        CompiledSet two = TemplateCompiler.compile(new TemplateSet(AbiVersion.HOST, List.of(udp(64, true, FOUR),
                udp(128, true, List.of()))), 1500, 7);
        assertEquals("several templates, and template 0 has rules", ineligible(Transmitter.builder("lo", two).cpus(List.of(0))
                .duration(Duration.ofSeconds(1)).build()));
    }
}
