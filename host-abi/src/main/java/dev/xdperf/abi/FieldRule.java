package dev.xdperf.abi;

import java.util.List;

/**
 * Writes a value of {@code width} bytes (big-endian) at {@code offset} of every packet.
 * Values are unsigned; min, max, step and list values are carried in longs.
 */
public record FieldRule(int offset, int width, Op op, Scope scope, long min, long max, long step, List<Long> values) {
    public static final int ENCODED_SIZE = 32;
    public static final int MAX_LIST = 256;

    public enum Op {
        INCREMENT(1), DECREMENT(2), RANDOM(3), LIST(4);

        public final int code;

        Op(int code) {
            this.code = code;
        }

        static Op of(int code) {
            for (Op o : values()) {
                if (o.code == code) {
                    return o;
                }
            }
            throw new AbiException("operation " + code + " is not 1 (increment), 2 (decrement), 3 (random) or 4 (list)");
        }
    }

    public enum Scope {
        /** Per packet of the template; per flow of the template; per packet of the template's stream (ABI 1.1). */
        PACKET(0), FLOW(1), STREAM(2);

        public final int code;

        Scope(int code) {
            this.code = code;
        }

        static Scope of(int code) {
            return switch (code) {
                case 0 -> PACKET;
                case 1 -> FLOW;
                case 2 -> STREAM;
                default -> throw new AbiException("scope " + code + " is not 0 (per packet), 1 (per flow) or 2 (per stream)");
            };
        }
    }

    public FieldRule {
        values = List.copyOf(values);
    }

    public static FieldRule increment(int offset, int width, Scope scope, long min, long max, long step) {
        return new FieldRule(offset, width, Op.INCREMENT, scope, min, max, step, List.of());
    }

    public static FieldRule decrement(int offset, int width, Scope scope, long min, long max, long step) {
        return new FieldRule(offset, width, Op.DECREMENT, scope, min, max, step, List.of());
    }

    public static FieldRule random(int offset, int width, Scope scope, long min, long max) {
        return new FieldRule(offset, width, Op.RANDOM, scope, min, max, 1, List.of());
    }

    public static FieldRule list(int offset, int width, Scope scope, List<Long> values) {
        return new FieldRule(offset, width, Op.LIST, scope, 0, 0, 1, values);
    }

    /** Largest unsigned value of this width, as a long bit pattern. */
    public long widthMask() {
        return width == 8 ? -1L : (1L << (8 * width)) - 1;
    }

    /** max - min + 1, as an unsigned value; 0 stands for 2^64. */
    public long range() {
        return max - min + 1;
    }

    public int encodedSize() {
        return ENCODED_SIZE + 8 * values.size();
    }
}
