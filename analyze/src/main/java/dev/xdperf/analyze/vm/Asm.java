package dev.xdperf.analyze.vm;

import static dev.xdperf.analyze.vm.Opcodes.*;

import dev.xdperf.analyze.object.ProgramSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small eBPF assembler for tests and experiments: one method per instruction form, labels
 * for jumps and calls, wide immediates and map references. {@code build()} resolves labels.
 *
 * <pre>{@code
 * long[] code = new Asm().mov(0, 1).jmp(JEQ, 1, 0, "out").mov(0, 2).label("out").exit().build();
 * }</pre>
 */
public final class Asm {
    private final List<long[]> insns = new ArrayList<>();  // {op, dst, src, off, imm, labelRef(-1 none), refKind}
    private final List<String> refs = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();
    private final List<ProgramSpec.Function> functions = new ArrayList<>();

    private static final int REF_OFF = 1;
    private static final int REF_IMM = 2;

    public static long encode(int op, int dst, int src, int off, int imm) {
        return (op & 0xffL) | ((long) (dst & 0xf) << 8) | ((long) (src & 0xf) << 12) | ((long) (off & 0xffff) << 16)
                | ((long) imm << 32);
    }

    public Asm insn(int op, int dst, int src, int off, int imm) {
        insns.add(new long[] {op, dst, src, off, imm, -1, 0});
        return this;
    }

    private Asm ref(int op, int dst, int src, int off, int imm, String label, int kind) {
        refs.add(label);
        insns.add(new long[] {op, dst, src, off, imm, refs.size() - 1, kind});
        return this;
    }

    /** Marks the next instruction. */
    public Asm label(String name) {
        if (labels.put(name, insns.size()) != null) {
            throw new IllegalArgumentException("label " + name + " defined twice");
        }
        return this;
    }

    /** Marks the next instruction as the start of a function (for messages and the program's function list). */
    public Asm function(String name) {
        functions.add(new ProgramSpec.Function(name, insns.size()));
        return label(name);
    }

    public int size() {
        return insns.size();
    }

    // ALU
    public Asm alu64(int code, int dst, int imm) {
        return insn(ALU64 | K | code, dst, 0, 0, imm);
    }

    public Asm alu64x(int code, int dst, int src) {
        return insn(ALU64 | X | code, dst, src, 0, 0);
    }

    public Asm alu32(int code, int dst, int imm) {
        return insn(ALU | K | code, dst, 0, 0, imm);
    }

    public Asm alu32x(int code, int dst, int src) {
        return insn(ALU | X | code, dst, src, 0, 0);
    }

    /** Signed division or modulo (offset 1). */
    public Asm signed64(int code, int dst, int imm) {
        return insn(ALU64 | K | code, dst, 0, 1, imm);
    }

    public Asm signed64x(int code, int dst, int src) {
        return insn(ALU64 | X | code, dst, src, 1, 0);
    }

    public Asm signed32(int code, int dst, int imm) {
        return insn(ALU | K | code, dst, 0, 1, imm);
    }

    public Asm signed32x(int code, int dst, int src) {
        return insn(ALU | X | code, dst, src, 1, 0);
    }

    public Asm mov(int dst, int imm) {
        return alu64(MOV, dst, imm);
    }

    public Asm movx(int dst, int src) {
        return alu64x(MOV, dst, src);
    }

    /** Sign-extending move of the low {@code bits} (8, 16, 32) of src. */
    public Asm movsx(int dst, int src, int bits) {
        return insn(ALU64 | X | MOV, dst, src, bits, 0);
    }

    public Asm movsx32(int dst, int src, int bits) {
        return insn(ALU | X | MOV, dst, src, bits, 0);
    }

    public Asm neg(int dst) {
        return alu64(NEG, dst, 0);
    }

    public Asm neg32(int dst) {
        return alu32(NEG, dst, 0);
    }

    /** le16/le32/le64 or be16/be32/be64 (conversion from host order, little-endian here). */
    public Asm endian(boolean toBigEndian, int dst, int width) {
        return insn(ALU | END | (toBigEndian ? TO_BE : TO_LE), dst, 0, 0, width);
    }

