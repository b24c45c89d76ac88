package dev.xdperf.analyze.vm;

import static dev.xdperf.analyze.vm.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.object.ObjectSpec;
import dev.xdperf.analyze.object.ProgramSpec;
import dev.xdperf.analyze.testing.Kernel;
import dev.xdperf.analyze.xdp.XdpMachine;
import dev.xdperf.analyze.xdp.XdpResult;
import dev.xdperf.bpf.RawProgram;
import dev.xdperf.bpf.TestRun;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Instruction semantics (RFC 9669), our own cases: every ALU operation in both widths with
 * immediate and register operands, the edge cases the RFC defines (division and modulo by
 * zero, signed overflow, shift masking, 32-bit zero extension, sign extension), byte swaps,
 * loads and stores of every size, atomics, every jump in both widths, calls between functions.
 *
 * <p>Each case is an XDP program that computes r0 and stores it in the first 8 bytes of the
 * packet, so the interpreter and the kernel (BPF_PROG_TEST_RUN) can be compared on the full
 * 64-bit value. Jump cases read their operands from the packet so the verifier cannot fold them.
 */
class ConformanceTest {
    static final long MIN = Long.MIN_VALUE;
    static final long MAX = Long.MAX_VALUE;

    /** A program body that leaves its result in r0 (r9 holds the context; r1-r8 are free), the expected result, the input packet. */
    record Case(String name, long expected, Consumer<Asm> body, Consumer<Asm> functions, byte[] packet) {
        Case(String name, long expected, Consumer<Asm> body) {
            this(name, expected, body, a -> { }, new byte[64]);
        }

        long[] program() {
            Asm a = new Asm();
            a.movx(9, 1);
            body.accept(a);
            a.label("done");
            a.ldx(4, 2, 9, 0).ldx(4, 3, 9, 4).movx(4, 2).alu64(ADD, 4, 8).jmpx(JGT, 4, 3, "out");
            a.stx(8, 2, 0, 0);
            a.label("out").mov(0, XdpResult.PASS).exit();
            functions.accept(a);
            return a.build();
        }
    }

