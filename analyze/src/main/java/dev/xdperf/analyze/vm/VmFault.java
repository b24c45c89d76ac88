package dev.xdperf.analyze.vm;

import dev.xdperf.analyze.AnalyzeException;

/**
 * A run of a program that cannot continue: an access outside every region, a write to
 * read-only memory, an unsupported instruction or helper, the instruction budget. The
 * kernel's verifier would reject most of these programs; here they fail one packet.
 */
public final class VmFault extends AnalyzeException {
    private final int pc;
    private final String kind;

    public VmFault(int pc, String kind, String message) {
        super(message);
        this.pc = pc;
        this.kind = kind;
    }

    public int pc() {
        return pc;
    }

    /** A short class of fault for grouping: "memory", "instruction", "helper", "budget", "map". */
    public String kind() {
        return kind;
    }
}