    /** Unconditional byte swap (ALU64 class, cpu v4). */
    public Asm bswap(int dst, int width) {
        return insn(ALU64 | END, dst, 0, 0, width);
    }

    public Asm ldImm64(int dst, long value) {
        insn(LD | IMM | DW, dst, 0, 0, (int) value);
        return insn(0, 0, 0, 0, (int) (value >>> 32));
    }

    public Asm ldMap(int dst, int mapIndex) {
        insn(LD | IMM | DW, dst, ProgramSpec.PSEUDO_MAP_IDX, 0, mapIndex);
        return insn(0, 0, 0, 0, 0);
    }

    public Asm ldMapValue(int dst, int mapIndex, int offset) {
        insn(LD | IMM | DW, dst, ProgramSpec.PSEUDO_MAP_IDX_VALUE, 0, mapIndex);
        return insn(0, 0, 0, 0, offset);
    }

    // memory
    public Asm ldx(int size, int dst, int src, int off) {
        return insn(LDX | MEM | sizeCode(size), dst, src, off, 0);
    }

    public Asm ldxs(int size, int dst, int src, int off) {
        return insn(LDX | MEMSX | sizeCode(size), dst, src, off, 0);
    }

    public Asm st(int size, int dst, int off, int imm) {
        return insn(ST | MEM | sizeCode(size), dst, 0, off, imm);
    }

    public Asm stx(int size, int dst, int off, int src) {
        return insn(STX | MEM | sizeCode(size), dst, src, off, 0);
    }

    public Asm atomic(int size, int op, int dst, int off, int src) {
        return insn(STX | ATOMIC | sizeCode(size), dst, src, off, op);
    }

    // jumps
    public Asm ja(String label) {
        return ref(JMP | JA, 0, 0, 0, 0, label, REF_OFF);
    }

    /** The long jump of cpu v4: JMP32 | JA with the offset in imm. */
    public Asm gotol(String label) {
        return ref(JMP32 | JA, 0, 0, 0, 0, label, REF_IMM);
    }

    public Asm jmp(int code, int dst, int imm, String label) {
        return ref(JMP | K | code, dst, 0, 0, imm, label, REF_OFF);
    }

    public Asm jmpx(int code, int dst, int src, String label) {
        return ref(JMP | X | code, dst, src, 0, 0, label, REF_OFF);
    }

    public Asm jmp32(int code, int dst, int imm, String label) {
        return ref(JMP32 | K | code, dst, 0, 0, imm, label, REF_OFF);
    }

    public Asm jmp32x(int code, int dst, int src, String label) {
        return ref(JMP32 | X | code, dst, src, 0, 0, label, REF_OFF);
    }

    public Asm call(int helper) {
        return insn(JMP | CALL, 0, 0, 0, helper);
    }

    /** A call to a function of this program (bpf-to-bpf). */
    public Asm callLocal(String label) {
        return ref(JMP | CALL, 0, PSEUDO_CALL, 0, 0, label, REF_IMM);
    }

    public Asm exit() {
        return insn(JMP | EXIT, 0, 0, 0, 0);
    }

    public long[] build() {
        long[] out = new long[insns.size()];
        for (int i = 0; i < insns.size(); i++) {
            long[] x = insns.get(i);
            int off = (int) x[3];
            int imm = (int) x[4];
            if (x[5] >= 0) {
                String l = refs.get((int) x[5]);
                Integer target = labels.get(l);
                if (target == null) {
                    throw new IllegalArgumentException("label " + l + " is not defined");
                }
                int rel = target - i - 1;
                if (x[6] == REF_OFF) {
                    if (rel < Short.MIN_VALUE || rel > Short.MAX_VALUE) {
                        throw new IllegalArgumentException("jump to " + l + " is too far for a 16-bit offset");
                    }
                    off = rel;
                } else {
                    imm = rel;
                }
            }
            out[i] = encode((int) x[0], (int) x[1], (int) x[2], off, imm);
        }
        return out;
    }

    public ProgramSpec program(String name) {
        List<ProgramSpec.Function> fs = new ArrayList<>();
        if (functions.isEmpty() || functions.get(0).start() != 0) {
            fs.add(new ProgramSpec.Function(name, 0));
        }
        fs.addAll(functions);
        return new ProgramSpec(name, "xdp", build(), fs);
    }
}
