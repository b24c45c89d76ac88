package dev.xdperf.analyze.object;

import java.util.List;

/**
 * One program, linked: its own instructions followed by every subprogram it calls (calls
 * rewritten to relative offsets within this array). Map references are wide immediates with
 * src_reg {@code PSEUDO_MAP_IDX} (imm = map index) or {@code PSEUDO_MAP_IDX_VALUE} (imm = map
 * index, second half = offset into the value), indexes into {@link ObjectSpec#maps()}.
 *
 * @param functions where each function of the linked program starts, in order
 */
public record ProgramSpec(String name, String section, long[] instructions, List<Function> functions) {
    public static final int PSEUDO_MAP_IDX = 5;
    public static final int PSEUDO_MAP_IDX_VALUE = 6;

    /** A function inside a linked program. */
    public record Function(String name, int start) {
    }

    public ProgramSpec {
        instructions = instructions.clone();
        functions = List.copyOf(functions);
    }

    @Override
    public long[] instructions() {
        return instructions.clone();
    }

    public int length() {
        return instructions.length;
    }

    /** "func+off" for an instruction index, for messages. */
    public String where(int pc) {
        Function best = null;
        for (Function f : functions) {
            if (f.start() <= pc) {
                best = f;
            }
        }
        return best == null ? "insn " + pc : best.name() + "+" + (pc - best.start());
    }

    /** Program types by section prefix, as libbpf names them. */
    public boolean isXdp() {
        return section.equals("xdp") || section.startsWith("xdp/") || section.startsWith("xdp.") || section.startsWith("xdp_");
    }
}
