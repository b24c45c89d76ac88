package dev.xdperf.analyze.vm;

import static dev.xdperf.analyze.vm.Opcodes.*;

/**
 * The arithmetic of RFC 9669 in one place, shared by the interpreter and by the evaluation
 * of symbolic expressions, so that a path condition means exactly what the program computed.
 */
public final class Alu {
    private Alu() {}

    private static final long MASK32 = 0xffffffffL;

    /**
     * A 64-bit operation; {@code off} selects signed division/modulo (1) and the width of a
     * sign-extending move (8, 16, 32). Division by zero gives 0; modulo by zero leaves dst.
     */
    public static long alu64(int code, long dst, long src, int off) {
        return switch (code) {
            case ADD -> dst + src;
            case SUB -> dst - src;
            case MUL -> dst * src;
            case DIV -> src == 0 ? 0 : off == 1 ? dst / src : Long.divideUnsigned(dst, src);
            case OR -> dst | src;
            case AND -> dst & src;
            case LSH -> dst << (src & 63);
            case RSH -> dst >>> (src & 63);
            case NEG -> -dst;
            case MOD -> src == 0 ? dst : off == 1 ? dst % src : Long.remainderUnsigned(dst, src);
            case XOR -> dst ^ src;
            case MOV -> switch (off) {
                case 8 -> (byte) src;
                case 16 -> (short) src;
                case 32 -> (int) src;
                default -> src;
            };
            case ARSH -> dst >> (src & 63);
            default -> throw new IllegalArgumentException("ALU64 code 0x" + Integer.toHexString(code));
        };
    }

    /** A 32-bit operation on the low halves; the result is zero-extended to 64 bits. */
    public static long alu32(int code, long dst64, long src64, int off) {
        int dst = (int) dst64;
        int src = (int) src64;
        int r = switch (code) {
            case ADD -> dst + src;
            case SUB -> dst - src;
            case MUL -> dst * src;
            case DIV -> src == 0 ? 0 : off == 1 ? dst / src : Integer.divideUnsigned(dst, src);
            case OR -> dst | src;
            case AND -> dst & src;
            case LSH -> dst << (src & 31);
            case RSH -> dst >>> (src & 31);
            case NEG -> -dst;
            case MOD -> src == 0 ? dst : off == 1 ? dst % src : Integer.remainderUnsigned(dst, src);
            case XOR -> dst ^ src;
            case MOV -> switch (off) {
                case 8 -> (byte) src;
                case 16 -> (short) src;
                default -> src;
            };
            case ARSH -> dst >> (src & 31);
            default -> throw new IllegalArgumentException("ALU32 code 0x" + Integer.toHexString(code));
        };
        return r & MASK32;
    }

    /**
     * Byte order conversion on a little-endian machine. {@code swap} is true for TO_BE in the
     * ALU class and for the unconditional BSWAP of ALU64; either way the result is truncated
     * to {@code width} bits (zero-extended).
     */
    public static long endian(long v, int width, boolean swap) {
        return switch (width) {
            case 16 -> swap ? Short.toUnsignedLong(Short.reverseBytes((short) v)) : v & 0xffff;
            case 32 -> swap ? Integer.toUnsignedLong(Integer.reverseBytes((int) v)) : v & MASK32;
            case 64 -> swap ? Long.reverseBytes(v) : v;
            default -> throw new IllegalArgumentException("byte swap width " + width);
        };
    }

    /** Whether a conditional jump is taken; JMP32 compares the low 32 bits. */
    public static boolean jump(int code, long a, long b, boolean is32) {
        if (is32) {
            int x = (int) a;
            int y = (int) b;
            return switch (code) {
                case JEQ -> x == y;
                case JNE -> x != y;
                case JGT -> Integer.compareUnsigned(x, y) > 0;
                case JGE -> Integer.compareUnsigned(x, y) >= 0;
                case JLT -> Integer.compareUnsigned(x, y) < 0;
                case JLE -> Integer.compareUnsigned(x, y) <= 0;
                case JSGT -> x > y;
                case JSGE -> x >= y;
                case JSLT -> x < y;
                case JSLE -> x <= y;
                case JSET -> (x & y) != 0;
                default -> throw new IllegalArgumentException("jump code 0x" + Integer.toHexString(code));
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
            case JSET -> (a & b) != 0;
            default -> throw new IllegalArgumentException("jump code 0x" + Integer.toHexString(code));
        };
    }

    /** The jump code that is taken exactly when {@code code} is not. */
    public static int negate(int code) {
        return switch (code) {
            case JEQ -> JNE;
            case JNE -> JEQ;
            case JGT -> JLE;
            case JLE -> JGT;
            case JGE -> JLT;
            case JLT -> JGE;
            case JSGT -> JSLE;
            case JSLE -> JSGT;
            case JSGE -> JSLT;
            case JSLT -> JSGE;
            case JSET -> NSET;
            case NSET -> JSET;
            default -> throw new IllegalArgumentException("jump code 0x" + Integer.toHexString(code));
        };
    }

    /** The jump code with its operands swapped: a OP b == b swap(OP) a. */
    public static int mirror(int code) {
        return switch (code) {
            case JEQ, JNE, JSET, NSET -> code;
            case JGT -> JLT;
            case JLT -> JGT;
            case JGE -> JLE;
            case JLE -> JGE;
            case JSGT -> JSLT;
            case JSLT -> JSGT;
            case JSGE -> JSLE;
            case JSLE -> JSGE;
            default -> throw new IllegalArgumentException("jump code 0x" + Integer.toHexString(code));
        };
    }

    /** Pseudo jump code for "(a & b) == 0", the negation of JSET; not an instruction. */
    public static final int NSET = 0x1000;

    public static boolean test(int code, long a, long b, boolean is32) {
        return code == NSET ? !jump(JSET, a, b, is32) : jump(code, a, b, is32);
    }
}
