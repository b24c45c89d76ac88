package dev.xdperf.analyze.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.Analysis;
import dev.xdperf.analyze.Analyzer;
import dev.xdperf.analyze.object.ObjectSpec;
import dev.xdperf.analyze.object.ProgramSpec;
import dev.xdperf.analyze.testing.Kernel;
import dev.xdperf.analyze.vm.Asm;
import dev.xdperf.bpf.BpfException;
import dev.xdperf.bpf.RawProgram;
import dev.xdperf.bpf.TestRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the kernel will not run, the interpreter does not trace: frames under 14 bytes are
 * refused (BPF_PROG_TEST_RUN fails with EINVAL), and an indirect call through a register
 * (LLVM's callx, opcode 0x8d) is named as such, not as an unknown helper.
 */
class RefusedRunsTest {
    /** r0 = XDP_PASS; exit */
    static final long[] PASS = new Asm().insn(0xb7, 0, 0, 0, 2).exit().build();
    /** r2 = 0; call %r2 (callx: BPF_JMP | BPF_CALL | BPF_X, register in dst_reg); r0 = XDP_PASS; exit */
    static final long[] CALLX = new Asm().insn(0xb7, 2, 0, 0, 0).insn(0x8d, 2, 0, 0, 0).insn(0xb7, 0, 0, 0, 2).exit().build();

    static ObjectSpec object(String name, long[] insns) {
        ProgramSpec p = new ProgramSpec(name, "xdp", insns, List.of(new ProgramSpec.Function(name, 0)));
        return new ObjectSpec(name + ".o", List.of(p), List.of(), "GPL");
    }

    static XdpMachine machine(String name, long[] insns) {
        ObjectSpec o = object(name, insns);
        return XdpMachine.builder(o, o.programs().get(0)).build();
    }

    @Test
    void framesUnderAnEthernetHeaderAreRefusedWithoutATrace() {
        XdpMachine m = machine("pass", PASS);
        for (int len = 0; len < 14; len++) {
            XdpResult r = m.run(new byte[len], true);
            assertTrue(r.refused(), "length " + len);
            assertEquals("refused", r.verdict());
            assertNull(r.trace(), "no trace for a frame the kernel does not run");
            assertEquals(0, r.instructions());
        }
        XdpResult ok = m.run(new byte[14], true);
        assertFalse(ok.faulted());
        assertEquals(XdpResult.PASS, ok.action());
        assertNotNull(ok.trace());

        Analysis a = Analyzer.builder(object("pass", PASS)).cacheSizes(List.of(1)).build()
                .run(List.of(new byte[13], new byte[64], new byte[1], new byte[60]));
        assertEquals(2, a.traceablePackets());
        assertEquals(2, a.faultedPackets());
        assertEquals(2L, a.verdicts().get("refused"), a.verdicts().toString());
        assertEquals(List.of(XdpMachine.REFUSED_MESSAGE), List.copyOf(a.faults().keySet()));
    }

    @Test
    void theKernelRefusesThemToo() {
        Kernel.require();
        try (RawProgram p = RawProgram.loadXdp("pass", PASS)) {
            BpfException e = assertThrows(BpfException.class, () -> TestRun.run(p.program(), new byte[13], 1));
            assertTrue(e.getMessage().contains("invalid argument"), e.getMessage());
            assertEquals(XdpResult.PASS, TestRun.run(p.program(), new byte[14], 1).retval());
        }
    }

    @Test
    void callxIsNamedWithItsCause() {
        XdpResult r = machine("callx", CALLX).run(new byte[64], true);
        assertTrue(r.faulted());
        String m = r.fault().getMessage();
        assertTrue(m.contains("call %r2 (callx, opcode 0x8d): an indirect call through a register, which the kernel's verifier"
                + " rejects"), m);
        assertFalse(m.contains("helper"), m);
        assertEquals("instruction", r.fault().kind());
    }

    @Test
    void theKernelRejectsCallxAsTheMessageSays() {
        Kernel.require();
        BpfException e = assertThrows(BpfException.class, () -> RawProgram.loadXdp("callx", CALLX).close());
        assertTrue(e.getMessage().contains("unknown opcode 8d"), e.getMessage());
    }
}
