package dev.xdperf.analyze.vm;

import static dev.xdperf.analyze.vm.Opcodes.*;

import dev.xdperf.analyze.object.ProgramSpec;

/**
 * An eBPF interpreter following RFC 9669: every ALU/ALU64 and JMP/JMP32 operation, byte
 * swaps, sign-extending moves and loads, atomics (including fetch, exchange, compare-exchange,
 * load-acquire and store-release), wide immediates and calls between functions, over a
 * {@link Memory} whose every access is bounds-checked. Helpers come from a {@link HelperHost};
 * a {@link Tracking} observer, when set, sees every step (the trace extractor).
 *
 * <p>One interpreter runs one program; it is not thread-safe.
 */
public final class Interpreter {
    public static final int STACK_SIZE = 512;
    public static final int MAX_CALL_DEPTH = 8;

    /** Calls helpers by number; arguments are in r1..r5, the result goes to r0. */
    public interface HelperHost {
        long call(Interpreter vm, int pc, int helper);
    }

    private final ProgramSpec program;
    private final int n;
    private final int[] op;
    private final int[] dst;
    private final int[] src;
    private final int[] off;
    private final int[] imm;
    private final Memory memory;
    private final HelperHost helpers;
    private final long[] mapHandles;
    private final long[] mapValueBases;
    private final long[] reg = new long[11];
    private final long[][] frames = new long[MAX_CALL_DEPTH][6];
    private Region stack;
    private Tracking tracking;
    private long executed;

    /**
     * @param mapHandles the address loaded for a map reference, per map index
     * @param mapValueBases the address of the value of one-entry maps (global data), per map index, or 0
     */
    public Interpreter(ProgramSpec program, Memory memory, HelperHost helpers, long[] mapHandles, long[] mapValueBases) {
        this.program = program;
        long[] insns = program.instructions();
        this.n = insns.length;
        this.op = new int[n];
        this.dst = new int[n];
        this.src = new int[n];
        this.off = new int[n];
        this.imm = new int[n];
        for (int i = 0; i < n; i++) {
            long x = insns[i];
            op[i] = (int) (x & 0xff);
            dst[i] = (int) ((x >>> 8) & 0xf);
            src[i] = (int) ((x >>> 12) & 0xf);
            off[i] = (short) (x >>> 16);
            imm[i] = (int) (x >> 32);
        }
        this.memory = memory;
        this.helpers = helpers;
        this.mapHandles = mapHandles.clone();
        this.mapValueBases = mapValueBases.clone();
        this.stack = memory.add(Region.Kind.STACK, "stack", new byte[STACK_SIZE * MAX_CALL_DEPTH], true, -1);
    }

    public ProgramSpec program() {
        return program;
    }

    public Memory memory() {
        return memory;
    }

    public Region stack() {
        return stack;
    }

    public void tracking(Tracking t) {
        this.tracking = t;
    }

    public Tracking tracking() {
        return tracking;
    }

    public long reg(int r) {
        return reg[r];
    }

    public void setReg(int r, long v) {
        reg[r] = v;
    }

    /** Instructions executed by the last {@link #run}. */
    public long executed() {
        return executed;
    }

    /** Runs the program from its first instruction with r1 = {@code arg}; returns r0 at exit. */
    public long run(long arg, long budget) {
        try {
            return execute(arg, budget);
        } catch (VmFault f) {
            if (f.kind().equals("memory")) {
                throw new VmFault(f.pc(), f.kind(), program.where(f.pc()) + ": " + f.getMessage());
            }
            throw f;
        }
    }

