package dev.xdperf.bench;

import dev.xdperf.bpf.BpfException;
import dev.xdperf.bpf.VerdictCounter;
import dev.xdperf.net.XdpRxCounters;
import java.util.List;
import java.util.Optional;

/**
 * Counts what the program under test returns, without changing it. In order of preference:
 * the device's XDP counters (veth) together with the xdp:xdp_exception tracepoint, which
 * tells aborted and invalid actions apart from drops (exact, and free: nothing extra runs per
 * packet); else an fexit program on the program under test (exact, any driver; its own run
 * time is subtracted from the program's, the trampoline's few ns are not); else the
 * tracepoint alone (aborted only).
 */
abstract class VerdictProbe implements AutoCloseable {
    static final int ABORTED = 0;
    static final int DROP = 1;
    static final int PASS = 2;
    static final int TX = 3;
    static final int REDIRECT = 4;
    static final int OTHER = 5;

    /** Where the counts come from, for the report. */
    abstract String source();

    /** False when only some actions can be told apart. */
    abstract boolean complete();

    /** Cumulative counts per action, in the order of {@link VerdictCounter#ACTIONS}. */
    abstract long[] counts();

    /** The probe's own run time inside the program's statistics (fexit runs inside it). */
    long ownRunTimeNs() {
        return 0;
    }

    @Override
    public abstract void close();

    /** Which probe to use: the best available, or one in particular (failing with its reason when it cannot be had). */
    enum Choice {
        AUTO, FEXIT, DEVICE;

        static Choice parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "auto" -> AUTO;
                case "fexit" -> FEXIT;
                case "device" -> DEVICE;
                default -> throw new IllegalArgumentException("--verdicts must be auto, fexit or device, not '" + s + "'");
            };
        }
    }

    /**
     * The best probe this kernel and device allow; {@code warnings} learns why a better one was
     * not possible. Device counters come first where the device has them: exact and free.
     */
    static VerdictProbe open(ProgramUnderTest p, String ifname, Choice choice, List<String> warnings) {
        Optional<XdpRxCounters> dev = ifname == null || choice == Choice.FEXIT ? Optional.empty() : XdpRxCounters.read(ifname);
        if (choice == Choice.DEVICE && dev.isEmpty()) {
            throw new IllegalArgumentException("count verdicts from the device: " + ifname
                    + " does not report XDP verdicts per queue as veth does (use --verdicts fexit or auto)");
        }
        String fexitFailure = null;
        if (dev.isEmpty()) {
            try {
                return new Fexit(VerdictCounter.attach(p.program(), p.name()));
            } catch (BpfException e) {
                if (choice == Choice.FEXIT) {
                    throw e;
                }
                fexitFailure = e.getMessage();
            }
        }
        VerdictCounter exceptions;
        try {
            exceptions = VerdictCounter.attachExceptions(p.id());
        } catch (BpfException e) {
            warnings.add("no verdict mix: " + (fexitFailure != null ? fexitFailure + "; and " : "") + e.getMessage());
            return new None();
        }
        if (dev.isPresent()) {
            return new DeviceAndExceptions(ifname, dev.get(), exceptions);
        }
        warnings.add("verdict mix incomplete: only aborted runs are counted (" + fexitFailure
                + "; and " + ifname + " does not report XDP verdicts per queue as veth does)");
        return new ExceptionsOnly(exceptions);
    }

    private static final class Fexit extends VerdictProbe {
        private final VerdictCounter counter;

        Fexit(VerdictCounter counter) {
            this.counter = counter;
        }

        @Override
        String source() {
            return "fexit";
        }

        @Override
        boolean complete() {
            return true;
        }

        @Override
        long[] counts() {
            return counter.counts();
        }

        @Override
        long ownRunTimeNs() {
            return counter.runTimeNs();
        }

        @Override
        public void close() {
            counter.close();
        }
    }

    /**
     * veth: xdp_drops holds drop, aborted and invalid actions (the tracepoint separates them);
     * a tx the device could not send fires the tracepoint and lands in its drops; the rest of
     * its drops are failed redirects. Pass is what remains.
     */
    private static final class DeviceAndExceptions extends VerdictProbe {
        private final String ifname;
        private final XdpRxCounters start;
        private final VerdictCounter exceptions;

        DeviceAndExceptions(String ifname, XdpRxCounters start, VerdictCounter exceptions) {
            this.ifname = ifname;
            this.start = start;
            this.exceptions = exceptions;
        }

        @Override
        String source() {
            return "device counters of " + ifname + " and xdp:xdp_exception";
        }

        @Override
        boolean complete() {
            return true;
        }

        @Override
        long[] counts() {
            XdpRxCounters d = XdpRxCounters.read(ifname).orElse(start).minus(start);
            long[] e = exceptions.counts();
            long[] out = new long[VerdictCounter.ACTIONS.size()];
            out[ABORTED] = e[ABORTED];
            out[OTHER] = e[OTHER];
            out[DROP] = Math.max(0, d.drops() - e[ABORTED] - e[OTHER]);
            out[TX] = d.tx() + e[TX];
            out[REDIRECT] = d.redirect() + Math.max(0, d.errors() - e[TX]);
            out[PASS] = Math.max(0, d.packets() - out[ABORTED] - out[OTHER] - out[DROP] - out[TX] - out[REDIRECT]);
            return out;
        }

        @Override
        public void close() {
            exceptions.close();
        }
    }

    private static final class ExceptionsOnly extends VerdictProbe {
        private final VerdictCounter exceptions;

        ExceptionsOnly(VerdictCounter exceptions) {
            this.exceptions = exceptions;
        }

        @Override
        String source() {
            return "xdp:xdp_exception (aborted only)";
        }

        @Override
        boolean complete() {
            return false;
        }

        @Override
        long[] counts() {
            return exceptions.counts();
        }

        @Override
        public void close() {
            exceptions.close();
        }
    }

    private static final class None extends VerdictProbe {
        @Override
        String source() {
            return "none";
        }

        @Override
        boolean complete() {
            return false;
        }

        @Override
        long[] counts() {
            return new long[VerdictCounter.ACTIONS.size()];
        }

        @Override
        public void close() {
        }
    }
}
