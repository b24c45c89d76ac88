package dev.xdperf.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The libbpf binding against the real kernel: load, maps, per-CPU reads, live frames. */
class BpfObjectTest {
    @BeforeEach
    void privileged() {
        Privileges.requireBpf();
    }

    @Test
    void mapsRoundTripAndPerCpuValuesAreSeparate() {
        try (BpfObject o = BpfObject.loadBundled("tx", List.of("xdp_tx", "xdp_pass"))) {
            BpfMap cfg = o.map(".bss");
            assertEquals(Structs.TxConfig.SIZE, cfg.valueSize());
            ByteBuffer v = BpfMap.allocate(Structs.TxConfig.SIZE);
            v.putLong(Structs.TxConfig.END_NS, 12345);
            v.putInt(Structs.TxConfig.STOP, 42);
            cfg.update(0, v);
            ByteBuffer back = cfg.lookup(0);
            assertEquals(12345, back.getLong(Structs.TxConfig.END_NS));
            assertEquals(42, back.getInt(Structs.TxConfig.STOP));

            BpfMap state = o.map("tx_state");
            assertTrue(state.perCpu());
            ByteBuffer[] perCpu = new ByteBuffer[Cpus.possible()];
            for (int c = 0; c < perCpu.length; c++) {
                perCpu[c] = BpfMap.allocate(Structs.TxState.SIZE).putLong(Structs.TxState.LIMIT, 100 + c);
            }
            state.updatePerCpu(0, perCpu);
            ByteBuffer[] read = state.lookupPerCpu(0);
            for (int c = 0; c < read.length; c++) {
                assertEquals(100 + c, read[c].getLong(Structs.TxState.LIMIT), "CPU " + c);
            }
            assertEquals(Cpus.possible() * 100L + (long) Cpus.possible() * (Cpus.possible() - 1) / 2,
                    state.sumPerCpu(0, Structs.TxState.LIMIT));
            assertThrows(BpfException.class, () -> cfg.lookup(5), "index beyond max_entries");
        }
    }

    @Test
    void onlyTheProgramsAskedForAreLoaded() {
        try (BpfObject o = BpfObject.loadBundled("tx", List.of("xdp_pass"))) {
            assertTrue(o.program("xdp_pass").fd() >= 0);
            BpfException e = assertThrows(BpfException.class, () -> o.program("xdp_tx"));
            assertTrue(e.getMessage().contains("not loaded"), e.getMessage());
            assertEquals(Structs.TxConfig.SIZE, o.map(".bss").valueSize(), "the maps exist all the same");
        }
    }

    @Test
    void liveFramesRunCountsEveryIterationOnThePinnedCpu() {
        Features.requireLiveFrames();
        try (BpfObject o = BpfObject.loadBundled("tx", List.of("xdp_tx"))) {
            // stop=1: every iteration returns XDP_DROP, nothing leaves; the run itself must succeed.
            ByteBuffer cfg = BpfMap.allocate(Structs.TxConfig.SIZE);
            cfg.putInt(Structs.TxConfig.STOP, 1);
            o.map(".bss").update(0, cfg);
            Cpus.pinCurrentThread(0);
            new LiveFrames(o.program("xdp_tx"), new byte[64], 0, 0, 64).run(1000);
            assertEquals(0, o.map("tx_state").sumPerCpu(0, Structs.TxState.SENT_PACKETS));
            assertEquals(0, o.map("tx_state").sumPerCpu(0, Structs.TxState.SEQ), "no slot was numbered");
        }
    }

    @Test
    void aMissingProgramIsNamed() {
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.loadBundled("tx", List.of("no_such_prog")));
        assertTrue(e.getMessage().contains("no program no_such_prog"), e.getMessage());
    }

    @Test
    void unknownInterfaceIsOneSentence() {
        BpfException e = assertThrows(BpfException.class, () -> NetDevices.ifindex("nope0"));
        assertEquals("find interface nope0: no such interface (see 'ip link' for the interfaces in this network namespace)",
                e.getMessage());
    }
}