    private long execute(long arg, long budget) {
        java.util.Arrays.fill(reg, 0);
        java.util.Arrays.fill(stack.data, (byte) 0);
        reg[1] = arg;
        reg[10] = stack.address(STACK_SIZE * MAX_CALL_DEPTH);
        int depth = 0;
        int pc = 0;
        long count = 0;
        Tracking t = tracking;
        while (true) {
            if (pc < 0 || pc >= n) {
                throw new VmFault(pc, "instruction", "jump to instruction " + pc + ", outside the program (0.." + (n - 1) + ")");
            }
            if (++count > budget) {
                executed = count - 1;
                throw new VmFault(pc, "budget", "instruction budget of " + budget + " exceeded at " + program.where(pc)
                        + " (a loop that does not end?)");
            }
            int o = op[pc];
            int d = dst[pc];
            int s = src[pc];
            if (d > 10 || s > 10) {
                throw fault(pc, "instruction", "register r" + Math.max(d, s) + " does not exist");
            }
            if (t != null) {
                t.step(pc);
            }
            switch (cls(o)) {
                case ALU, ALU64 -> {
                    boolean is64 = cls(o) == ALU64;
                    int code = o & 0xf0;
                    if (code == END) {
                        int width = imm[pc];
                        if (width != 16 && width != 32 && width != 64) {
                            throw fault(pc, "instruction", "byte swap of width " + width + " is not defined");
                        }
                        if (is64 && (o & X) != 0) {
                            throw fault(pc, "instruction", "opcode 0x" + Integer.toHexString(o) + " is not defined");
                        }
                        boolean swap = is64 || (o & X) == TO_BE;
                        if (t != null) {
                            t.endian(pc, d, width, swap);
                        }
                        reg[d] = Alu.endian(reg[d], width, swap);
                        pc++;
                        continue;
                    }
                    if (d == 10) {
                        throw fault(pc, "instruction", "r10 is read-only");
                    }
                    boolean useReg = (o & X) != 0;
                    long b = useReg ? reg[s] : is64 ? (long) imm[pc] : imm[pc] & 0xffffffffL;
                    int offset = off[pc];
                    checkAluOffset(pc, code, offset, is64);
                    if (code > ARSH) {
                        throw fault(pc, "instruction", "opcode 0x" + Integer.toHexString(o) + " is not defined");
                    }
                    if (t != null) {
                        t.alu(pc, code, !is64, d, useReg ? s : -1, b, offset);
                    }
                    reg[d] = is64 ? Alu.alu64(code, reg[d], b, offset) : Alu.alu32(code, reg[d], b, offset);
                    pc++;
                }
                case JMP, JMP32 -> {
                    boolean is32 = cls(o) == JMP32;
                    int code = o & 0xf0;
                    switch (code) {
                        case JA -> pc += 1 + (is32 ? imm[pc] : off[pc]);
                        case CALL -> {
                            if (is32) {
                                throw fault(pc, "instruction", "opcode 0x" + Integer.toHexString(o) + " is not defined");
                            }
                            if ((o & 0x08) != 0) {
                                // BPF_CALL | BPF_X: LLVM's callx, the target address in a register (dst_reg; imm in
                                // older LLVM). No kernel runs it: the verifier rejects opcode 0x8d.
                                int r = d != 0 || imm[pc] < 0 || imm[pc] > 10 ? d : imm[pc];
                                throw fault(pc, "instruction", "call %r" + r + " (callx, opcode 0x8d): an indirect call"
                                        + " through a register, which the kernel's verifier rejects (unknown opcode 8d) and the"
                                        + " interpreter cannot follow; clang emits it for calls through function pointers"
                                        + " it cannot resolve at compile time");
                            }
                            if (s == PSEUDO_CALL) {
                                if (depth + 1 >= MAX_CALL_DEPTH) {
                                    throw fault(pc, "instruction", "call depth exceeds " + MAX_CALL_DEPTH + " frames");
                                }
                                long[] f = frames[depth++];
                                f[0] = pc + 1;
                                System.arraycopy(reg, 6, f, 1, 5);
                                if (t != null) {
                                    t.enter(pc, depth);
                                }
                                reg[10] = stack.address(STACK_SIZE * (MAX_CALL_DEPTH - depth));
                                pc += 1 + imm[pc];
                            } else if (s == 0) {
                                reg[0] = helpers.call(this, pc, imm[pc]);
                                pc++;
                            } else {
                                throw fault(pc, "instruction", "call with src_reg " + s + " (kfunc) is not supported");
                            }
                        }
                        case EXIT -> {
                            if (is32) {
                                throw fault(pc, "instruction", "opcode 0x" + Integer.toHexString(o) + " is not defined");
                            }
                            if (depth == 0) {
                                executed = count;
                                return reg[0];
                            }
                            long[] f = frames[--depth];
                            pc = (int) f[0];
                            System.arraycopy(f, 1, reg, 6, 5);
                            if (t != null) {
                                t.leave(pc, depth);
                            }
                        }
                        default -> {
                            if (code > JSLE) {
                                throw fault(pc, "instruction", "opcode 0x" + Integer.toHexString(o) + " is not defined");
                            }
                            boolean useReg = (o & X) != 0;
                            long b = useReg ? reg[s] : (long) imm[pc];
                            boolean taken = Alu.jump(code, reg[d], b, is32);
                            if (t != null) {
                                t.branch(pc, code, is32, d, useReg ? s : -1, b, taken);
                            }
                            pc += taken ? 1 + off[pc] : 1;
                        }
                    }
                }
                case LD -> {
                    if (o != (LD | IMM | DW)) {
                        throw fault(pc, "instruction", "legacy packet access (opcode 0x" + Integer.toHexString(o)
                                + ") is not available to XDP programs");
                    }
                    if (pc + 1 >= n || op[pc + 1] != 0) {
                        throw fault(pc, "instruction", "wide immediate load without its second half");
                    }
                    long lo = imm[pc] & 0xffffffffL;
                    long hi = (long) imm[pc + 1] << 32;
                    reg[d] = switch (s) {
                        case 0 -> lo | hi;
                        case ProgramSpec.PSEUDO_MAP_IDX -> mapHandle(pc, imm[pc]);
                        case ProgramSpec.PSEUDO_MAP_IDX_VALUE -> mapValue(pc, imm[pc]) + imm[pc + 1];
                        default -> throw fault(pc, "instruction", "wide immediate load with src_reg " + s
                                + " is not supported (the loader resolves maps to indexes)");
                    };
                    if (t != null) {
                        t.constant(pc, d);
                    }
                    pc += 2;
                }
                case LDX -> {
                    int mode = o & 0xe0;
                    int size = size(o);
                    if (mode != MEM && !(mode == MEMSX && size != 8)) {
                        throw fault(pc, "instruction", "opcode 0x" + Integer.toHexString(o) + " is not defined");
                    }
                    if (d == 10) {
                        throw fault(pc, "instruction", "r10 is read-only");
                    }
                    long addr = reg[s] + off[pc];
                    if (t != null) {
                        t.address(pc, s, addr);
                    }
                    long v = memory.load(pc, addr, size);
                    if (mode == MEMSX) {
                        v = switch (size) {
                            case 1 -> (byte) v;
                            case 2 -> (short) v;
                            default -> (int) v;
                        };
                    }
                    reg[d] = v;
                    if (t != null) {
                        t.load(pc, d, addr, size, mode == MEMSX);
                    }
                    pc++;
                }
                case ST -> {
                    if ((o & 0xe0) != MEM) {
                        throw fault(pc, "instruction", "opcode 0x" + Integer.toHexString(o) + " is not defined");
                    }
                    int size = size(o);
                    long addr = reg[d] + off[pc];
                    if (t != null) {
                        t.address(pc, d, addr);
                    }
                    memory.store(pc, addr, size, imm[pc]);
                    if (t != null) {
                        t.store(pc, addr, size, -1);
                    }
                    pc++;
                }
                case STX -> {
                    int mode = o & 0xe0;
                    int size = size(o);
                    if (mode == MEM) {
                        long addr = reg[d] + off[pc];
                        if (t != null) {
                            t.address(pc, d, addr);
                        }
                        memory.store(pc, addr, size, reg[s]);
                        if (t != null) {
                            t.store(pc, addr, size, s);
                        }
                    } else if (mode == ATOMIC) {
                        atomic(pc, size, d, s, imm[pc], off[pc]);
                    } else {
                        throw fault(pc, "instruction", "opcode 0x" + Integer.toHexString(o) + " is not defined");
                    }
                    pc++;
                }
                default -> throw fault(pc, "instruction", "opcode 0x" + Integer.toHexString(o) + " is not defined");
            }
        }
    }

