package dev.xdperf.tx;

import dev.xdperf.bpf.Structs;

/**
 * A sender fault for tests of the receiver's loss, duplicate and reorder detection: on the
 * departure slot {@code atSeq}, drop the frame or stamp it with sequence {@code value}.
 */
public record TestHook(long atSeq, Action action, long value) {
    public enum Action {
        DROP(Structs.HOOK_DROP), STAMP(Structs.HOOK_STAMP);

        final int code;

        Action(int code) {
            this.code = code;
        }
    }

    public static TestHook drop(long atSeq) {
        return new TestHook(atSeq, Action.DROP, 0);
    }

    public static TestHook stamp(long atSeq, long seq) {
        return new TestHook(atSeq, Action.STAMP, seq);
    }

    /** Parses "drop:SEQ" or "stamp:SEQ=VALUE" (the hidden --test-hook option). */
    public static TestHook parse(String text) {
        try {
            if (text.startsWith("drop:")) {
                return drop(Long.parseLong(text.substring(5)));
            }
            if (text.startsWith("stamp:")) {
                String[] kv = text.substring(6).split("=");
                return stamp(Long.parseLong(kv[0]), Long.parseLong(kv[1]));
            }
        } catch (RuntimeException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("test hook '" + text + "' is not drop:SEQ or stamp:SEQ=VALUE");
    }
}
