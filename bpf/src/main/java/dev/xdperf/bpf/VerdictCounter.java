package dev.xdperf.bpf;

import java.util.List;
import java.util.function.Function;

/**
 * Counts per action what one XDP program returns, without changing it (bundled
 * {@code verdict.bpf.o}), from one of two hooks, each attached through a link:
 * <ul>
 * <li>{@link #attach}: an fexit program loaded against the target's fd and BTF function name
 * sees every run. The target must carry BTF (built with {@code clang -g}). The counter's own
 * run time shows in the target's statistics (the trampoline runs inside it), so
 * {@link #runTimeNs()} is there to subtract.</li>
 * <li>{@link #attachExceptions}: the xdp:xdp_exception tracepoint sees only the runs that ended
 * in XDP_ABORTED or an invalid action, and the XDP_TX or redirected frames the driver failed to
 * send. It costs the program nothing (it fires only on exceptions) and needs no tracefs.</li>
 * </ul>
 */
public final class VerdictCounter implements AutoCloseable {
    /** The XDP actions in the order of the counter's slots; the last slot counts anything else. */
    public static final List<String> ACTIONS = List.of("aborted", "drop", "pass", "tx", "redirect", "other");

    private static final String FEXIT = "xdp_verdict";
    private static final String EXCEPTION = "xdp_exception";

    private final BpfObject object;
    private final String program;
    private final TracingLink link;

    private VerdictCounter(BpfObject object, String program, TracingLink link) {
        this.object = object;
        this.program = program;
        this.link = link;
    }

    /** Counts every run of {@code target}, whose BTF function is {@code function} (for libbpf-loaded programs, its name). */
    public static VerdictCounter attach(BpfProgram target, String function) {
        BpfObject.Opened opened = open(FEXIT);
        BpfObject o;
        try {
            opened.setAttachTarget(FEXIT, target.fd(), function);
            o = opened.load();
        } catch (BpfException e) {
            opened.close();
            if (e.errno() == 1 || e.errno() == 13) {
                throw new BpfException("count the verdicts of " + target.name() + ": load program " + FEXIT + ":"
                        + " this kernel refuses fexit programs (operation not permitted, as root: a lockdown or LSM policy)", e.errno());
            }
            throw new BpfException("count the verdicts of " + target.name() + ": " + e.getMessage()
                    + (e instanceof VerifierException ? "" : " (the program needs BTF: build it with clang -g)"), e.errno());
        }
        return linked(o, FEXIT, TracingLink::fexit);
    }

    /** Counts the exceptions of the program with kernel id {@code programId} (aborted and invalid actions, failed sends). */
    public static VerdictCounter attachExceptions(int programId) {
        BpfObject.Opened opened = open(EXCEPTION);
        BpfObject o;
        try {
            o = opened.load();
        } catch (BpfException e) {
            opened.close();
            throw new BpfException("count XDP exceptions: " + e.getMessage(), e.errno());
        }
        return linked(o, EXCEPTION, p -> {
            o.map("verdict_target").update(0, BpfMap.allocate(4).putInt(0, programId));
            return TracingLink.rawTracepoint(p);
        });
    }

    /** The bundled object with only {@code program} to load: the other hook's program needs what this one lacks. */
    private static BpfObject.Opened open(String program) {
        BpfObject.Opened opened = BpfObject.openBundled("verdict");
        opened.setAutoload(program.equals(FEXIT) ? EXCEPTION : FEXIT, false);
        return opened;
    }

    private static VerdictCounter linked(BpfObject o, String program, Function<BpfProgram, TracingLink> attach) {
        try {
            return new VerdictCounter(o, program, attach.apply(o.program(program)));
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** Counts per action, summed over CPUs, in the order of {@link #ACTIONS}. */
    public long[] counts() {
        BpfMap m = object.map("verdicts");
        long[] out = new long[Structs.VERDICTS];
        for (int i = 0; i < out.length; i++) {
            out[i] = m.sumPerCpu(i, 0);
        }
        return out;
    }

    /** The counter's own accumulated run time (while statistics are on). */
    public long runTimeNs() {
        return info().runTimeNs();
    }

    public ProgramInfo info() {
        return ProgramInfo.of(object.program(program).fd());
    }

    @Override
    public void close() {
        link.close();
        object.close();
    }
}