    private void checkAluOffset(int pc, int code, int offset, boolean is64) {
        boolean ok = switch (code) {
            case DIV, MOD -> offset == 0 || offset == 1;
            case MOV -> offset == 0 || offset == 8 || offset == 16 || (is64 && offset == 32);
            default -> offset == 0;
        };
        if (!ok) {
            throw fault(pc, "instruction", "offset " + offset + " is not defined for this ALU operation");
        }
    }

    private void atomic(int pc, int size, int d, int s, int op, int offset) {
        if (size != 4 && size != 8 && op != LOAD_ACQ && op != STORE_REL) {
            throw fault(pc, "instruction", "atomic operations on " + size + "-byte words are not defined");
        }
        Tracking t = tracking;
        if (op == LOAD_ACQ) {
            long addr = reg[s] + offset;
            if (t != null) {
                t.address(pc, s, addr);
            }
            reg[d] = memory.load(pc, addr, size);
            if (t != null) {
                t.load(pc, d, addr, size, false);
            }
            return;
        }
        if (op == STORE_REL) {
            long addr = reg[d] + offset;
            if (t != null) {
                t.address(pc, d, addr);
            }
            memory.store(pc, addr, size, reg[s]);
            if (t != null) {
                t.store(pc, addr, size, s);
            }
            return;
        }
        long addr = reg[d] + offset;
        if (t != null) {
            t.address(pc, d, addr);
        }
        long mask = size == 4 ? 0xffffffffL : -1L;
        long old = memory.load(pc, addr, size);
        long val = reg[s] & mask;
        switch (op) {
            case XCHG -> {
                if (t != null) {
                    t.atomic(pc, op, addr, size, s);
                }
                memory.store(pc, addr, size, val);
                reg[s] = old;
            }
            case CMPXCHG -> {
                boolean eq = (reg[0] & mask) == old;
                if (t != null) {
                    t.atomic(pc, op, addr, size, s);
                }
                if (eq) {
                    memory.store(pc, addr, size, val);
                }
                reg[0] = old;
            }
            default -> {
                int code = op & ~FETCH;
                long nv = switch (code) {
                    case ADD -> old + val;
                    case OR -> old | val;
                    case AND -> old & val;
                    case XOR -> old ^ val;
                    default -> throw fault(pc, "instruction", "atomic operation 0x" + Integer.toHexString(op) + " is not defined");
                };
                if (t != null) {
                    t.atomic(pc, op, addr, size, s);
                }
                memory.store(pc, addr, size, nv & mask);
                if ((op & FETCH) != 0) {
                    reg[s] = old;
                }
            }
        }
    }

    private long mapHandle(int pc, int index) {
        if (index < 0 || index >= mapHandles.length) {
            throw fault(pc, "instruction", "reference to map " + index + ", which does not exist");
        }
        return mapHandles[index];
    }

    private long mapValue(int pc, int index) {
        if (index < 0 || index >= mapValueBases.length || mapValueBases[index] == 0) {
            throw fault(pc, "instruction", "direct value access to map " + index + ", which is not global data");
        }
        return mapValueBases[index];
    }

    private VmFault fault(int pc, String kind, String message) {
        return new VmFault(pc, kind, program.where(pc) + ": " + message);
    }

    /** A fault at the current instruction, for helpers. */
    public VmFault fault(int pc, String message) {
        return new VmFault(pc, "helper", program.where(pc) + ": " + message);
    }
}
