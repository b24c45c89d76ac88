package dev.xdperf.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What `xdperf bench` is built on: run-time statistics, program info, test runs, the fexit verdict counter. */
class BenchPrimitivesTest {
    private static final byte[] FRAME = new byte[64];

    @BeforeEach
    void privileged() {
        Privileges.requireBpf();
    }

    @Test
    void statsCountTestRunsAndTheCounterSeesEveryVerdict() {
        try (BpfObject o = BpfObject.loadBundled("tx", List.of("xdp_pass"));
             BpfStats stats = BpfStats.enableRunTime()) {
            BpfProgram pass = o.program("xdp_pass");
            ProgramInfo before = ProgramInfo.of(pass.fd());
            assertEquals(ProgramInfo.TYPE_XDP, before.type());
            assertEquals("xdp_pass", before.name());
            assertEquals(16, before.tag().length());

            TestRun.Result r = new TestRun(pass, FRAME).run(1000);
            assertEquals(2, r.retval(), "XDP_PASS");
            ProgramInfo after = ProgramInfo.of(pass.fd());
            assertEquals(1000, after.runCount() - before.runCount());
            assertTrue(after.runTimeNs() > before.runTimeNs(), "run time accumulates while stats are on");

            try (VerdictCounter counter = VerdictCounter.attach(pass, "xdp_pass")) {
                new TestRun(pass, FRAME).run(777);
                long[] counts = counter.counts();
                assertEquals(777, counts[2], "pass");
                assertEquals(777, java.util.Arrays.stream(counts).sum(), "nothing else");
                assertEquals(ProgramInfo.TYPE_TRACING, counter.info().type());
                assertEquals(777, counter.info().runCount());
            } catch (BpfException e) {
                // Some kernels refuse fentry/fexit even to root (seen here: a sandboxed 6.18 says EPERM):
                // then the failure must say what could not be done, and bench falls back to device counters.
                assertTrue(e.getMessage().startsWith("count the verdicts of xdp_pass: load program xdp_verdict")
                        || e.getMessage().startsWith("count the verdicts of xdp_pass: load object verdict"), e.getMessage());
            }
            try (VerdictCounter exceptions = VerdictCounter.attachExceptions(after.id())) {
                new TestRun(pass, FRAME).run(10);
                assertEquals(0, java.util.Arrays.stream(exceptions.counts()).sum(), "a test run raises no XDP exception");
                assertEquals("xdp_exception", exceptions.info().name());
            }
        }
    }

    @Test
    void openListsProgramsAndRefusesWhatIsNotBpf() {
        try (BpfObject.Opened opened = BpfObject.open("tx", BpfObject.bundled("tx"))) {
            BpfObject.ProgramSpec spec = opened.spec("xdp_pass");
            assertEquals(ProgramInfo.TYPE_XDP, spec.type());
            assertEquals("xdp", spec.section());
        }
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.open("junk.o", "not an ELF file".getBytes()));
        assertTrue(e.getMessage().startsWith("open object junk.o: not a BPF object file"), e.getMessage());
    }
}
