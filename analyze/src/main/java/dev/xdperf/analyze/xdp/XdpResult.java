package dev.xdperf.analyze.xdp;

import dev.xdperf.analyze.trace.PathCondition;
import dev.xdperf.analyze.vm.VmFault;
import java.util.BitSet;

/**
 * What one run of an XDP program did to one packet.
 *
 * @param action the program's return value (an XDP action for well-behaved programs)
 * @param output the packet afterwards, from data_meta to data_end (what BPF_PROG_TEST_RUN returns)
 * @param metaLength bytes of metadata at the start of {@code output}
 * @param redirect where bpf_redirect or bpf_redirect_map sent it (an ifindex), or 0
 * @param fault why the run stopped early, or null
 * @param trace what the trace extractor saw, or null when the run was not traced
 */
public record XdpResult(int action, byte[] output, int metaLength, long instructions, int redirect, VmFault fault,
                        Trace trace) {
    public static final int ABORTED = 0;
    public static final int DROP = 1;
    public static final int PASS = 2;
    public static final int TX = 3;
    public static final int REDIRECT = 4;

    /**
     * The trace of a run: digest of the instruction sequence, branch decisions, packet bytes
     * read and written. {@code untraceable} is null when the path is a function of the packet.
     * {@code entries} are the map entries it looked up: it holds for their contents only.
     */
    public record Trace(long digest1, long digest2, PathCondition condition, BitSet reads, BitSet writes,
                        String untraceable, java.util.List<dev.xdperf.analyze.trace.Expr.MapRead> entries) {
        public Trace {
            entries = java.util.List.copyOf(entries);
        }

        public boolean traceable() {
            return untraceable == null;
        }
    }

    /** The fault kind of a frame the kernel would not run the program on (under 14 bytes). */
    public static final String REFUSED = "refused";

    public boolean faulted() {
        return fault != null;
    }

    /** The kernel would not have run the program on this frame: no verdict, no trace. */
    public boolean refused() {
        return fault != null && REFUSED.equals(fault.kind());
    }

    /** The packet without metadata. */
    public byte[] packet() {
        return java.util.Arrays.copyOfRange(output, metaLength, output.length);
    }

    public static String actionName(int action) {
        return switch (action) {
            case ABORTED -> "XDP_ABORTED";
            case DROP -> "XDP_DROP";
            case PASS -> "XDP_PASS";
            case TX -> "XDP_TX";
            case REDIRECT -> "XDP_REDIRECT";
            default -> "action " + Integer.toUnsignedString(action);
        };
    }

    public String verdict() {
        return refused() ? REFUSED : fault != null ? "fault" : actionName(action);
    }
}
