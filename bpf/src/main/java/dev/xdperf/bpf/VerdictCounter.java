package dev.xdperf.bpf;

import java.util.List;

/**
 * Counts the actions an XDP program returns without changing it: an fexit program (bundled
 * {@code verdict.bpf.o}) loaded against the target program's fd and BTF function name and
 * attached through a link. The target must carry BTF (built with {@code clang -g}).
 * The counter's own run time shows in the target's statistics (the trampoline runs inside
 * it), so {@link #runTimeNs()} is there to subtract.
 */
public final class VerdictCounter implements AutoCloseable {
    /** The XDP actions in the order of the counter's slots; the last slot counts anything else. */
    public static final List<String> ACTIONS = List.of("aborted", "drop", "pass", "tx", "redirect", "other");

    private final BpfObject object;
    private final TracingLink link;

    private VerdictCounter(BpfObject object, TracingLink link) {
        this.object = object;
        this.link = link;
    }

    /** Attaches to {@code target}, whose BTF function is {@code function} (for libbpf-loaded programs, its name). */
    public static VerdictCounter attach(BpfProgram target, String function) {
        BpfObject.Opened opened = BpfObject.open("verdict", BpfObject.bundled("verdict"));
        BpfObject o;
        try {
            opened.setAutoload("xdp_exception", false);
            opened.setAttachTarget("xdp_verdict", target.fd(), function);
            o = opened.load();
        } catch (BpfException e) {
            opened.close();
            if (e.errno() == 1 || e.errno() == 13) {
                throw new BpfException("count the verdicts of " + target.name() + ": load program xdp_verdict:"
                        + " this kernel refuses fexit programs (operation not permitted, as root: a lockdown or LSM policy)", e.errno());
            }
            throw new BpfException("count the verdicts of " + target.name() + ": " + e.getMessage()
                    + (e instanceof VerifierException ? "" : " (the program needs BTF: build it with clang -g)"), e.errno());
        }
        try {
            return new VerdictCounter(o, TracingLink.fexit(o.program("xdp_verdict")));
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
        return ProgramInfo.of(object.program("xdp_verdict").fd()).runTimeNs();
    }

    public ProgramInfo info() {
        return ProgramInfo.of(object.program("xdp_verdict").fd());
    }

    @Override
    public void close() {
        link.close();
        object.close();
    }
}
