package dev.xdperf.analyze.vm;

/**
 * Observes an {@link Interpreter} step by step: ALU operations, byte swaps, atomics and
 * accesses ({@link #address}) are reported before their concrete effect, loads, stores,
 * branches and wide immediates after it. The trace extractor implements
 * it to follow which values depend on the packet.
 */
public interface Tracking {
    /** Before every instruction. */
    void step(int pc);

    /** dst = dst OP src (src is a register, or -1 with the operand {@code operand}); dst still holds its old value. */
    void alu(int pc, int code, boolean is32, int dst, int src, long operand, int offset);

    void endian(int pc, int dst, int width, boolean swap);

    /** dst now holds a value that does not depend on the input (a wide immediate, a map address). */
    void constant(int pc, int dst);

    /** Before a load or store through register {@code base}, at {@code addr}. */
    void address(int pc, int base, long addr);

    void load(int pc, int dst, long addr, int size, boolean signExtend);

    /** A store of register {@code src}, or of an immediate when src is -1. */
    void store(int pc, long addr, int size, int src);

    /** An atomic read-modify-write at addr; called before memory, src and r0 change. */
    void atomic(int pc, int op, long addr, int size, int src);

    void branch(int pc, int code, boolean is32, int dst, int src, long operand, boolean taken);

    /** A call to a subprogram; {@code depth} is the new depth. */
    void enter(int pc, int depth);

    /** The return from a subprogram to {@code pc}. */
    void leave(int pc, int depth);
}