    /** Values the jump cases compare, as 64-bit words in the packet. */
    static final long[] VALUES = {0, 1, -1, 0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L, MIN};
    static final int[] IMMS = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x1234};
    static final int[] JUMPS = {JEQ, JNE, JGT, JGE, JLT, JLE, JSGT, JSGE, JSLT, JSLE, JSET};

    static final List<Case> CASES = new ArrayList<>();

    /** r3 = the packet length (64 in every case), a value the verifier does not know. */
    static Asm length(Asm a) {
        return a.ldx(4, 2, 9, 0).ldx(4, 3, 9, 4).alu64x(SUB, 3, 2);
    }

    static void add(String name, long expected, Consumer<Asm> body) {
        CASES.add(new Case(name, expected, body));
    }

    static {
        // ---- ALU64 with immediates and registers
        add("add64 imm", 2, a -> a.mov(0, 5).alu64(ADD, 0, -3));
        add("add64 wraps", 1, a -> a.ldImm64(0, -1).alu64(ADD, 0, 2));
        add("add64 reg", 0x100000000L, a -> a.ldImm64(0, 0xffffffffL).mov(1, 1).alu64x(ADD, 0, 1));
        add("sub64", -2, a -> a.mov(0, 3).alu64(SUB, 0, 5));
        add("sub64 reg", MAX, a -> a.ldImm64(0, MIN).mov(1, 1).alu64x(SUB, 0, 1));
        add("mul64", 0x300000003L, a -> a.ldImm64(0, 0x100000001L).alu64(MUL, 0, 3));
        add("mul64 negative imm", -0x200000002L, a -> a.ldImm64(0, 0x100000001L).alu64(MUL, 0, -2));
        add("div64 unsigned", 0x5555555555555555L, a -> a.mov(0, -1).alu64(DIV, 0, 3));
        add("div64 by zero register is 0", 0, a -> a.mov(0, 77).mov(1, 0).alu64x(DIV, 0, 1));
        add("mod64 unsigned", 5, a -> a.mov(0, -1).alu64(MOD, 0, 10));
        add("mod64 by zero register leaves dst", 0x1234567890L, a -> a.ldImm64(0, 0x1234567890L).mov(1, 0).alu64x(MOD, 0, 1));
        add("or64", 0xff0fL, a -> a.mov(0, 0xff00).alu64(OR, 0, 0x0f));
        add("and64 sign-extended imm", 0xfffffffffffff000L, a -> a.mov(0, -1).alu64(AND, 0, -4096));
        add("xor64 reg", 0xf0f0L, a -> a.mov(0, 0xffff).mov(1, 0x0f0f).alu64x(XOR, 0, 1));
        add("lsh64", 0x100000000L, a -> a.mov(0, 1).alu64(LSH, 0, 32));
        add("lsh64 register masks 65 to 1", 2, a -> a.mov(0, 1).mov(1, 65).alu64x(LSH, 0, 1));
        add("rsh64 logical", 0xf, a -> a.mov(0, -1).alu64(RSH, 0, 60));
        add("rsh64 register masks 68 to 4", 0x0fffffffffffffffL, a -> a.mov(0, -1).mov(1, 68).alu64x(RSH, 0, 1));
        add("arsh64", -4, a -> a.mov(0, -16).alu64(ARSH, 0, 2));
        add("arsh64 register masks", -1, a -> a.ldImm64(0, MIN).mov(1, 127).alu64x(ARSH, 0, 1));
        add("neg64", -5, a -> a.mov(0, 5).neg(0));
        add("mov64 imm sign-extends", -1, a -> a.mov(0, -1));
        add("sdiv64", -3, a -> a.mov(0, -7).signed64(DIV, 0, 2));
        add("sdiv64 reg negative", 3, a -> a.mov(0, -7).mov(1, -2).signed64x(DIV, 0, 1));
        add("smod64 has the dividend's sign", -1, a -> a.mov(0, -7).signed64(MOD, 0, 2));
        add("smod64 reg", 1, a -> a.mov(0, 7).mov(1, -2).signed64x(MOD, 0, 1));
        add("sdiv64 LLONG_MIN by -1", MIN, a -> a.ldImm64(0, MIN).mov(1, -1).signed64x(DIV, 0, 1));
        add("smod64 LLONG_MIN by -1", 0, a -> a.ldImm64(0, MIN).mov(1, -1).signed64x(MOD, 0, 1));
        add("sdiv64 by zero register is 0", 0, a -> a.mov(0, -9).mov(1, 0).signed64x(DIV, 0, 1));
        add("smod64 by zero register leaves dst", -9, a -> a.mov(0, -9).mov(1, 0).signed64x(MOD, 0, 1));

        // ---- ALU32: low halves, results zero-extended
        add("add32 zero-extends", 2, a -> a.ldImm64(0, 0xffffffff00000001L).alu32(ADD, 0, 1));
        add("add32 wraps at 32 bits", 0, a -> a.ldImm64(0, 0xffffffffL).alu32(ADD, 0, 1));
        add("sub32", 0xfffffffeL, a -> a.mov(0, 3).alu32(SUB, 0, 5));
        add("mul32", 0xfffffffeL, a -> a.mov(0, 0x7fffffff).alu32(MUL, 0, 2));
        add("div32", 0x55555555L, a -> a.mov(0, -1).alu32(DIV, 0, 3));
        add("div32 by zero register is 0", 0, a -> a.ldImm64(0, 0x100000007L).mov(1, 0).alu32x(DIV, 0, 1));
        add("div32 ignores upper half of divisor", 7, a -> a.mov(0, 7).ldImm64(1, 0x100000001L).alu32x(DIV, 0, 1));
        add("mod32 by zero register zeroes the upper half", 7, a -> a.ldImm64(0, 0x100000007L).mov(1, 0).alu32x(MOD, 0, 1));
        add("mod32", 2, a -> a.mov(0, 17).alu32(MOD, 0, 5));
        add("or32", 0xffffffffL, a -> a.ldImm64(0, 0xffffffff00000000L).alu32(OR, 0, -1));
        add("and32", 0x0f0fL, a -> a.mov(0, -1).alu32(AND, 0, 0x0f0f));
        add("xor32", 0xfffffff0L, a -> a.mov(0, 0xf).alu32(XOR, 0, -1));
        add("lsh32 drops the upper bits", 0, a -> a.mov(0, 1).alu32(LSH, 0, 31).alu32(LSH, 0, 1));
        add("lsh32 register masks 33 to 1", 2, a -> a.mov(0, 1).mov(1, 33).alu32x(LSH, 0, 1));
        add("rsh32 logical on the low half", 0x7fffffffL, a -> a.mov(0, -1).alu32(RSH, 0, 1));
        add("arsh32", 0xfffffffcL, a -> a.mov(0, -16).alu32(ARSH, 0, 2));
        add("arsh32 register masks 34 to 2", 0xfffffffcL, a -> a.mov(0, -16).mov(1, 34).alu32x(ARSH, 0, 1));
        add("neg32", 0xfffffffbL, a -> a.mov(0, 5).neg32(0));
        add("mov32 imm", 0xffffffffL, a -> a.alu32(MOV, 0, -1));
        add("mov32 reg zero-extends", 0xffffffffL, a -> a.mov(1, -1).alu32x(MOV, 0, 1));
        add("sdiv32", 0xfffffffdL, a -> a.alu32(MOV, 0, -7).signed32(DIV, 0, 2));
        add("smod32", 0xffffffffL, a -> a.alu32(MOV, 0, -7).signed32(MOD, 0, 2));
        add("sdiv32 INT_MIN by -1", 0x80000000L, a -> a.alu32(MOV, 0, Integer.MIN_VALUE).alu32(MOV, 1, -1).signed32x(DIV, 0, 1));
        add("smod32 INT_MIN by -1", 0, a -> a.alu32(MOV, 0, Integer.MIN_VALUE).alu32(MOV, 1, -1).signed32x(MOD, 0, 1));
        add("smod32 by zero register zeroes the upper half", 0xfffffff7L, a -> a.mov(0, -9).mov(1, 0).signed32x(MOD, 0, 1));

        // ---- sign-extending moves
        add("movsx64 8", -128, a -> a.mov(1, 0x180).movsx(0, 1, 8));
        add("movsx64 16", -32768, a -> a.mov(1, 0x18000).movsx(0, 1, 16));
        add("movsx64 32", Integer.MIN_VALUE, a -> a.ldImm64(1, 0x180000000L).movsx(0, 1, 32));
        add("movsx64 8 positive", 0x7f, a -> a.mov(1, 0x37f).movsx(0, 1, 8));
        add("movsx32 8 zero-extends the 32-bit result", 0xffffff80L, a -> a.mov(1, 0x80).movsx32(0, 1, 8));
        add("movsx32 16", 0xffff8000L, a -> a.mov(1, 0x8000).movsx32(0, 1, 16));

        // ---- byte order
        long v = 0x0102030405060708L;
        add("be16", 0x0807, a -> a.ldImm64(0, v).endian(true, 0, 16));
        add("be32", 0x08070605L, a -> a.ldImm64(0, v).endian(true, 0, 32));
        add("be64", 0x0807060504030201L, a -> a.ldImm64(0, v).endian(true, 0, 64));
        add("le16 truncates", 0x0708, a -> a.ldImm64(0, v).endian(false, 0, 16));
        add("le32 truncates", 0x05060708L, a -> a.ldImm64(0, v).endian(false, 0, 32));
        add("le64", v, a -> a.ldImm64(0, v).endian(false, 0, 64));
        add("bswap16", 0x0807, a -> a.ldImm64(0, v).bswap(0, 16));
        add("bswap32", 0x08070605L, a -> a.ldImm64(0, v).bswap(0, 32));
        add("bswap64", 0x0807060504030201L, a -> a.ldImm64(0, v).bswap(0, 64));
        add("wide immediate", 0x123456789abcdef0L, a -> a.ldImm64(0, 0x123456789abcdef0L));

        // ---- loads and stores of every size, sign-extending loads
        add("stx/ldx 64", v, a -> a.ldImm64(1, v).stx(8, 10, -8, 1).ldx(8, 0, 10, -8));
        add("ldx 32 of a 64-bit store", 0x05060708L, a -> a.ldImm64(1, v).stx(8, 10, -8, 1).ldx(4, 0, 10, -8));
        add("ldx 16 at an offset", 0x0304, a -> a.ldImm64(1, v).stx(8, 10, -8, 1).ldx(2, 0, 10, -4));
        add("ldx 8", 0x01, a -> a.ldImm64(1, v).stx(8, 10, -8, 1).ldx(1, 0, 10, -1));
        add("stx 8 and 16 into a word", 0x1122aabbL, a -> a.st(4, 10, -4, 0x11220000).mov(1, 0xaabb).stx(2, 10, -4, 1)
                .ldx(4, 0, 10, -4));
        add("st 64 sign-extends its immediate", -2, a -> a.st(8, 10, -8, -2).ldx(8, 0, 10, -8));
        add("st 8", 0xab, a -> a.st(8, 10, -8, 0).st(1, 10, -8, 0xab).ldx(8, 0, 10, -8));
        add("ldxs 8", -128, a -> a.st(8, 10, -8, 0x80).ldxs(1, 0, 10, -8));
        add("ldxs 16", -2, a -> a.st(8, 10, -8, 0xfffe).ldxs(2, 0, 10, -8));
        add("ldxs 32", Integer.MIN_VALUE, a -> a.st(4, 10, -8, Integer.MIN_VALUE).ldxs(4, 0, 10, -8));

        // ---- atomics on the stack
        add("atomic add 64", 15, a -> a.st(8, 10, -8, 10).mov(1, 5).atomic(8, ADD, 10, -8, 1).ldx(8, 0, 10, -8));
        add("atomic fetch add 64 returns the old value", 10 * 1000 + 15,
                a -> a.st(8, 10, -8, 10).mov(1, 5).atomic(8, ADD | FETCH, 10, -8, 1).ldx(8, 2, 10, -8)
                        .movx(0, 1).alu64(MUL, 0, 1000).alu64x(ADD, 0, 2));
        add("atomic add 32 wraps in its word", 0x100000000L | 4,
                a -> a.st(4, 10, -8, -1).st(4, 10, -4, 1).mov(1, 5).atomic(4, ADD, 10, -8, 1).ldx(8, 0, 10, -8));
        add("atomic fetch add 32 zero-extends", 0xffffffffL,
                a -> a.st(4, 10, -4, -1).mov(1, 1).atomic(4, ADD | FETCH, 10, -4, 1).movx(0, 1));
        add("atomic or", 0xff0f, a -> a.st(8, 10, -8, 0xff00).mov(1, 0x0f).atomic(8, OR, 10, -8, 1).ldx(8, 0, 10, -8));
        add("atomic fetch and", 0xff00L << 16 | 0x0f00,
                a -> a.st(8, 10, -8, 0xff00).mov(1, 0x0ff0).atomic(8, AND | FETCH, 10, -8, 1).ldx(8, 0, 10, -8)
                        .movx(2, 1).alu64(LSH, 2, 16).alu64x(OR, 2, 0).movx(0, 2));
        add("atomic fetch xor 32", 0xf0f0L * 0x10000 + 0xffff,
                a -> a.st(4, 10, -4, 0xffff).mov(1, 0x0f0f).atomic(4, XOR | FETCH, 10, -4, 1).ldx(4, 0, 10, -4)
                        .alu64(LSH, 0, 16).alu64x(OR, 0, 1));
        add("atomic xchg 64", (7L << 32) | 9, a -> a.st(8, 10, -8, 7).mov(1, 9).atomic(8, XCHG, 10, -8, 1).ldx(8, 0, 10, -8)
                .alu64(LSH, 1, 32).alu64x(OR, 0, 1));
        add("atomic xchg 32 zero-extends the old value", 0xfffffffeL,
                a -> a.st(4, 10, -4, -2).mov(1, 3).atomic(4, XCHG, 10, -4, 1).movx(0, 1));
        add("atomic cmpxchg 64 succeeds", (5L << 32) | 8, a -> a.st(8, 10, -8, 5).mov(0, 5).mov(1, 8)
                .atomic(8, CMPXCHG, 10, -8, 1).ldx(8, 2, 10, -8).alu64(LSH, 0, 32).alu64x(OR, 0, 2));
        add("atomic cmpxchg 64 fails", (5L << 32) | 5, a -> a.st(8, 10, -8, 5).mov(0, 4).mov(1, 8)
                .atomic(8, CMPXCHG, 10, -8, 1).ldx(8, 2, 10, -8).alu64(LSH, 0, 32).alu64x(OR, 0, 2));
        add("atomic cmpxchg 32 compares the low half of r0", 0xfffffff0L,
                a -> a.st(4, 10, -4, -16).ldImm64(0, 0x7fffffff0L).mov(1, 1).atomic(4, CMPXCHG, 10, -4, 1));
        add("atomic cmpxchg 32 stores on a match", 1,
                a -> a.st(4, 10, -4, -16).ldImm64(0, 0x7fffffff0L).mov(1, 1).atomic(4, CMPXCHG, 10, -4, 1).ldx(4, 0, 10, -4));
        add("load-acquire 64", v, a -> a.ldImm64(1, v).stx(8, 10, -8, 1).movx(2, 10).atomic(8, LOAD_ACQ, 0, -8, 2));
        add("store-release 32", 0x05060708L, a -> a.st(8, 10, -8, 0).ldImm64(1, v).atomic(4, STORE_REL, 10, -8, 1)
                .ldx(8, 0, 10, -8));

        // ---- control flow
        // the code a jump skips must be reachable some other way, or the verifier refuses it: branch on the length
        add("ja skips", 1, a -> length(a).mov(0, 1).jmp(JNE, 3, 64, "mid").ja("skip").label("mid").mov(0, 2).label("skip"));
        add("gotol skips", 1, a -> length(a).mov(0, 1).jmp(JNE, 3, 64, "mid").gotol("skip").label("mid").mov(0, 2)
                .label("skip"));
        add("bounded loop sums 1..10", 55, a -> a.mov(0, 0).mov(1, 10).label("loop").alu64x(ADD, 0, 1).alu64(SUB, 1, 1)
                .jmp(JNE, 1, 0, "loop"));
        add("a second exit", 3, a -> length(a).mov(0, 3).jmp(JEQ, 3, 64, "done").mov(0, 4).exit());
        CASES.add(new Case("bpf-to-bpf call with arguments", 3 * 7 + 100,
                a -> a.mov(1, 3).mov(2, 7).mov(6, 100).callLocal("f").alu64x(ADD, 0, 6),
                a -> a.function("f").movx(0, 1).alu64x(MUL, 0, 2).mov(6, -1).exit(), new byte[64]));
        CASES.add(new Case("nested calls keep r6-r9 and own stack frames", 1000 + 10 + 1,
                a -> a.mov(6, 1000).st(8, 10, -8, 1).mov(1, 5).callLocal("g").alu64x(ADD, 0, 6).ldx(8, 1, 10, -8).alu64x(ADD, 0, 1),
                a -> {
                    a.function("g").mov(6, 7).st(8, 10, -8, 99).movx(1, 1).callLocal("h").alu64x(ADD, 0, 0).exit();
                    a.function("h").mov(6, 3).st(8, 10, -8, 42).movx(0, 1).exit();
                }, new byte[64]));
        addJumps();
    }


    /** Reference semantics written out here, independently of the interpreter's Alu. */
    static boolean expect(int code, long a, long b, boolean is32) {
        if (is32) {
            a = (int) a;
            b = (int) b;
            long ua = a & 0xffffffffL;
            long ub = b & 0xffffffffL;
            return switch (code) {
                case JEQ -> ua == ub;
                case JNE -> ua != ub;
                case JGT -> ua > ub;
                case JGE -> ua >= ub;
                case JLT -> ua < ub;
                case JLE -> ua <= ub;
                case JSGT -> a > b;
                case JSGE -> a >= b;
                case JSLT -> a < b;
                case JSLE -> a <= b;
                default -> (ua & ub) != 0;
            };
        }
        return switch (code) {
            case JEQ -> a == b;
            case JNE -> a != b;
            case JGT -> Long.compareUnsigned(a, b) > 0;
            case JGE -> Long.compareUnsigned(a, b) >= 0;
            case JLT -> Long.compareUnsigned(a, b) < 0;
            case JLE -> Long.compareUnsigned(a, b) <= 0;
            case JSGT -> a > b;
            case JSGE -> a >= b;
            case JSLT -> a < b;
            case JSLE -> a <= b;
            default -> (a & b) != 0;
        };
    }

    /**
     * One program per (jump, width, operand kind): operands come from the packet, each
     * outcome sets one bit of r0.
     */
    static void addJumps() {
        byte[] pkt = new byte[64];
        ByteBuffer b = ByteBuffer.wrap(pkt).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < VALUES.length; i++) {
            b.putLong(8 * i, VALUES[i]);
        }
        for (int code : JUMPS) {
            for (boolean is32 : new boolean[] {false, true}) {
                for (boolean reg : new boolean[] {false, true}) {
                    long expected = 0;
                    int bit = 0;
                    for (int i = 0; i < VALUES.length; i++) {
                        int n = reg ? VALUES.length : IMMS.length;
                        for (int j = 0; j < n; j++, bit++) {
                            long rhs = reg ? VALUES[j] : IMMS[j];
                            if (expect(code, VALUES[i], rhs, is32)) {
                                expected |= 1L << bit;
                            }
                        }
                    }
                    String name = (is32 ? "jmp32 " : "jmp ") + Integer.toHexString(code) + (reg ? " reg" : " imm");
                    int c = code;
                    CASES.add(new Case(name, expected, a -> {
                        a.mov(0, 0);
                        a.ldx(4, 7, 9, 0).ldx(4, 8, 9, 4).movx(1, 7).alu64(ADD, 1, 64).jmpx(JGT, 1, 8, "done");
                        int k = 0;
                        for (int i = 0; i < VALUES.length; i++) {
                            int n = reg ? VALUES.length : IMMS.length;
                            for (int j = 0; j < n; j++, k++) {
                                String skip = "s" + k;
                                a.ldx(8, 1, 7, 8 * i);
                                if (reg) {
                                    a.ldx(8, 2, 7, 8 * j);
                                    if (is32) {
                                        a.jmp32x(c, 1, 2, "t" + k);
                                    } else {
                                        a.jmpx(c, 1, 2, "t" + k);
                                    }
                                } else if (is32) {
                                    a.jmp32(c, 1, IMMS[j], "t" + k);
                                } else {
                                    a.jmp(c, 1, IMMS[j], "t" + k);
                                }
                                a.ja(skip);
                                a.label("t" + k).ldImm64(3, 1L << k).alu64x(OR, 0, 3);
                                a.label(skip);
                            }
                        }
                    }, a -> { }, pkt));
                }
            }
        }
    }

    static ObjectSpec object(ProgramSpec p) {
        return new ObjectSpec("conformance", List.of(p), List.of(), "GPL");
    }

    static long interpret(Case c) {
        ProgramSpec p = new ProgramSpec(c.name(), "xdp", c.program(), List.of(new ProgramSpec.Function(c.name(), 0)));
        XdpResult r = XdpMachine.builder(object(p), p).build().run(c.packet());
        assertEquals(null, r.fault(), c.name());
        assertEquals(XdpResult.PASS, r.action(), c.name());
        return ByteBuffer.wrap(r.output()).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    @Test
    void interpreterGivesTheExpectedResults() {
        assertTrue(CASES.size() > 140, "cases: " + CASES.size());
        List<String> wrong = new ArrayList<>();
        for (Case c : CASES) {
            long got = interpret(c);
            if (got != c.expected()) {
                wrong.add(c.name() + ": expected 0x" + Long.toHexString(c.expected()) + ", got 0x" + Long.toHexString(got));
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void kernelAgreesOnEveryCase() {
        Kernel.require();
        List<String> wrong = new ArrayList<>();
        for (Case c : CASES) {
            try (RawProgram p = RawProgram.loadXdp("conformance", c.program())) {
                TestRun.Result r = TestRun.run(p.program(), c.packet(), 1);
                assertEquals(XdpResult.PASS, r.retval(), c.name());
                long got = ByteBuffer.wrap(r.dataOut()).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                if (got != c.expected()) {
                    wrong.add(c.name() + ": expected 0x" + Long.toHexString(c.expected()) + ", kernel 0x" + Long.toHexString(got));
                }
            } catch (RuntimeException e) {
                wrong.add(c.name() + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** A helper the interpreter lacks does not stop the run: its result is opaque and named, and only a branch on it is untraceable. */
    @Test
    void aMissingHelpersResultIsOpaqueAndNamed() {
        ProgramSpec ignored = new Asm().call(6).mov(0, 2).exit().program("ignored");
        XdpResult r = XdpMachine.builder(object(ignored), ignored).build().run(new byte[64], true);
        assertEquals(null, r.fault());
        assertEquals(XdpResult.PASS, r.action());
        assertTrue(r.trace().traceable());
        ProgramSpec used = new Asm().call(6).jmp(JEQ, 0, 0, "zero").mov(0, 1).exit().label("zero").mov(0, 2).exit()
                .program("used");
        XdpMachine m = XdpMachine.builder(object(used), used).build();
        XdpResult u = m.run(new byte[64], true);
        assertEquals("branch on the result of bpf_trace_printk (helper 6), which the interpreter does not implement",
                u.trace().untraceable());
        assertEquals(java.util.Set.of("bpf_trace_printk"), m.unsupportedHelpers());
    }

    @Test
    void faultsStopTheRunWithAReason() {
        List<Object[]> faults = List.of(
                new Object[] {new Asm().mov(10, 0).exit(), "r10 is read-only"},
                new Object[] {new Asm().ldx(8, 0, 10, 0).exit(), "out of bounds"},
                new Object[] {new Asm().mov(0, 0).ldx(8, 0, 0, 0).exit(), "NULL pointer"},
                new Object[] {new Asm().label("l").ja("l"), "instruction budget of 1000 exceeded"},
                new Object[] {new Asm().insn(0xff, 0, 0, 0, 0).exit(), "opcode 0xff is not defined"},
                new Object[] {new Asm().mov(0, 1).st(4, 1, 0, 0).exit(), "write to the context"},
                new Object[] {new Asm().ldx(2, 0, 1, 0).exit(), "2-byte read of the context"},
                new Object[] {new Asm().mov(0, 0).ja("x").label("x").insn(JMP | JA, 0, 0, 5, 0), "outside the program"});
        for (Object[] f : faults) {
            ProgramSpec p = ((Asm) f[0]).program("f");
            XdpResult r = XdpMachine.builder(object(p), p).budget(1000).build().run(new byte[64]);
            assertTrue(r.faulted() && r.fault().getMessage().contains((String) f[1]),
                    "expected a fault with '" + f[1] + "', got " + (r.fault() == null ? "none" : r.fault().getMessage()));
        }
    }
}
